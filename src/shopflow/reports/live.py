"""Who is in the store now: the one function behind both `/api/analytics/now` and the dashboard's live cards.

A camera this server process is analysing counts with its latest analysed frame (the live hub); any other
camera counts with its newest stored snapshot when it is online and the snapshot is fresh (a camera analysed by
another server process or a bridge). Without a live view (a process without camera workers) only snapshots count.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Protocol

from sqlalchemy.orm import Session

from shopflow.domain.cameras import CameraStatus
from shopflow.pipeline.live_hub import LiveCounts
from shopflow.reports.scope import resolve_scope
from shopflow.storage.columns import require_utc, utcnow
from shopflow.storage.repositories import CameraRepository, EventRepository

# A camera snapshots every few seconds; one older than this means the camera stalled and its people may be gone.
STALE_AFTER = timedelta(seconds=30)
# Cameras that are meant to run but do not.
TROUBLE = (CameraStatus.OFFLINE, CameraStatus.ERROR)


class LiveView(Protocol):
    """The running server's cameras: which it analyses now, and what each saw in its latest frame."""

    def is_running(self, camera_id: int) -> bool: ...

    def live_counts(self, camera_id: int) -> LiveCounts | None: ...


@dataclass(frozen=True, slots=True)
class CameraNow:
    camera_id: int
    name: str
    status: CameraStatus
    status_reason: str | None
    running: bool  # analysed by this server process now
    counted: bool  # live, or online with a fresh snapshot: included in the store's figures
    snapshot_at: datetime | None  # the newest stored snapshot
    seen_at: datetime | None  # when the counted figures were seen (None when not counted)
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

    @property
    def troubled(self) -> tuple[CameraNow, ...]:
        """Cameras that are meant to run but do not (offline or in error)."""
        return tuple(camera for camera in self.cameras if camera.status in TROUBLE)


def now(
    session: Session,
    store_id: int,
    at: datetime | None = None,
    *,
    live: LiveView | None = None,
    stale_after: timedelta = STALE_AFTER,
) -> StoreNow:
    """The store right now (`at`, UTC-aware, default the current time). A camera that counts neither live nor by
    a fresh snapshot adds nothing but is listed, so the dashboard can say why."""
    resolve_scope(session, store_id)
    instant = require_utc(at, "at") if at is not None else utcnow()
    latest = EventRepository(session).latest_snapshot_per_camera(store_id)
    cameras: list[CameraNow] = []
    for camera in CameraRepository(session).list_by_store(store_id):
        snapshot = latest.get(camera.id)
        running = live is not None and live.is_running(camera.id)
        counts = live.live_counts(camera.id) if live is not None and running else None
        figures: tuple[int, int, int, int, int] = (0, 0, 0, 0, 0)
        seen_at: datetime | None = None
        if counts is not None:
            figures = (counts.people, counts.customers, counts.employees, counts.groups, counts.potential_customers)
            seen_at = counts.at
        # Either way of `at`: a bridge's clock may run a little ahead of the server's.
        elif (
            snapshot is not None and abs(instant - snapshot.at) <= stale_after and camera.status is CameraStatus.ONLINE
        ):
            figures = (
                snapshot.total_people,
                snapshot.customers,
                snapshot.employees,
                snapshot.groups,
                snapshot.potential_customers,
            )
            seen_at = snapshot.at
        people, customers, employees, groups, potential = figures
        cameras.append(
            CameraNow(
                camera_id=camera.id,
                name=camera.name,
                status=camera.status,
                status_reason=camera.status_reason,
                running=running,
                counted=seen_at is not None,
                snapshot_at=None if snapshot is None else snapshot.at,
                seen_at=seen_at,
                total_people=people,
                customers=customers,
                employees=employees,
                groups=groups,
                potential_customers=potential,
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
