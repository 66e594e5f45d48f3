"""What the camera pages need beyond the camera service: the service bound to the running server, and the test
picture the geometry editor draws on."""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

from shopflow.pipeline.probe import ProbeResult, turned
from shopflow.services.cameras import CameraService
from shopflow.services.context import ServerContext
from shopflow.services.source_policy import SourcePolicy
from shopflow.web.auth import require_caller


def camera_service(rt: ServerContext) -> CameraService:
    """The camera service for whoever this page's browser is signed in as (AccessDeniedError if nobody)."""
    # The dashboard's calls already run in a worker thread, so the workers are re-synced before the page goes on.
    return CameraService(
        rt.database,
        caller=require_caller(),
        default_imgsz=rt.settings.yolo_imgsz,
        after_change=rt.resync,
        policy=SourcePolicy.from_settings(rt.settings),
    )


@dataclass(frozen=True, slots=True)
class Snapshot:
    """A test picture and its size in pixels (what mouse clicks on it are measured in)."""

    jpeg: bytes
    width: int
    height: int


def snapshot_of(result: ProbeResult, rotation: int = 0) -> Snapshot | None:
    """The test picture turned `rotation` degrees clockwise, as the camera's worker will see it."""
    if not result.ok or result.jpeg is None:
        return None
    shown = turned(result, rotation)
    if shown.jpeg is None:
        return None
    image = cv2.imdecode(np.frombuffer(shown.jpeg, dtype=np.uint8), cv2.IMREAD_COLOR)
    if image is None:
        return None
    height, width = image.shape[:2]
    return Snapshot(shown.jpeg, int(width), int(height))
