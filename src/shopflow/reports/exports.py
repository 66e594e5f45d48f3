"""Spreadsheet exports of the hourly series: CSV for any tool, XLSX for Excel, labelled in the chosen language.

CSV choice: UTF-8 with a byte-order mark, because Excel only reads accents (Saídas, Câmera) right when the BOM is
there. In pt-BR the separator is `;` and the decimal mark `,`, which is what Excel configured for Brazil expects
(its list separator is `;` because `,` is the decimal mark); in English it is `,` and `.`. Every row also carries
the hour's start in ISO 8601 with its UTC offset, so a program never has to guess around DST changes.
"""

from __future__ import annotations

import csv
import io
import re
import unicodedata
from dataclasses import dataclass
from datetime import date

from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter
from sqlalchemy.orm import Session

from shopflow.reports.i18n import Lang, decimal_separator, format_date, format_plain_number, format_time, label
from shopflow.reports.series import HourlySeries, hourly_series
from shopflow.reports.visitors import explanation_key, label_key
from shopflow.storage.rollup_records import Counts

CSV_CONTENT_TYPE = "text/csv; charset=utf-8"
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
UTF8_BOM = "\ufeff"

# (label key, value of an hour) in column order, after the start/date/hour columns.
COUNT_COLUMNS: tuple[tuple[str, str], ...] = (
    ("entries", "entries"),
    ("exits", "exits"),
    ("customer_entries", "customer_entries"),
    ("unique_visitors", "visitors"),
    ("potential_customers", "potential_customers"),
    ("groups", "groups"),
    ("visits", "visits"),
    ("average_dwell_seconds_s", "average_dwell_seconds"),
    ("peak_occupancy", "peak_occupancy"),
)

# 1-based spreadsheet column of the average dwell: after start, date and hour.
DWELL_COLUMN = 4 + [attribute for _, attribute in COUNT_COLUMNS].index("average_dwell_seconds")


@dataclass(frozen=True, slots=True)
class ExportFile:
    filename: str
    content_type: str
    content: bytes


# A text cell starting with one of these is run as a formula by Excel, LibreOffice or Sheets (OWASP "CSV
# injection"): a store named `=HYPERLINK(...)` must stay a name.
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


def safe_text(text: str) -> str:
    """A text cell as a spreadsheet shows it: never a formula, and without the control characters XLSX refuses."""
    text = ILLEGAL_CHARACTERS_RE.sub("", text)
    return f"'{text}" if text.startswith(FORMULA_TRIGGERS) else text


def slug(text: str) -> str:
    """An ASCII piece of a filename: "Loja Centro – São Paulo" -> "loja-centro-sao-paulo"."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-") or "store"


def export_filename(series: HourlySeries, extension: str) -> str:
    camera = "" if series.scope.camera is None else f"_camera-{series.scope.camera.id}"
    dates = f"{series.span.since.isoformat()}_{series.span.until.isoformat()}"
    return f"shopflow_{slug(series.scope.store.name)}{camera}_{dates}.{extension}"


def _value(counts: Counts, attribute: str) -> float | int | None:
    value: float | int | None = getattr(counts, attribute)
    return value


def _cell(counts: Counts, attribute: str) -> float | int | None:
    """A spreadsheet cell's value: dwell to a tenth of a second, counts as they are."""
    value = _value(counts, attribute)
    return round(value, 1) if isinstance(value, float) else value


def _headers(lang: Lang) -> list[str]:
    return [label(lang, key) for key in ("start_iso", "date", "hour")] + [label(lang, key) for key, _ in COUNT_COLUMNS]


