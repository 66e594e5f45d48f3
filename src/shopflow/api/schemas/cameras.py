"""Cameras as the API reads and writes them. Source URLs come in whole and only ever go out redacted."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Annotated, TypeVar

from fastapi.exceptions import RequestValidationError
from pydantic import BaseModel, ConfigDict, Field, field_validator

from shopflow.api.params import Id
from shopflow.api.schemas.text import Name, PlainText, ShortName, stripped_name
from shopflow.domain.cameras import (
    DEFAULT_SAMPLE_FPS,
    MAX_IMGSZ,
    MAX_SAMPLE_FPS,
    MIN_IMGSZ,
    MODEL_STRIDE,
    CameraStatus,
    Rotation,
)
from shopflow.domain.geometry import MAX_LINES_PER_CAMERA, MAX_ZONE_CORNERS, MAX_ZONES_PER_CAMERA, GeometryError
from shopflow.services.cameras import CameraChanges, NewCamera, check_source_form
from shopflow.storage.records import CameraRecord, InsideSide, LineConfig, ZoneConfig, check_unique_names

MIN_SAMPLE_FPS = 0.5
_ROTATION = (
    "degrees clockwise the picture is turned upright before it is analysed (a camera mounted upside down: 180); "
    "lines and zones are drawn on the turned picture"
)

Point = tuple[float, float]
_T = TypeVar("_T")
SampleFps = Annotated[float, Field(ge=MIN_SAMPLE_FPS, le=MAX_SAMPLE_FPS, description="frames analysed per second")]
ImgSz = Annotated[
    int,
    Field(
        ge=MIN_IMGSZ,
        le=MAX_IMGSZ,
        multiple_of=MODEL_STRIDE,
        description=f"detector input size, a multiple of {MODEL_STRIDE}",
    ),
]


class LineIn(BaseModel):
    """A counting line from A to B in fractions of the frame (0..1); `inside` is the side inside the store."""

    model_config = ConfigDict(extra="forbid")

    name: ShortName
    a: Point = Field(examples=[(0.4, 0.98)])
    b: Point = Field(examples=[(0.4, 0.28)])
    inside: InsideSide = InsideSide.POSITIVE

    def to_config(self) -> LineConfig:
        return LineConfig(self.name.strip(), self.a, self.b, self.inside)


class ZoneIn(BaseModel):
    """A zone as a simple polygon (3 to 64 corners in order, fractions of the frame)."""

    model_config = ConfigDict(extra="forbid")

    name: ShortName
    polygon: list[Point] = Field(
        max_length=MAX_ZONE_CORNERS, examples=[[(0.45, 0.35), (0.95, 0.35), (0.95, 0.8), (0.45, 0.8)]]
    )

    def to_config(self) -> ZoneConfig:
        return ZoneConfig(self.name.strip(), tuple(self.polygon))


Lines = Annotated[list[LineIn], Field(max_length=MAX_LINES_PER_CAMERA)]
Zones = Annotated[list[ZoneIn], Field(max_length=MAX_ZONES_PER_CAMERA)]


def _unique(what: str, names: list[str]) -> None:
    try:
        check_unique_names(what, [name.strip() for name in names])
    except GeometryError as error:
        raise ValueError(str(error)) from None


def _lines(value: list[LineIn] | None) -> list[LineIn] | None:
    if value is not None:
        _unique("line", [line.name for line in value])
    return value


def _zones(value: list[ZoneIn] | None) -> list[ZoneIn] | None:
    if value is not None:
        _unique("zone", [zone.name for zone in value])
    return value


def _geometry(field: str, build: Callable[[], _T]) -> _T:
    """The lines or zones checked one by one. Not while the body is parsed (that runs on the event loop, and the
    zone check is quadratic in its corners) but when the endpoint, in a worker thread, asks for them: still a 422
    naming the field, before any transaction opens."""
    try:
        return build()
    except GeometryError as error:
        raise RequestValidationError(
            [{"type": "value_error", "loc": ("body", field), "msg": str(error), "input": None}]
        ) from None


def _source(value: str | None) -> str | None:
    # Only its form: whether the server may open it (media folder, addresses) is the camera service's call.
    return None if value is None else check_source_form(value)


class CameraCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    store_id: Id
    name: Name
    source_url: PlainText = Field(
        description="rtsp://user:password@host:554/stream, http(s):// MJPEG, a webcam index, or a video file path",
        examples=["rtsp://admin:password@192.168.1.20:554/stream1"],
    )
    sample_fps: SampleFps = DEFAULT_SAMPLE_FPS
    imgsz: ImgSz | None = Field(None, description="detector input size; YOLO_IMGSZ when omitted")
    enabled: bool = True
    lines: Lines = Field(default_factory=list)
    zones: Zones = Field(default_factory=list)
    loop_video: bool = Field(False, description="video files only: start again at the end")
    realtime_pace: bool = Field(True, description="video files only: play at the video's own pace")
    rotation: Rotation = Field(0, description=_ROTATION)

    _check_name = field_validator("name")(stripped_name)
    _check_source = field_validator("source_url")(_source)
    _check_lines = field_validator("lines")(_lines)
    _check_zones = field_validator("zones")(_zones)

    def to_new(self) -> NewCamera:
        return NewCamera(
            store_id=self.store_id,
            name=self.name,
            source_url=self.source_url,
            sample_fps=self.sample_fps,
            imgsz=self.imgsz,
            enabled=self.enabled,
            lines=_geometry("lines", lambda: [line.to_config() for line in self.lines]),
            zones=_geometry("zones", lambda: [zone.to_config() for zone in self.zones]),
            loop_video=self.loop_video,
            realtime_pace=self.realtime_pace,
            rotation=self.rotation,
        )


class CameraUpdate(BaseModel):
    """Only the fields given change; a new geometry replaces the old one whole."""

    model_config = ConfigDict(extra="forbid")

    name: Name | None = None
    source_url: PlainText | None = None
    sample_fps: SampleFps | None = None
    imgsz: ImgSz | None = None
    enabled: bool | None = None
    lines: Lines | None = None
    zones: Zones | None = None
    loop_video: bool | None = None
    realtime_pace: bool | None = None
    rotation: Rotation | None = Field(
        None, description=_ROTATION + "; a new turn carries the lines and zones not given along with the picture"
    )

    _check_name = field_validator("name")(stripped_name)
    _check_source = field_validator("source_url")(_source)
    _check_lines = field_validator("lines")(_lines)
    _check_zones = field_validator("zones")(_zones)

    def to_changes(self) -> CameraChanges:
        lines, zones = self.lines, self.zones
        return CameraChanges(
            name=self.name,
            source_url=self.source_url,
            sample_fps=self.sample_fps,
            imgsz=self.imgsz,
            enabled=self.enabled,
            lines=None if lines is None else _geometry("lines", lambda: [line.to_config() for line in lines]),
            zones=None if zones is None else _geometry("zones", lambda: [zone.to_config() for zone in zones]),
            loop_video=self.loop_video,
            realtime_pace=self.realtime_pace,
            rotation=self.rotation,
        )


class LineOut(BaseModel):
    name: str
    a: Point
    b: Point
    inside: InsideSide


class ZoneOut(BaseModel):
    name: str
    polygon: list[Point]


class CameraHealth(BaseModel):
    state: CameraStatus = Field(description="online, offline, error, starting, finished or disabled")
    reason: str | None = Field(None, description="why, in plain words (never holds credentials)")
    last_frame_at: datetime | None = None
    measured_fps: float | None = None
    dropped_frames: int = 0
    running: bool = Field(description="a worker of this server process is analysing it now")


class CameraOut(BaseModel):
    id: int
    store_id: int
    name: str
    source_url: str = Field(description="with user names, passwords and tokens replaced by ***")
    sample_fps: float
    imgsz: int
    enabled: bool
    loop_video: bool
    realtime_pace: bool
    rotation: Rotation = Field(description=_ROTATION)
    is_demo: bool = Field(description="the demo camera, playing the bundled sample video")
    lines: list[LineOut]
    zones: list[ZoneOut]
    staff_zones: list[ZoneOut] = Field(description="whoever stands in one is staff, not a customer")
    staff_after_minutes: float | None = Field(description="whoever stays in view longer is staff; null: no such rule")
    status: CameraHealth
    created_at: datetime
    updated_at: datetime

    @classmethod
    def of(cls, record: CameraRecord, *, running: bool) -> CameraOut:
        return cls(
            id=record.id,
            store_id=record.store_id,
            name=record.name,
            source_url=record.source_url,
            sample_fps=record.sample_fps,
            imgsz=record.imgsz,
            enabled=record.enabled,
            loop_video=record.loop_video,
            realtime_pace=record.realtime_pace,
            rotation=record.rotation,
            is_demo=record.is_demo,
            lines=[LineOut(name=ln.name, a=ln.a, b=ln.b, inside=ln.inside) for ln in record.lines],
            staff_zones=[ZoneOut(name=zone.name, polygon=list(zone.polygon)) for zone in record.staff_zones],
            staff_after_minutes=record.staff_after_minutes,
            zones=[ZoneOut(name=zone.name, polygon=list(zone.polygon)) for zone in record.zones],
            status=CameraHealth(
                state=record.status,
                reason=record.status_reason,
                last_frame_at=record.last_frame_at,
                measured_fps=record.measured_fps,
                dropped_frames=record.dropped_frames,
                running=running,
            ),
            created_at=record.created_at,
            updated_at=record.updated_at,
        )


class ConnectionTestIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    source_url: PlainText = Field(examples=["rtsp://admin:password@192.168.1.20:554/stream1"])
    rotation: Rotation = Field(0, description="degrees clockwise to turn the picture, as the camera will have it")

    @field_validator("source_url")
    @classmethod
    def _check_source(cls, value: str) -> str:
        # Only its form: a source the server may not open is a verdict of the test (ok=false).
        return check_source_form(value)


class ConnectionTestOut(BaseModel):
    ok: bool
    message: str = Field(description="what happened, in plain words; credentials are never shown")
    width: int | None = None
    height: int | None = None
    snapshot_jpeg_base64: str | None = Field(None, description="the first frame, as a JPEG in base64")


class LiveCountsOut(BaseModel):
    camera_id: int
    at: datetime
    people: int
    customers: int
    employees: int
    groups: int
    potential_customers: int
    zones: dict[str, int] = Field(description="people in each zone now")
    lines: dict[str, dict[str, int]] = Field(description='{"entrada": {"in": 3, "out": 1}} since the camera started')


class StaffRulesIn(BaseModel):
    """A camera's staff rules, replaced whole: staff-only zones (behind the counter, the stock-room door) and the
    stay after which anyone in view is staff (null turns that rule off)."""

    model_config = ConfigDict(extra="forbid")

    staff_zones: Zones = Field(default_factory=list)
    staff_after_minutes: float | None = Field(None, gt=0, le=24 * 60)

    _check_zones = field_validator("staff_zones")(_zones)

    def zone_configs(self) -> list[ZoneConfig]:
        return _geometry("staff_zones", lambda: [zone.to_config() for zone in self.staff_zones])
