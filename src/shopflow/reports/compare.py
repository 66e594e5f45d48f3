"""A period against the previous period of the same length (this week against last week): each figure's change."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy.orm import Session

from shopflow.reports.day import DayFigures
from shopflow.reports.periods import DateRange, validate_range
from shopflow.reports.scope import Scope, resolve_scope
from shopflow.reports.series import opening_split
from shopflow.storage.rollup_records import Counts

Value = int | float | None

# The figures compared, in the order reports show them.
FIGURES = (
    "entries",
    "exits",
    "customer_entries",
    "unique_visitors",
    "potential_customers",
    "groups",
    "visits",
    "average_dwell_seconds",
    "peak_occupancy",
)


@dataclass(frozen=True, slots=True)
class FigureChange:
    name: str  # one of FIGURES
    current: Value
    previous: Value
    change_percent: float | None  # None when there is nothing to compare with (previous is 0 or unknown)


@dataclass(frozen=True, slots=True)
class Comparison:
    scope: Scope
    current: DateRange
    previous: DateRange
    current_totals: Counts
    previous_totals: Counts
    figures: tuple[FigureChange, ...]
    # Counted outside opening hours (staff, cleaning), apart from the totals above; zeros without opening hours.
    current_outside: Counts = field(default_factory=Counts)
    previous_outside: Counts = field(default_factory=Counts)

    def figure(self, name: str) -> FigureChange:
        return next(change for change in self.figures if change.name == name)


def recorded(counts: Counts) -> bool:
    """Whether anything at all was recorded in these counts.

    Rollup rows are only written for events, so a day or period whose counts are all zero had no row: nothing
    was analysed then (no camera yet, cameras off), and reports show it as missing rather than as zeros.
    """
    return counts != Counts()


def change_percent(current: Value, previous: Value) -> float | None:
    """(current - previous) / previous in percent; None when previous is 0 or either is unknown."""
    if current is None or previous is None or previous == 0:
        return None
    return (current - previous) / previous * 100.0


def counts_values(counts: Counts) -> dict[str, Value]:
    return {
        "entries": counts.entries,
        "exits": counts.exits,
        "customer_entries": counts.customer_entries,
        "unique_visitors": counts.visitors,
        "potential_customers": counts.potential_customers,
        "groups": counts.groups,
        "visits": counts.visits,
        "average_dwell_seconds": counts.average_dwell_seconds,
        "peak_occupancy": counts.peak_occupancy,
    }


def day_values(figures: DayFigures) -> dict[str, Value]:
    values: dict[str, Value] = {name: getattr(figures, name) for name in FIGURES}
    return values


def changes(current: Mapping[str, Value], previous: Mapping[str, Value]) -> tuple[FigureChange, ...]:
    return tuple(
        FigureChange(name, current[name], previous[name], change_percent(current[name], previous[name]))
        for name in FIGURES
    )


def period_totals(session: Session, scope: Scope, span: DateRange) -> tuple[Counts, Counts]:
    """The period's totals within opening hours, and those outside them (reports/opening.py)."""
    return opening_split(session, scope, span)


def compare(
    session: Session,
    store_id: int,
    since: date,
    until: date,
    *,
    camera_id: int | None = None,
    against: date | None = None,
) -> Comparison:
    """since..until (local days) against the same number of days ending the day before `since`, or starting on
    `against` when given (the same week last year, say); both over opening hours, the rest kept apart."""
    current = validate_range(since, until)
    previous = current.previous() if against is None else current.shifted_to(against)
    scope = resolve_scope(session, store_id, camera_id)
    now_totals, now_outside = period_totals(session, scope, current)
    before_totals, before_outside = period_totals(session, scope, previous)
    return Comparison(
        scope=scope,
        current=current,
        previous=previous,
        current_totals=now_totals,
        previous_totals=before_totals,
        figures=changes(counts_values(now_totals), counts_values(before_totals)),
        current_outside=now_outside,
        previous_outside=before_outside,
    )
