"""Event rows: idempotent inserts, keyset pagination that visits every row once, latest snapshot per camera."""

from __future__ import annotations

import itertools
from datetime import datetime

import pytest

from shopflow.domain.events import Direction
from shopflow.domain.people import PersonKind
from shopflow.storage.db import Database
from shopflow.storage.errors import NotFoundError
from shopflow.storage.event_records import CrossingRecord, Cursor, NewCrossing, NewSnapshot, Page
from shopflow.storage.repositories import CameraRepository, EventRepository, RollupRepository, rollup_deltas

from .factories import T0, minutes, store_with_cameras


def _crossing(
    camera_id: int, store_id: int, key: str, at: datetime, kind: PersonKind = PersonKind.CUSTOMER
) -> NewCrossing:
    return NewCrossing(camera_id, store_id, "door", Direction.IN, True, 1, kind, at, key)


def _snapshot(camera_id: int, store_id: int, key: str, at: datetime, total: int) -> NewSnapshot:
    return NewSnapshot(camera_id, store_id, at, total, total, 0, 0, total, None, key)


def test_insert_returns_only_new_rows(database: Database) -> None:
    store, (camera,) = store_with_cameras(database)
    first = [_crossing(camera.id, store.id, f"k{n}", T0) for n in range(3)]
    with database.session() as session:
        assert EventRepository(session).insert_crossings(first) == first
    again = [*first[1:], _crossing(camera.id, store.id, "k3", T0), _crossing(camera.id, store.id, "k3", T0)]
    with database.session() as session:
        inserted = EventRepository(session).insert_crossings(again)
        page = EventRepository(session).crossings(store.id, limit=10)
    assert [row.event_key for row in inserted] == ["k3"]
    assert [row.event_key for row in page.items] == ["k0", "k1", "k2", "k3"]


def test_same_key_on_another_camera_is_another_event(database: Database) -> None:
    store, (one, two) = store_with_cameras(database, cameras=2)
    with database.session() as session:
        inserted = EventRepository(session).insert_crossings(
            [_crossing(one.id, store.id, "same", T0), _crossing(two.id, store.id, "same", T0)]
        )
    assert len(inserted) == 2


def _walk(fetch: PageFetcher, limit: int) -> list[CrossingRecord]:
    seen: list[CrossingRecord] = []
    cursor = None
    for _ in range(1000):
        page = fetch(cursor, limit)
        assert len(page.items) <= limit
        seen.extend(page.items)
        if page.next_cursor is None:
            return seen
        cursor = page.next_cursor
    raise AssertionError("pagination did not end")


class PageFetcher:
    def __init__(self, database: Database, store_id: int, **filters: object) -> None:
        self.database, self.store_id, self.filters = database, store_id, filters

    def __call__(self, cursor: str | None, limit: int) -> Page[CrossingRecord]:
        with self.database.session() as session:
            return EventRepository(session).crossings(self.store_id, limit=limit, cursor=cursor, **self.filters)  # type: ignore[arg-type]


@pytest.mark.parametrize("limit", [1, 4, 7, 100])
@pytest.mark.parametrize("newest_first", [False, True])
def test_cursor_pagination_walks_every_row_once(database: Database, limit: int, newest_first: bool) -> None:
    store, (one, two) = store_with_cameras(database, cameras=2)
    rows = []
    # Several rows share a timestamp, so the id must break ties for the walk to be exact.
    for n, camera in zip(range(23), itertools.cycle((one, two)), strict=False):
        kind = PersonKind.EMPLOYEE if n % 5 == 0 else PersonKind.CUSTOMER
        rows.append(_crossing(camera.id, store.id, f"k{n}", T0 + minutes(n // 3), kind))
    with database.session() as session:
        EventRepository(session).insert_crossings(rows)

    walked = _walk(PageFetcher(database, store.id, newest_first=newest_first), limit)
    expected = sorted(walked, key=lambda row: (row.at, row.id), reverse=newest_first)
    assert walked == expected
    assert sorted(row.event_key for row in walked) == sorted(row.event_key for row in rows)

    filtered = _walk(
        PageFetcher(
            database,
            store.id,
            camera_id=one.id,
            person_kind=PersonKind.CUSTOMER,
            since=T0 + minutes(1),
            until=T0 + minutes(6),
            newest_first=newest_first,
        ),
        limit,
    )
    assert {row.event_key for row in filtered} == {
        row.event_key
        for row in rows
        if row.camera_id == one.id
        and row.person_kind == PersonKind.CUSTOMER
        and T0 + minutes(1) <= row.at < T0 + minutes(6)
    }
    assert len(filtered) == len({row.id for row in filtered})


def test_limit_and_cursor_are_checked(database: Database) -> None:
    store, _ = store_with_cameras(database)
    with database.session() as session:
        events = EventRepository(session)
        with pytest.raises(ValueError, match="limit"):
            events.crossings(store.id, limit=0)
        with pytest.raises(ValueError, match="invalid cursor"):
            events.crossings(store.id, limit=10, cursor="not-a-cursor")
        with pytest.raises(ValueError, match="timezone-aware"):
            events.crossings(store.id, limit=10, since=datetime(2024, 1, 1))


def test_cursor_round_trip() -> None:
    cursor = Cursor(at=T0 + minutes(0.5), id=42)
    assert Cursor.decode(cursor.encode()) == cursor


def test_latest_snapshot_per_camera(database: Database) -> None:
    store, (one, two, silent) = store_with_cameras(database, cameras=3)
    other_store, (other,) = store_with_cameras(database)
    with database.session() as session:
        EventRepository(session).insert_snapshots(
            [
                _snapshot(one.id, store.id, "a", T0, 3),
                _snapshot(one.id, store.id, "b", T0 + minutes(1), 5),
                _snapshot(two.id, store.id, "c", T0 + minutes(2), 1),
                _snapshot(two.id, store.id, "d", T0 + minutes(1), 9),
                _snapshot(other.id, other_store.id, "e", T0 + minutes(9), 7),
            ]
        )
    with database.session() as session:
        latest = EventRepository(session).latest_snapshot_per_camera(store.id)
    assert {camera_id: (s.at, s.total_people) for camera_id, s in latest.items()} == {
        one.id: (T0 + minutes(1), 5),
        two.id: (T0 + minutes(2), 1),
    }
    assert silent.id not in latest


def test_deleting_a_camera_deletes_its_events_and_rollups(database: Database) -> None:
    store, (gone, kept) = store_with_cameras(database, cameras=2)
    rows = [_crossing(gone.id, store.id, "x", T0), _crossing(kept.id, store.id, "y", T0)]
    with database.session() as session:
        inserted = EventRepository(session).insert_crossings(rows)
        RollupRepository(session).add(rollup_deltas(crossings=inserted))
    with database.session() as session:
        CameraRepository(session).delete(gone.id)
    with database.session() as session:
        page = EventRepository(session).crossings(store.id, limit=10)
        hourly = RollupRepository(session).hourly(store.id, T0, T0 + minutes(60))
        with pytest.raises(NotFoundError):
            CameraRepository(session).get(gone.id)
    assert [row.camera_id for row in page.items] == [kept.id]
    assert [point.counts.entries for point in hourly] == [1]
