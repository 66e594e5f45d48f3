"""The event writer: batching, idempotency, retries, bounded buffer, and what each event kind becomes."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from shopflow.domain.events import Crossing, Direction
from shopflow.domain.people import PersonKind
from shopflow.domain.stamped import StampedEvent
from shopflow.pipeline.sink import EventSink
from shopflow.storage.db import Database
from shopflow.storage.repositories import CameraRepository, EventRepository, RollupRepository
from shopflow.storage.rollup_records import Counts, HourlyTotals
from shopflow.storage.writer import EventWriter

from .factories import T0, crossing, minutes, snapshot, store_with_cameras, tally, visit, zone_entry

FAST: dict[str, Any] = {"flush_seconds": 0.02, "retry_initial_seconds": 0.01, "close_timeout_seconds": 10.0}


@contextmanager
def writer(database: Database, **kwargs: Any) -> Iterator[EventWriter]:
    sink = EventWriter(database, **{**FAST, **kwargs})
    try:
        yield sink
    finally:
        sink.close()


def _hour(database: Database, store_id: int) -> list[HourlyTotals]:
    with database.session() as session:
        return RollupRepository(session).hourly(store_id, T0, T0 + minutes(60))


def _keys(database: Database, store_id: int) -> dict[str, list[str]]:
    with database.session() as session:
        events = EventRepository(session)
        return {
            "crossings": [row.event_key for row in events.crossings(store_id, limit=1000).items],
            "visits": [row.event_key for row in events.visits(store_id, limit=1000).items],
            "snapshots": [str(row.total_people) for row in events.snapshots(store_id, limit=1000).items],
        }


def _batch() -> list[StampedEvent]:
    return [
        crossing("c1", T0 + minutes(1)),
        crossing("c2", T0 + minutes(2), Direction.OUT),
        crossing("c3", T0 + minutes(3), kind=PersonKind.EMPLOYEE),
        crossing("c4", T0 + minutes(4), Direction.OUT, line="back door"),  # `out` of the back door is an entry
        crossing("c5", T0 + minutes(5), line="painted over"),  # a line the camera no longer has: kept, not counted
        visit("v1", T0 + minutes(10), dwell=90.0),
        visit("v2", T0 + minutes(11), dwell=30.0, kind=PersonKind.EMPLOYEE),
        snapshot("s1", T0 + minutes(1), total=4),
        snapshot("s2", T0 + minutes(2), total=6),
        tally("t1", T0 + minutes(20), potential_customers=3, groups=1, visitors=4),
        zone_entry("z1", T0 + minutes(9)),
    ]


EXPECTED = Counts(
    entries=3,  # c1, c3 (an employee), c4
    exits=1,
    customer_entries=2,
    visits=1,  # customers only
    dwell_seconds_sum=90.0,
    potential_customers=3,
    groups=1,
    visitors=4,
    peak_occupancy=6,
)


def test_writer_is_an_event_sink(database: Database) -> None:
    with writer(database) as sink:
        assert isinstance(sink, EventWriter)
        as_sink: EventSink = sink
        as_sink.write(1, [])


def test_events_become_rows_and_rollups(database: Database) -> None:
    store, (camera,) = store_with_cameras(database)
    with writer(database) as sink:
        sink.write(camera.id, _batch())
        assert sink.flush()
        stats = sink.stats()
    assert (stats.written, stats.duplicates, stats.pending, stats.in_flight) == (10, 0, 0, 0)
    assert _hour(database, store.id) == [HourlyTotals(T0, EXPECTED)]
    with database.session() as session:
        events = EventRepository(session)
        crossings = {row.event_key: row for row in events.crossings(store.id, limit=100).items}
        (customer_visit, employee_visit) = events.visits(store.id, limit=100).items
        snapshots = events.snapshots(store.id, limit=100).items
    assert {key: row.is_entry for key, row in crossings.items()} == {
        "c1": True,
        "c2": False,
        "c3": True,
        "c4": True,
        "c5": None,
    }
    assert crossings["c1"].at == T0 + minutes(1)
    assert crossings["c1"].at.tzinfo == UTC
    assert customer_visit.exited_at == T0 + minutes(10)
    assert customer_visit.entered_at == T0 + minutes(10) - minutes(1.5)
    assert customer_visit.dwell_seconds == 90.0
    assert employee_visit.person_kind == PersonKind.EMPLOYEE
    assert [(s.total_people, s.processing_time_ms) for s in snapshots] == [(4, 12.5), (6, 12.5)]


def test_same_batch_twice_counts_once(database: Database) -> None:
    store, (camera,) = store_with_cameras(database)
    with writer(database) as sink:
        sink.write(camera.id, _batch())
        assert sink.flush()
        rows_after_first = _keys(database, store.id)
        rollups_after_first = _hour(database, store.id)
        sink.write(camera.id, _batch())
        assert sink.flush()
        assert sink.stats().duplicates == 10
    # A restarted pipeline replaying the batch into a new writer changes nothing either.
    with writer(database) as sink:
        sink.write(camera.id, _batch())
    assert _keys(database, store.id) == rows_after_first
    assert _hour(database, store.id) == rollups_after_first == [HourlyTotals(T0, EXPECTED)]


def test_close_flushes_everything(database: Database) -> None:
    store, (camera,) = store_with_cameras(database)
    sink = EventWriter(database, flush_seconds=60.0)  # the timer never fires during the test
    sink.write(camera.id, _batch())
    sink.close()
    assert _hour(database, store.id) == [HourlyTotals(T0, EXPECTED)]
    with pytest.raises(RuntimeError, match="closed"):
        sink.write(camera.id, _batch())


def test_batch_size_triggers_a_flush_before_the_timer(database: Database) -> None:
    _, (camera,) = store_with_cameras(database)
    with writer(database, flush_seconds=60.0, batch_size=5) as sink:
        sink.write(camera.id, [crossing(f"c{n}", T0) for n in range(5)])
        deadline = time.monotonic() + 5.0
        while sink.stats().written < 5 and time.monotonic() < deadline:
            time.sleep(0.01)
        assert sink.stats().written == 5


def test_the_timer_flushes_without_being_asked(database: Database) -> None:
    store, (camera,) = store_with_cameras(database)
    with writer(database, flush_seconds=0.05) as sink:
        sink.write(camera.id, [crossing("c1", T0)])
        deadline = time.monotonic() + 5.0
        while sink.stats().written < 1 and time.monotonic() < deadline:
            time.sleep(0.01)
        assert _keys(database, store.id)["crossings"] == ["c1"]


def test_a_failed_flush_is_retried_without_losing_or_doubling_events(database: Database) -> None:
    store, (camera,) = store_with_cameras(database)
    attempts: list[int] = []

    def fail_first(attempt: int) -> None:
        attempts.append(attempt)
        if attempt < 3:
            raise ConnectionError("database went away")

    with writer(database, before_commit=fail_first) as sink:
        sink.write(camera.id, _batch())
        assert sink.flush()
        stats = sink.stats()
    assert attempts == [1, 2, 3]
    # The failed attempts rolled back whole: everything was inserted by the third, nothing was a duplicate.
    assert (stats.failed_flushes, stats.written, stats.duplicates) == (2, 10, 0)
    assert _hour(database, store.id) == [HourlyTotals(T0, EXPECTED)]


def test_flush_times_out_while_the_database_keeps_failing(database: Database) -> None:
    _, (camera,) = store_with_cameras(database)
    healthy = threading.Event()

    def fail_until_healthy(_attempt: int) -> None:
        if not healthy.is_set():
            raise ConnectionError("still down")

    with writer(database, before_commit=fail_until_healthy) as sink:
        sink.write(camera.id, [crossing("c1", T0)])
        assert sink.flush(timeout=0.2) is False
        healthy.set()
        assert sink.flush(timeout=10.0) is True


def test_events_of_unknown_cameras_are_dropped_not_retried_forever(database: Database) -> None:
    store, (camera,) = store_with_cameras(database)
    with writer(database) as sink:
        sink.write(9999, [crossing("lost", T0)])
        sink.write(camera.id, [crossing("kept", T0)])
        assert sink.flush(timeout=10.0)
        stats = sink.stats()
    assert (stats.dropped_events, stats.written) == (1, 1)
    assert _keys(database, store.id)["crossings"] == ["kept"]


def test_a_camera_deleted_under_the_writer_only_loses_its_own_events(database: Database) -> None:
    store, (gone, kept) = store_with_cameras(database, cameras=2)
    with writer(database) as sink:
        sink.write(gone.id, [crossing("warm-up", T0)])
        assert sink.flush()  # the writer now has the camera in its cache
        with database.session() as session:
            CameraRepository(session).delete(gone.id)
        sink.write(gone.id, [crossing("orphan", T0)])
        sink.write(kept.id, [crossing("kept", T0)])
        assert sink.flush(timeout=10.0)
        assert sink.stats().dropped_events == 1
    assert _keys(database, store.id)["crossings"] == ["kept"]


@pytest.mark.parametrize(
    ("event", "message"),
    [
        (StampedEvent(crossing("k", T0).event, datetime(2024, 1, 1), "k"), "timezone-aware"),  # naive on purpose
        (crossing("", T0), "event key"),
        (crossing("k" * 129, T0), "event key"),
    ],
)
def test_bad_events_are_refused_at_the_door(database: Database, event: StampedEvent, message: str) -> None:
    with writer(database) as sink:
        with pytest.raises(ValueError, match=message):
            sink.write(1, [crossing("fine", T0), event])
        assert sink.stats().pending == 0  # nothing of a refused write is kept


def test_full_buffer_drops_oldest_snapshots_never_crossings(database: Database) -> None:
    store, (camera,) = store_with_cameras(database)
    gate = threading.Event()

    def hold_first_flush(_attempt: int) -> None:
        gate.wait(10.0)

    with writer(database, batch_size=2, max_pending=4, block_seconds=0.05, before_commit=hold_first_flush) as sink:
        sink.write(camera.id, [snapshot("s1", T0, 1), snapshot("s2", T0, 2)])
        deadline = time.monotonic() + 5.0
        while sink.stats().in_flight < 2 and time.monotonic() < deadline:
            time.sleep(0.005)
        assert sink.stats().in_flight == 2  # held in its transaction by the gate

        sink.write(camera.id, [snapshot("s3", T0, 3), crossing("c1", T0), snapshot("s4", T0, 4), crossing("c2", T0)])
        started = time.monotonic()
        sink.write(camera.id, [crossing("c3", T0)])  # full: waits, then drops s3
        assert time.monotonic() - started >= 0.04
        sink.write(camera.id, [snapshot("s5", T0, 5)])  # drops s4
        sink.write(camera.id, [snapshot("s6", T0, 6)])  # drops s5
        sink.write(camera.id, [crossing("c4", T0), crossing("c5", T0)])  # drops s6, then c5 goes beyond the bound
        stats = sink.stats()
        assert (stats.pending, stats.dropped_snapshots) == (5, 4)
        gate.set()
    keys = _keys(database, store.id)
    assert keys["crossings"] == ["c1", "c2", "c3", "c4", "c5"]
    assert keys["snapshots"] == ["1", "2"]


def test_an_event_the_database_rejects_is_dropped_alone(database: Database) -> None:
    store, (camera,) = store_with_cameras(database)
    robot = StampedEvent(Crossing("door", Direction.IN, 9, "robot", at=0.0), T0, "bad")  # type: ignore[arg-type]
    with writer(database) as sink:
        sink.write(camera.id, [crossing("good-1", T0), robot, crossing("good-2", T0 + minutes(1))])
        assert sink.flush(timeout=10.0)
        stats = sink.stats()
    assert (stats.dropped_events, stats.written) == (1, 2)
    assert _keys(database, store.id)["crossings"] == ["good-1", "good-2"]
    assert _hour(database, store.id)[0].counts.entries == 2


def test_a_long_outage_spills_counting_events_to_disk_and_loses_none(database: Database, tmp_path: Path) -> None:
    store, (camera,) = store_with_cameras(database)
    healthy = threading.Event()

    def down_until_healthy(_attempt: int) -> None:
        if not healthy.is_set():
            raise ConnectionError("database down")

    spill = tmp_path / "events.spill.sqlite"
    keys = [f"c{i:03d}" for i in range(300)]
    options: dict[str, Any] = {"batch_size": 10, "max_pending": 20, "block_seconds": 0.0, "spill_path": spill}
    with writer(database, before_commit=down_until_healthy, **options) as sink:
        for start in range(0, len(keys), 25):
            sink.write(camera.id, [crossing(key, T0 + minutes(1)) for key in keys[start : start + 25]])
            stats = sink.stats()
            assert stats.pending - stats.spilled <= 20  # memory stays bounded however long the outage lasts
        stats = sink.stats()
        assert stats.spilled >= len(keys) - 20 - 10  # the rest is on disk (10 more may be in the failing flush)
        assert stats.pending + stats.in_flight == len(keys)
        assert spill.stat().st_size > 0
        healthy.set()
        assert sink.flush(timeout=30.0)
        assert sink.stats().spilled == 0
    assert sorted(_keys(database, store.id)["crossings"]) == keys  # every one stored, once
    assert not spill.exists()  # emptied and removed on close
