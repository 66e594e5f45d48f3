"""Where frames come from: video files, RTSP and MJPEG cameras, webcams; opened with `open_source`."""

from __future__ import annotations

import math
from pathlib import Path

from shopflow.domain.backoff import Backoff
from shopflow.pipeline.sources.base import Frame, FrameSource, SourceError
from shopflow.pipeline.sources.file import VideoFileSource
from shopflow.pipeline.sources.live import CONNECTING, OFFLINE, ONLINE, LiveSource, StatusCallback
from shopflow.pipeline.sources.spec import SourceKind, SourceSpec, parse_source_spec
from shopflow.pipeline.sources.timing import FrameSampler, LiveClock

__all__ = [
    "CONNECTING",
    "OFFLINE",
    "ONLINE",
    "Backoff",
    "Frame",
    "FrameSampler",
    "FrameSource",
    "LiveClock",
    "LiveSource",
    "SourceError",
    "SourceKind",
    "SourceSpec",
    "StatusCallback",
    "VideoFileSource",
    "open_source",
    "parse_source_spec",
]


def open_source(
    spec: str,
    *,
    sample_fps: float | None = None,
    reconnect: bool = False,
    open_timeout_seconds: float = 5.0,
    read_timeout_seconds: float = 10.0,
    on_status: StatusCallback | None = None,
    backoff: Backoff | None = None,
    rotation: int = 0,
) -> FrameSource:
    """Open a video file path, rtsp(s):// or http(s):// MJPEG URL, or webcam index ("0", "webcam:0"), its
    pictures turned `rotation` degrees clockwise.

    Files ignore `reconnect`, `on_status` and the timeouts. With `reconnect` a live source that cannot connect
    yet is returned anyway and keeps retrying while it is iterated; without it, SourceError is raised.
    """
    for name, value in (("open_timeout_seconds", open_timeout_seconds), ("read_timeout_seconds", read_timeout_seconds)):
        if not (math.isfinite(value) and value > 0):
            raise ValueError(f"{name} must be a positive number of seconds, got {value!r}")
    parsed = parse_source_spec(spec)
    if parsed.kind is SourceKind.FILE:
        return VideoFileSource(Path(parsed.target), sample_fps=sample_fps, rotation=rotation)
    return LiveSource(
        parsed,
        sample_fps=sample_fps,
        reconnect=reconnect,
        open_timeout_seconds=open_timeout_seconds,
        read_timeout_seconds=read_timeout_seconds,
        on_status=on_status,
        backoff=backoff,
        rotation=rotation,
    )
