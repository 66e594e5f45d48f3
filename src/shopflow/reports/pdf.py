"""The report as a PDF: a day's figures beside the same weekday last week with entries per hour, or a range's (a
week, a month) beside the days just before it with entries per day; zone dwell; over opening hours.

Drawn with matplotlib's object API and its PDF backend (no pyplot, no display, nothing fetched at run time);
fonts are matplotlib's bundled DejaVu Sans, embedded as TrueType so the text can be searched and copied.
"""

from __future__ import annotations

import io
import math
import textwrap
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from matplotlib import rc_context
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.backends.backend_pdf import PdfPages
from matplotlib.figure import Figure
from matplotlib.table import Table
from matplotlib.text import Text
from matplotlib.ticker import MaxNLocator
from sqlalchemy.orm import Session

from shopflow.reports.compare import FigureChange, changes, counts_values, day_values, recorded
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
from shopflow.reports.periods import DateRange, local_now, validate_range
from shopflow.reports.scope import Scope, resolve_scope
from shopflow.reports.series import DayPoint, daily_series, total
from shopflow.reports.visitors import explanation_key, label_key
from shopflow.reports.zones import ZoneDwell, zone_dwell_for
from shopflow.storage.rollup_records import Counts

PDF_CONTENT_TYPE = "application/pdf"
A4_PORTRAIT = (8.27, 11.69)  # inches
ZONE_ROWS_FIRST_PAGE = 14
ZONE_ROWS_PER_PAGE = 40
BAR_COLOUR = "#2b6cb0"
LAST_WEEK_COLOUR = "#dd6b20"
VISITORS_NOTE_WIDTH = 130  # characters per line of the note under the figures, at 7 pt across the page
TITLE_WIDTH = 60  # characters per line of the 16 pt title across the page
SUBTITLE_WIDTH = 90

# matplotlib's rcParams and font cache are process-wide and not thread-safe; API requests run on threads.
_DRAWING = threading.Lock()


@dataclass(frozen=True, slots=True)
class ChartPoint:
    at: date | datetime  # a local day (a range's chart) or a local hour (a single day's)
    entries: int | None  # None: nothing recorded then, drawn as a gap


@dataclass(frozen=True, slots=True)
class DailyReportData:
    """A report over local days since..until (one day, a week, a month) against the period before it."""

    scope: Scope
    span: DateRange
    previous: DateRange  # a single day's is the same weekday last week; a range's the days just before it
    changes: tuple[FigureChange, ...]
    previous_recorded: bool  # False: nothing was recorded then, printed as missing rather than zeros
    figures: DayFigures | None  # a single day's figures, for its peak hour; None for a range
    last_week: DayFigures | None
    chart: tuple[ChartPoint, ...]
    previous_chart: tuple[ChartPoint, ...]  # the previous period, point for point; () when nothing was recorded
    outside: Counts  # counted outside opening hours in the period, apart from the figures
    zones: tuple[ZoneDwell, ...]
    generated_at: datetime  # local

    @property
    def day(self) -> date:
        """The report's last day (a single day's report: its day)."""
        return self.span.until

    @property
    def single_day(self) -> bool:
        return self.span.days == 1


def daily_report_data(
    session: Session,
    store_id: int,
    day: date | None = None,
    *,
    camera_id: int | None = None,
    now: datetime | None = None,
    until: date | None = None,
) -> DailyReportData:
    """What the report shows, over opening hours (reports/opening.py). The default day is the store's local today;
    `until` makes it a range `day`..`until`. Today counts up to `now`, and the day it is compared with is then cut
    at the same wall-clock time so the two compare fairly."""
    scope = resolve_scope(session, store_id, camera_id)
    generated = local_now(scope.timezone, now)
    since = generated.date() if day is None else day
    span = validate_range(since, since if until is None else until)
    if span.days == 1:
        return _single_day(session, scope, span.since, generated)
    return _range(session, scope, span, generated)


def _single_day(session: Session, scope: Scope, day: date, generated: datetime) -> DailyReportData:
    week_before = day - timedelta(days=7)
    if day == generated.date():
        figures = day_figures(session, scope, day, through=generated, opening_only=True)
        last_week = day_figures(
            session, scope, week_before, through=datetime.combine(week_before, generated.timetz()), opening_only=True
        )
    else:
        figures = day_figures(session, scope, day, opening_only=True)
        last_week = day_figures(session, scope, week_before, opening_only=True)
    previous_recorded = any(recorded(hour.counts) for hour in last_week.hours)
    return DailyReportData(
        scope=scope,
        span=DateRange(day, day),
        previous=DateRange(week_before, week_before),
        changes=changes(day_values(figures), day_values(last_week)),
        previous_recorded=previous_recorded,
        figures=figures,
        last_week=last_week,
        chart=tuple(ChartPoint(hour.start, hour.counts.entries) for hour in figures.hours),
        previous_chart=tuple(ChartPoint(hour.start, hour.counts.entries) for hour in last_week.hours)
        if previous_recorded
        else (),
        outside=figures.outside,
        zones=zone_dwell_for(session, scope, DateRange(day, day)).zones,
        generated_at=generated,
    )


