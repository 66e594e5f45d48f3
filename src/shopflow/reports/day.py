"""The figures of one local day: totals, the peak hour and the hourly curve, from the hourly rollups."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime

from sqlalchemy.orm import Session

from shopflow.reports.peaks import peak_hour
from shopflow.reports.periods import DateRange
from shopflow.reports.scope import Scope
from shopflow.reports.series import HourPoint, ScopeHours, local_hours
from shopflow.storage.rollup_records import Counts


@dataclass(frozen=True, slots=True)
class DayFigures:
    day: date
    entries: int
    exits: int
    customer_entries: int
    unique_visitors: int  # by the scope's rule (reports/visitors.py)
    potential_customers: int
    groups: int
    visits: int  # customers' zone visits that began this day
    average_dwell_seconds: float | None  # None without visits
    peak_hour: datetime | None  # local start of the hour with most entries (the earliest on a tie); None without
    peak_hour_entries: int
    peak_occupancy: int  # the most people in view at once, all cameras together
    hours: tuple[HourPoint, ...]  # the whole day, for the chart
    # What was counted outside opening hours (staff arriving, cleaning), kept apart from the figures above when
    # they cover opening hours only; zeros when they cover the whole day or the store keeps no opening hours.
    outside: Counts = field(default_factory=Counts)


def figures_from_hours(day: date, scope_hours: ScopeHours, hours: Sequence[HourPoint]) -> DayFigures:
    """The figures of `hours`, a part of `scope_hours` (the whole day, or the day so far)."""
    counts = scope_hours.totals(hours)
    peak = peak_hour(hours)
    return DayFigures(
        day=day,
        entries=counts.entries,
        exits=counts.exits,
        customer_entries=counts.customer_entries,
        unique_visitors=counts.visitors,
        potential_customers=counts.potential_customers,
        groups=counts.groups,
        visits=counts.visits,
        average_dwell_seconds=counts.average_dwell_seconds,
        peak_hour=None if peak is None else peak.start,
        peak_hour_entries=0 if peak is None else peak.counts.entries,
        peak_occupancy=counts.peak_occupancy,
        hours=tuple(hours),
    )


def day_figures(
    session: Session, scope: Scope, day: date, *, through: datetime | None = None, opening_only: bool = False
) -> DayFigures:
    """The figures of local `day`. With `through` (an aware instant), only hours that start at or before it count
    (today so far, or the same part of another day). With `opening_only`, only hours within the store's opening
    hours count, and the others are added up in `outside`. `hours` still covers the whole day for the chart."""
    scope_hours = local_hours(session, scope, DateRange(day, day))
    hours = scope_hours.points
    counted: Sequence[HourPoint] = hours if through is None else [hour for hour in hours if hour.start <= through]
    outside = Counts()
    if opening_only:
        outside = scope_hours.totals(scope_hours.outside(counted))
        counted = scope_hours.opening(counted)
    return replace(figures_from_hours(day, scope_hours, counted), hours=hours, outside=outside)
