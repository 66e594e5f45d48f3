"""What every frame source hands out (Frame), how it fails (SourceError) and the interface they share."""

from __future__ import annotations

import logging
import math
import threading
from abc import ABC, abstractmethod
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from types import TracebackType
from typing import Self

import cv2
import numpy as np
import numpy.typing as npt

from shopflow.domain.cameras import check_rotation
from shopflow.vision.orientation import upright

log = logging.getLogger(__name__)

Image = npt.NDArray[np.uint8]


class SourceError(Exception):
    """A source that cannot be read. The message says what to fix and never contains credentials; `code` and
    `params`, when given, let the dashboard say it in the reader's language (domain/problems.py)."""

    def __init__(self, message: str, code: str = "", **params: object) -> None:
        super().__init__(message)
        self.code = code
        self.params = params


# eq=False: comparing two frames field by field would compare whole images (and fails on numpy arrays).
@dataclass(frozen=True, slots=True, eq=False)
class Frame:
    """One decoded frame.

    `timestamp` is stream time (seconds since the stream started) and is the only clock the analysis uses;
    `captured_at` is wall time (UTC) for reports and must never be mixed into the analysis.
    """

    image: Image  # BGR
    index: int
    timestamp: float
    captured_at: datetime


class FrameSource(ABC):
    """An iterable of Frames that owns one OpenCV capture; close it (or use `with`) to free the device or stream.

    `close()` may be called from any thread: it never waits for a read that is in progress on another thread,
    that thread releases the capture as soon as its read returns.

    `rotation` (degrees clockwise) turns every picture upright as it is decoded, so everything downstream, the
    frame size included, sees the camera as if it were mounted upright.
    """

    def __init__(self, rotation: int = 0) -> None:
        self._rotation = check_rotation(rotation)
        self._stop = threading.Event()
        self._capture_lock = threading.Lock()
        self._capture: cv2.VideoCapture | None = None
        self._iterator: Iterator[Frame] | None = None

    @property
    @abstractmethod
    def native_fps(self) -> float | None:
        """Frames per second the source delivers, None when it does not say."""

    @property
    @abstractmethod
    def frame_size(self) -> tuple[int, int]:
        """(width, height) in pixels; (0, 0) for a live source that has not connected yet."""

    @property
    @abstractmethod
    def frame_count(self) -> int | None:
        """Total frames of a file, None for live sources (and files that do not say)."""

    @property
    @abstractmethod
    def is_live(self) -> bool: ...

    @property
    @abstractmethod
    def url_for_logs(self) -> str:
        """The source as it may appear in logs and messages: credentials redacted."""

    @abstractmethod
    def _frames(self) -> Iterator[Frame]: ...

    def __iter__(self) -> Iterator[Frame]:
        # One iterator per source: a second `for` loop continues the stream instead of restarting its bookkeeping.
        if self._iterator is None:
            self._iterator = self._frames()
        return self._iterator

    @property
    def closed(self) -> bool:
        return self._stop.is_set()

    def close(self) -> None:
        self._stop.set()
        if self._capture_lock.acquire(blocking=False):
            try:
                self._release_capture()
            finally:
                self._capture_lock.release()

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    def _release_capture(self) -> None:
        """Caller holds the capture lock."""
        if self._capture is not None:
            self._capture.release()
            self._capture = None

    def _grab(self) -> tuple[bool, float]:
        """Advance one frame without the colour conversion; returns (ok, the stream's position in ms)."""
        with self._capture_lock:
            capture = self._capture
            if capture is None or self._stop.is_set():
                return False, math.nan
            ok = capture.grab()
            position_msec = capture.get(cv2.CAP_PROP_POS_MSEC) if ok else math.nan
            if self._stop.is_set():
                self._release_capture()
                return False, math.nan
            return ok, position_msec

    def _retrieve(self) -> Image | None:
        """Decode the frame the last grab advanced to into a BGR image."""
        with self._capture_lock:
            capture = self._capture
            if capture is None or self._stop.is_set():
                return None
            ok, image = capture.retrieve()
        if not ok or image is None or image.size == 0:
            return None
        return upright(np.asarray(image, dtype=np.uint8), self._rotation)
