"""Plain immutable records the repositories take and return, so no ORM object or session leaks out of storage."""

from __future__ import annotations

import base64
import binascii
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum
from typing import Any, Generic, Literal, TypeVar

import numpy as np
import numpy.typing as npt

from shopflow.domain.cameras import CameraStatus
from shopflow.domain.events import Direction
from shopflow.domain.geometry import CountingLine, GeometryError, Point, Zone
from shopflow.domain.people import PersonKind
from shopflow.storage.columns import require_utc

DEFAULT_TIMEZONE = "America/Sao_Paulo"
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")  # index = date.weekday()
_HHMM = re.compile(r"^([01]\d|2[0-3]):[0-5]\d$")


class InsideSide(StrEnum):
    """Which side of a counting line is inside the store (the line's own `in` moves towards the positive side)."""

    POSITIVE = "positive"
    NEGATIVE = "negative"


class UserRole(StrEnum):
    OWNER = "owner"
    MANAGER = "manager"
    VIEWER = "viewer"


class Language(StrEnum):
    PT_BR = "pt-BR"
    EN = "en"


# --- configuration kept as JSON -------------------------------------------------------------------------------


def _point(value: Any, where: str) -> Point:
    if not isinstance(value, Sequence) or isinstance(value, str) or len(value) != 2:
        raise GeometryError(f"{where}: a point is [x, y], got {value!r}")
    try:
        return (float(value[0]), float(value[1]))
    except (TypeError, ValueError) as error:
        raise GeometryError(f"{where}: a point is two numbers, got {value!r}") from error


@dataclass(frozen=True, slots=True)
class LineConfig:
    """A counting line as a camera keeps it: the domain line plus which side is inside the store."""

    name: str
    a: Point
    b: Point
    inside: InsideSide = InsideSide.POSITIVE

    def __post_init__(self) -> None:
        self.to_domain()  # raises GeometryError with a message that says what to fix

    def to_domain(self) -> CountingLine:
        return CountingLine(name=self.name, a=self.a, b=self.b)

    def is_entry(self, direction: Direction) -> bool:
        """True when moving in `direction` (the line's own sense) means walking into the store."""
        return (direction is Direction.IN) == (self.inside is InsideSide.POSITIVE)

    def to_json(self) -> dict[str, Any]:
        return {"name": self.name, "a": list(self.a), "b": list(self.b), "inside": self.inside.value}

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> LineConfig:
        name = str(data.get("name", ""))
        where = f"line {name!r}"
        inside = data.get("inside", InsideSide.POSITIVE.value)
        try:
            side = InsideSide(inside)
        except ValueError as error:
            raise GeometryError(f"{where}: inside must be 'positive' or 'negative', got {inside!r}") from error
        return cls(name=name, a=_point(data.get("a"), where), b=_point(data.get("b"), where), inside=side)


@dataclass(frozen=True, slots=True)
class ZoneConfig:
    name: str
    polygon: tuple[Point, ...]

    def __post_init__(self) -> None:
        self.to_domain()

    def to_domain(self) -> Zone:
        return Zone(name=self.name, polygon=self.polygon)

    def to_json(self) -> dict[str, Any]:
        return {"name": self.name, "polygon": [list(point) for point in self.polygon]}

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> ZoneConfig:
        name = str(data.get("name", ""))
        polygon = data.get("polygon")
        if not isinstance(polygon, Sequence) or isinstance(polygon, str):
            raise GeometryError(f"zone {name!r}: polygon is a list of [x, y] points, got {polygon!r}")
        return cls(name=name, polygon=tuple(_point(point, f"zone {name!r}") for point in polygon))


def check_unique_names(kind: str, names: Sequence[str]) -> None:
    seen: set[str] = set()
    for name in names:
        if name in seen:
            raise GeometryError(f"two {kind}s are called {name!r}; events name the {kind}, so names must differ")
        seen.add(name)


OpeningHours = dict[str, dict[str, str]]


def validate_opening_hours(value: Mapping[str, Mapping[str, str]]) -> OpeningHours:
    """Opening hours as {"mon": {"open": "09:00", "close": "18:00"}, ...}; a missing weekday is a closed day.

    A close earlier than the open means the store closes after midnight.
    """
    hours: OpeningHours = {}
    for day, times in value.items():
        if day not in WEEKDAYS:
            raise ValueError(f"opening hours: unknown weekday {day!r}; use one of {', '.join(WEEKDAYS)}")
        if set(times) != {"open", "close"}:
            raise ValueError(f"opening hours for {day}: give exactly 'open' and 'close', got {sorted(times)}")
        opens, closes = times["open"], times["close"]
        for label, text in (("open", opens), ("close", closes)):
            if not isinstance(text, str) or not _HHMM.match(text):
                raise ValueError(f"opening hours for {day}: {label} must be HH:MM (00:00-23:59), got {text!r}")
        if opens == closes:
            raise ValueError(f"opening hours for {day}: open and close are both {opens}; leave the day out if closed")
        hours[day] = {"open": opens, "close": closes}
    return {day: hours[day] for day in WEEKDAYS if day in hours}


# --- entities ---------------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class OrganisationRecord:
    id: int
    name: str
    created_at: datetime


