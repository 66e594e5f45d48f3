"""Today's figures on the store's calendar, with the same weekday last week for comparison."""

from __future__ import annotations

from datetime import date, datetime

import pytest

from shopflow.domain.people import PersonKind
from shopflow.reports.today import today
from shopflow.storage.db import Database

from .helpers import SAO_PAULO, entry, exit_, local, make_store, parties, stay, write


def wed(hour: int, minute: int = 0) -> datetime:
    return local(SAO_PAULO, 2024, 3, 13, hour, minute)  # a Wednesday


def last_wed(hour: int, minute: int = 0) -> datetime:
    return local(SAO_PAULO, 2024, 3, 6, hour, minute)


def test_today_so_far_against_the_same_weekday_last_week(database: Database) -> None:
    store, (camera,) = make_store(database)
    write(
        database,
        camera.id,
        [
            entry(wed(8, 0), PersonKind.EMPLOYEE),  # counts as an entry, not a customer entry
            entry(wed(9, 5)),
            entry(wed(9, 40)),
            entry(wed(10, 15)),
            entry(wed(10, 20)),
            entry(wed(10, 45)),
            entry(wed(14, 10)),
            exit_(wed(9, 50)),
            exit_(wed(11, 0)),
            stay("shelf", wed(10, 0), 60.0),
            stay("till", wed(10, 30), 120.0),
            stay("shelf", wed(10, 30), 600.0, PersonKind.EMPLOYEE),  # staff dwell is not customer dwell
            parties(wed(11, 0), potential_customers=3, groups=1, visitors=5),
            # Last week: two entries before 15:20 and four after.
            entry(last_wed(10, 10)),
            entry(last_wed(10, 50)),
            *[entry(last_wed(16, 30)) for _ in range(4)],
            stay("shelf", last_wed(10, 0), 30.0),
            parties(last_wed(12, 0), potential_customers=2, groups=0, visitors=2),
        ],
    )
    with database.session() as session:
        overview = today(session, store.id, now=wed(15, 20))

    assert overview.day == date(2024, 3, 13)
    assert overview.as_of.isoformat() == "2024-03-13T15:20:00-03:00"
    figures = overview.today
    assert (figures.entries, figures.customer_entries, figures.exits) == (7, 6, 2)
    # The camera has a door line, so the store's unique visitors are its customer entries (reports/visitors.py).
    assert (figures.unique_visitors, figures.potential_customers, figures.groups) == (6, 3, 1)
    assert figures.visits == 2
    assert figures.average_dwell_seconds == pytest.approx(90.0)
    assert figures.peak_hour is not None and figures.peak_hour.isoformat() == "2024-03-13T10:00:00-03:00"
    assert figures.peak_hour_entries == 3
    assert len(figures.hours) == 24  # the chart gets the whole day

    assert overview.last_week.day == date(2024, 3, 6)
    assert overview.last_week.entries == 6
    assert overview.last_week.peak_hour is not None and overview.last_week.peak_hour.hour == 16
    assert overview.last_week_so_far.entries == 2
    assert overview.last_week_so_far.peak_hour is not None and overview.last_week_so_far.peak_hour.hour == 10
    assert [hour.counts.entries for hour in overview.last_week_so_far.hours][16] == 4  # still charted

    change = {item.name: item for item in overview.vs_last_week}
    assert (change["entries"].current, change["entries"].previous) == (7, 2)
    assert change["entries"].change_percent == pytest.approx(250.0)
    assert change["potential_customers"].change_percent == pytest.approx(50.0)
    assert change["average_dwell_seconds"].change_percent == pytest.approx(200.0)  # 90 s against 30 s
    assert change["groups"].change_percent is None  # nothing last week to compare with


@pytest.mark.parametrize(
    ("now_local", "expected_day"),
    [
        ((2024, 3, 13, 23, 30), date(2024, 3, 13)),  # 02:30 UTC on the 14th: still the 13th in the store
        ((2024, 3, 14, 0, 10), date(2024, 3, 14)),
    ],
)
def test_today_is_the_stores_local_day(
    database: Database, now_local: tuple[int, int, int, int, int], expected_day: date
) -> None:
    store, (camera,) = make_store(database)
    write(
        database, camera.id, [entry(local(SAO_PAULO, 2024, 3, 13, 22, 0)), entry(local(SAO_PAULO, 2024, 3, 14, 0, 5))]
    )
    with database.session() as session:
        overview = today(session, store.id, now=local(SAO_PAULO, *now_local))
    assert overview.day == expected_day
    assert overview.today.entries == 1


def test_a_day_without_events_has_no_peak_and_no_dwell(database: Database) -> None:
    store, _ = make_store(database)
    with database.session() as session:
        overview = today(session, store.id, now=wed(12))
    assert overview.today.entries == 0
    assert overview.today.peak_hour is None
    assert overview.today.average_dwell_seconds is None
    assert all(change.change_percent is None for change in overview.vs_last_week)
