"""Analytics: the range's figures from the services, peak hours, a range to fix, heatmap and export links."""

from __future__ import annotations

import io
from datetime import date, timedelta
from urllib.parse import parse_qs, urlsplit

import pytest
from nicegui import ui
from nicegui.testing import User

from shopflow.reports import series
from shopflow.reports.peaks import PeakHour, peak_hours
from shopflow.reports.periods import local_now
from shopflow.storage.db import Database
from shopflow.storage.records import Language
from shopflow.storage.repositories import CameraRepository, StoreRepository
from tests.integration.reports.helpers import DOOR, SAO_PAULO, entry, local, make_store, parties, write

from .conftest import RETRIES, add_user, sign_in


def _set(user: User, marker: str, value: object) -> None:
    [element] = user.find(marker=marker).elements
    assert isinstance(element, ui.input | ui.select)
    element.set_value(value)


async def test_the_range_shows_the_services_figures_and_peak_hours(user: User, database: Database) -> None:
    add_user(database)
    store, [camera] = make_store(database)
    day = local_now(SAO_PAULO).date() - timedelta(days=2)
    write(
        database,
        camera.id,
        [entry(local(SAO_PAULO, day.year, day.month, day.day, 14, 10)) for _ in range(3)]
        + [entry(local(SAO_PAULO, day.year, day.month, day.day, 9, 5))],
    )
    await sign_in(user)
    await user.open("/analytics")
    await user.should_see(marker="daily-chart", retries=RETRIES)
    [total] = user.find(marker="total-entries").elements
    assert "4" in [child.text for child in total.descendants() if isinstance(child, ui.label)]
    await user.should_see("14:00–15:00", retries=RETRIES)
    await user.should_see("3 entradas", retries=RETRIES)
    await user.should_see("09:00–10:00", retries=RETRIES)
    with database.session() as session:
        hourly = series.hourly_series(session, store.id, day, day)
    assert peak_hours(hourly.points) == (PeakHour(14, 3), PeakHour(9, 1))


async def test_an_inverted_range_says_what_to_change(user: User, database: Database) -> None:
    add_user(database)
    make_store(database)
    await sign_in(user)
    await user.open("/analytics")
    await user.should_see(marker="daily-chart", retries=RETRIES)
    _set(user, "since", "2024-03-10")
    _set(user, "until", "2024-03-01")
    user.find(marker="show-analytics").click()
    # In the reader's language and date format, not the API's English "since (2024-03-10) is after until ...".
    await user.should_see(
        "Não foi possível mostrar o período. A data inicial (10/03/2024) é depois da final (01/03/2024); "
        "inverta as datas.",
        retries=RETRIES,
    )


async def test_exports_and_heatmap_point_at_the_api_for_the_chosen_range(user: User, database: Database) -> None:
    add_user(database)
    store, [camera] = make_store(database)
    await sign_in(user)
    await user.open("/analytics")
    await user.should_see(marker="exports", retries=RETRIES)
    _set(user, "since", "2024-03-01")
    _set(user, "until", "2024-03-07")
    _set(user, "camera-filter", camera.id)
    user.find(marker="show-analytics").click()
    await user.should_see("23/02/2024 – 29/02/2024", retries=30)  # the comparison with the week before
    links = {}
    for marker in ("export_csv", "export_xlsx", "export_pdf"):
        [link] = user.find(marker=marker).elements
        assert isinstance(link, ui.link)
        links[marker] = urlsplit(link.props["href"])
    common = {"store_id": [str(store.id)], "camera_id": [str(camera.id)], "lang": ["pt-BR"]}
    assert links["export_csv"].path == "/api/analytics/export.csv"
    assert parse_qs(links["export_csv"].query) == {**common, "since": ["2024-03-01"], "until": ["2024-03-07"]}
    assert links["export_xlsx"].path == "/api/analytics/export.xlsx"
    assert links["export_pdf"].path == "/api/analytics/report.pdf"
    assert parse_qs(links["export_pdf"].query) == {**common, "since": ["2024-03-01"], "until": ["2024-03-07"]}
    await user.should_see("O relatório PDF cobre o período (01/03/2024 – 07/03/2024)", retries=RETRIES)
    _set(user, "export-by", "zone")
    [csv_link] = user.find(marker="export_csv").elements
    assert parse_qs(urlsplit(csv_link.props["href"]).query)["by"] == ["zone"]
    [heatmap] = user.find(marker="heatmap").elements
    assert isinstance(heatmap, ui.image)
    assert heatmap.source == (
        f"/api/analytics/heatmap.png?store_id={store.id}&camera_id={camera.id}&since=2024-03-01&until=2024-03-07"
    )


