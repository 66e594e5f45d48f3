"""The opening-hours rule (reports/opening.py): whole local hours that overlap opening hours."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from shopflow.reports.opening import is_open_hour

WEEKDAYS_9_TO_18 = {day: {"open": "09:00", "close": "18:00"} for day in ("mon", "tue", "wed", "thu", "fri")}


def hour(day: int, at: int) -> datetime:
    return datetime(2024, 3, day, at, tzinfo=ZoneInfo("America/Sao_Paulo"))  # 11 March 2024 is a Monday


def test_an_hour_is_open_when_it_overlaps_opening_hours() -> None:
    open_hours = [at for at in range(24) if is_open_hour(WEEKDAYS_9_TO_18, hour(11, at))]
    assert open_hours == list(range(9, 18))  # 18:00-19:00 starts at the close: outside


def test_a_partial_hour_counts_as_open() -> None:
    hours = {"mon": {"open": "09:30", "close": "18:15"}}
    open_hours = [at for at in range(24) if is_open_hour(hours, hour(11, at))]
    assert open_hours == list(range(9, 19))  # 09:00 (half open) to 18:00 (a quarter open)


def test_a_missing_weekday_is_closed() -> None:
    assert not any(is_open_hour(WEEKDAYS_9_TO_18, hour(16, at)) for at in range(24))  # Saturday


def test_closing_after_midnight_opens_the_next_mornings_hours() -> None:
    hours = {"fri": {"open": "20:00", "close": "02:00"}}
    friday = [at for at in range(24) if is_open_hour(hours, hour(15, at))]
    saturday = [at for at in range(24) if is_open_hour(hours, hour(16, at))]
    assert (friday, saturday) == ([20, 21, 22, 23], [0, 1])


def test_a_store_without_opening_hours_is_always_open() -> None:
    assert all(is_open_hour({}, hour(16, at)) for at in range(24))
