"""GET /api/events: stored crossings, visits or count snapshots of a store or camera, page by page."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Query
from pydantic import AwareDatetime

from shopflow.api.deps import SessionDep
from shopflow.api.errors import InvalidInputError
from shopflow.api.schemas.events import CrossingOut, EventKind, EventPage, SnapshotOut, VisitOut
from shopflow.domain.people import PersonKind
from shopflow.storage.repositories import CameraRepository, EventRepository, StoreRepository

router = APIRouter(prefix="/api/events", tags=["events"])

MAX_PAGE = 1000


@router.get("", response_model=EventPage)
def list_events(
    session: SessionDep,
    store_id: Annotated[int | None, Query(description="the store; or give camera_id alone")] = None,
    camera_id: Annotated[int | None, Query(description="only this camera's events")] = None,
    kind: Annotated[EventKind, Query(description="crossing, visit or snapshot")] = "crossing",
    person_kind: Annotated[PersonKind | None, Query(description="customer or employee")] = None,
    since: Annotated[AwareDatetime | None, Query(description="from this time on (inclusive), with its zone")] = None,
    until: Annotated[AwareDatetime | None, Query(description="before this time (exclusive), with its zone")] = None,
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
        camera = CameraRepository(session).get(camera_id)
        if store_id is not None and camera.store_id != store_id:
            raise InvalidInputError(f"camera {camera_id} belongs to store {camera.store_id}, not to store {store_id}")
        store_id = camera.store_id
    assert store_id is not None
    StoreRepository(session).get(store_id)
    events = EventRepository(session)
    newest_first = order == "newest"
    try:
        items: list[CrossingOut | VisitOut | SnapshotOut]
        if kind == "crossing":
            crossings = events.crossings(
                store_id,
                limit=limit,
                camera_id=camera_id,
                person_kind=person_kind,
                since=since,
                until=until,
                cursor=cursor,
                newest_first=newest_first,
            )
            items = [CrossingOut.model_validate(c, from_attributes=True) for c in crossings.items]
            return EventPage(kind=kind, items=items, next_cursor=crossings.next_cursor)
        if kind == "visit":
            visits = events.visits(
                store_id,
                limit=limit,
                camera_id=camera_id,
                person_kind=person_kind,
                since=since,
                until=until,
                cursor=cursor,
                newest_first=newest_first,
            )
            items = [VisitOut.model_validate(v, from_attributes=True) for v in visits.items]
            return EventPage(kind=kind, items=items, next_cursor=visits.next_cursor)
        snapshots = events.snapshots(
            store_id,
            limit=limit,
            camera_id=camera_id,
            since=since,
            until=until,
            cursor=cursor,
            newest_first=newest_first,
        )
        items = [SnapshotOut.model_validate(s, from_attributes=True) for s in snapshots.items]
        return EventPage(kind=kind, items=items, next_cursor=snapshots.next_cursor)
    except ValueError as error:  # a cursor this API never handed out
        raise InvalidInputError(str(error)) from None
