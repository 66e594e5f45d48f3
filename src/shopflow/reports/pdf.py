"""The daily report as a PDF: the day's figures beside the same weekday last week, entries per hour, zone dwell.

Drawn with matplotlib's object API and its PDF backend (no pyplot, no display, nothing fetched at run time);
fonts are matplotlib's bundled DejaVu Sans, embedded as TrueType so the text can be searched and copied.
"""

from __future__ import annotations

import io
import textwrap
import threading
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from matplotlib import rc_context
from matplotlib.axes import Axes
from matplotlib.backends.backend_pdf import PdfPages
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator
from sqlalchemy.orm import Session

from shopflow.reports.compare import FigureChange, changes, day_values, recorded
from shopflow.reports.day import DayFigures, day_figures
from shopflow.reports.exports import ExportFile, slug
from shopflow.reports.i18n import (
    Lang,
    format_date,
    format_datetime,
    format_duration,
    format_long_date,
    format_number,
    format_percent,
    format_time,
    label,
)
from shopflow.reports.periods import DateRange, local_now
from shopflow.reports.scope import Scope, resolve_scope
from shopflow.reports.visitors import explanation_key, label_key
from shopflow.reports.zones import ZoneDwell, zone_dwell_for

PDF_CONTENT_TYPE = "application/pdf"
A4_PORTRAIT = (8.27, 11.69)  # inches
ZONE_ROWS_FIRST_PAGE = 14
ZONE_ROWS_PER_PAGE = 40
BAR_COLOUR = "#2b6cb0"
LAST_WEEK_COLOUR = "#dd6b20"
VISITORS_NOTE_WIDTH = 130  # characters per line of the note under the figures, at 7 pt across the page

# matplotlib's rcParams and font cache are process-wide and not thread-safe; API requests run on threads.
_DRAWING = threading.Lock()


@dataclass(frozen=True, slots=True)
class DailyReportData:
    scope: Scope
    day: date
    figures: DayFigures
    last_week: DayFigures  # the same part of the day as `figures` (all of it, unless the day is today)
    changes: tuple[FigureChange, ...]
    zones: tuple[ZoneDwell, ...]
    generated_at: datetime  # local


def daily_report_data(
    session: Session,
    store_id: int,
    day: date | None = None,
    *,
    camera_id: int | None = None,
    now: datetime | None = None,
) -> DailyReportData:
    """What the report shows. The default day is the store's local today; today counts up to `now`, and last
    week's day is then cut at the same wall-clock time so the two compare fairly."""
    scope = resolve_scope(session, store_id, camera_id)
    generated = local_now(scope.timezone, now)
    day = generated.date() if day is None else day
    week_before = day - timedelta(days=7)
    if day == generated.date():
        figures = day_figures(session, scope, day, through=generated)
        last_week = day_figures(session, scope, week_before, through=datetime.combine(week_before, generated.timetz()))
    else:
        figures = day_figures(session, scope, day)
        last_week = day_figures(session, scope, week_before)
    zones = zone_dwell_for(session, scope, DateRange(day, day)).zones
    return DailyReportData(
        scope=scope,
        day=day,
        figures=figures,
        last_week=last_week,
        changes=changes(day_values(figures), day_values(last_week)),
        zones=zones,
        generated_at=generated,
    )


def _format_figure(name: str, value: int | float | None, lang: Lang) -> str:
    if name == "average_dwell_seconds":
        return format_duration(value, lang)
    return format_number(value, lang)


def _peak_hour(figures: DayFigures, lang: Lang) -> str:
    if figures.peak_hour is None:
        return label(lang, "no_data")
    return f"{format_time(figures.peak_hour)} ({format_number(figures.peak_hour_entries, lang)})"


def _figure_name(data: DailyReportData, name: str, lang: Lang) -> str:
    return label(lang, label_key(data.scope.visitors_rule) if name == "unique_visitors" else name)


