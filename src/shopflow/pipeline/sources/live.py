"""Frames from a live camera (RTSP, MJPEG over HTTP, local webcam), with optional reconnection when it drops."""

from __future__ import annotations

import logging
import math
import random
import socket
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime

import cv2
import numpy as np

from shopflow.domain.backoff import Backoff
from shopflow.pipeline.sources.base import Frame, FrameSource, Image, SourceError
from shopflow.pipeline.sources.spec import SourceKind, SourceSpec, url_host_port
from shopflow.pipeline.sources.timing import FrameSampler, LiveClock
from shopflow.vision.orientation import upright

log = logging.getLogger(__name__)

StatusCallback = Callable[[str, str], None]

CONNECTING = "connecting"
ONLINE = "online"
OFFLINE = "offline"

# The reachability probe only explains a failure, so it must not make the failure much slower.
_MAX_PROBE_SECONDS = 3.0
_MAX_PLAUSIBLE_FPS = 1000.0


@dataclass(frozen=True, slots=True)
class _FirstFrame:
    image: Image
    timestamp: float
    captured_at: datetime


class LiveSource(FrameSource):
    """A camera stream. Iteration only ends on close(), or with a SourceError when the stream drops and
    `reconnect` is off; with `reconnect` on, dropped or failed connections are retried with backoff.

    `on_status(state, reason)` is called from the iterating thread on every change between
    "connecting", "online" and "offline".
    """

    def __init__(
        self,
        spec: SourceSpec,
        *,
        sample_fps: float | None = None,
        reconnect: bool = False,
        open_timeout_seconds: float = 5.0,
        read_timeout_seconds: float = 10.0,
        on_status: StatusCallback | None = None,
        backoff: Backoff | None = None,
        rng: random.Random | None = None,
        rotation: int = 0,
    ) -> None:
        super().__init__(rotation)
        if not spec.is_live:
            raise ValueError(f"{spec.for_logs} is not a live source")
        self._spec = spec
        self._sampler = FrameSampler(sample_fps)
        self._reconnect = reconnect
        self._open_timeout = open_timeout_seconds
        self._read_timeout = read_timeout_seconds
        self._on_status = on_status
        self._backoff = backoff or Backoff()
        self._rng = rng or random.Random()
        # MJPEG over HTTP carries no timestamps; FFmpeg invents 25 fps ones, so only arrival time is honest there.
        self._clock = LiveClock(use_stream_clock=spec.kind is not SourceKind.MJPEG, label=spec.for_logs)
        self._status: tuple[str, str] | None = None
        self._native_fps: float | None = None
        self._frame_size = (0, 0)
        self._first: _FirstFrame | None = None

        reason = self._connect()
        if reason is not None:
            self._set_status(OFFLINE, reason)
            if not reconnect:
                if spec.kind is SourceKind.WEBCAM:
                    raise SourceError(f"cannot open {spec.for_logs}: {reason}")
                raise SourceError(f"cannot connect to camera {spec.for_logs}: {reason}")

    @property
    def native_fps(self) -> float | None:
        return self._native_fps

    @property
    def frame_size(self) -> tuple[int, int]:
        return self._frame_size

    @property
    def frame_count(self) -> int | None:
        return None

    @property
    def is_live(self) -> bool:
        return True

    @property
    def url_for_logs(self) -> str:
        return self._spec.for_logs

    @property
    def status(self) -> str | None:
        """The last reported state: "connecting", "online" or "offline"."""
        return None if self._status is None else self._status[0]

    def _set_status(self, state: str, reason: str) -> None:
        if self._status == (state, reason):
            return
        previous = self.status
        self._status = (state, reason)
        if state == OFFLINE:
            # Only the drop itself is worth a warning; a camera that stays away would otherwise flood the log.
            level = logging.WARNING if previous in (ONLINE, None) else logging.INFO
            log.log(level, "%s offline: %s", self._spec.for_logs, reason)
        elif state == ONLINE:
            log.info("%s online: %s", self._spec.for_logs, reason)
        else:
            log.debug("%s %s: %s", self._spec.for_logs, state, reason)
        if self._on_status is not None:
            try:
                self._on_status(state, reason)
            except Exception:
                # A failing status sink (say, a database hiccup) must not stop the analysis of the video itself.
                log.exception("status callback failed for %s", self._spec.for_logs)

    def _open_capture(self) -> cv2.VideoCapture:
        if self._spec.kind is SourceKind.WEBCAM:
            return cv2.VideoCapture(self._spec.webcam_index, cv2.CAP_ANY)
        params = [
            cv2.CAP_PROP_OPEN_TIMEOUT_MSEC,
            max(1, round(self._open_timeout * 1000)),
            cv2.CAP_PROP_READ_TIMEOUT_MSEC,
            max(1, round(self._read_timeout * 1000)),
        ]
        return cv2.VideoCapture(self._spec.target, cv2.CAP_FFMPEG, params)

    def _connect(self) -> str | None:
        """Open the stream and read its first frame; returns why that failed, or None once online."""
        self._set_status(CONNECTING, f"opening {self._spec.for_logs}")
        capture: cv2.VideoCapture | None = None
        online = False
        try:
            capture = self._open_capture()
            if not capture.isOpened():
                return self._diagnose()
            started = time.monotonic()
            if not capture.grab():
                waited = time.monotonic() - started
                return f"connected, but no video frame arrived (waited {waited:.1f} s)"
            captured_at = datetime.now(UTC)
            position = capture.get(cv2.CAP_PROP_POS_MSEC)
            ok, decoded = capture.retrieve()
            if not ok or decoded is None or decoded.size == 0:
                return "connected, but the first video frame could not be decoded"
            image: Image = upright(np.asarray(decoded, dtype=np.uint8), self._rotation)
            with self._capture_lock:
                if self._stop.is_set():
                    return "closed"
                self._release_capture()
                self._capture = capture
                online = True
        except cv2.error as exc:
            # OpenCV's own text can quote the URL it was given; keep only its error code.
            return f"OpenCV error {exc.code}"
        finally:
            if not online and capture is not None:
                capture.release()

        self._clock.start_connection()
        self._first = _FirstFrame(image, self._clock.timestamp(position), captured_at)
        self._frame_size = (int(image.shape[1]), int(image.shape[0]))
        fps = capture.get(cv2.CAP_PROP_FPS)
        plausible = math.isfinite(fps) and 0.0 < fps <= _MAX_PLAUSIBLE_FPS
        self._native_fps = fps if plausible and self._spec.kind is not SourceKind.MJPEG else None
        rate = f" at {self._native_fps:g} fps" if self._native_fps else ""
        self._set_status(ONLINE, f"receiving {self._frame_size[0]}x{self._frame_size[1]} video{rate}")
        return None

    def _diagnose(self) -> str:
        """Why a stream would not open, in terms of what to check."""
        if self._spec.kind is SourceKind.WEBCAM:
            return (
                f"no camera answers at index {self._spec.webcam_index} "
                "(check that it is plugged in and not in use by another program; indexes start at 0)"
            )
        address = url_host_port(self._spec.target)
        if address is None:
            return "the URL has no host"
        host, port = address
        # Whether anything answers on that port goes to the server's log only: told to the user, it would turn
        # the connection test into a scanner of the network the server sits in.
        timeout = min(self._open_timeout, _MAX_PROBE_SECONDS)
        try:
            with socket.create_connection((host, port), timeout=timeout):
                pass
            log.info("%s: port %d answers but gives no stream (path or credentials?)", self._spec.for_logs, port)
        except OSError as error:
            log.info("%s: port %d cannot be reached (%s)", self._spec.for_logs, port, type(error).__name__)
        return (
            f"no video from {host}:{port}; check the address, the port, the stream path, the user name and password, "
            "and that the camera is on"
        )

    def _drop_connection(self) -> None:
        with self._capture_lock:
            self._release_capture()

    def _frames(self) -> Iterator[Frame]:
        index = -1
        attempt = 0
        while not self._stop.is_set():
            if self._first is None and self._capture is None:
                if not self._reconnect:
                    return
                delay = self._backoff.delay(attempt, self._rng)
                attempt += 1
                log.info("%s: reconnecting in %.1f s", self._spec.for_logs, delay)
                if self._stop.wait(delay):
                    return
                reason = self._connect()
                if self._stop.is_set():
                    return
                if reason is not None:
                    self._set_status(OFFLINE, reason)
                    continue
                attempt = 0

            if self._first is not None:
                first, self._first = self._first, None
                index += 1
                if self._sampler.keep(first.timestamp):
                    yield Frame(first.image, index, first.timestamp, first.captured_at)
                continue

            started = time.monotonic()
            ok, position = self._grab()
            captured_at = datetime.now(UTC)
            if self._stop.is_set():
                return
            if not ok:
                self._drop_connection()
                waited = time.monotonic() - started
                reason = (
                    f"no frame for {waited:.0f} s"
                    if waited >= self._read_timeout * 0.9
                    else "the stream ended (the camera or server closed the connection)"
                )
                self._set_status(OFFLINE, reason)
                if not self._reconnect:
                    raise SourceError(
                        f"camera {self._spec.for_logs} stopped sending video: {reason}; "
                        "check the camera and the network, or turn on reconnect"
                    )
                continue
            index += 1
            stamp = self._clock.timestamp(position)
            if not self._sampler.keep(stamp):
                continue
            image = self._retrieve()
            if image is None:
                # A damaged frame in a live stream (lost packets) is normal; the next one usually decodes.
                log.debug("%s: frame %d could not be decoded, skipped", self._spec.for_logs, index)
                continue
            yield Frame(image, index, stamp, captured_at)