def hourly_csv(series: HourlySeries, lang: Lang) -> bytes:
    """The series as CSV bytes (see the module docstring for the dialect)."""
    buffer = io.StringIO()
    # The list separator is `;` wherever `,` is the decimal mark, as Excel's is (see the module docstring).
    delimiter = ";" if decimal_separator(lang) == "," else ","
    writer = csv.writer(buffer, delimiter=delimiter, lineterminator="\r\n")
    writer.writerow([safe_text(header) for header in _headers(lang)])
    for point in series.points:
        row: list[str] = [
            safe_text(text)
            for text in (point.start.isoformat(), format_date(point.start.date(), lang), format_time(point.start))
        ]
        for _, attribute in COUNT_COLUMNS:
            value = _value(point.counts, attribute)
            row.append(format_plain_number(value, lang, 1) if isinstance(value, float) or value is None else str(value))
        writer.writerow(row)
    return (UTF8_BOM + buffer.getvalue()).encode("utf-8")


def hourly_xlsx(series: HourlySeries, lang: Lang) -> bytes:
    """The series as an XLSX workbook: an hourly sheet with real dates and numbers, and a summary sheet."""
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None  # a new Workbook always has its first sheet
    sheet.title = label(lang, "hourly_sheet")
    date_format = "dd/mm/yyyy" if lang == "pt-BR" else "yyyy-mm-dd"
    sheet.append([safe_text(header) for header in _headers(lang)])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for point in series.points:
        # Excel has no time zones: the local wall time goes in, the ISO column keeps the offset.
        local = point.start.replace(tzinfo=None)
        values: list[object] = [point.start.isoformat(), local.date(), local.time()]
        for _, attribute in COUNT_COLUMNS:
            values.append(_cell(point.counts, attribute))
        sheet.append(values)
        row = sheet.max_row
        sheet.cell(row=row, column=2).number_format = date_format
        sheet.cell(row=row, column=3).number_format = "hh:mm"
        sheet.cell(row=row, column=DWELL_COLUMN).number_format = "0.0"
    sheet.freeze_panes = "A2"
    for index, header in enumerate(_headers(lang), start=1):
        sheet.column_dimensions[get_column_letter(index)].width = max(12, len(header) + 2)
    sheet.column_dimensions["A"].width = 27

    summary = workbook.create_sheet(label(lang, "summary_sheet"))
    scope = series.scope
    camera = label(lang, "all_cameras") if scope.camera is None else scope.camera.name
    period = f"{format_date(series.span.since, lang)} – {format_date(series.span.until, lang)}"
    rows: list[tuple[str, object]] = [
        (label(lang, "store"), scope.store.name),
        (label(lang, "camera"), camera),
        (label(lang, "period"), period),
        (label(lang, "timezone"), scope.timezone),
    ]
    # The columns keep one name for programs that read them; the summary names the visitors figure as its rule
    # does (a lower bound says so) and says which definition is in force.
    rule = scope.visitors_rule
    rows.extend(
        (label(lang, label_key(rule) if key == "unique_visitors" else key), _cell(series.totals, attribute))
        for key, attribute in COUNT_COLUMNS
    )
    rows.append((label(lang, "visitors_rule"), label(lang, explanation_key(rule))))
    for name, content in rows:
        summary.append([safe_text(name), safe_text(content) if isinstance(content, str) else content])
    summary.cell(row=summary.max_row, column=2).alignment = Alignment(wrap_text=True, vertical="top")
    for cell in summary["A"]:
        cell.font = Font(bold=True)
    summary.column_dimensions["A"].width = 28
    summary.column_dimensions["B"].width = 60

    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def export_hourly_csv(
    session: Session, store_id: int, since: date, until: date, *, camera_id: int | None = None, lang: Lang = "pt-BR"
) -> ExportFile:
    series = hourly_series(session, store_id, since, until, camera_id=camera_id)
    return ExportFile(export_filename(series, "csv"), CSV_CONTENT_TYPE, hourly_csv(series, lang))


def export_hourly_xlsx(
    session: Session, store_id: int, since: date, until: date, *, camera_id: int | None = None, lang: Lang = "pt-BR"
) -> ExportFile:
    series = hourly_series(session, store_id, since, until, camera_id=camera_id)
    return ExportFile(export_filename(series, "xlsx"), XLSX_CONTENT_TYPE, hourly_xlsx(series, lang))