def _visitors_note(data: DailyReportData, lang: Lang) -> str:
    """Which definition of unique visitors the table's figure follows, wrapped to the page's width."""
    rule = data.scope.visitors_rule
    text = f"{label(lang, label_key(rule))}: {label(lang, explanation_key(rule))}"
    return "\n".join(textwrap.wrap(text, VISITORS_NOTE_WIDTH))


def _last_week_recorded(data: DailyReportData) -> bool:
    return any(recorded(hour.counts) for hour in data.last_week.hours)


def _figures_rows(data: DailyReportData, lang: Lang) -> list[list[str]]:
    # Nothing recorded last week is missing, not a week of zeros: "Período anterior 0" would be a false figure.
    missing = None if _last_week_recorded(data) else label(lang, "missing")
    rows = [
        [
            _figure_name(data, change.name, lang),
            _format_figure(change.name, change.current, lang),
            missing or _format_figure(change.name, change.previous, lang),
            format_percent(change.change_percent, lang),
        ]
        for change in data.changes
    ]
    rows.append(
        [label(lang, "peak_hour"), _peak_hour(data.figures, lang), missing or _peak_hour(data.last_week, lang), ""]
    )
    return rows


def _zone_rows(zones: tuple[ZoneDwell, ...], lang: Lang) -> list[list[str]]:
    return [
        [
            zone.camera_name,
            zone.zone,
            format_number(zone.visits, lang),
            format_duration(zone.mean_seconds, lang),
            format_duration(zone.median_seconds, lang),
            format_duration(zone.p90_seconds, lang),
        ]
        for zone in zones
    ]


def _table(axes: Axes, header: list[str], rows: list[list[str]], widths: list[float]) -> None:
    axes.axis("off")
    table = axes.table(cellText=rows, colLabels=header, colWidths=widths, loc="upper center", cellLoc="left")
    table.auto_set_font_size(False)
    table.set_fontsize(9)
    table.scale(1.0, 1.35)
    for (row, _column), cell in table.get_celld().items():
        cell.set_edgecolor("#cbd5e0")
        if row == 0:
            cell.set_facecolor("#edf2f7")
            cell.set_text_props(weight="bold")


def _hourly_chart(axes: Axes, data: DailyReportData, lang: Lang) -> None:
    hours = data.figures.hours
    positions = list(range(len(hours)))
    axes.bar(positions, [hour.counts.entries for hour in hours], color=BAR_COLOUR, label=format_date(data.day, lang))
    previous = data.last_week.hours
    if not _last_week_recorded(data):
        previous = ()  # nothing recorded: no line at all rather than a line of zeros
    if len(previous) == len(hours):  # a DST day has 23 or 25 hours: only overlay a day of the same shape
        axes.plot(
            positions,
            [hour.counts.entries for hour in previous],
            color=LAST_WEEK_COLOUR,
            marker="o",
            markersize=3,
            label=format_date(data.last_week.day, lang),
        )
    axes.set_xticks(positions, [hour.start.strftime("%H") for hour in hours], fontsize=7)
    axes.set_title(label(lang, "hourly_entries"), fontsize=11, loc="left")
    axes.set_ylabel(label(lang, "entries"), fontsize=9)
    axes.yaxis.set_major_locator(MaxNLocator(integer=True))
    highest = max([hour.counts.entries for hour in (*hours, *previous)], default=0)
    axes.set_ylim(0, max(highest, 1) * 1.1)  # an empty day still gets a sensible axis, not -0.05..0.05
    axes.spines[["top", "right"]].set_visible(False)
    axes.legend(fontsize=8, frameon=False, loc="upper left")


