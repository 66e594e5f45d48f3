"""Date ranges in a store's local calendar: validation, and the UTC instants a local day starts and ends at."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from shopflow.reports.errors import InvalidRangeError
from shopflow.storage.columns import require_utc

# A year and a month: enough for "this year against last" and every export, small enough to answer fast.
MAX_RANGE_DAYS = 400


@dataclass(frozen=True, slots=True)
class DateRange:
    """Local calendar days `since` to `until`, both inclusive."""

    since: date
    until: date

    @property
    def days(self) -> int:
        return (self.until - self.since).days + 1

    def __iter__(self) -> Iterator[date]:
        day = self.since
        while day <= self.until:
            yield day
            day += timedelta(days=1)

    def previous(self) -> DateRange:
        """The range of the same length that ends the day before this one starts (this week -> last week)."""
        return self.shifted_to(self.since - timedelta(days=self.days))

    def shifted_to(self, since: date) -> DateRange:
        return DateRange(since, since + timedelta(days=self.days - 1))

    def utc_bounds(self, timezone: str) -> tuple[datetime, datetime]:
        """The UTC instants the first local day starts and the day after the last starts (end exclusive)."""
        return day_start(self.since, timezone), day_start(self.until + timedelta(days=1), timezone)


def validate_range(since: date, until: date, *, max_days: int = MAX_RANGE_DAYS) -> DateRange:
    """The range since..until, or InvalidRangeError saying what to change."""
    if since > until:
        raise InvalidRangeError(
            f"since ({since.isoformat()}) is after until ({until.isoformat()}); swap them",
            "range_reversed",
            since=since,
            until=until,
        )
    span = DateRange(since, until)
    if span.days > max_days:
        raise InvalidRangeError(
            f"the range {since.isoformat()}..{until.isoformat()} covers {span.days} days; "
            f"ask for at most {max_days} days at a time",
            "range_too_long",
            days=span.days,
            max=max_days,
        )
    return span


def day_start(day: date, timezone: str) -> datetime:
    """The UTC instant local `day` begins. Where a DST jump skips midnight, the day begins at the jump."""
    return datetime.combine(day, time.min, tzinfo=ZoneInfo(timezone)).astimezone(UTC)


def local_now(timezone: str, now: datetime | None = None) -> datetime:
    """`now` (default: the current time) on the store's wall clock, timezone-aware."""
    instant = require_utc(now, "now") if now is not None else datetime.now(UTC)
    return instant.astimezone(ZoneInfo(timezone))
