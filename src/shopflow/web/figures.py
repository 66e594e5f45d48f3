"""What the pages show, gathered from the reports services, the repositories and the live hub.

Plain functions of a runtime (and a store), run off the event loop by the pages; every number on the dashboard
comes from here, so the page tests can check them against the services.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from shopflow.reports import live, today
from shopflow.reports.today import TodayOverview
from shopflow.storage.records import CameraRecord, CameraStatus
from shopflow.storage.repositories import CameraRepository, EventRepository
from shopflow.web.context import DashboardRuntime

FEED_LENGTH = 8
TROUBLE = (CameraStatus.OFFLINE, CameraStatus.ERROR)


@dataclass(frozen=True, slots=True)
class CameraNow:
    id: int
    name: str
    status: CameraStatus
    reason: str | None
    running: bool  # analysed by this server process now
    people: int
    live_at: datetime | None


@dataclass(frozen=True, slots=True)
class LiveFigures:
    people: int
    customers: int
    employees: int
    groups: int
    potential_customers: int
    cameras: tuple[CameraNow, ...]

    @property
    def troubled(self) -> tuple[CameraNow, ...]:
        """Cameras that are meant to run but do not (offline or in error)."""
        return tuple(camera for camera in self.cameras if camera.status in TROUBLE)


def live_figures(rt: DashboardRuntime, store_id: int) -> LiveFigures:
    """Who is in the store now: a running camera's latest analysed frame, else its fresh stored snapshot."""
    with rt.database.session() as session:
        stored = live.now(session, store_id)
        records = {camera.id: camera for camera in CameraRepository(session).list_by_store(store_id)}
    cameras: list[CameraNow] = []
    totals = {"people": 0, "customers": 0, "employees": 0, "groups": 0, "potential_customers": 0}
    for camera in stored.cameras:
        record = records.get(camera.camera_id)
        running = rt.is_running(camera.camera_id)
        counts = rt.hub.counts(camera.camera_id) if running else None
        if counts is not None:
            values = {
                "people": counts.people,
                "customers": counts.customers,
                "employees": counts.employees,
                "groups": counts.groups,
                "potential_customers": counts.potential_customers,
            }
            at: datetime | None = counts.at
        else:
            values = {
                "people": camera.total_people,
                "customers": camera.customers,
                "employees": camera.employees,
                "groups": camera.groups,
                "potential_customers": camera.potential_customers,
            }
            at = camera.snapshot_at if camera.counted else None
        for name, value in values.items():
            totals[name] += value
        cameras.append(
            CameraNow(
                id=camera.camera_id,
                name=camera.name,
                status=camera.status,
                reason=None if record is None else record.status_reason,
                running=running,
                people=values["people"],
                live_at=at,
            )
        )
    return LiveFigures(cameras=tuple(cameras), **totals)


def today_overview(rt: DashboardRuntime, store_id: int) -> TodayOverview:
    with rt.database.session() as session:
        return today.today(session, store_id)


@dataclass(frozen=True, slots=True)
class FeedItem:
    at: datetime  # UTC
    kind: str  # "entry", "exit", "crossing" (a line not marked in/out), "visit"
    camera_id: int
    place: str  # the line or zone
    person_kind: str
    dwell_seconds: float | None = None


def recent_events(rt: DashboardRuntime, store_id: int, limit: int = FEED_LENGTH) -> list[FeedItem]:
    """The newest crossings and zone visits of the store, newest first."""
    with rt.database.session() as session:
        events = EventRepository(session)
        crossings = events.crossings(store_id, limit=limit, newest_first=True).items
        visits = events.visits(store_id, limit=limit, newest_first=True).items
    items = [
        FeedItem(
            at=c.at,
            kind="crossing" if c.is_entry is None else ("entry" if c.is_entry else "exit"),
            camera_id=c.camera_id,
            place=c.line,
            person_kind=c.person_kind.value,
        )
        for c in crossings
    ]
    items += [
        FeedItem(
            at=v.exited_at,
            kind="visit",
            camera_id=v.camera_id,
            place=v.zone,
            person_kind=v.person_kind.value,
            dwell_seconds=v.dwell_seconds,
        )
        for v in visits
    ]
    return sorted(items, key=lambda item: item.at, reverse=True)[:limit]


def store_cameras(rt: DashboardRuntime, store_id: int) -> list[CameraRecord]:
    with rt.database.session() as session:
        return CameraRepository(session).list_by_store(store_id)
