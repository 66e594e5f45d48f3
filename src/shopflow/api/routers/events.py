"""GET /api/events: stored crossings, visits or count snapshots of a store or camera, page by page."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Query

from shopflow.api.errors import InvalidInputError
from shopflow.api.params import DATE_RANGE, MAX_ID, Instant
from shopflow.api.schemas.events import CrossingOut, EventKind, EventPage, SnapshotOut, VisitOut
from shopflow.api.security import CallerDep, SessionDep
from shopflow.domain.people import PersonKind
from shopflow.services.access import require_camera, require_store
from shopflow.storage.event_records import CrossingRecord, Page, SnapshotRecord, VisitRecord
from shopflow.storage.repositories import EventRepository

router = APIRouter(prefix="/api/events", tags=["events"])

SPAN = DATE_RANGE.removeprefix("from ")

MAX_PAGE = 1000
_OUT: dict[EventKind, type[CrossingOut] | type[VisitOut] | type[SnapshotOut]] = {
    "crossing": CrossingOut,
    "visit": VisitOut,
    "snapshot": SnapshotOut,
}


@router.get("", response_model=EventPage)
def list_events(
    session: SessionDep,
    caller: CallerDep,
    store_id: Annotated[int | None, Query(ge=1, le=MAX_ID, description="the store; or give camera_id alone")] = None,
    camera_id: Annotated[int | None, Query(ge=1, le=MAX_ID, description="only this camera's events")] = None,
    kind: Annotated[EventKind, Query(description="crossing, visit or snapshot")] = "crossing",
    person_kind: Annotated[PersonKind | None, Query(description="customer or employee")] = None,
    since: Annotated[Instant | None, Query(description=f"from this time on (inclusive), with its zone; {SPAN}")] = None,
    until: Annotated[Instant | None, Query(description=f"before this time (exclusive), with its zone; {SPAN}")] = None,
    cursor: Annotated[str | None, Query(description="next_cursor of the previous page")] = None,
    limit: Annotated[int, Query(ge=1, le=MAX_PAGE, description="page size, 1 to 1000")] = 100,
    order: Annotated[Literal["oldest", "newest"], Query(description="oldest first, or newest first")] = "oldest",
) -> EventPage:
    """Events ordered by time (a visit by when it began). Times are UTC; pass since/until with a zone."""
    if since is not None and until is not None and since > until:
        raise InvalidInputError(f"since ({since.isoformat()}) is after until ({until.isoformat()}); swap them")
    if store_id is None and camera_id is None:
        raise InvalidInputError("give store_id or camera_id")
    if person_kind is not None and kind == "snapshot":
        raise InvalidInputError("person_kind applies to crossings and visits, not to snapshots")
    if camera_id is not None:
        camera = require_camera(session, caller, camera_id)
        if store_id is not None and camera.store_id != store_id:
            raise InvalidInputError(f"camera {camera_id} belongs to store {camera.store_id}, not to store {store_id}")
        store_id = camera.store_id
    assert store_id is not None
    require_store(session, caller, store_id)
    events = EventRepository(session)
    newest_first = order == "newest"
    try:
        page: Page[CrossingRecord] | Page[VisitRecord] | Page[SnapshotRecord]
        if kind == "snapshot":
            page = events.snapshots(
                store_id,
                limit=limit,
                camera_id=camera_id,
                since=since,
                until=until,
                cursor=cursor,
                newest_first=newest_first,
            )
        else:
            fetch = events.crossings if kind == "crossing" else events.visits
            page = fetch(
                store_id,
                limit=limit,
                camera_id=camera_id,
                person_kind=person_kind,
                since=since,
                until=until,
                cursor=cursor,
                newest_first=newest_first,
            )
        out = _OUT[kind]
        items: list[CrossingOut | VisitOut | SnapshotOut] = [
            out.model_validate(item, from_attributes=True) for item in page.items
        ]
        return EventPage(kind=kind, items=items, next_cursor=page.next_cursor)
    except ValueError as error:  # a cursor this API never handed out
        raise InvalidInputError(str(error)) from None
