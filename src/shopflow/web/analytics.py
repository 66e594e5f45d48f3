"""The analytics page's figures for a range of local days: series, peak hours, comparison and zone dwell."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from urllib.parse import urlencode

from shopflow.reports import compare, series, zones
from shopflow.reports.compare import Comparison
from shopflow.reports.opening import is_open_hour
from shopflow.reports.peaks import PeakHour, peak_hours
from shopflow.reports.periods import local_now, validate_range
from shopflow.reports.series import DailySeries, HourlySeries
from shopflow.reports.zones import ZoneDwellReport
from shopflow.services.context import ServerContext

MAX_HOURLY_DAYS = 31  # beyond a month an hour-by-hour chart is a smear; the daily one says more
DEFAULT_DAYS = 7


@dataclass(frozen=True, slots=True)
class AnalyticsView:
    since: date
    until: date
    daily: DailySeries
    hourly: HourlySeries | None  # None over MAX_HOURLY_DAYS
    peak_hours: tuple[PeakHour, ...]
    comparison: Comparison
    zones: ZoneDwellReport


def default_range(timezone: str) -> tuple[date, date]:
    """The last seven local days, today included."""
    today = local_now(timezone).date()
    return today - timedelta(days=DEFAULT_DAYS - 1), today


def analytics_view(rt: ServerContext, store_id: int, since: date, until: date, camera_id: int | None) -> AnalyticsView:
    """Everything the page shows; InvalidRangeError (a ValueError) for a range to fix, NotFoundError for ids."""
    span = validate_range(since, until)
    with rt.database.session() as session:
        hourly = series.hourly_series(session, store_id, since, until, camera_id=camera_id)
        return AnalyticsView(
            since=since,
            until=until,
            # Over opening hours, as the comparison and the totals are (reports/opening.py).
            daily=series.daily_series(session, store_id, since, until, camera_id=camera_id, opening_only=True),
            hourly=hourly if span.days <= MAX_HOURLY_DAYS else None,
            # The busiest hours while open: the cleaner at 20:00 is no peak (reports/opening.py).
            peak_hours=peak_hours(
                [p for p in hourly.points if is_open_hour(hourly.scope.store.opening_hours, p.start)]
            ),
            comparison=compare.compare(session, store_id, since, until, camera_id=camera_id),
            zones=zones.zone_dwell(session, store_id, since, until, camera_id=camera_id),
        )


def api_url(path: str, **params: object) -> str:
    """A same-server API address with its query (None values left out)."""
    query = urlencode({key: str(value) for key, value in params.items() if value is not None})
    return f"/api/analytics/{path}?{query}"
