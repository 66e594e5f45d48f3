"""Now: the latest snapshot of each online camera, fresh ones only."""

from __future__ import annotations

from datetime import timedelta

from shopflow.domain.cameras import CameraStatus
from shopflow.reports.live import now
from shopflow.storage.db import Database
from shopflow.storage.repositories import CameraRepository

from .helpers import SAO_PAULO, local, make_store, seen, write

NOW = local(SAO_PAULO, 2024, 3, 10, 15, 0)


def test_occupancy_sums_fresh_snapshots_of_online_cameras(database: Database) -> None:
    store, (fresh, also_fresh, stale, offline) = make_store(database, cameras=4)
    write(
        database, fresh.id, [seen(NOW - timedelta(seconds=20), total=10), seen(NOW - timedelta(seconds=5), 4, 1, 1, 2)]
    )
    write(database, also_fresh.id, [seen(NOW - timedelta(seconds=10), total=3, groups=1, potential_customers=1)])
    write(database, stale.id, [seen(NOW - timedelta(seconds=45), total=9)])
    write(database, offline.id, [seen(NOW - timedelta(seconds=2), total=6)])
    with database.session() as session:
        cameras = CameraRepository(session)
        for camera in (fresh, also_fresh, stale):
            cameras.set_status(camera.id, CameraStatus.ONLINE)
    with database.session() as session:
        result = now(session, store.id, at=NOW)

    assert (result.occupancy, result.customers, result.employees) == (7, 6, 1)
    assert (result.groups, result.potential_customers) == (2, 3)
    by_camera = {camera.camera_id: camera for camera in result.cameras}
    assert [by_camera[c.id].counted for c in (fresh, also_fresh, stale, offline)] == [True, True, False, False]
    assert by_camera[fresh.id].total_people == 4  # its newest snapshot, not the earlier 10
    assert by_camera[stale.id].total_people == 0
    assert by_camera[stale.id].snapshot_at == NOW - timedelta(seconds=45)
    assert by_camera[offline.id].status is CameraStatus.OFFLINE


def test_a_store_without_snapshots_is_empty(database: Database) -> None:
    store, (camera,) = make_store(database)
    with database.session() as session:
        result = now(session, store.id, at=NOW)
    assert result.occupancy == 0
    assert [(c.camera_id, c.counted, c.snapshot_at) for c in result.cameras] == [(camera.id, False, None)]
