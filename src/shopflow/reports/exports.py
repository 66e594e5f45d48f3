"""Spreadsheet exports by hour, by day or by zone: CSV for any tool, XLSX for Excel, labelled in the chosen language.

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
from datetime import date, time
from typing import Literal

from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter
from sqlalchemy.orm import Session

from shopflow.reports.i18n import Lang, decimal_separator, format_date, format_plain_number, label
from shopflow.reports.periods import DateRange
from shopflow.reports.scope import Scope
from shopflow.reports.series import DailySeries, HourlySeries, daily_series, hourly_series
from shopflow.reports.visitors import explanation_key, label_key
from shopflow.reports.zones import ZoneDwellReport, zone_dwell_for
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


@dataclass(frozen=True, slots=True)
class ExportFile:
    filename: str
    content_type: str
    content: bytes


ExportBy = Literal["hour", "day", "zone"]
EXPORT_BY: tuple[ExportBy, ...] = ("hour", "day", "zone")
SHEETS: dict[ExportBy, str] = {"hour": "hourly_sheet", "day": "daily_sheet", "zone": "zone_sheet"}
COUNT_KEYS = [key for key, _ in COUNT_COLUMNS]

# A cell as written: text, a local date or wall time, a count, or a decimal (None: no value, an empty cell).
Cell = str | date | time | int | float | None


@dataclass(frozen=True, slots=True)
class ExportTable:
    scope: Scope
    span: DateRange
    by: ExportBy
    opening_only: bool
    headers: list[str]  # label keys (reports/i18n.py)
    rows: list[list[Cell]]
    totals: Counts  # for the summary


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


def export_filename(table: ExportTable, extension: str) -> str:
    camera = "" if table.scope.camera is None else f"_camera-{table.scope.camera.id}"
    dates = f"{table.span.since.isoformat()}_{table.span.until.isoformat()}"
    # Hourly keeps its old name (scripts fetch it); the other cuts and opening hours say so in the name.
    kind = "" if table.by == "hour" else f"_by-{table.by}"
    opening = "_opening-hours" if table.opening_only else ""
    return f"shopflow_{slug(table.scope.store.name)}{camera}_{dates}{kind}{opening}.{extension}"


def _value(counts: Counts, attribute: str) -> float | int | None:
    value: float | int | None = getattr(counts, attribute)
    return value


def _cell(counts: Counts, attribute: str) -> float | int | None:
    """A spreadsheet cell's value: dwell to a tenth of a second, counts as they are."""
    value = _value(counts, attribute)
    return round(value, 1) if isinstance(value, float) else value


def _count_cells(counts: Counts) -> list[Cell]:
    return [_cell(counts, attribute) for _, attribute in COUNT_COLUMNS]


def _hour_table(series: HourlySeries) -> tuple[list[str], list[list[Cell]]]:
    # Excel has no time zones: the local wall time goes in, the ISO column keeps the offset.
    rows: list[list[Cell]] = [
        [
            point.start.isoformat(),
            point.start.date(),
            point.start.time().replace(tzinfo=None),
            *_count_cells(point.counts),
        ]
        for point in series.points
    ]
    return ["start_iso", "date", "hour", *COUNT_KEYS], rows


def _day_table(series: DailySeries) -> tuple[list[str], list[list[Cell]]]:
    rows: list[list[Cell]] = [[point.day, *_count_cells(point.counts)] for point in series.points]
    return ["date", *COUNT_KEYS], rows


def _zone_table(report: ZoneDwellReport) -> tuple[list[str], list[list[Cell]]]:
    rows: list[list[Cell]] = [
        [
            zone.camera_name,
            zone.zone,
            zone.visits,
            *(
                None if value is None else round(value, 1)
                for value in (zone.mean_seconds, zone.median_seconds, zone.p90_seconds)
            ),
        ]
        for zone in report.zones
    ]
    return ["camera", "zone", "visits_short", "mean_s", "median_s", "p90_s"], rows


def export_table(
    session: Session,
    store_id: int,
    since: date,
    until: date,
    *,
    camera_id: int | None = None,
    by: ExportBy = "hour",
    opening_only: bool = False,
) -> ExportTable:
    """The rows of an export by hour, by day or by zone, and the totals its summary shows. With `opening_only`
    hours and days count only opening hours (reports/opening.py); zone dwell counts customers' visits only, which
    staff arriving or cleaning do not make, so it is the same either way."""
    if by == "hour":
        hourly = hourly_series(session, store_id, since, until, camera_id=camera_id, opening_only=opening_only)
        headers, rows = _hour_table(hourly)
        return ExportTable(hourly.scope, hourly.span, by, opening_only, headers, rows, hourly.totals)
    # Days come from the per-day read (a year is 365 rows, not 8,760 hours), and give the zone export its totals.
    daily = daily_series(session, store_id, since, until, camera_id=camera_id, opening_only=opening_only)
    if by == "day":
        headers, rows = _day_table(daily)
    else:
        headers, rows = _zone_table(zone_dwell_for(session, daily.scope, daily.span))
    return ExportTable(daily.scope, daily.span, by, opening_only, headers, rows, daily.totals)


