"""How stamped events become the rows the writer inserts, and the checks that refuse what the database never takes."""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import timedelta

from shopflow.domain.events import CountSnapshot, Crossing, Visit, ZoneEntry
from shopflow.domain.stamped import (
    HeatmapTally,
    PartyTally,
    StaffCorrection,
    StaffDeparture,
    StampedEvent,
    session_of,
)
from shopflow.storage.columns import require_utc
from shopflow.storage.event_records import (
    NewCrossing,
    NewHeatmapTally,
    NewSnapshot,
    NewStaffCorrection,
    NewStaffDeparture,
    NewTally,
    NewVisit,
)
from shopflow.storage.repositories.cameras import CameraRouting

MAX_KEY_LENGTH = 128  # the event_key columns


@dataclass(slots=True)
class EventRows:
    crossings: list[NewCrossing] = field(default_factory=list)
    visits: list[NewVisit] = field(default_factory=list)
    snapshots: list[NewSnapshot] = field(default_factory=list)
    tallies: list[NewTally] = field(default_factory=list)
    heatmaps: list[NewHeatmapTally] = field(default_factory=list)
    staff: list[NewStaffCorrection] = field(default_factory=list)
    departures: list[NewStaffDeparture] = field(default_factory=list)

    def __len__(self) -> int:
        return (
            len(self.crossings)
            + len(self.visits)
            + len(self.snapshots)
            + len(self.tallies)
            + len(self.heatmaps)
            + len(self.staff)
            + len(self.departures)
        )

    def one_by_one(self) -> Iterable[EventRows]:
        for crossing in self.crossings:
            yield EventRows(crossings=[crossing])
        for visit in self.visits:
            yield EventRows(visits=[visit])
        for snapshot in self.snapshots:
            yield EventRows(snapshots=[snapshot])
        for tally in self.tallies:
            yield EventRows(tallies=[tally])
        for heatmap in self.heatmaps:
            yield EventRows(heatmaps=[heatmap])
        for correction in self.staff:
            yield EventRows(staff=[correction])
        for departure in self.departures:
            yield EventRows(departures=[departure])


def check_event(stamped: StampedEvent) -> None:
    """Refuse what the database would reject forever, while the producer can still be told."""
    require_utc(stamped.occurred_at, "occurred_at")
    if not stamped.key or len(stamped.key) > MAX_KEY_LENGTH:
        raise ValueError(f"event key must be 1 to {MAX_KEY_LENGTH} characters, got {stamped.key!r}")
    event = stamped.event
    if isinstance(event, Visit) and event.dwell_seconds < 0:
        raise ValueError(f"visit {stamped.key!r} exits before it enters")
    if isinstance(event, HeatmapTally) and not all(math.isfinite(v) and v >= 0 for v in event.cells):
        raise ValueError(f"heatmap tally {stamped.key!r} has a negative or non-finite cell")
    if isinstance(event, StaffCorrection):
        session_of(stamped.key)  # storage finds the track's earlier events by the key's session
    known = Crossing | Visit | CountSnapshot | ZoneEntry | PartyTally | HeatmapTally | StaffCorrection | StaffDeparture
    if not isinstance(event, known):
        raise TypeError(f"not an event the writer knows: {type(event).__name__}")


def add_row(rows: EventRows, camera: CameraRouting, stamped: StampedEvent) -> None:
    event, at, key = stamped.event, require_utc(stamped.occurred_at), stamped.key
    ids = {"camera_id": camera.camera_id, "store_id": camera.store_id}
    if isinstance(event, Crossing):
        line = camera.lines.get(event.line)
        rows.crossings.append(
            NewCrossing(
                **ids,
                line=event.line,
                direction=event.direction,
                is_entry=None if line is None else line.is_entry(event.direction),
                track_id=event.track_id,
                person_kind=event.kind,
                at=at,
                event_key=key,
            )
        )
    elif isinstance(event, Visit):
        rows.visits.append(
            NewVisit(
                **ids,
                zone=event.zone,
                track_id=event.track_id,
                person_kind=event.kind,
                entered_at=at - timedelta(seconds=event.dwell_seconds),
                exited_at=at,
                dwell_seconds=event.dwell_seconds,
                event_key=key,
            )
        )
    elif isinstance(event, CountSnapshot):
        rows.snapshots.append(
            NewSnapshot(
                **ids,
                at=at,
                total_people=event.total_people,
                customers=event.customers,
                employees=event.employees,
                groups=event.groups,
                potential_customers=event.potential_customers,
                processing_time_ms=stamped.processing_time_ms,
                event_key=key,
            )
        )
    elif isinstance(event, PartyTally):
        rows.tallies.append(
            NewTally(
                **ids,
                at=at,
                potential_customers=event.potential_customers,
                groups=event.groups,
                visitors=event.visitors,
                event_key=key,
            )
        )
    elif isinstance(event, HeatmapTally):
        rows.heatmaps.append(
            NewHeatmapTally(
                camera_id=camera.camera_id,
                at=at,
                columns=event.columns,
                rows=event.rows,
                cells=event.cells,
                frame_width=event.frame_width,
                frame_height=event.frame_height,
                event_key=key,
            )
        )
    elif isinstance(event, StaffCorrection):
        rows.staff.append(
            NewStaffCorrection(
                **ids,
                track_id=event.track_id,
                rule=event.rule,
                # A face's detail is the employee's id in the store's gallery (see server/staff_rules.py).
                detail="" if event.rule == "face" else event.detail[:100],
                employee_id=int(event.detail) if event.rule == "face" and event.detail.isdecimal() else None,
                first_seen_at=at - timedelta(seconds=event.at - event.first_seen),
                decided_at=at,
                visitor_arrived_at=(
                    None
                    if event.visitor_arrived_at is None
                    else at - timedelta(seconds=event.at - event.visitor_arrived_at)
                ),
                session=session_of(key),
                event_key=key,
            )
        )
    elif isinstance(event, StaffDeparture):
        rows.departures.append(
            NewStaffDeparture(camera_id=camera.camera_id, last_seen_at=at, correction_key=key.removesuffix(":end"))
        )
