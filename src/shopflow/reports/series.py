"""Hourly and daily series of a store (or one camera) over local dates, read from the hourly rollups."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from functools import reduce
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from shopflow.reports.periods import DateRange, validate_range
from shopflow.reports.scope import Scope, resolve_scope
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


def local_hours(session: Session, scope: Scope, span: DateRange) -> list[HourPoint]:
    """Every hour of the local days in `span` (23 or 25 on DST days), hours without data as zeros."""
    start, end = span.utc_bounds(scope.timezone)
    zone = ZoneInfo(scope.timezone)
    hours = RollupRepository(session).hourly(scope.store.id, start, end, camera_id=scope.camera_id)
    points = [HourPoint(point.hour_start.astimezone(zone), point.counts) for point in hours]
    # With a half-hour offset the first UTC hour starts before local midnight; the rollup's daily totals leave
    # it out, so the series does too and the two always agree.
    return [point for point in points if span.since <= point.start.date() <= span.until]


def hourly_series(
    session: Session, store_id: int, since: date, until: date, *, camera_id: int | None = None
) -> HourlySeries:
    span = validate_range(since, until)
    scope = resolve_scope(session, store_id, camera_id)
    points = local_hours(session, scope, span)
    return HourlySeries(scope, span, tuple(points), total([point.counts for point in points]))


def daily_series(
    session: Session, store_id: int, since: date, until: date, *, camera_id: int | None = None
) -> DailySeries:
    span = validate_range(since, until)
    scope = resolve_scope(session, store_id, camera_id)
    days = RollupRepository(session).daily(
        store_id, span.since, span.until, timezone=scope.timezone, camera_id=scope.camera_id
    )
    points = tuple(DayPoint(day.day, day.counts) for day in days)
    return DailySeries(scope, span, points, total([point.counts for point in points]))