def _header(figure: Figure, data: DailyReportData, lang: Lang, continued: bool = False) -> None:
    title = f"{label(lang, 'daily_report')} — {data.scope.store.name}"
    if continued:
        title += f" ({label(lang, 'continued')})"
    figure.text(0.06, 0.955, title, fontsize=16, weight="bold")
    subtitle = format_long_date(data.day, lang)
    if data.scope.camera is not None:
        subtitle += f" · {label(lang, 'camera')}: {data.scope.camera.name}"
    figure.text(0.06, 0.932, subtitle, fontsize=11, color="#4a5568")
    footer = (
        f"{label(lang, 'generated')} {format_datetime(data.generated_at, lang)} "
        f"({label(lang, 'timezone').lower()} {data.scope.timezone}) · ShopFlow"
    )
    figure.text(0.06, 0.02, footer, fontsize=7, color="#718096")


ZONE_WIDTHS = [0.22, 0.26, 0.1, 0.14, 0.14, 0.14]


def _zone_header(lang: Lang) -> list[str]:
    return [label(lang, key) for key in ("camera", "zone", "visits_short", "mean", "median", "p90")]


def render_daily_report(data: DailyReportData, lang: Lang) -> bytes:
    """The report as PDF bytes: page 1 with everything, more pages only when there are many zones."""
    zone_rows = _zone_rows(data.zones, lang)
    first, rest = zone_rows[:ZONE_ROWS_FIRST_PAGE], zone_rows[ZONE_ROWS_FIRST_PAGE:]
    buffer = io.BytesIO()
    metadata = {
        "Title": f"{label(lang, 'daily_report')} — {data.scope.store.name} — {data.day.isoformat()}",
        "Creator": "ShopFlow",
    }
    with (
        _DRAWING,
        # parse_math off: a store called "Loja $$" is a name, not a mathtext formula (which failed to draw).
        rc_context({"pdf.fonttype": 42, "font.family": "DejaVu Sans", "text.parse_math": False}),
        PdfPages(buffer, metadata=metadata) as pdf,
    ):
        page = Figure(figsize=A4_PORTRAIT)
        _header(page, data, lang)
        header = [label(lang, "figure"), format_date(data.day, lang), label(lang, "last_week"), label(lang, "change")]
        _table(page.add_axes((0.06, 0.6, 0.88, 0.3)), header, _figures_rows(data, lang), [0.3, 0.18, 0.34, 0.18])
        # Under the table's last row, above the chart (which gave up a little height for it).
        page.text(0.06, 0.674, _visitors_note(data, lang), fontsize=7, color="#4a5568", va="top")
        _hourly_chart(page.add_axes((0.1, 0.44, 0.84, 0.18)), data, lang)
        page.text(0.06, 0.38, label(lang, "zone_dwell"), fontsize=11)
        if first:
            _table(page.add_axes((0.06, 0.04, 0.88, 0.33)), _zone_header(lang), first, ZONE_WIDTHS)
        else:
            page.text(0.06, 0.35, label(lang, "no_zones"), fontsize=9, color="#4a5568")
        pdf.savefig(page)
        for start in range(0, len(rest), ZONE_ROWS_PER_PAGE):
            page = Figure(figsize=A4_PORTRAIT)
            _header(page, data, lang, continued=True)
            chunk = rest[start : start + ZONE_ROWS_PER_PAGE]
            _table(page.add_axes((0.06, 0.06, 0.88, 0.84)), _zone_header(lang), chunk, ZONE_WIDTHS)
            pdf.savefig(page)
    return buffer.getvalue()


def daily_report_pdf(
    session: Session,
    store_id: int,
    day: date | None = None,
    *,
    camera_id: int | None = None,
    lang: Lang = "pt-BR",
    now: datetime | None = None,
) -> ExportFile:
    data = daily_report_data(session, store_id, day, camera_id=camera_id, now=now)
    camera = "" if data.scope.camera is None else f"_camera-{data.scope.camera.id}"
    filename = f"shopflow_{slug(data.scope.store.name)}{camera}_{data.day.isoformat()}.pdf"
    return ExportFile(filename, PDF_CONTENT_TYPE, render_daily_report(data, lang))
