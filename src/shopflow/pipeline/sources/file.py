"""Frames from a video file (mp4, avi, mkv, anything FFmpeg reads), timed by the file's own clock."""

from __future__ import annotations

import logging
import math
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import cv2

from shopflow.pipeline.sources.base import Frame, FrameSource, Image, SourceError
from shopflow.pipeline.sources.timing import FrameSampler

log = logging.getLogger(__name__)

# Used only when a file states no frame rate and carries no usable timestamps; CCTV exports are mostly 25 fps.
_ASSUMED_FPS = 25.0
_MAX_PLAUSIBLE_FPS = 1000.0


def _plausible_fps(value: float) -> float | None:
    return value if math.isfinite(value) and 0.0 < value <= _MAX_PLAUSIBLE_FPS else None


class VideoFileSource(FrameSource):
    """Reads a file once from start to end; frames the sampler does not want are skipped without decoding colour."""

    def __init__(self, path: Path, *, sample_fps: float | None = None, rotation: int = 0) -> None:
        super().__init__(rotation)
        self._path = path
        self._sampler = FrameSampler(sample_fps)
        if not path.exists():
            raise SourceError(f"video file not found: {path}")
        if path.is_dir():
            raise SourceError(f"{path} is a folder, not a video file; give the path of the video itself")

        capture = cv2.VideoCapture(str(path), cv2.CAP_FFMPEG)
        if not capture.isOpened():
            capture.release()
            raise SourceError(
                f"{path} is not a readable video: it cannot be opened as mp4/avi/mkv "
                "(damaged, incomplete or not a video at all)"
            )
        self._capture = capture
        self._native_fps = _plausible_fps(capture.get(cv2.CAP_PROP_FPS))
        count = int(capture.get(cv2.CAP_PROP_FRAME_COUNT))
        self._frame_count = count if count > 0 else None
        self._first_stream: float | None = None
        self._prev_stream = -math.inf
        self._last = -math.inf

        # Reading the first frame now turns a file that opens but holds no decodable video into a clear error
        # at open time instead of an analysis that silently sees nothing.
        ok, position = self._grab()
        first = self._retrieve() if ok else None
        if first is None:
            self.close()
            raise SourceError(
                f"{path} is not a readable video: no frame could be decoded (the file may be damaged or truncated)"
            )
        self._first: tuple[Image, float] | None = (first, position)
        self._frame_size = (int(first.shape[1]), int(first.shape[0]))
        # Wall time of each frame = the start of the analysis + its video time, so reports get plausible clock times.
        self._started_at = datetime.now(UTC)
        log.info(
            "opened video %s: %dx%d, %s fps, %s frames",
            path,
            self._frame_size[0],
            self._frame_size[1],
            f"{self._native_fps:g}" if self._native_fps else "unknown",
            self._frame_count if self._frame_count is not None else "unknown",
        )

    @property
    def native_fps(self) -> float | None:
        return self._native_fps

    @property
    def frame_size(self) -> tuple[int, int]:
        return self._frame_size

    @property
    def frame_count(self) -> int | None:
        return self._frame_count

    @property
    def is_live(self) -> bool:
        return False

    @property
    def url_for_logs(self) -> str:
        return str(self._path)

    def _timestamp(self, index: int, position_msec: float) -> float:
        """Video seconds since the first frame: the container's timestamps when they increase, else index / fps."""
        position = position_msec / 1000.0
        if math.isfinite(position) and position >= 0.0 and position > self._prev_stream:
            if self._first_stream is None:
                self._first_stream = position
            self._prev_stream = position
            stamp = position - self._first_stream
        else:
            stamp = index / (self._native_fps or _ASSUMED_FPS)
        # Mixed sources of time must still never run backwards.
        stamp = max(stamp, self._last + 1e-6) if index > 0 else max(stamp, 0.0)
        self._last = stamp
        return stamp

    def _frames(self) -> Iterator[Frame]:
        if self._first is None:
            return
        image, position = self._first
        self._first = None
        index = 0
        stamp = self._timestamp(index, position)
        if self._sampler.keep(stamp):
            yield Frame(image, index, stamp, self._started_at + timedelta(seconds=stamp))

        while not self._stop.is_set():
            ok, position = self._grab()
            if not ok:
                break
            index += 1
            stamp = self._timestamp(index, position)
            if not self._sampler.keep(stamp):
                continue
            decoded = self._retrieve()
            if decoded is None:
                log.warning("%s: frame %d could not be decoded, skipped", self._path, index)
                continue
            yield Frame(decoded, index, stamp, self._started_at + timedelta(seconds=stamp))

        if not self._stop.is_set() and self._frame_count is not None and index + 1 < self._frame_count * 0.98:
            # Containers' frame counts are estimates; only a clear shortfall means the file is cut short.
            log.warning(
                "%s ended after %d of %d frames; the file may be truncated", self._path, index + 1, self._frame_count
            )
        self.close()
