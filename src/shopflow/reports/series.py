"""Hourly and daily series of a store (or one camera) over local dates, read from the hourly rollups, with unique
visitors counted by the scope's rule (reports/visitors.py) in every hour, day and total."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from functools import reduce
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from shopflow.reports.opening import is_open_hour
from shopflow.reports.periods import DateRange, validate_range
from shopflow.reports.scope import Scope, resolve_scope
from shopflow.reports.visitors import StoreVisitors, VisitorsRule, store_visitors
from shopflow.storage.repositories import RollupRepository
from shopflow.storage.rollup_records import Counts


@dataclass(frozen=True, slots=True)
class HourPoint:
    start: datetime  # the hour's start on the store's wall clock (timezone-aware)
    counts: Counts


@dataclass(frozen=True, slots=True)
class DayPoint:
    day: date  # the store's local calendar day
    counts: Counts


@dataclass(frozen=True, slots=True)
class HourlySeries:
    scope: Scope
    span: DateRange
    points: tuple[HourPoint, ...]
    totals: Counts  # peak_occupancy is the highest hour's


@dataclass(frozen=True, slots=True)
class DailySeries:
    scope: Scope
    span: DateRange
    points: tuple[DayPoint, ...]
    totals: Counts


def total(counts: list[Counts]) -> Counts:
    """Counts of several hours or days added up; the peak is the highest one, not a sum."""
    return reduce(lambda a, b: a.combine(b, peak="max"), counts, Counts())


@dataclass(frozen=True, slots=True)
class ScopeHours:
    """Every hour of a span's local days, each hour's visitors already by the rule, and the totals of any part of
    them (a day, the day so far, the whole span) with visitors by the rule too: the one way reports add hours."""

    span: DateRange
    points: tuple[HourPoint, ...]
    visitors: StoreVisitors
    opening_hours: Mapping[str, Mapping[str, str]] = field(default_factory=dict)  # the store's; empty: always open

    def totals(self, points: Sequence[HourPoint], *, parts: Sequence[Counts] | None = None) -> Counts:
        """The figures of `points` together. `parts`, when given, are the same hours already added up in pieces
        (a period's days), which spares adding every hour again; visitors still come from the hours."""
        counts = total(list(parts) if parts is not None else [point.counts for point in points])
        visitors = self.visitors.count((point.start, point.counts) for point in points)
        return counts if counts.visitors == visitors else replace(counts, visitors=visitors)

    def opening(self, points: Sequence[HourPoint] | None = None) -> tuple[HourPoint, ...]:
        """The hours of `points` (default: all) within the store's opening hours (reports/opening.py)."""
        hours = self.opening_hours
        return tuple(point for point in (self.points if points is None else points) if is_open_hour(hours, point.start))

    def outside(self, points: Sequence[HourPoint] | None = None) -> tuple[HourPoint, ...]:
        """The hours of `points` (default: all) outside opening hours: staff arriving, cleaning."""
        hours = self.opening_hours
        return tuple(
            point for point in (self.points if points is None else points) if not is_open_hour(hours, point.start)
        )

    def days(self, points: Sequence[HourPoint] | None = None) -> list[DayPoint]:
        """One point per local day of the span, in order: a day is the hours of `points` (default: all) whose local
        start falls in it."""
        by_day: dict[date, list[HourPoint]] = {day: [] for day in self.span}
        for point in self.points if points is None else points:
            by_day[point.start.date()].append(point)
        return [DayPoint(day, self.totals(points)) for day, points in by_day.items()]


def local_hours(session: Session, scope: Scope, span: DateRange) -> ScopeHours:
    """Every hour of the local days in `span` (23 or 25 on DST days), hours without data as zeros."""
    start, end = span.utc_bounds(scope.timezone)
    zone = ZoneInfo(scope.timezone)
    hours = RollupRepository(session).hourly(scope.store.id, start, end, camera_id=scope.camera_id)
    visitors = store_visitors(session, scope.store.id, scope.visitors_rule, start, end)
    points: list[HourPoint] = []
    for hour in hours:
        local_start = hour.hour_start.astimezone(zone)
        # With a half-hour offset the first UTC hour starts before local midnight; an hour belongs to the local
        # day its start falls in, so that one is left out and the hourly and daily figures always agree.
        if span.since <= local_start.date() <= span.until:
            counts, figure = hour.counts, visitors.count([(local_start, hour.counts)])
            points.append(
                HourPoint(local_start, counts if counts.visitors == figure else replace(counts, visitors=figure))
            )
    return ScopeHours(span, tuple(points), visitors, scope.store.opening_hours)


def hourly_series(
    session: Session,
    store_id: int,
    since: date,
    until: date,
    *,
    camera_id: int | None = None,
    opening_only: bool = False,
) -> HourlySeries:
    """Every local hour of since..until; with `opening_only`, only those within opening hours (reports/opening.py)."""
    span = validate_range(since, until)
    scope = resolve_scope(session, store_id, camera_id)
    hours = local_hours(session, scope, span)
    points = hours.opening() if opening_only else hours.points
    return HourlySeries(scope, span, points, hours.totals(points))


def daily_series(
    session: Session,
    store_id: int,
    since: date,
    until: date,
    *,
    camera_id: int | None = None,
    opening_only: bool = False,
) -> DailySeries:
    """One point per local day; with `opening_only`, each day counts only its hours within opening hours."""
    span = validate_range(since, until)
    scope = resolve_scope(session, store_id, camera_id)
    opening_hours = scope.store.opening_hours
    if scope.visitors_rule is VisitorsRule.LARGEST_CAMERA:
        # A day's visitors under this rule need its hours per camera: built from the hours.
        hours = local_hours(session, scope, span)
        kept = hours.opening() if opening_only else hours.points
        days = hours.days(kept)
        return DailySeries(scope, span, tuple(days), hours.totals(kept, parts=[day.counts for day in days]))
    # The other rules are sums of a rollup column, so the database adds the days up (a year is 365 rows, not
    # 8,760 hours: issue #12's report times); RollupRepository.daily leaves out the same half-hour as local_hours,
    # and the hours outside opening hours when asked, as it adds the stored hours up.
    keep = (lambda start: is_open_hour(opening_hours, start)) if opening_only and opening_hours else None
    totals = RollupRepository(session).daily(
        store_id, span.since, span.until, timezone=scope.timezone, camera_id=scope.camera_id, keep_hour=keep
    )
    points = tuple(DayPoint(day.day, _with_visitors(scope.visitors_rule, day.counts)) for day in totals)
    return DailySeries(scope, span, points, total([point.counts for point in points]))


def opening_split(session: Session, scope: Scope, span: DateRange) -> tuple[Counts, Counts]:
    """The span's totals within opening hours and outside them (reports/opening.py), visitors by the scope's rule.

    Where the rule is a sum of a rollup column the stored hours are added up as they are read, never turned into
    report hours one by one (a year of comparisons stays fast, as daily_series does)."""
    opening_hours = scope.store.opening_hours
    if scope.visitors_rule is VisitorsRule.LARGEST_CAMERA:
        hours = local_hours(session, scope, span)
        return hours.totals(hours.opening()), hours.totals(hours.outside())
    rollups = RollupRepository(session)

    def read(keep: Callable[[datetime], bool] | None) -> Counts:
        days = rollups.daily(
            scope.store.id, span.since, span.until, timezone=scope.timezone, camera_id=scope.camera_id, keep_hour=keep
        )
        return total([_with_visitors(scope.visitors_rule, day.counts) for day in days])

    if not opening_hours:
        return read(None), Counts()
    return read(lambda start: is_open_hour(opening_hours, start)), read(
        lambda start: not is_open_hour(opening_hours, start)
    )


def _with_visitors(rule: VisitorsRule, counts: Counts) -> Counts:
    """`counts` with its visitors by a rule that needs no hour by hour reading (ENTRANCES or CAMERA)."""
    visitors = counts.customer_entries if rule is VisitorsRule.ENTRANCES else counts.visitors
    return counts if counts.visitors == visitors else replace(counts, visitors=visitors)