def _card_texts(user: User, marker: str) -> list[str]:
    [card] = user.find(marker=marker).elements
    return [child.text for child in card.descendants() if isinstance(child, ui.label)]


@pytest.mark.parametrize(
    ("door", "caption", "definition"),
    [
        (True, "Visitantes únicos", "Entradas de clientes pelas linhas de entrada da loja"),
        (False, "Visitantes únicos (no mínimo)", "No mínimo: a câmera que mais viu pessoas"),
    ],
)
async def test_one_person_seen_by_two_cameras_is_one_visitor_and_the_card_says_why(
    user: User, database: Database, door: bool, caption: str, definition: str
) -> None:
    add_user(database)
    with database.session() as session:
        stores = StoreRepository(session)
        store = stores.create(stores.server_organisation("Acme"), "Centro", timezone=SAO_PAULO)
        cameras = CameraRepository(session)
        first = cameras.create(store.id, "porta", "rtsp://10.0.0.1/s", lines=(DOOR,) if door else ())
        second = cameras.create(store.id, "caixa", "rtsp://10.0.0.2/s")
    day = local_now(SAO_PAULO).date() - timedelta(days=1)
    ten = local(SAO_PAULO, day.year, day.month, day.day, 10)
    write(database, first.id, [entry(ten), parties(ten, potential_customers=1, groups=0, visitors=1)])
    write(database, second.id, [parties(ten + timedelta(minutes=2), potential_customers=1, groups=0, visitors=1)])
    await sign_in(user)
    await user.open("/analytics")
    await user.should_see(marker="total-unique_visitors", retries=RETRIES)
    texts = _card_texts(user, "total-unique_visitors")
    assert texts[:2] == [caption, "1"]
    assert any(text.startswith(definition) for text in texts[2:]), texts


async def test_brazilian_dates_are_typed_and_shown_as_dd_mm_yyyy(user: User, database: Database) -> None:
    """Issue 10, item 3: "25/11/2026" gave "Invalid isoformat string"."""
    add_user(database)
    _, [camera] = make_store(database)
    write(database, camera.id, [entry(local(SAO_PAULO, 2026, 11, 25, 10, 0)) for _ in range(2)])
    await sign_in(user)
    await user.open("/analytics")
    await user.should_see(marker="daily-chart", retries=RETRIES)
    [since] = user.find(marker="since").elements
    assert isinstance(since, ui.input)
    today = local_now(SAO_PAULO).date()
    assert since.value == (today - timedelta(days=6)).strftime("%d/%m/%Y")  # shown as typed
    _set(user, "since", "25/11/2026")
    _set(user, "until", "25/11/2026")
    user.find(marker="show-analytics").click()
    await user.should_see("Comparação com o período anterior (24/11/2026 – 24/11/2026)", retries=RETRIES)
    [total] = user.find(marker="total-entries").elements
    assert "2" in [child.text for child in total.descendants() if isinstance(child, ui.label)]
    await user.should_not_see("isoformat")


async def test_a_date_that_is_not_one_says_how_to_type_it(user: User, database: Database) -> None:
    add_user(database)
    make_store(database)
    await sign_in(user)
    await user.open("/analytics")
    await user.should_see(marker="daily-chart", retries=RETRIES)
    _set(user, "since", "31/02/2026")
    user.find(marker="show-analytics").click()
    await user.should_see("“31/02/2026” não é uma data. Digite a data como dd/mm/aaaa, por exemplo", retries=RETRIES)
    await user.should_not_see("does not match format")
    await user.should_not_see("isoformat")


async def test_an_english_reader_types_iso_dates_and_gets_an_english_error(user: User, database: Database) -> None:
    add_user(database, language=Language.EN)
    make_store(database)
    await sign_in(user)
    await user.open("/analytics")
    await user.should_see(marker="daily-chart", retries=RETRIES)
    _set(user, "until", "2026/11/25")
    user.find(marker="show-analytics").click()
    await user.should_see("“2026/11/25” is not a date. Type the date as yyyy-mm-dd, for example", retries=RETRIES)


