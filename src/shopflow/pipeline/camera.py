"""What the pipeline needs to know to run one camera, and what it says about the camera's health."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Protocol

from shopflow.analysis.staff import StaffSettings
from shopflow.domain.cameras import DEFAULT_IMGSZ, DEFAULT_SAMPLE_FPS, CameraStatus
from shopflow.domain.geometry import CountingLine, Zone
from shopflow.vision.uniform import Uniform

# Enrolled faces as the worker gets them: (employee key, embeddings as float32 bytes), a value so that a changed
# gallery is a changed spec (and the worker restarts with it).
EnrolledFaces = tuple[tuple[str, tuple[bytes, ...]], ...]


@dataclass(frozen=True, slots=True)
class StaffRules:
    """How a camera tells staff from customers: its place and time rules, the store's uniform and, when the store
    turned face recognition on, its consenting employees' faces. No rule at all: everyone is a customer."""

    settings: StaffSettings = field(default_factory=StaffSettings)
    uniform: Uniform | None = None
    faces: EnrolledFaces | None = None  # None: face recognition off
    face_threshold: float | None = None  # None: the gallery's default

    @property
    def active(self) -> bool:
        return self.settings.any_rule or self.uniform is not None or bool(self.faces)


@dataclass(frozen=True, slots=True)
class CameraSpec:
    camera_id: int
    source: str  # full URL with credentials: never logged, see redact_url
    sample_fps: float = DEFAULT_SAMPLE_FPS
    imgsz: int = DEFAULT_IMGSZ
    lines: tuple[CountingLine, ...] = ()
    zones: tuple[Zone, ...] = ()
    loop: bool = False  # video files only: play again from the start (the demo camera)
    realtime: bool = True  # video files only: play at the video's own pace, like a camera
    rotation: int = 0  # degrees clockwise that turn the picture upright, before anything looks at it
    staff: StaffRules = field(default_factory=StaffRules)


@dataclass(frozen=True, slots=True)
class CameraReport:
    """What a camera's worker says about its health."""

    camera_id: int
    state: CameraStatus
    reason: str = ""
    last_frame_at: datetime | None = None
    measured_fps: float = 0.0
    dropped_frames: int = 0


class StatusListener(Protocol):
    def camera_status(self, status: CameraReport) -> None: ...