def _range(session: Session, scope: Scope, span: DateRange, generated: datetime) -> DailyReportData:
    """A week or a month: read per day (a month is 30 rows, never 720 hours) against the days just before."""
    previous = span.previous()
    store, camera = scope.store.id, scope.camera_id
    current = daily_series(session, store, span.since, span.until, camera_id=camera, opening_only=True)
    before = daily_series(session, store, previous.since, previous.until, camera_id=camera, opening_only=True)
    whole = daily_series(session, store, span.since, span.until, camera_id=camera)
    now_points, before_points = list(current.points), list(before.points)
    if span.since <= generated.date() <= span.until:
        # Today is still going: the previous period's matching day counts up to the same time, its later days not.
        index = (generated.date() - span.since).days
        day = before_points[index].day
        cut = day_figures(session, scope, day, through=datetime.combine(day, generated.timetz()), opening_only=True)
        before_points[index] = DayPoint(day, _counts_of(cut))
        before_points[index + 1 :] = [DayPoint(point.day, Counts()) for point in before_points[index + 1 :]]
    now_totals, before_totals = total([p.counts for p in now_points]), total([p.counts for p in before_points])
    previous_recorded = any(recorded(point.counts) for point in before.points)
    outside = _difference(whole.totals, current.totals)
    return DailyReportData(
        scope=scope,
        span=span,
        previous=previous,
        changes=changes(counts_values(now_totals), counts_values(before_totals)),
        previous_recorded=previous_recorded,
        figures=None,
        last_week=None,
        chart=tuple(ChartPoint(p.day, p.counts.entries if recorded(p.counts) else None) for p in now_points),
        previous_chart=tuple(ChartPoint(p.day, p.counts.entries if recorded(p.counts) else None) for p in before_points)
        if previous_recorded
        else (),
        outside=outside,
        zones=zone_dwell_for(session, scope, span).zones,
        generated_at=generated,
    )


def _counts_of(figures: DayFigures) -> Counts:
    """A day's figures as counts again (the cut day of a range's previous period)."""
    visits = figures.visits
    dwell = 0.0 if figures.average_dwell_seconds is None else figures.average_dwell_seconds * visits
    return Counts(
        entries=figures.entries,
        exits=figures.exits,
        customer_entries=figures.customer_entries,
        potential_customers=figures.potential_customers,
        groups=figures.groups,
        visitors=figures.unique_visitors,
        visits=visits,
        dwell_seconds_sum=dwell,
        peak_occupancy=figures.peak_occupancy,
    )


def _difference(whole: Counts, opening: Counts) -> Counts:
    """What the whole days counted beyond their opening hours: entries and exits are what the page prints."""
    return Counts(entries=whole.entries - opening.entries, exits=whole.exits - opening.exits)


def _format_figure(name: str, value: int | float | None, lang: Lang) -> str:
    if name == "average_dwell_seconds":
        return format_duration(value, lang)
    return format_number(value, lang)


def _peak_hour(figures: DayFigures | None, lang: Lang) -> str:
    if figures is None or figures.peak_hour is None:
        return label(lang, "no_data")
    return f"{format_time(figures.peak_hour)} ({format_number(figures.peak_hour_entries, lang)})"


def _figure_name(data: DailyReportData, name: str, lang: Lang) -> str:
    return label(lang, label_key(data.scope.visitors_rule) if name == "unique_visitors" else name)


def _visitors_note(data: DailyReportData, lang: Lang) -> str:
    """Which definition of unique visitors the table's figure follows, and the hours the figures cover."""
    rule = data.scope.visitors_rule
    text = f"{label(lang, label_key(rule))}: {label(lang, explanation_key(rule))}"
    lines = textwrap.wrap(text, VISITORS_NOTE_WIDTH)
    if data.scope.store.opening_hours:
        outside = (
            f"{label(lang, 'coverage_opening_hours')}. {label(lang, 'outside_hours')}: "
            f"{format_number(data.outside.entries, lang)} {label(lang, 'entries').lower()}, "
            f"{format_number(data.outside.exits, lang)} {label(lang, 'exits').lower()}."
        )
        lines += textwrap.wrap(outside, VISITORS_NOTE_WIDTH)
    return "\n".join(lines)


