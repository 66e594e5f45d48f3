"""Events as the writer inserts them and readers get them back, with the cursor that pages through them."""

from __future__ import annotations

import base64
import binascii
from dataclasses import dataclass
from datetime import datetime
from typing import Generic, TypeVar

from shopflow.domain.events import Direction
from shopflow.domain.people import PersonKind
from shopflow.storage.columns import require_utc


@dataclass(frozen=True, slots=True)
class NewCrossing:
    camera_id: int
    store_id: int
    line: str
    direction: Direction
    is_entry: bool | None  # None: the line is not (or no longer) in the camera's configuration
    track_id: int
    person_kind: PersonKind
    at: datetime
    event_key: str


@dataclass(frozen=True, slots=True)
class NewVisit:
    camera_id: int
    store_id: int
    zone: str
    track_id: int
    person_kind: PersonKind
    entered_at: datetime
    exited_at: datetime
    dwell_seconds: float
    event_key: str


@dataclass(frozen=True, slots=True)
class NewSnapshot:
    camera_id: int
    store_id: int
    at: datetime
    total_people: int
    customers: int
    employees: int
    groups: int
    potential_customers: int
    processing_time_ms: float | None
    event_key: str


@dataclass(frozen=True, slots=True)
class NewTally:
    camera_id: int
    store_id: int
    at: datetime
    potential_customers: int
    groups: int
    visitors: int
    event_key: str


@dataclass(frozen=True, slots=True)
class NewHeatmapTally:
    """Person-seconds added to each cell of a camera's heatmap grid (row-major), at one moment."""

    camera_id: int
    at: datetime
    columns: int
    rows: int
    cells: tuple[float, ...]
    frame_width: int
    frame_height: int
    event_key: str


@dataclass(frozen=True, slots=True)
class CrossingRecord:
    id: int
    camera_id: int
    store_id: int
    line: str
    direction: Direction
    is_entry: bool | None
    track_id: int
    person_kind: PersonKind
    at: datetime
    event_key: str


@dataclass(frozen=True, slots=True)
class VisitRecord:
    id: int
    camera_id: int
    store_id: int
    zone: str
    track_id: int
    person_kind: PersonKind
    entered_at: datetime
    exited_at: datetime
    dwell_seconds: float
    event_key: str


@dataclass(frozen=True, slots=True)
class SnapshotRecord:
    id: int
    camera_id: int
    store_id: int
    at: datetime
    total_people: int
    customers: int
    employees: int
    groups: int
    potential_customers: int
    processing_time_ms: float | None


@dataclass(frozen=True, slots=True)
class Cursor:
    """Where a page ended: the (time, id) of its last row. Opaque to API clients."""

    at: datetime
    id: int

    def encode(self) -> str:
        text = f"{require_utc(self.at).isoformat()}|{self.id}"
        return base64.urlsafe_b64encode(text.encode()).decode().rstrip("=")

    @classmethod
    def decode(cls, token: str) -> Cursor:
        try:
            text = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)).decode()
            at_text, id_text = text.split("|")
            return cls(at=require_utc(datetime.fromisoformat(at_text)), id=int(id_text))
        except (binascii.Error, UnicodeDecodeError, ValueError) as error:
            raise ValueError("invalid cursor: pass back the next_cursor of the previous page unchanged") from error


RecordT = TypeVar("RecordT")


@dataclass(frozen=True, slots=True)
class Page(Generic[RecordT]):
    items: tuple[RecordT, ...]
    next_cursor: str | None  # None on the last page


@dataclass(frozen=True, slots=True)
class NewStaffCorrection:
    """A track decided to be staff (domain/stamped.StaffCorrection) as the writer stores it."""

    camera_id: int
    store_id: int
    track_id: int
    rule: str
    detail: str  # the staff zone's name; "" for the other rules
    employee_id: int | None  # the employee recognised by face, if any
    first_seen_at: datetime
    decided_at: datetime
    visitor_arrived_at: datetime | None  # the track had been counted a new visitor arriving then
    session: str  # the stream session: every event key of the track starts with it and ':'
    event_key: str


@dataclass(frozen=True, slots=True)
class NewStaffDeparture:
    camera_id: int
    last_seen_at: datetime
    correction_key: str  # the event key of the track's NewStaffCorrection