def _csv_text(value: Cell, lang: Lang) -> str:
    if isinstance(value, str):
        return safe_text(value)
    if isinstance(value, date):
        return format_date(value, lang)
    if isinstance(value, time):
        return value.strftime("%H:%M")
    if isinstance(value, float) or value is None:
        return format_plain_number(value, lang, 1)
    return str(value)


def table_csv(table: ExportTable, lang: Lang) -> bytes:
    """The table as CSV bytes (see the module docstring for the dialect)."""
    buffer = io.StringIO()
    # The list separator is `;` wherever `,` is the decimal mark, as Excel's is (see the module docstring).
    delimiter = ";" if decimal_separator(lang) == "," else ","
    writer = csv.writer(buffer, delimiter=delimiter, lineterminator="\r\n")
    writer.writerow([safe_text(label(lang, key)) for key in table.headers])
    for row in table.rows:
        writer.writerow([_csv_text(value, lang) for value in row])
    return (UTF8_BOM + buffer.getvalue()).encode("utf-8")


def table_xlsx(table: ExportTable, lang: Lang) -> bytes:
    """The table as an XLSX workbook with real dates and numbers, and a summary sheet it opens on."""
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None  # a new Workbook always has its first sheet
    sheet.title = label(lang, SHEETS[table.by])
    date_format = "dd/mm/yyyy" if lang == "pt-BR" else "yyyy-mm-dd"
    headers = [safe_text(label(lang, key)) for key in table.headers]
    sheet.append(headers)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for values in table.rows:
        sheet.append([safe_text(value) if isinstance(value, str) else value for value in values])
        for cell, value in zip(sheet[sheet.max_row], values, strict=True):
            if isinstance(value, date):
                cell.number_format = date_format
            elif isinstance(value, time):
                cell.number_format = "hh:mm"
            elif isinstance(value, float) or value is None:
                cell.number_format = "0.0"
    sheet.freeze_panes = "A2"
    for index, header in enumerate(headers, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = max(12, len(header) + 2)
    if table.by == "hour":
        sheet.column_dimensions["A"].width = 27
    elif table.by == "zone":  # camera and zone names are read whole
        longest = max((len(str(row[column])) for row in table.rows for column in (0, 1)), default=0)
        for letter in "AB":
            sheet.column_dimensions[letter].width = min(60, max(16, longest + 2))

    summary = workbook.create_sheet(label(lang, "summary_sheet"))
    scope = table.scope
    camera = label(lang, "all_cameras") if scope.camera is None else scope.camera.name
    period = f"{format_date(table.span.since, lang)} – {format_date(table.span.until, lang)}"
    coverage = "coverage_opening_hours" if table.opening_only else "coverage_all_hours"
    rows: list[tuple[str, object]] = [
        (label(lang, "store"), scope.store.name),
        (label(lang, "camera"), camera),
        (label(lang, "period"), period),
        (label(lang, "timezone"), scope.timezone),
        (label(lang, "coverage"), label(lang, coverage)),
    ]
    # The columns keep one name for programs that read them; the summary names the visitors figure as its rule
    # does (a lower bound says so) and says which definition is in force.
    rule = scope.visitors_rule
    rows.extend(
        (label(lang, label_key(rule) if key == "unique_visitors" else key), _cell(table.totals, attribute))
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
    # The summary is what an owner reads first: the workbook opens on it (the detail stays the first tab).
    workbook.active = summary
    for worksheet in workbook.worksheets:
        worksheet.sheet_view.tabSelected = worksheet is summary

    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def export_csv(
    session: Session,
    store_id: int,
    since: date,
    until: date,
    *,
    camera_id: int | None = None,
    lang: Lang = "pt-BR",
    by: ExportBy = "hour",
    opening_only: bool = False,
) -> ExportFile:
    table = export_table(session, store_id, since, until, camera_id=camera_id, by=by, opening_only=opening_only)
    return ExportFile(export_filename(table, "csv"), CSV_CONTENT_TYPE, table_csv(table, lang))


def export_xlsx(
    session: Session,
    store_id: int,
    since: date,
    until: date,
    *,
    camera_id: int | None = None,
    lang: Lang = "pt-BR",
    by: ExportBy = "hour",
    opening_only: bool = False,
) -> ExportFile:
    table = export_table(session, store_id, since, until, camera_id=camera_id, by=by, opening_only=opening_only)
    return ExportFile(export_filename(table, "xlsx"), XLSX_CONTENT_TYPE, table_xlsx(table, lang))


def export_hourly_csv(
    session: Session,
    store_id: int,
    since: date,
    until: date,
    *,
    camera_id: int | None = None,
    lang: Lang = "pt-BR",
    opening_only: bool = False,
) -> ExportFile:
    return export_csv(session, store_id, since, until, camera_id=camera_id, lang=lang, opening_only=opening_only)


def export_hourly_xlsx(
    session: Session,
    store_id: int,
    since: date,
    until: date,
    *,
    camera_id: int | None = None,
    lang: Lang = "pt-BR",
    opening_only: bool = False,
) -> ExportFile:
    return export_xlsx(session, store_id, since, until, camera_id=camera_id, lang=lang, opening_only=opening_only)
