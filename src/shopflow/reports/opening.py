"""Which hours of a store's week are opening hours: the one rule the API, the dashboard and the exports follow.

Rollups are per UTC hour (storage/repositories/rollups.py), so figures can only be split in whole local hours. An
hour belongs to opening hours when any part of it overlaps them: a store open 09:30-18:15 counts the hours 09:00
to 18:00 (the 18:00 hour included), so no crossing made while the doors are open is ever left out; the price is
that staff arriving at 09:10 count inside. A missing weekday is a closed day; a close before the open means the
store closes after midnight, so Friday 20:00-02:00 also opens Saturday's 00:00 and 01:00 hours. A store without
opening hours is open all 24 hours, as every report was before opening hours were kept.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime, time, timedelta

from shopflow.storage.records import WEEKDAYS

HOUR = timedelta(hours=1)
DAY = timedelta(days=1)


def _intervals(hours: Mapping[str, Mapping[str, str]], day: date) -> list[tuple[datetime, datetime]]:
    """The open intervals (naive local wall times) that start on `day`."""
    times = hours.get(WEEKDAYS[day.weekday()])
    if not times:
        return []
    opens = datetime.combine(day, time.fromisoformat(times["open"]))
    closes = datetime.combine(day, time.fromisoformat(times["close"]))
    if closes <= opens:  # closes after midnight
        closes += DAY
    return [(opens, closes)]


def is_open_hour(hours: Mapping[str, Mapping[str, str]], start: datetime) -> bool:
    """Whether the local hour starting at `start` (a wall-clock time, aware or naive) overlaps opening hours.

    Wall times are compared without their offset: on a DST day the hour 01:00-02:00 is the same hour on the
    store's clock whatever UTC says, and that clock is what opening hours are written in.
    """
    if not hours:
        return True
    begin = start.replace(tzinfo=None, minute=0, second=0, microsecond=0)
    end = begin + HOUR
    # An interval that closes after midnight begins the day before.
    for day in (begin.date() - DAY, begin.date()):
        for opens, closes in _intervals(hours, day):
            if opens < end and begin < closes:
                return True
    return False


def has_opening_hours(hours: Mapping[str, Mapping[str, str]]) -> bool:
    """Whether opening hours are set (otherwise every hour is open and nothing is "outside")."""
    return bool(hours)
