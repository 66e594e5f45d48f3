"""The PDF covers the chosen range (a day, a week, a month) with its comparison, and never cuts a name."""

from __future__ import annotations

import io
from datetime import date, datetime

import pypdf
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from shopflow.domain.people import PersonKind
from shopflow.reports import pdf
from shopflow.reports.pdf import daily_report_pdf
from shopflow.storage.db import Database
from shopflow.storage.repositories import CameraRepository, StoreRepository

from .helpers import SAO_PAULO, entry, local, make_store, stay, write

LONG_CAMERA = "Câmera demo (vídeo de exemplo da entrada principal)"


def at(month: int, day: int, hour: int, minute: int = 0) -> datetime:
    return local(SAO_PAULO, 2024, month, day, hour, minute)


def text_of(content: bytes) -> str:
    reader = pypdf.PdfReader(io.BytesIO(content))
    return " ".join(" ".join(page.extract_text().split()) for page in reader.pages)


def test_a_week_against_the_week_before(database: Database) -> None:
    store, (camera,) = make_store(database, name="Loja Centro")
    write(
        database,
        camera.id,
        [
            *[entry(at(3, 11 + n, 12)) for n in range(7)],  # one a day, 11th to 17th
            entry(at(3, 17, 15)),
            *[entry(at(3, 5 + n, 12)) for n in range(4)],  # the week before: 4 entries
            stay("shelf", at(3, 12, 10), 30.0),
        ],
    )
    with database.session() as session:
        report = daily_report_pdf(session, store.id, date(2024, 3, 11), until=date(2024, 3, 17), now=at(4, 1, 9))
        data = pdf.daily_report_data(session, store.id, date(2024, 3, 11), until=date(2024, 3, 17), now=at(4, 1, 9))
    assert report.filename == "shopflow_loja-centro_2024-03-11_2024-03-17.pdf"
    assert len(data.chart) == 7
    entries = next(change for change in data.changes if change.name == "entries")
    assert (entries.current, entries.previous) == (8, 4)
    text = text_of(report.content)
    for expected in ("Relatório do período", "11/03/2024 – 17/03/2024", "Período anterior", "04/03/2024 – 10/03/2024"):
        assert expected in text, expected
    assert "+100,0%" in text
    assert "Entradas por dia" in text


def test_a_month_with_today_in_it_compares_the_same_part_of_the_month_before(database: Database) -> None:
    store, (camera,) = make_store(database)
    write(database, camera.id, [entry(at(3, 5, 10)), entry(at(2, 3, 10)), entry(at(2, 3, 16)), entry(at(2, 10, 10))])
    with database.session() as session:
        data = pdf.daily_report_data(session, store.id, date(2024, 3, 1), until=date(2024, 3, 31), now=at(3, 5, 12))
    entries = next(change for change in data.changes if change.name == "entries")
    # 1 to 5 March up to 12:00 against the 31 days before (30 January on) as far: 3 February up to 12:00, so
    # neither its 16:00 entry nor 10 February's count.
    assert (entries.current, entries.previous) == (1, 1)
    assert len(data.chart) == 31


def test_the_range_report_keeps_crossings_outside_opening_hours_apart(database: Database) -> None:
    store, (camera,) = make_store(database)
    with database.session() as session:
        StoreRepository(session).update(
            store.id, opening_hours={day: {"open": "09:00", "close": "18:00"} for day in ("mon", "tue", "wed")}
        )
    write(database, camera.id, [entry(at(3, 11, 7), PersonKind.EMPLOYEE), entry(at(3, 11, 10)), entry(at(3, 12, 10))])
    with database.session() as session:
        report = daily_report_pdf(session, store.id, date(2024, 3, 11), until=date(2024, 3, 12), now=at(4, 1, 9))
    text = text_of(report.content)
    assert "Fora do horário de funcionamento: 1 entradas" in text


def test_long_names_wrap_inside_their_cells(database: Database) -> None:
    store, (camera,) = make_store(database)
    with database.session() as session:
        CameraRepository(session).update(camera.id, name=LONG_CAMERA)
    write(database, camera.id, [stay("shelf", at(3, 11, 10), 30.0)])
    with database.session() as session:
        data = pdf.daily_report_data(session, store.id, date(2024, 3, 11), now=at(4, 1, 9))
        report = daily_report_pdf(session, store.id, date(2024, 3, 11), now=at(4, 1, 9))
    assert LONG_CAMERA in text_of(report.content).replace("- ", "-")
    figure = Figure(figsize=pdf.A4_PORTRAIT)
    table = pdf._table(
        figure.add_axes((0.06, 0.04, 0.88, 0.33)),
        pdf._zone_header("pt-BR"),
        pdf._zone_rows(data.zones, "pt-BR"),
        pdf.ZONE_WIDTHS,
    )
    renderer = FigureCanvasAgg(figure).get_renderer()
    for (row, column), cell in table.get_celld().items():
        text = cell.get_text()
        assert text.get_window_extent(renderer).width <= cell.get_window_extent(renderer).width, (row, column)
        assert text.get_window_extent(renderer).height <= cell.get_window_extent(renderer).height, (row, column)
    assert "\n" in table.get_celld()[(1, 0)].get_text().get_text()
