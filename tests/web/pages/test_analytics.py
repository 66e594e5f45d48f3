"""Analytics: the range's figures from the services, peak hours, a range to fix, heatmap and export links."""

from __future__ import annotations

from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

import pytest
from nicegui import ui
from nicegui.testing import User

from shopflow.reports import series
from shopflow.reports.peaks import PeakHour, peak_hours
from shopflow.reports.periods import local_now
from shopflow.storage.db import Database
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
    assert parse_qs(links["export_pdf"].query) == {**common, "day": ["2024-03-07"]}
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
