"""The figures of one local day: totals, the peak hour and the hourly curve, from the hourly rollups."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime

from sqlalchemy.orm import Session

from shopflow.reports.peaks import peak_hour
from shopflow.reports.periods import DateRange
from shopflow.reports.scope import Scope
from shopflow.reports.series import HourPoint, ScopeHours, local_hours


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


def day_figures(session: Session, scope: Scope, day: date, *, through: datetime | None = None) -> DayFigures:
    """The figures of local `day`. With `through` (an aware instant), only hours that start at or before it count
    (today so far, or the same part of another day); `hours` still covers the whole day for the chart."""
    scope_hours = local_hours(session, scope, DateRange(day, day))
    hours = scope_hours.points
    if through is None:
        return figures_from_hours(day, scope_hours, hours)
    counted = [hour for hour in hours if hour.start <= through]
    return replace(figures_from_hours(day, scope_hours, counted), hours=hours)
