"""Crossings, visits, camera snapshots and party tallies: idempotent inserts and keyset-paginated reads."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import asdict
from datetime import datetime
from typing import Any, TypeVar

from sqlalchemy import and_, or_, select
from sqlalchemy.orm import InstrumentedAttribute, Session

from shopflow.domain.events import Direction
from shopflow.domain.people import PersonKind
from shopflow.storage.columns import require_utc
from shopflow.storage.event_records import (
    CrossingRecord,
    Cursor,
    NewCrossing,
    NewSnapshot,
    NewTally,
    NewVisit,
    Page,
    SnapshotRecord,
    VisitRecord,
)
from shopflow.storage.models import CameraEventRow, CameraRow, CrossingRow, PartyTallyRow, VisitRow
from shopflow.storage.repositories._dialect import upsert_insert

NewT = TypeVar("NewT", NewCrossing, NewVisit, NewSnapshot, NewTally)
RecordT = TypeVar("RecordT")
EventModel = type[CrossingRow] | type[VisitRow] | type[CameraEventRow] | type[PartyTallyRow]


def _crossing(row: CrossingRow) -> CrossingRecord:
    return CrossingRecord(
        id=row.id,
        camera_id=row.camera_id,
        store_id=row.store_id,
        line=row.line,
        direction=Direction(row.direction),
        is_entry=row.is_entry,
        track_id=row.track_id,
        person_kind=PersonKind(row.person_kind),
        at=row.at,
        event_key=row.event_key,
    )


def _visit(row: VisitRow) -> VisitRecord:
    return VisitRecord(
        id=row.id,
        camera_id=row.camera_id,
        store_id=row.store_id,
        zone=row.zone,
        track_id=row.track_id,
        person_kind=PersonKind(row.person_kind),
        entered_at=row.entered_at,
        exited_at=row.exited_at,
        dwell_seconds=row.dwell_seconds,
        event_key=row.event_key,
    )


def _snapshot(row: CameraEventRow) -> SnapshotRecord:
    return SnapshotRecord(
        id=row.id,
        camera_id=row.camera_id,
        store_id=row.store_id,
        at=row.at,
        total_people=row.total_people,
        customers=row.customers,
        employees=row.employees,
        groups=row.groups,
        potential_customers=row.potential_customers,
        processing_time_ms=row.processing_time_ms,
    )


def _values(item: NewCrossing | NewVisit | NewSnapshot | NewTally) -> dict[str, Any]:
    # Enums go in as their text; StrEnum already is a str, but plain values keep every driver happy.
    return {
        key: value.value if isinstance(value, Direction | PersonKind) else value for key, value in asdict(item).items()
    }


def _scope(
    model: type[CrossingRow] | type[VisitRow] | type[CameraEventRow], store_id: int, camera_id: int | None
) -> list[Any]:
    """The filters every paginated read starts from: the store, and optionally one of its cameras."""
    filters: list[Any] = [model.store_id == store_id]
    if camera_id is not None:
        filters.append(model.camera_id == camera_id)
    return filters


def _people_scope(
    model: type[CrossingRow] | type[VisitRow], store_id: int, camera_id: int | None, person_kind: PersonKind | None
) -> list[Any]:
    """_scope, and optionally one kind of person (snapshots count everyone, so only crossings and visits)."""
    filters = _scope(model, store_id, camera_id)
    if person_kind is not None:
        filters.append(model.person_kind == PersonKind(person_kind).value)
    return filters


class EventRepository:
    def __init__(self, session: Session) -> None:
        self._session = session

    # --- writes (used by the event writer, inside its flush transaction) -------------------------------------

    def insert_crossings(self, rows: Sequence[NewCrossing]) -> list[NewCrossing]:
        """Insert the crossings whose (camera_id, event_key) is new; returns exactly those."""
        return self._insert_new(CrossingRow, rows)

    def insert_visits(self, rows: Sequence[NewVisit]) -> list[NewVisit]:
        return self._insert_new(VisitRow, rows)

    def insert_snapshots(self, rows: Sequence[NewSnapshot]) -> list[NewSnapshot]:
        return self._insert_new(CameraEventRow, rows)

    def insert_tallies(self, rows: Sequence[NewTally]) -> list[NewTally]:
        return self._insert_new(PartyTallyRow, rows)

    def _insert_new(self, model: EventModel, rows: Sequence[NewT]) -> list[NewT]:
        unique: dict[tuple[int, str], NewT] = {}
        for row in rows:
            unique.setdefault((row.camera_id, row.event_key), row)  # the same key twice in one batch: keep one
        if not unique:
            return []
        statement = (
            upsert_insert(self._session, model)
            .on_conflict_do_nothing(index_elements=["camera_id", "event_key"])
            .returning(model.camera_id, model.event_key)
        )
        result = self._session.execute(statement, [_values(row) for row in unique.values()])
        inserted = {(camera_id, event_key) for camera_id, event_key in result}
        return [row for key, row in unique.items() if key in inserted]

    # --- reads ------------------------------------------------------------------------------------------------

    def crossings(
        self,
        store_id: int,
        *,
        limit: int,
        camera_id: int | None = None,
        person_kind: PersonKind | None = None,
        since: datetime | None = None,
        until: datetime | None = None,
        cursor: str | None = None,
        newest_first: bool = False,
    ) -> Page[CrossingRecord]:
        """Crossings of a store ordered by (at, id); `since` is inclusive, `until` exclusive."""
        filters = _people_scope(CrossingRow, store_id, camera_id, person_kind)
        return self._page(CrossingRow, CrossingRow.at, filters, _crossing, since, until, cursor, limit, newest_first)

    def visits(
        self,
        store_id: int,
        *,
        limit: int,
        camera_id: int | None = None,
        person_kind: PersonKind | None = None,
        since: datetime | None = None,
        until: datetime | None = None,
        cursor: str | None = None,
        newest_first: bool = False,
    ) -> Page[VisitRecord]:
        """Visits of a store ordered by (entered_at, id); the time range applies to entered_at."""
        filters = _people_scope(VisitRow, store_id, camera_id, person_kind)
        return self._page(VisitRow, VisitRow.entered_at, filters, _visit, since, until, cursor, limit, newest_first)

    def snapshots(
        self,
        store_id: int,
        *,
        limit: int,
        camera_id: int | None = None,
        since: datetime | None = None,
        until: datetime | None = None,
        cursor: str | None = None,
        newest_first: bool = False,
    ) -> Page[SnapshotRecord]:
        filters = _scope(CameraEventRow, store_id, camera_id)
        return self._page(
            CameraEventRow, CameraEventRow.at, filters, _snapshot, since, until, cursor, limit, newest_first
        )

    def dwell_by_zone(
        self,
        store_id: int,
        since: datetime,
        until: datetime,
        *,
        camera_id: int | None = None,
        person_kind: PersonKind | None = PersonKind.CUSTOMER,
    ) -> dict[tuple[int, str], list[float]]:
        """Dwell seconds of the visits that began in [since, until), by (camera_id, zone), in entry order.
        Customers only by default (person_kind=None: everyone)."""
        query = select(VisitRow.camera_id, VisitRow.zone, VisitRow.dwell_seconds).where(
            VisitRow.store_id == store_id,
            VisitRow.entered_at >= require_utc(since, "since"),
            VisitRow.entered_at < require_utc(until, "until"),
        )
        if camera_id is not None:
            query = query.where(VisitRow.camera_id == camera_id)
        if person_kind is not None:
            query = query.where(VisitRow.person_kind == PersonKind(person_kind).value)
        dwell: dict[tuple[int, str], list[float]] = {}
        for camera, zone, seconds in self._session.execute(query.order_by(VisitRow.entered_at, VisitRow.id)):
            dwell.setdefault((camera, zone), []).append(seconds)
        return dwell

    def latest_snapshot_per_camera(self, store_id: int) -> dict[int, SnapshotRecord]:
        """The newest snapshot of each camera of the store that has one, by camera id."""
        camera_ids = self._session.scalars(select(CameraRow.id).where(CameraRow.store_id == store_id)).all()
        latest: dict[int, SnapshotRecord] = {}
        for camera_id in camera_ids:
            # One indexed lookup per camera: a store has a handful of cameras and millions of snapshots.
            row = self._session.scalars(
                select(CameraEventRow)
                .where(CameraEventRow.camera_id == camera_id)
                .order_by(CameraEventRow.at.desc(), CameraEventRow.id.desc())
                .limit(1)
            ).first()
            if row is not None:
                latest[camera_id] = _snapshot(row)
        return latest

    def _page(
        self,
        model: Any,
        time_column: InstrumentedAttribute[datetime],
        filters: list[Any],
        to_record: Callable[[Any], RecordT],
        since: datetime | None,
        until: datetime | None,
        cursor: str | None,
        limit: int,
        newest_first: bool,
    ) -> Page[RecordT]:
        if limit < 1:
            raise ValueError(f"limit must be at least 1, got {limit}")
        conditions = list(filters)
        if since is not None:
            conditions.append(time_column >= require_utc(since, "since"))
        if until is not None:
            conditions.append(time_column < require_utc(until, "until"))
        id_column = model.id
        if cursor is not None:
            after = Cursor.decode(cursor)
            if newest_first:
                beyond = or_(time_column < after.at, and_(time_column == after.at, id_column < after.id))
            else:
                beyond = or_(time_column > after.at, and_(time_column == after.at, id_column > after.id))
            conditions.append(beyond)
        order = (time_column.desc(), id_column.desc()) if newest_first else (time_column, id_column)
        rows = list(self._session.scalars(select(model).where(*conditions).order_by(*order).limit(limit + 1)))
        has_more = len(rows) > limit
        rows = rows[:limit]
        next_cursor = None
        if has_more:
            last = rows[-1]
            next_cursor = Cursor(at=getattr(last, time_column.key), id=last.id).encode()
        return Page(items=tuple(to_record(row) for row in rows), next_cursor=next_cursor)