async def test_a_previous_period_without_data_is_missing_not_zero(user: User, database: Database) -> None:
    """Issue 10, item 6: the comparison printed "Período anterior 0" for a period nothing was recorded in."""
    add_user(database)
    _, [camera] = make_store(database)
    write(database, camera.id, [entry(local(SAO_PAULO, 2026, 11, 25, 10, 0))])
    await sign_in(user)
    await user.open("/analytics")
    await user.should_see(marker="daily-chart", retries=RETRIES)
    _set(user, "since", "25/11/2026")
    _set(user, "until", "26/11/2026")
    user.find(marker="show-analytics").click()
    await user.should_see("Comparação com o período anterior (23/11/2026 – 24/11/2026)", retries=RETRIES)
    [card] = user.find(marker="comparison").elements
    [table] = [child for child in card.descendants() if isinstance(child, ui.table)]
    entries = next(row for row in table.rows if row["figure"] == "Entradas")
    assert (entries["current"], entries["previous"]) == ("1", "sem dados")
    [chart] = user.find(marker="daily-chart").elements
    assert isinstance(chart, ui.echart)
    assert chart.options["series"][0]["data"] == [1, None]  # the 26th: nothing recorded, a gap
    [hourly] = user.find(marker="hourly-series-chart").elements
    assert isinstance(hourly, ui.echart)
    hours = hourly.options["series"][0]["data"]
    assert hours[:24].count(0) == 23 and hours[10] == 1  # the 25th was recorded: its quiet hours are zeros
    assert hours[24:] == [None] * 24


async def test_the_pdf_prints_a_last_week_without_data_as_missing(database: Database) -> None:
    from pypdf import PdfReader

    from shopflow.reports import pdf

    store, [camera] = make_store(database)
    write(database, camera.id, [entry(local(SAO_PAULO, 2026, 11, 25, 10, 0))])
    with database.session() as session:
        report = pdf.daily_report_pdf(session, store.id, date(2026, 11, 25), lang="pt-BR")
    text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(report.content)).pages)
    assert "sem dados" in text
    with database.session() as session:
        rows = pdf._figures_rows(pdf.daily_report_data(session, store.id, date(2026, 11, 25)), "pt-BR")
    assert [row[2] for row in rows] == ["sem dados"] * len(rows)


async def test_analytics_cover_opening_hours_and_show_the_rest_apart(user: User, database: Database) -> None:
    add_user(database)
    store, [camera] = make_store(database)
    with database.session() as session:
        StoreRepository(session).update(
            store.id, opening_hours={day: {"open": "09:00", "close": "18:00"} for day in ("mon", "tue", "wed", "thu")}
        )
    # Monday 4 March 2024: two customers in opening hours, the cleaner at 20:00.
    write(
        database,
        camera.id,
        [
            entry(local(SAO_PAULO, 2024, 3, 4, 10)),
            entry(local(SAO_PAULO, 2024, 3, 4, 11)),
            entry(local(SAO_PAULO, 2024, 3, 4, 20)),
        ],
    )
    await sign_in(user)
    await user.open("/analytics")
    await user.should_see(marker="exports", retries=RETRIES)
    _set(user, "since", "2024-03-01")
    _set(user, "until", "2024-03-07")
    user.find(marker="show-analytics").click()
    await user.should_see(marker="outside-hours", retries=30)
    await user.should_see("Fora do horário de funcionamento: 1 entradas, 0 saídas", retries=RETRIES)
    await user.should_see("10:00–11:00", retries=RETRIES)
    await user.should_not_see("20:00–21:00")  # the cleaner is no peak hour
    [total] = user.find(marker="total-entries").elements
    assert "2" in [child.text for child in total.descendants() if isinstance(child, ui.label)]
    [opening] = user.find(marker="export-opening-only").elements
    assert isinstance(opening, ui.checkbox)
    opening.set_value(True)
    [xlsx] = user.find(marker="export_xlsx").elements
    assert parse_qs(urlsplit(xlsx.props["href"]).query)["opening_hours_only"] == ["true"]
