"""Opening hours shape the figures: today and comparisons cover them, crossings outside them are shown apart,
exports cover them only when asked (reports/opening.py)."""

from __future__ import annotations

import csv
import io
from datetime import date, datetime

import pytest

from shopflow.domain.people import PersonKind
from shopflow.reports import series
from shopflow.reports.compare import compare
from shopflow.reports.exports import export_hourly_csv
from shopflow.reports.series import daily_series, hourly_series
from shopflow.reports.today import today
from shopflow.storage.db import Database
from shopflow.storage.records import StoreRecord
from shopflow.storage.repositories import StoreRepository

from .helpers import SAO_PAULO, entry, local, make_store, write

NINE_TO_SIX = {day: {"open": "09:00", "close": "18:00"} for day in ("mon", "tue", "wed", "thu", "fri", "sat")}


def at(day: int, hour: int, minute: int = 0) -> datetime:
    return local(SAO_PAULO, 2024, 3, day, hour, minute)  # 13 March 2024 is a Wednesday


def store_with_hours(database: Database, hours: dict[str, dict[str, str]]) -> tuple[StoreRecord, int]:
    store, (camera,) = make_store(database)
    with database.session() as session:
        store = StoreRepository(session).update(store.id, opening_hours=hours)
    # Wednesday 13th: staff at 07:40, three customers in opening hours, cleaning at 19:10.
    # Wednesday 6th: one customer in opening hours, staff at 08:10 and 20:00.
    write(
        database,
        camera.id,
        [
            entry(at(13, 7, 40), PersonKind.EMPLOYEE),
            entry(at(13, 9, 5)),
            entry(at(13, 11, 0)),
            entry(at(13, 17, 59)),
            entry(at(13, 19, 10), PersonKind.EMPLOYEE),
            entry(at(6, 8, 10), PersonKind.EMPLOYEE),
            entry(at(6, 10, 0)),
            entry(at(6, 20, 0), PersonKind.EMPLOYEE),
        ],
    )
    return store, camera.id


def test_today_covers_opening_hours_and_shows_the_rest_apart(database: Database) -> None:
    store, _ = store_with_hours(database, NINE_TO_SIX)
    with database.session() as session:
        overview = today(session, store.id, now=at(13, 20, 0))
    assert overview.today.entries == 3
    assert overview.today.outside.entries == 2
    assert overview.last_week_so_far.entries == 1
    assert overview.last_week_so_far.outside.entries == 2
    entries = next(change for change in overview.vs_last_week if change.name == "entries")
    assert (entries.current, entries.previous) == (3, 1)
    assert len(overview.today.hours) == 24  # the chart still shows the whole day


def test_a_store_without_opening_hours_counts_all_day(database: Database) -> None:
    store, _ = store_with_hours(database, {})
    with database.session() as session:
        overview = today(session, store.id, now=at(13, 20, 0))
    assert (overview.today.entries, overview.today.outside.entries) == (5, 0)


def test_comparisons_cover_opening_hours(database: Database) -> None:
    store, _ = store_with_hours(database, NINE_TO_SIX)
    with database.session() as session:
        comparison = compare(session, store.id, date(2024, 3, 13), date(2024, 3, 13), against=date(2024, 3, 6))
    assert comparison.figure("entries").current == 3
    assert comparison.figure("entries").previous == 1
    assert (comparison.current_outside.entries, comparison.previous_outside.entries) == (2, 2)


def test_series_cover_opening_hours_only_when_asked(database: Database) -> None:
    store, _ = store_with_hours(database, NINE_TO_SIX)
    with database.session() as session:
        all_day = daily_series(session, store.id, date(2024, 3, 13), date(2024, 3, 13))
        opening = daily_series(session, store.id, date(2024, 3, 13), date(2024, 3, 13), opening_only=True)
        hours = hourly_series(session, store.id, date(2024, 3, 13), date(2024, 3, 13), opening_only=True)
    assert (all_day.totals.entries, opening.totals.entries) == (5, 3)
    assert [point.start.hour for point in hours.points] == list(range(9, 18))
    assert hours.totals.entries == 3


def test_the_export_covers_opening_hours_as_an_option(database: Database) -> None:
    store, _ = store_with_hours(database, NINE_TO_SIX)
    with database.session() as session:
        whole = export_hourly_csv(session, store.id, date(2024, 3, 13), date(2024, 3, 13), lang="en")
        opening = export_hourly_csv(
            session, store.id, date(2024, 3, 13), date(2024, 3, 13), lang="en", opening_only=True
        )
    whole_rows = list(csv.reader(io.StringIO(whole.content.decode("utf-8-sig"))))
    opening_rows = list(csv.reader(io.StringIO(opening.content.decode("utf-8-sig"))))
    assert len(whole_rows) == 25
    assert len(opening_rows) == 10
    assert sum(int(row[3]) for row in opening_rows[1:]) == 3


def test_a_year_is_compared_from_per_day_reads(database: Database, monkeypatch: pytest.MonkeyPatch) -> None:
    """With an entrance line the visitors are a column's sum: a year's comparison never builds 8,760 report hours."""
    store, _ = store_with_hours(database, NINE_TO_SIX)

    def hour_by_hour(*_args: object, **_kwargs: object) -> None:
        raise AssertionError("read hour by hour")

    monkeypatch.setattr(series, "local_hours", hour_by_hour)
    with database.session() as session:
        comparison = compare(session, store.id, date(2023, 3, 14), date(2024, 3, 13))
    assert comparison.figure("entries").current == 4  # both Wednesdays' customers
    assert comparison.current_outside.entries == 4
