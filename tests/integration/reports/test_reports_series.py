"""Hourly and daily series follow the store's local calendar: midnight, DST days, cameras and bad ranges."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from shopflow.reports.errors import InvalidRangeError
from shopflow.reports.series import daily_series, hourly_series
from shopflow.storage.db import Database
from shopflow.storage.errors import NotFoundError

from .helpers import SAO_PAULO, entry, exit_, local, make_store, write

NEW_YORK = "America/New_York"


def test_days_and_hours_are_the_stores_local_ones(database: Database) -> None:
    store, (camera,) = make_store(database, timezone=SAO_PAULO)

    def at(day: int, hour: int, minute: int) -> datetime:
        return local(SAO_PAULO, 2024, 3, day, hour, minute)

    write(
        database,
        camera.id,
        [
            entry(at(9, 23, 30)),  # 02:30 UTC on the 10th, but still the 9th in São Paulo
            entry(at(10, 0, 30)),
            entry(at(10, 14, 10)),
            entry(at(10, 14, 20)),
            entry(at(10, 14, 50)),
            exit_(at(10, 14, 30)),
            entry(at(10, 15, 5)),
            entry(at(10, 23, 59)),  # 02:59 UTC on the 11th
            entry(at(11, 0, 0)),
        ],
    )
    with database.session() as session:
        days = daily_series(session, store.id, date(2024, 3, 9), date(2024, 3, 11))
        hours = hourly_series(session, store.id, date(2024, 3, 10), date(2024, 3, 10))

    assert [(point.day, point.counts.entries, point.counts.exits) for point in days.points] == [
        (date(2024, 3, 9), 1, 0),
        (date(2024, 3, 10), 6, 1),
        (date(2024, 3, 11), 1, 0),
    ]
    assert days.totals.entries == 8
    assert len(hours.points) == 24
    assert hours.points[0].start.isoformat() == "2024-03-10T00:00:00-03:00"
    by_hour = {point.start.hour: point.counts.entries for point in hours.points if point.counts.entries}
    assert by_hour == {0: 1, 14: 3, 15: 1, 23: 1}
    assert hours.totals.entries == 6 == days.points[1].counts.entries


@pytest.mark.parametrize(
    ("day", "hours", "first_four"),
    [
        (date(2024, 3, 10), 23, [0, 1, 3, 4]),  # clocks jump from 02:00 to 03:00
        (date(2024, 11, 3), 25, [0, 1, 1, 2]),  # 01:00 happens twice
        (date(2024, 6, 1), 24, [0, 1, 2, 3]),
    ],
)
def test_a_dst_day_has_as_many_hours_as_the_clock_says(
    database: Database, day: date, hours: int, first_four: list[int]
) -> None:
    store, (camera,) = make_store(database, timezone=NEW_YORK)
    midnight = local(NEW_YORK, day.year, day.month, day.day)
    # One entry at the start of each real hour of the day.
    write(database, camera.id, [entry(midnight + timedelta(hours=n, minutes=1)) for n in range(hours)])
    with database.session() as session:
        series = hourly_series(session, store.id, day, day)
        (daily,) = daily_series(session, store.id, day, day).points
    assert len(series.points) == hours
    assert [point.start.hour for point in series.points[:4]] == first_four
    assert all(point.counts.entries == 1 for point in series.points)
    assert daily.counts.entries == hours
    assert all(point.start.tzinfo == ZoneInfo(NEW_YORK) for point in series.points)


def test_one_camera_or_all_of_them(database: Database) -> None:
    store, (first, second) = make_store(database, cameras=2)
    noon = local(SAO_PAULO, 2024, 3, 10, 12)
    write(database, first.id, [entry(noon), entry(noon)])
    write(database, second.id, [entry(noon), exit_(noon)])
    day = date(2024, 3, 10)
    with database.session() as session:
        everything = daily_series(session, store.id, day, day).totals
        only_first = daily_series(session, store.id, day, day, camera_id=first.id).totals
        only_second = hourly_series(session, store.id, day, day, camera_id=second.id).totals
    assert (everything.entries, everything.exits) == (3, 1)
    assert (only_first.entries, only_first.exits) == (2, 0)
    assert (only_second.entries, only_second.exits) == (1, 1)


@pytest.mark.parametrize("series", [hourly_series, daily_series])
@pytest.mark.parametrize(
    ("since", "until", "message"),
    [
        (date(2024, 3, 11), date(2024, 3, 10), r"since \(2024-03-11\) is after until \(2024-03-10\)"),
        (date(2023, 1, 1), date(2024, 2, 5), "covers 401 days; ask for at most 400 days"),
    ],
)
def test_unusable_ranges_are_refused_with_a_reason(
    database: Database, series: object, since: date, until: date, message: str
) -> None:
    store, _ = make_store(database)
    with database.session() as session, pytest.raises(InvalidRangeError, match=message):
        series(session, store.id, since, until)  # type: ignore[operator]


def test_unknown_store_and_another_stores_camera_are_not_found(database: Database) -> None:
    store, _ = make_store(database)
    _other, (foreign,) = make_store(database, name="Norte")
    day = date(2024, 3, 10)
    with database.session() as session:
        with pytest.raises(NotFoundError, match="store"):
            daily_series(session, 999_999, day, day)
        with pytest.raises(NotFoundError, match="camera"):
            hourly_series(session, store.id, day, day, camera_id=foreign.id)
        with pytest.raises(NotFoundError, match="camera"):
            hourly_series(session, store.id, day, day, camera_id=999_999)
