"""Attendance: when each employee recognised by their face was on the floor, per day.

Personal data, so it has its own permission (`Permission.ATTENDANCE`: owners and managers, never an API key) and
every read is written to the audit log. Staff told apart by their uniform, a staff zone or a long stay are not
named (nothing says who they are): they are only counted, by rule.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from shopflow.reports.periods import day_start
from shopflow.services.access import Caller, Permission, require_store
from shopflow.storage.db import Database
from shopflow.storage.repositories import AuditRepository
from shopflow.storage.repositories.staff_registry import StaffRegistry
from shopflow.storage.repositories.staff_tracks import StaffPresenceRecord, StaffTotals, StaffTrackRepository


@dataclass(frozen=True, slots=True)
class EmployeeDay:
    employee_id: int
    name: str
    code: str | None
    first_seen: datetime
    last_seen: datetime
    on_floor_seconds: float  # the union of their sightings on every camera: two cameras at once count once
    cameras: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class AttendanceDay:
    store_id: int
    day: date
    employees: list[EmployeeDay]
    staff: StaffTotals  # every staff track of the day, named or not, by the rule that decided it


def on_floor_seconds(intervals: Sequence[tuple[datetime, datetime]]) -> float:
    """Seconds covered by the union of the intervals."""
    total = timedelta()
    current_start: datetime | None = None
    current_end: datetime | None = None
    for start, end in sorted(intervals):
        if current_end is None or start > current_end:
            if current_start is not None and current_end is not None:
                total += current_end - current_start
            current_start, current_end = start, end
        else:
            current_end = max(current_end, end)
    if current_start is not None and current_end is not None:
        total += current_end - current_start
    return total.total_seconds()


def _employee_days(
    presences: Sequence[StaffPresenceRecord], names: dict[int, tuple[str, str | None]]
) -> list[EmployeeDay]:
    by_employee: dict[int, list[StaffPresenceRecord]] = defaultdict(list)
    for presence in presences:
        if presence.employee_id is not None and presence.employee_id in names:
            by_employee[presence.employee_id].append(presence)
    days: list[EmployeeDay] = []
    for employee_id, seen in by_employee.items():
        name, code = names[employee_id]
        days.append(
            EmployeeDay(
                employee_id=employee_id,
                name=name,
                code=code,
                first_seen=min(p.first_seen_at for p in seen),
                last_seen=max(p.last_seen_at for p in seen),
                on_floor_seconds=on_floor_seconds([(p.first_seen_at, p.last_seen_at) for p in seen]),
                cameras=tuple(sorted({p.camera_name for p in seen})),
            )
        )
    return sorted(days, key=lambda d: (d.first_seen, d.name))


class AttendanceService:
    def __init__(self, database: Database, caller: Caller) -> None:
        self._database = database
        self._caller = caller

    def day(self, store_id: int, day: date) -> AttendanceDay:
        """One local calendar day of the store."""
        with self._database.read_session() as session:
            store = require_store(session, self._caller, store_id, Permission.ATTENDANCE)
            start, end = day_start(day, store.timezone), day_start(day + timedelta(days=1), store.timezone)
            tracks = StaffTrackRepository(session)
            presences = tracks.presences(store_id, start, end)
            totals = tracks.totals(store_id, start, end)
            names = {
                profile.id: (profile.name, profile.code)
                for profile in StaffRegistry(session).list_by_store(store_id)
                if profile.erased_at is None
            }
        with self._database.session() as session:
            AuditRepository(session).add(
                actor=self._caller.label,
                action="attendance_read",
                subject=f"store {store_id}",
                detail=day.isoformat(),
                store_id=store_id,
            )
        return AttendanceDay(store_id, day, _employee_days(presences, names), totals)
