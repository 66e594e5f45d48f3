"""What the pages show, gathered from the reports services, the repositories and the live hub.

Plain functions of a runtime (and a store), run off the event loop by the pages; every number on the dashboard
comes from here, so the page tests can check them against the services.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from shopflow.reports import live, today
from shopflow.reports.live import StoreNow
from shopflow.reports.today import TodayOverview
from shopflow.services.context import ServerContext
from shopflow.storage.records import CameraRecord
from shopflow.storage.repositories import CameraRepository, EventRepository

FEED_LENGTH = 8


def live_figures(rt: ServerContext, store_id: int) -> StoreNow:
    """Who is in the store now, as `/api/analytics/now` answers it (the same function)."""
    with rt.database.session() as session:
        return live.now(session, store_id, live=rt)


def today_overview(rt: ServerContext, store_id: int) -> TodayOverview:
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


def recent_events(rt: ServerContext, store_id: int, limit: int = FEED_LENGTH) -> list[FeedItem]:
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


def store_cameras(rt: ServerContext, store_id: int) -> list[CameraRecord]:
    with rt.database.session() as session:
        return CameraRepository(session).list_by_store(store_id)