def _period(span: DateRange, lang: Lang) -> str:
    if span.days == 1:
        return format_date(span.since, lang)
    return f"{format_date(span.since, lang)} – {format_date(span.until, lang)}"


def _figures_rows(data: DailyReportData, lang: Lang) -> list[list[str]]:
    # Nothing recorded before is missing, not a period of zeros: "Período anterior 0" would be a false figure.
    missing = None if data.previous_recorded else label(lang, "missing")
    rows = [
        [
            _figure_name(data, change.name, lang),
            _format_figure(change.name, change.current, lang),
            missing or _format_figure(change.name, change.previous, lang),
            format_percent(change.change_percent, lang),
        ]
        for change in data.changes
    ]
    if data.single_day:  # a range's peak hour would need every hour of it read; its chart shows the days
        rows.append(
            [
                label(lang, "peak_hour"),
                _peak_hour(data.figures, lang),
                missing or _peak_hour(data.last_week, lang),
                "",
            ]
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


def _fit(text: str, width: float, measure: Callable[[str], float]) -> str:
    """`text` wrapped onto as many lines as it takes for each to be at most `width` wide: a name is never cut."""
    if measure(text) <= width:
        return text
    for characters in range(max(len(text) - 1, 1), 0, -1):
        lines = textwrap.wrap(text, characters, break_long_words=True, break_on_hyphens=False)
        if all(measure(line) <= width for line in lines):
            return "\n".join(lines)
    return "\n".join(text)  # one character a line: only for a column narrower than a letter


def _table(axes: Axes, header: list[str], rows: list[list[str]], widths: list[float]) -> Table:
    """A table whose texts wrap inside their cells, each row as tall as its tallest cell."""
    axes.axis("off")
    table = axes.table(cellText=rows, colLabels=header, colWidths=widths, loc="upper center", cellLoc="left")
    table.auto_set_font_size(False)
    table.set_fontsize(9)
    table.scale(1.0, 1.35)
    figure = axes.get_figure()
    assert isinstance(figure, Figure)
    # Measures as the PDF draws: the same fonts and sizes (matplotlib leaves get_renderer untyped).
    renderer = FigureCanvasAgg(figure).get_renderer()  # type: ignore[no-untyped-call]
    cells = table.get_celld()
    line_height: dict[int, int] = {}
    for (row, _column), cell in cells.items():
        cell.set_edgecolor("#cbd5e0")
        if row == 0:
            cell.set_facecolor("#edf2f7")
            cell.set_text_props(weight="bold")
        text = cell.get_text()
        padding = 2 * cell.PAD * cell.get_window_extent(renderer).width
        room = cell.get_window_extent(renderer).width - padding

        def measure(candidate: str, text: Text = text) -> float:
            probe = Text(0, 0, candidate, fontproperties=text.get_fontproperties(), figure=figure)
            return float(probe.get_window_extent(renderer).width)

        fitted = _fit(text.get_text(), room, measure)
        text.set_text(fitted)
        line_height[row] = max(line_height.get(row, 1), fitted.count("\n") + 1)
    for (row, _column), cell in cells.items():
        cell.set_height(cell.get_height() * line_height[row])
    return table


def _chart(axes: Axes, data: DailyReportData, lang: Lang) -> None:
    """Entries per hour for a day, per day for a range, with the previous period's as a line over the bars."""
    points, previous = data.chart, data.previous_chart
    positions = list(range(len(points)))
    values = [0 if point.entries is None else point.entries for point in points]
    axes.bar(positions, values, color=BAR_COLOUR, label=_period(data.span, lang))
    # A DST day has 23 or 25 hours, and a period may be a day shorter: only overlay a period of the same shape.
    if previous and len(previous) == len(points):
        axes.plot(
            positions,
            [math.nan if point.entries is None else point.entries for point in previous],  # nan: a gap
            color=LAST_WEEK_COLOUR,
            marker="o",
            markersize=3,
            label=_period(data.previous, lang),
        )
    if data.single_day:
        ticks = [point.at.strftime("%H") for point in points]
    else:
        ticks = [format_date(point.at if isinstance(point.at, date) else point.at.date(), lang)[:5] for point in points]
    axes.set_xticks(positions, ticks, fontsize=7 if len(points) <= 25 else 5, rotation=0 if len(points) <= 14 else 90)
    axes.set_title(label(lang, "hourly_entries" if data.single_day else "daily_entries"), fontsize=11, loc="left")
    axes.set_ylabel(label(lang, "entries"), fontsize=9)
    axes.yaxis.set_major_locator(MaxNLocator(integer=True))
    highest = max([point.entries or 0 for point in (*points, *previous)], default=0)
    axes.set_ylim(0, max(highest, 1) * 1.1)  # an empty day still gets a sensible axis, not -0.05..0.05
    axes.spines[["top", "right"]].set_visible(False)
    # Above the plot, right of the title: inside it the legend hid the first bars.
    axes.legend(fontsize=8, frameon=False, loc="lower right", bbox_to_anchor=(1.0, 1.0), ncol=2)


def _title(data: DailyReportData, lang: Lang) -> str:
    return label(lang, "daily_report" if data.single_day else "range_report")


def _header(figure: Figure, data: DailyReportData, lang: Lang, continued: bool = False) -> None:
    title = f"{_title(data, lang)} — {data.scope.store.name}"
    if continued:
        title += f" ({label(lang, 'continued')})"
    # A long store or camera name wraps onto another line rather than running off the page.
    title_lines = textwrap.wrap(title, TITLE_WIDTH)
    figure.text(0.06, 0.965, "\n".join(title_lines), fontsize=16, weight="bold", va="top")
    subtitle = format_long_date(data.day, lang) if data.single_day else _period(data.span, lang)
    if data.scope.camera is not None:
        subtitle += f" · {label(lang, 'camera')}: {data.scope.camera.name}"
    lower = 0.024 * (len(title_lines) - 1)  # under a title of two lines
    subtitle_text = "\n".join(textwrap.wrap(subtitle, SUBTITLE_WIDTH))
    figure.text(0.06, 0.932 - lower, subtitle_text, fontsize=11, color="#4a5568", va="top")
    footer = (
        f"{label(lang, 'generated')} {format_datetime(data.generated_at, lang)} "
        f"({label(lang, 'timezone').lower()} {data.scope.timezone}) · ShopFlow"
    )
    figure.text(0.06, 0.02, footer, fontsize=7, color="#718096")


ZONE_WIDTHS = [0.22, 0.26, 0.1, 0.14, 0.14, 0.14]


def _zone_header(lang: Lang) -> list[str]:
    return [label(lang, key) for key in ("camera", "zone", "visits_short", "mean", "median", "p90")]


def _figures_header(data: DailyReportData, lang: Lang) -> list[str]:
    if data.single_day:
        before = label(lang, "last_week")
    else:
        before = f"{label(lang, 'previous_period')} ({_period(data.previous, lang)})"
    return [label(lang, "figure"), _period(data.span, lang), before, label(lang, "change")]


def render_daily_report(data: DailyReportData, lang: Lang) -> bytes:
    """The report as PDF bytes: page 1 with everything, more pages only when there are many zones."""
    zone_rows = _zone_rows(data.zones, lang)
    first, rest = zone_rows[:ZONE_ROWS_FIRST_PAGE], zone_rows[ZONE_ROWS_FIRST_PAGE:]
    buffer = io.BytesIO()
    dates = data.day.isoformat() if data.single_day else f"{data.span.since.isoformat()}..{data.span.until.isoformat()}"
    metadata = {"Title": f"{_title(data, lang)} — {data.scope.store.name} — {dates}", "Creator": "ShopFlow"}
    with (
        _DRAWING,
        # parse_math off: a store called "Loja $$" is a name, not a mathtext formula (which failed to draw).
        rc_context({"pdf.fonttype": 42, "font.family": "DejaVu Sans", "text.parse_math": False}),
        PdfPages(buffer, metadata=metadata) as pdf,
    ):
        page = Figure(figsize=A4_PORTRAIT)
        _header(page, data, lang)
        widths = [0.3, 0.18, 0.34, 0.18]
        _table(page.add_axes((0.06, 0.6, 0.88, 0.3)), _figures_header(data, lang), _figures_rows(data, lang), widths)
        # Under the table's last row, above the chart (which gave up a little height for it).
        page.text(0.06, 0.674, _visitors_note(data, lang), fontsize=7, color="#4a5568", va="top")
        _chart(page.add_axes((0.1, 0.44, 0.84, 0.18)), data, lang)
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
    until: date | None = None,
) -> ExportFile:
    """The report of `day` (default today), or of the range `day`..`until` (a week, a month) when `until` is given."""
    data = daily_report_data(session, store_id, day, camera_id=camera_id, now=now, until=until)
    camera = "" if data.scope.camera is None else f"_camera-{data.scope.camera.id}"
    dates = data.day.isoformat() if data.single_day else f"{data.span.since.isoformat()}_{data.span.until.isoformat()}"
    filename = f"shopflow_{slug(data.scope.store.name)}{camera}_{dates}.pdf"
    return ExportFile(filename, PDF_CONTENT_TYPE, render_daily_report(data, lang))
