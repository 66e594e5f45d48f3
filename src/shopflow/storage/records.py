"""Plain immutable records the repositories take and return, so no ORM object or session leaks out of storage.

This module holds the configuration and entity records; event records live in `event_records` and rollup
records in `rollup_records`."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import InitVar, dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any

from shopflow.domain.cameras import CameraStatus
from shopflow.domain.events import Direction
from shopflow.domain.geometry import CountingLine, GeometryError, Point, Zone, turn_point
from shopflow.domain.problems import InputError

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

    def turned(self, degrees: int) -> LineConfig:
        """The same line on the picture turned `degrees` clockwise: on the same spot of the floor, same inside."""
        return LineConfig(self.name, turn_point(self.a, degrees), turn_point(self.b, degrees), self.inside)

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
    """A zone as a camera keeps it. Checked when made, unless `check=False` (only for zones read back from the
    database, which were checked before they were written)."""

    name: str
    polygon: tuple[Point, ...]
    check: InitVar[bool] = True

    def __post_init__(self, check: bool) -> None:
        if check:
            self.to_domain()  # raises GeometryError with a message that says what to fix

    def to_domain(self) -> Zone:
        return Zone(name=self.name, polygon=self.polygon)

    def turned(self, degrees: int) -> ZoneConfig:
        """The same zone on the picture turned `degrees` clockwise (a turn keeps a checked polygon simple)."""
        return ZoneConfig(self.name, tuple(turn_point(point, degrees) for point in self.polygon), check=False)

    def to_json(self) -> dict[str, Any]:
        return {"name": self.name, "polygon": [list(point) for point in self.polygon]}

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> ZoneConfig:
        name = str(data.get("name", ""))
        polygon = data.get("polygon")
        if not isinstance(polygon, Sequence) or isinstance(polygon, str):
            raise GeometryError(f"zone {name!r}: polygon is a list of [x, y] points, got {polygon!r}")
        return cls(name=name, polygon=tuple(_point(point, f"zone {name!r}") for point in polygon))

    @classmethod
    def stored(cls, data: Mapping[str, Any]) -> ZoneConfig:
        """A zone as `to_json` wrote it after it was checked. Not checked again: the quadratic simplicity check
        would otherwise run on every read, inside write transactions too. The pipeline checks it once more when
        it builds the camera's zones (`to_domain`)."""
        polygon = data.get("polygon") or ()
        name = str(data.get("name", ""))
        return cls(name=name, polygon=tuple(_point(point, f"zone {name!r}") for point in polygon), check=False)


def check_unique_names(kind: str, names: Sequence[str]) -> None:
    seen: set[str] = set()
    for name in names:
        if name in seen:
            raise GeometryError(
                f"two {kind}s are called {name!r}; events name the {kind}, so names must differ",
                "names_repeated",
                name=name,
            )
        seen.add(name)


OpeningHours = dict[str, dict[str, str]]


def validate_opening_hours(value: Mapping[str, Mapping[str, str]]) -> OpeningHours:
    """Opening hours as {"mon": {"open": "09:00", "close": "18:00"}, ...}; a missing weekday is a closed day.

    A close earlier than the open means the store closes after midnight.
    """
    hours: OpeningHours = {}
    for day, times in value.items():
        if day not in WEEKDAYS:
            raise InputError(
                f"opening hours: unknown weekday {day!r}; use one of {', '.join(WEEKDAYS)}", "hours_bad_day"
            )
        if set(times) != {"open", "close"}:
            raise InputError(
                f"opening hours for {day}: give exactly 'open' and 'close', got {sorted(times)}", "hours_bad_day"
            )
        opens, closes = times["open"], times["close"]
        for label, text in (("open", opens), ("close", closes)):
            if not isinstance(text, str) or not _HHMM.match(text):
                raise InputError(
                    f"opening hours for {day}: {label} must be HH:MM (00:00-23:59), got {text!r}",
                    "hours_bad_time",
                    day=day,
                )
        if opens == closes:
            raise InputError(
                f"opening hours for {day}: open and close are both {opens}; leave the day out if closed",
                "hours_open_equals_close",
                day=day,
                time=opens,
            )
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
    staff_zones: tuple[ZoneConfig, ...] = ()  # whoever stands in one is staff
    staff_after_minutes: float | None = None  # whoever stays longer is staff; None: no such rule
    rotation: int = 0  # degrees clockwise the picture is turned upright; lines and zones are on the turned picture


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
    staff_zones: tuple[ZoneConfig, ...] = ()
    staff_after_minutes: float | None = None
    rotation: int = 0

    def __repr__(self) -> str:
        # The URL may hold a password: keep it out of logs and tracebacks.
        return f"CameraSource(id={self.id}, store_id={self.store_id}, name={self.name!r})"


@dataclass(frozen=True, slots=True)
class UserRecord:
    id: int
    email: str
    role: UserRole
    language: Language
    created_at: datetime
    organisation_id: int = 0
    active: bool = True
    # The stores granted to a manager or viewer; an owner sees every store of the organisation (this is empty).
    store_ids: frozenset[int] = frozenset()


class ApiKeyScope(StrEnum):
    """What a store's API key may do: read figures, send events (a bridge), or change the store's set-up."""

    READ = "read"
    INGEST = "ingest"
    ADMIN = "admin"


class SessionKind(StrEnum):
    BROWSER = "browser"  # the dashboard's cookie
    TOKEN = "token"  # a bearer token for an API client
    TICKET = "ticket"  # lives a minute: the sign-in page hands it to the browser, which trades it for a cookie


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
    uniform: dict[str, Any] | None = None  # the staff uniform (vision/uniform.py's JSON), None: no uniform rule
    keep_face_photos: bool = False  # employees' enrolment photos kept beside their embeddings


@dataclass(frozen=True, slots=True)
class ApiKeyRecord:
    id: int
    store_id: int
    name: str
    prefix: str
    created_at: datetime
    last_used_at: datetime | None
    revoked_at: datetime | None
    scope: ApiKeyScope = ApiKeyScope.READ
