"""Opens a camera source once to tell the user whether it works: the verdict behind "test connection"."""

from __future__ import annotations

import base64
import logging
from dataclasses import dataclass

import cv2
import numpy as np

from shopflow.pipeline.sources import SourceError, open_source, parse_source_spec

log = logging.getLogger(__name__)

PREVIEW_MAX_WIDTH = 640


@dataclass(frozen=True, slots=True)
class ProbeResult:
    ok: bool
    message: str  # plain words, never credentials
    width: int | None = None
    height: int | None = None
    jpeg: bytes | None = None

    @property
    def jpeg_base64(self) -> str | None:
        return None if self.jpeg is None else base64.b64encode(self.jpeg).decode("ascii")


def probe_source(source: str, *, timeout_seconds: float = 5.0) -> ProbeResult:
    """Open `source` without reconnecting and read one frame. Blocks for up to about 2 x timeout_seconds (plus a
    short reachability check on failure): run it in a worker thread."""
    try:
        shown = parse_source_spec(source).for_logs
    except SourceError as error:
        return ProbeResult(False, str(error))
    try:
        with open_source(
            source,
            reconnect=False,
            open_timeout_seconds=timeout_seconds,
            read_timeout_seconds=timeout_seconds,
        ) as opened:
            frame = next(iter(opened), None)
    except (SourceError, ValueError) as error:
        return ProbeResult(False, str(error))
    except Exception as error:  # OpenCV's own failures: still a verdict about the camera, not a server error
        log.warning("testing %s failed unexpectedly: %s", shown, type(error).__name__)
        return ProbeResult(False, f"could not read from {shown} ({type(error).__name__})")
    if frame is None:
        return ProbeResult(False, f"{shown} opened but sent no picture")
    height, width = frame.image.shape[:2]
    preview = frame.image
    if width > PREVIEW_MAX_WIDTH:
        size = (PREVIEW_MAX_WIDTH, max(1, round(height * PREVIEW_MAX_WIDTH / width)))
        preview = np.asarray(cv2.resize(preview, size, interpolation=cv2.INTER_AREA), dtype=np.uint8)
    ok, buffer = cv2.imencode(".jpg", preview, [int(cv2.IMWRITE_JPEG_QUALITY), 80])
    jpeg = buffer.tobytes() if ok else None
    return ProbeResult(True, f"connected to {shown}: {width}x{height} pictures", int(width), int(height), jpeg)