@dataclass(frozen=True, slots=True)
class StoreRecord:
    id: int
    organisation_id: int
    name: str
    timezone: str
    opening_hours: OpeningHours
    is_demo: bool
    created_at: datetime


@dataclass(frozen=True, slots=True)
class CameraRecord:
    """A camera as the API and the web UI see it: `source_url` has its credentials replaced by `***`."""

    id: int
    store_id: int
    name: str
    source_url: str
    sample_fps: float
    imgsz: int
    enabled: bool
    lines: tuple[LineConfig, ...]
    zones: tuple[ZoneConfig, ...]
    status: CameraStatus
    status_reason: str | None
    last_frame_at: datetime | None
    measured_fps: float | None
    dropped_frames: int
    is_demo: bool
    created_at: datetime
    updated_at: datetime
    loop_video: bool = False  # video files only: play again from the start when it ends
    realtime_pace: bool = True  # video files only: play at the video's own pace, like a camera


@dataclass(frozen=True, slots=True)
class CameraSource:
    """What the pipeline needs to run a camera, including the full source URL with its credentials."""

    id: int
    store_id: int
    name: str
    source_url: str
    sample_fps: float
    imgsz: int
    lines: tuple[LineConfig, ...]
    zones: tuple[ZoneConfig, ...]
    loop_video: bool = False
    realtime_pace: bool = True

    def __repr__(self) -> str:
        # The URL may hold a password: keep it out of logs and tracebacks.
        return f"CameraSource(id={self.id}, store_id={self.store_id}, name={self.name!r})"


@dataclass(frozen=True, slots=True)
class EmployeeRecord:
    id: int
    store_id: int
    name: str
    role: str
    active: bool
    consent_at: datetime | None
    has_embedding: bool
    created_at: datetime


@dataclass(frozen=True, slots=True)
class UserRecord:
    id: int
    email: str
    role: UserRole
    language: Language
    created_at: datetime


DEFAULT_RETENTION_DAYS = 90
MAX_RETENTION_DAYS = 3650


@dataclass(frozen=True, slots=True)
class PrivacySettings:
    """A store's privacy choices. Faces are off until the owner turns them on (they need employees' consent)."""

    store_id: int
    retention_days: int = DEFAULT_RETENTION_DAYS  # events older than this many days may be deleted
    face_recognition: bool = False
    consent_text: str = ""  # what employees agree to before their face is enrolled
    updated_at: datetime | None = None  # None: never changed, the defaults


@dataclass(frozen=True, slots=True)
class ApiKeyRecord:
    id: int
    store_id: int
    name: str
    prefix: str
    created_at: datetime
    last_used_at: datetime | None
    revoked_at: datetime | None


# --- events: what the writer inserts, and what readers get back -----------------------------------------------


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


# --- rollups ----------------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Counts:
    """What a rollup counts. Entries and exits include employees; visits and dwell are customers only;
    potential customers, groups and visitors come from the pipeline's party tallies."""

    entries: int = 0
    exits: int = 0
    customer_entries: int = 0
    visits: int = 0
    dwell_seconds_sum: float = 0.0
    potential_customers: int = 0
    groups: int = 0
    visitors: int = 0  # unique customers, as the analysis settled them
    peak_occupancy: int = 0

    def combine(self, other: Counts, *, peak: Literal["sum", "max"]) -> Counts:
        """Add two buckets. Peaks of different cameras in one hour add up ("sum": people seen at once by all
        cameras, an upper bound when views overlap); peaks of different hours do not ("max")."""
        return Counts(
            entries=self.entries + other.entries,
            exits=self.exits + other.exits,
            customer_entries=self.customer_entries + other.customer_entries,
            visits=self.visits + other.visits,
            dwell_seconds_sum=self.dwell_seconds_sum + other.dwell_seconds_sum,
            potential_customers=self.potential_customers + other.potential_customers,
            groups=self.groups + other.groups,
            visitors=self.visitors + other.visitors,
            peak_occupancy=(
                self.peak_occupancy + other.peak_occupancy
                if peak == "sum"
                else max(self.peak_occupancy, other.peak_occupancy)
            ),
        )

    @property
    def average_dwell_seconds(self) -> float | None:
        return self.dwell_seconds_sum / self.visits if self.visits else None


@dataclass(frozen=True, slots=True)
class HourlyTotals:
    hour_start: datetime  # UTC
    counts: Counts
    camera_id: int | None = None  # None: every camera of the store together


@dataclass(frozen=True, slots=True)
class DailyTotals:
    day: date  # the store's local calendar day
    counts: Counts
    camera_id: int | None = None


@dataclass(frozen=True, slots=True)
class HeatmapGrid:
    """A camera's heatmap summed over a time range, for one grid size.

    `cells` is (rows, columns) person-seconds, read-only. `frame_width` x `frame_height` is the frame size most
    recently measured with this grid.
    """

    camera_id: int
    columns: int
    rows: int
    cells: npt.NDArray[np.float64]
    frame_width: int
    frame_height: int
    hours: int  # hourly rows added together
    last_updated: datetime


@dataclass(frozen=True, slots=True)
class RollupKey:
    """One hourly rollup row; a flush adds a `Counts` of deltas to each key it touched."""

    store_id: int
    camera_id: int
    hour_start: datetime
