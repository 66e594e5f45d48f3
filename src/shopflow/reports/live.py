"""Who is in the store now: the latest snapshot of each online camera, ignoring stale ones."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from shopflow.reports.scope import resolve_scope
from shopflow.storage.columns import require_utc, utcnow
from shopflow.storage.records import CameraStatus
from shopflow.storage.repositories import CameraRepository, EventRepository

# A camera snapshots every few seconds; one older than this means the camera stalled and its people may be gone.
STALE_AFTER = timedelta(seconds=30)


@dataclass(frozen=True, slots=True)
class CameraNow:
    camera_id: int
    name: str
    status: CameraStatus
    counted: bool  # online with a fresh snapshot: included in the store's figures
    snapshot_at: datetime | None
    total_people: int  # 0 when not counted
    customers: int
    employees: int
    groups: int
    potential_customers: int


@dataclass(frozen=True, slots=True)
class StoreNow:
    store_id: int
    at: datetime  # UTC
    occupancy: int  # people in view of all counted cameras (an upper bound when views overlap)
    customers: int
    employees: int
    groups: int
    potential_customers: int
    cameras: tuple[CameraNow, ...]


def now(
    session: Session, store_id: int, at: datetime | None = None, *, stale_after: timedelta = STALE_AFTER
) -> StoreNow:
    """The store right now: sums over online cameras whose newest snapshot is within `stale_after` of `at`
    (UTC-aware, default the current time). A camera that is offline, disabled or silent adds nothing but is
    listed, so the dashboard can say why."""
    resolve_scope(session, store_id)
    instant = require_utc(at, "at") if at is not None else utcnow()
    latest = EventRepository(session).latest_snapshot_per_camera(store_id)
    cameras: list[CameraNow] = []
    for camera in CameraRepository(session).list_by_store(store_id):
        snapshot = latest.get(camera.id)
        # Either way of `at`: a bridge's clock may run a little ahead of the server's.
        fresh = snapshot is not None and abs(instant - snapshot.at) <= stale_after
        counted = snapshot if fresh and camera.status is CameraStatus.ONLINE else None
        cameras.append(
            CameraNow(
                camera_id=camera.id,
                name=camera.name,
                status=camera.status,
                counted=counted is not None,
                snapshot_at=None if snapshot is None else snapshot.at,
                total_people=0 if counted is None else counted.total_people,
                customers=0 if counted is None else counted.customers,
                employees=0 if counted is None else counted.employees,
                groups=0 if counted is None else counted.groups,
                potential_customers=0 if counted is None else counted.potential_customers,
            )
        )
    return StoreNow(
        store_id=store_id,
        at=instant,
        occupancy=sum(camera.total_people for camera in cameras),
        customers=sum(camera.customers for camera in cameras),
        employees=sum(camera.employees for camera in cameras),
        groups=sum(camera.groups for camera in cameras),
        potential_customers=sum(camera.potential_customers for camera in cameras),
        cameras=tuple(cameras),
    )
