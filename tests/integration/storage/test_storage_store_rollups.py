"""Store-hour rollups: always the sum of the store's camera rollups, through flushes, replays, peaks that grow over
several flushes, a deleted camera, and the migration that fills them from existing history."""

from __future__ import annotations

import random
from datetime import datetime, timedelta

from sqlalchemy import func, select

from shopflow.storage import migrate
from shopflow.storage.db import Database
from shopflow.storage.models import HourlyRollupRow, StoreHourlyRollupRow
from shopflow.storage.repositories import CameraRepository, RollupRepository
from shopflow.storage.repositories.rollups import COUNT_FIELDS
from shopflow.storage.writer import EventWriter

from .factories import T0, crossing, snapshot, store_with_cameras, tally, visit


def camera_sums(database: Database, store_id: int) -> dict[datetime, tuple[float, ...]]:
    table = HourlyRollupRow
    query = (
        select(table.hour_start, *[func.sum(getattr(table, name)) for name in COUNT_FIELDS])
        .where(table.store_id == store_id)
        .group_by(table.hour_start)
    )
    with database.read_session() as session:
        return {hour: tuple(sums) for hour, *sums in session.execute(query)}


def store_rows(database: Database, store_id: int) -> dict[datetime, tuple[float, ...]]:
    table = StoreHourlyRollupRow
    query = select(table.hour_start, *[getattr(table, name) for name in COUNT_FIELDS]).where(table.store_id == store_id)
    with database.read_session() as session:
        return {hour: tuple(values) for hour, *values in session.execute(query)}


def rounded(rows: dict[datetime, tuple[float, ...]]) -> dict[datetime, tuple[float, ...]]:
    return {hour: tuple(round(float(v), 6) for v in values) for hour, values in rows.items()}


def send_random_events(database: Database, camera_ids: list[int], seed: int) -> None:
    rng = random.Random(seed)
    with EventWriter(database, flush_seconds=0.02, batch_size=16) as sink:
        for n in range(400):
            camera_id = rng.choice(camera_ids)
            at = T0 + timedelta(seconds=rng.uniform(0, 4 * 3600))
            roll = rng.random()
            if roll < 0.4:
                event = crossing(f"e{n}", at, track_id=n)
            elif roll < 0.55:
                event = visit(f"e{n}", at, dwell=round(rng.uniform(1, 600), 2))
            elif roll < 0.9:
                # Peaks rise and fall across flushes: the store's peak must follow each camera's maximum.
                event = snapshot(f"e{n}", at, total=rng.randint(0, 30))
            else:
                event = tally(f"e{n}", at, potential_customers=rng.randint(0, 3), groups=1, visitors=2)
            sink.write(camera_id, [event])
            if n % 50 == 0:
                sink.write(camera_id, [event])  # a replayed event counts once in both tables
                assert sink.flush()


def test_store_rows_are_the_sum_of_the_camera_rows(database: Database) -> None:
    store, cameras = store_with_cameras(database, cameras=3)
    send_random_events(database, [camera.id for camera in cameras], seed=12)
    expected = camera_sums(database, store.id)
    assert len(expected) >= 4
    assert rounded(store_rows(database, store.id)) == rounded(expected)
    with database.read_session() as session:
        series = RollupRepository(session).hourly(store.id, T0, T0 + timedelta(hours=5))
    assert sum(point.counts.entries for point in series) == sum(v[0] for v in expected.values()) > 0


def test_deleting_a_camera_takes_its_counts_out_of_the_store_rows(database: Database) -> None:
    store, cameras = store_with_cameras(database, cameras=2)
    send_random_events(database, [camera.id for camera in cameras], seed=7)
    before = camera_sums(database, store.id)
    with database.session() as session:
        CameraRepository(session).delete(cameras[0].id)
    after = camera_sums(database, store.id)
    assert after != before
    assert rounded(store_rows(database, store.id)) == rounded(after)


def test_the_migration_fills_store_rows_from_existing_history(empty_url: str) -> None:
    migrate.upgrade(empty_url)
    database = Database.from_url(empty_url)
    try:
        store, cameras = store_with_cameras(database, cameras=2)
        send_random_events(database, [camera.id for camera in cameras], seed=3)
        expected = camera_sums(database, store.id)
        # Back to the schema before store rows existed (the table goes), then up again: the migration must
        # rebuild them from the camera rows alone.
        database.dispose()
        migrate.downgrade(empty_url, "0004")
        migrate.upgrade(empty_url)
        assert len(expected) >= 4
        assert rounded(store_rows(database, store.id)) == rounded(expected)
    finally:
        database.dispose()


def test_each_cameras_own_visitors_per_hour(database: Database) -> None:
    """What the store's unique visitors need when its cameras must not be added up (reports/visitors.py)."""
    store, (first, second) = store_with_cameras(database, cameras=2)
    hour = timedelta(hours=1)
    with EventWriter(database, flush_seconds=0.02, close_timeout_seconds=10.0) as sink:
        sink.write(first.id, [tally("a", T0, 1, 0, visitors=3), tally("b", T0 + 2 * hour, 1, 0, visitors=1)])
        sink.write(second.id, [tally("c", T0 + timedelta(minutes=5), 2, 1, visitors=2), tally("d", T0 + hour, 1, 0)])
    with database.read_session() as session:
        rollups = RollupRepository(session)
        assert rollups.camera_visitors(store.id, T0, T0 + 3 * hour) == {
            T0: {first.id: 3, second.id: 2},
            T0 + 2 * hour: {first.id: 1},  # an hour with a tally but no visitors is left out
        }
        assert rollups.camera_visitors(store.id, T0 + hour, T0 + 2 * hour) == {}


def test_counting_setup_counts_cameras_with_lines(database: Database) -> None:
    store, _ = store_with_cameras(database, cameras=2)
    with database.session() as session:
        cameras = CameraRepository(session)
        cameras.create(store.id, "caixa", "rtsp://10.0.0.9/s")
        setup = cameras.counting_setup(store.id)
        assert (setup.cameras, setup.with_entrance_lines) == (3, 2)
        assert cameras.counting_setup(store.id + 1000).cameras == 0
