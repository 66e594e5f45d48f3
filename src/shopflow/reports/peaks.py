"""The busiest hours: one rule for a day's peak hour and for the peak hours of a range of days."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TypeVar

from shopflow.reports.series import HourPoint

K = TypeVar("K")

PEAK_HOURS = 3  # how many peak hours a range shows


@dataclass(frozen=True, slots=True)
class PeakHour:
    hour: int  # 0..23 on the store's clock
    entries: int  # over the whole range


def busiest(entries: Iterable[tuple[K, int]], count: int) -> list[tuple[K, int]]:
    """The `count` items with the most entries, most first. Items come in time order and the sort is stable, so
    a tie goes to the earliest; an item without entries is never a peak."""
    return sorted((item for item in entries if item[1] > 0), key=lambda item: -item[1])[:count]


def peak_hour(hours: Sequence[HourPoint]) -> HourPoint | None:
    """The hour of a day with the most entries (the earliest on a tie); None without entries."""
    by_start = {hour.start: hour for hour in hours}
    top = busiest(((hour.start, hour.counts.entries) for hour in hours), 1)
    return by_start[top[0][0]] if top else None


def peak_hours(hours: Iterable[HourPoint], count: int = PEAK_HOURS) -> tuple[PeakHour, ...]:
    """The hours of the day (0..23) with the most entries summed over a range of days."""
    by_hour: Counter[int] = Counter()
    for point in hours:
        by_hour[point.start.hour] += point.counts.entries
    return tuple(PeakHour(hour, entries) for hour, entries in busiest(sorted(by_hour.items()), count))
