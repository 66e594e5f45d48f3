"""Tracks decided to be staff: the correction of what they did as customers before, and their presence.

A decision can come minutes after a staff member walked in through the front door. Their crossings and visits
were stored as a customer's by then, so a correction is stored as a row of its own (`staff_tracks`: who, by
which rule, since when), the track's stored events are relabelled, and the rollups lose exactly what the track
had added to the customer figures. Never a silent rewrite: the row says what was moved.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import case, func, select, update
from sqlalchemy.orm import Session

from shopflow.domain.people import PersonKind
from shopflow.domain.stamped import session_of
from shopflow.storage.columns import require_utc
from shopflow.storage.event_records import NewStaffCorrection, NewStaffDeparture
from shopflow.storage.models import CameraRow, CrossingRow, EmployeeRow, StaffTrackRow, VisitRow
from shopflow.storage.repositories._dialect import upsert_insert
from shopflow.storage.repositories.rollups import add_delta
from shopflow.storage.rollup_records import Counts, RollupKey

# Stored times are wall times derived from stream times: allow for rounding at the window's ends.
SLACK = timedelta(seconds=1)


@dataclass(frozen=True, slots=True)
class StaffPresenceRecord:
    """One staff track as the attendance view reads it."""

    camera_id: int
    camera_name: str
    rule: str
    employee_id: int | None
    first_seen_at: datetime
    last_seen_at: datetime


@dataclass(frozen=True, slots=True)
class StaffTotals:
    """Staff tracks of a store in a time range, by rule, and what their corrections moved out of the customers."""

    tracks: int
    by_rule: dict[str, int]
    crossings_corrected: int
    visits_corrected: int
    visitors_corrected: int


class StaffTrackRepository:
    def __init__(self, session: Session) -> None:
        self._session = session

    # --- writes (the event writer, inside its flush transaction) ---------------------------------------------

    def correct(self, corrections: Sequence[NewStaffCorrection]) -> dict[RollupKey, Counts]:
        """Store each new correction and relabel the track's earlier events; returns what the rollups lose.

        A correction already stored (a replay) changes nothing, so the rollups lose each track's events once.
        The writer inserts a flush's crossings and visits before calling this, and events arrive in order, so
        every event the track made before its decision is already stored.
        """
        deltas: dict[RollupKey, Counts] = {}
        for correction in corrections:
            if not self._insert(correction):
                continue
            crossings = self._relabel_crossings(correction, correction.decided_at)
            visits = self._relabel_visits(correction, correction.decided_at)
            for store_id, camera_id, at, is_entry in crossings:
                if is_entry:
                    add_delta(deltas, store_id, camera_id, at, Counts(customer_entries=-1))
            for store_id, camera_id, entered_at, dwell in visits:
                add_delta(deltas, store_id, camera_id, entered_at, Counts(visits=-1, dwell_seconds_sum=-dwell))
            if correction.visitor_arrived_at is not None:
                add_delta(
                    deltas,
                    correction.store_id,
                    correction.camera_id,
                    correction.visitor_arrived_at,
                    Counts(visitors=-1),
                )
            self._session.execute(
                update(StaffTrackRow)
                .where(StaffTrackRow.camera_id == correction.camera_id, StaffTrackRow.event_key == correction.event_key)
                .values(crossings_corrected=len(crossings), visits_corrected=len(visits))
            )
        return deltas

    def depart(self, departures: Sequence[NewStaffDeparture]) -> None:
        """Close each staff track's presence, and name the rule on the employee events it made after the decision
        (those were stored as an employee's already, without knowing which rule)."""
        for departure in departures:
            row = self._session.execute(
                select(StaffTrackRow).where(
                    StaffTrackRow.camera_id == departure.camera_id,
                    StaffTrackRow.event_key == departure.correction_key,
                )
            ).scalar_one_or_none()
            if row is None:  # its correction was purged (retention) or rejected: nothing to close
                continue
            last_seen = max(require_utc(departure.last_seen_at), row.last_seen_at)
            row.last_seen_at = last_seen
            correction = self._as_correction(row)
            for model in (CrossingRow, VisitRow):
                self._session.execute(
                    update(model)
                    .where(*self._track_events(model, correction, last_seen), model.staff_rule.is_(None))
                    .values(staff_rule=row.rule)
                )

    def _insert(self, correction: NewStaffCorrection) -> bool:
        employee_id = correction.employee_id
        if employee_id is not None:
            # The gallery the worker loaded may name an employee since removed: keep the correction, not the link.
            found = self._session.execute(
                select(EmployeeRow.id).where(EmployeeRow.id == employee_id, EmployeeRow.store_id == correction.store_id)
            ).scalar_one_or_none()
            employee_id = found
        statement = (
            upsert_insert(self._session, StaffTrackRow)
            .on_conflict_do_nothing(index_elements=["camera_id", "event_key"])
            .returning(StaffTrackRow.id)
        )
        values: dict[str, Any] = {
            "camera_id": correction.camera_id,
            "store_id": correction.store_id,
            "track_id": correction.track_id,
            "rule": correction.rule,
            "detail": correction.detail,
            "employee_id": employee_id,
            "first_seen_at": require_utc(correction.first_seen_at),
            "decided_at": require_utc(correction.decided_at),
            "last_seen_at": require_utc(correction.decided_at),
            "crossings_corrected": 0,
            "visits_corrected": 0,
            "visitor_corrected": correction.visitor_arrived_at is not None,
            "event_key": correction.event_key,
        }
        return self._session.execute(statement, values).first() is not None

    def _track_events(
        self, model: type[CrossingRow] | type[VisitRow], correction: NewStaffCorrection, until: datetime
    ) -> list[Any]:
        """The stored events of one track of one stream session between its first sighting and `until`. Track ids
        restart with each session, so the session's key prefix tells this track from an earlier one."""
        at = model.at if model is CrossingRow else model.entered_at  # type: ignore[union-attr]
        return [
            model.camera_id == correction.camera_id,
            model.track_id == correction.track_id,
            at >= require_utc(correction.first_seen_at) - SLACK,
            at <= require_utc(until) + SLACK,
            model.event_key.startswith(f"{correction.session}:", autoescape=True),
        ]

    def _relabel_crossings(
        self, correction: NewStaffCorrection, until: datetime
    ) -> list[tuple[int, int, datetime, bool | None]]:
        statement = (
            update(CrossingRow)
            .where(
                *self._track_events(CrossingRow, correction, until),
                CrossingRow.person_kind == PersonKind.CUSTOMER.value,
            )
            .values(person_kind=PersonKind.EMPLOYEE.value, staff_rule=correction.rule)
            .returning(CrossingRow.store_id, CrossingRow.camera_id, CrossingRow.at, CrossingRow.is_entry)
        )
        return [(s, c, require_utc(at), e) for s, c, at, e in self._session.execute(statement)]

    def _relabel_visits(
        self, correction: NewStaffCorrection, until: datetime
    ) -> list[tuple[int, int, datetime, float]]:
        statement = (
            update(VisitRow)
            .where(*self._track_events(VisitRow, correction, until), VisitRow.person_kind == PersonKind.CUSTOMER.value)
            .values(person_kind=PersonKind.EMPLOYEE.value, staff_rule=correction.rule)
            .returning(VisitRow.store_id, VisitRow.camera_id, VisitRow.entered_at, VisitRow.dwell_seconds)
        )
        return [(s, c, require_utc(at), float(d)) for s, c, at, d in self._session.execute(statement)]

    @staticmethod
    def _as_correction(row: StaffTrackRow) -> NewStaffCorrection:
        return NewStaffCorrection(
            camera_id=row.camera_id,
            store_id=row.store_id,
            track_id=row.track_id,
            rule=row.rule,
            detail=row.detail,
            employee_id=row.employee_id,
            first_seen_at=row.first_seen_at,
            decided_at=row.decided_at,
            visitor_arrived_at=None,
            session=session_of(row.event_key),
            event_key=row.event_key,
        )

    # --- reads -------------------------------------------------------------------------------------------------

    def presences(
        self, store_id: int, since: datetime, until: datetime, *, employee_id: int | None = None
    ) -> list[StaffPresenceRecord]:
        """Staff tracks of a store that began in [since, until), oldest first; only face-recognised ones carry an
        employee. `employee_id` narrows to one employee."""
        query = (
            select(
                StaffTrackRow.camera_id,
                CameraRow.name,
                StaffTrackRow.rule,
                StaffTrackRow.employee_id,
                StaffTrackRow.first_seen_at,
                StaffTrackRow.last_seen_at,
            )
            .join(CameraRow, CameraRow.id == StaffTrackRow.camera_id)
            .where(
                StaffTrackRow.store_id == store_id,
                StaffTrackRow.first_seen_at >= require_utc(since),
                StaffTrackRow.first_seen_at < require_utc(until),
            )
            .order_by(StaffTrackRow.first_seen_at, StaffTrackRow.id)
        )
        if employee_id is not None:
            query = query.where(StaffTrackRow.employee_id == employee_id)
        return [
            StaffPresenceRecord(camera_id, name, rule, employee, require_utc(first), require_utc(last))
            for camera_id, name, rule, employee, first, last in self._session.execute(query)
        ]

    def totals(self, store_id: int, since: datetime, until: datetime) -> StaffTotals:
        query = (
            select(
                StaffTrackRow.rule,
                func.count(),
                func.coalesce(func.sum(StaffTrackRow.crossings_corrected), 0),
                func.coalesce(func.sum(StaffTrackRow.visits_corrected), 0),
                func.coalesce(func.sum(case((StaffTrackRow.visitor_corrected, 1), else_=0)), 0),
            )
            .where(
                StaffTrackRow.store_id == store_id,
                StaffTrackRow.first_seen_at >= require_utc(since),
                StaffTrackRow.first_seen_at < require_utc(until),
            )
            .group_by(StaffTrackRow.rule)
        )
        by_rule: dict[str, int] = {}
        crossings = visits = visitors = 0
        for rule, tracks, corrected_crossings, corrected_visits, corrected_visitors in self._session.execute(query):
            by_rule[rule] = int(tracks)
            crossings += int(corrected_crossings)
            visits += int(corrected_visits)
            visitors += int(corrected_visitors)
        return StaffTotals(sum(by_rule.values()), by_rule, crossings, visits, visitors)
