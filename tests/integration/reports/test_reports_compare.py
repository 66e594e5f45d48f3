"""A period against the one before it: totals on local days and each figure's change in percent."""

from __future__ import annotations

from datetime import date, datetime

import pytest

from shopflow.reports.compare import change_percent, compare
from shopflow.reports.errors import InvalidRangeError
from shopflow.storage.db import Database

from .helpers import SAO_PAULO, entry, local, make_store, parties, seen, stay, write

THIS_MONDAY, THIS_SUNDAY = date(2024, 3, 11), date(2024, 3, 17)


def at(day: int, hour: int, minute: int = 0) -> datetime:
    return local(SAO_PAULO, 2024, 3, day, hour, minute)


def test_this_week_against_last_week(database: Database) -> None:
    store, (camera,) = make_store(database)
    write(
        database,
        camera.id,
        [
            # This week (11th to 17th): 10 entries, dwell 30 s and 90 s, 4 potential customers, peak 7 people.
            *[entry(at(11 + n % 7, 12)) for n in range(9)],
            entry(at(17, 23, 59)),  # the last minute of Sunday is still this week
            stay("shelf", at(12, 10), 30.0),
            stay("till", at(15, 10), 90.0),
            parties(at(13, 15), potential_customers=4, groups=2, visitors=6),
            seen(at(16, 11), total=7),
            # Last week (4th to 10th): 8 entries, one 40 s visit, no parties, peak 5 people.
            *[entry(at(4 + n % 7, 12)) for n in range(7)],
            entry(at(10, 23, 30)),  # 02:30 UTC on the 11th, but Sunday the 10th in São Paulo
            stay("shelf", at(5, 10), 40.0),
            seen(at(6, 11), total=5),
        ],
    )
    with database.session() as session:
        result = compare(session, store.id, THIS_MONDAY, THIS_SUNDAY)

    assert (result.previous.since, result.previous.until) == (date(2024, 3, 4), date(2024, 3, 10))
    figures = {change.name: (change.current, change.previous, change.change_percent) for change in result.figures}
    assert figures["entries"] == (10, 8, pytest.approx(25.0))
    assert figures["visits"] == (2, 1, pytest.approx(100.0))
    assert figures["average_dwell_seconds"] == (pytest.approx(60.0), pytest.approx(40.0), pytest.approx(50.0))
    assert figures["peak_occupancy"] == (7, 5, pytest.approx(40.0))
    assert figures["potential_customers"] == (4, 0, None)  # nothing to compare with
    # The camera has a door line: unique visitors are the customer entries, not its tally (reports/visitors.py).
    assert figures["unique_visitors"] == (10, 8, pytest.approx(25.0))
    assert figures["exits"] == (0, 0, None)
    assert result.figure("groups").current == 2


def test_against_a_chosen_period(database: Database) -> None:
    store, (camera,) = make_store(database)
    write(database, camera.id, [entry(at(12, 12)), entry(at(12, 13)), entry(local(SAO_PAULO, 2023, 3, 14, 12))])
    with database.session() as session:
        result = compare(session, store.id, THIS_MONDAY, THIS_SUNDAY, against=date(2023, 3, 13))
    assert (result.previous.since, result.previous.until) == (date(2023, 3, 13), date(2023, 3, 19))
    assert result.figure("entries").change_percent == pytest.approx(100.0)


def test_an_inverted_period_is_refused(database: Database) -> None:
    store, _ = make_store(database)
    with database.session() as session, pytest.raises(InvalidRangeError, match="is after until"):
        compare(session, store.id, THIS_SUNDAY, THIS_MONDAY)


@pytest.mark.parametrize(
    ("current", "previous", "expected"),
    [
        (12, 10, 20.0),
        (5, 10, -50.0),
        (0, 10, -100.0),
        (3, 0, None),
        (0, 0, None),
        (None, 10, None),
        (10.0, None, None),
    ],
)
def test_change_percent(current: float | None, previous: float | None, expected: float | None) -> None:
    assert change_percent(current, previous) == (None if expected is None else pytest.approx(expected))
