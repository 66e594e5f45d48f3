"""What the pipeline needs to know to run one camera, and what it says about the camera's health."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from shopflow.domain.cameras import DEFAULT_IMGSZ, DEFAULT_SAMPLE_FPS, CameraStatus
from shopflow.domain.geometry import CountingLine, Zone


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
