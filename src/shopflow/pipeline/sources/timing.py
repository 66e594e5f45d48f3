"""Time keeping for frame sources: which frames to sample and live stream time."""

from __future__ import annotations

import logging
import math
import time
from collections.abc import Callable

log = logging.getLogger(__name__)

# Keeps timestamps strictly increasing so downstream time differences are never zero or negative.
_MIN_STEP_SECONDS = 1e-6


class FrameSampler:
    """Keeps frames at `sample_fps` on stream time (None keeps every frame).

    Each kept frame moves the due time one period on, so a jittery source still averages `sample_fps`;
    a source that falls more than one period behind (a gap, a reconnect) is resynchronised instead of bursting.
    """

    # Stream times are sums of floats (0.30000000000000004); a frame this close before its due time is on time.
    _TOLERANCE_SECONDS = 1e-3

    def __init__(self, sample_fps: float | None) -> None:
        if sample_fps is not None and not (math.isfinite(sample_fps) and sample_fps > 0):
            raise ValueError(f"sample_fps must be a positive number of frames per second, got {sample_fps!r}")
        self._period = None if sample_fps is None else 1.0 / sample_fps
        self._next_due: float | None = None

    def keep(self, timestamp: float) -> bool:
        if self._period is None:
            return True
        if self._next_due is not None and timestamp < self._next_due - self._TOLERANCE_SECONDS:
            return False
        if self._next_due is None or timestamp - self._next_due > self._period:
            self._next_due = timestamp + self._period
        else:
            self._next_due += self._period
        return True


class LiveClock:
    """Seconds since a live source opened, monotonic across reconnects.

    Within a connection it follows the stream's own timestamps while they are believable (they do not jitter with
    network delivery); when they are missing, go backwards, jump, run ahead of real time or fall far behind it,
    it switches to arrival time (monotonic clock) for the rest of that connection. Each new connection starts at
    the arrival time of its first frame, so time spent offline shows up as a gap, never as an overlap.
    """

    MAX_STEP_SECONDS = 5.0  # a bigger jump between two frames is a clock reset, not video
    MAX_AHEAD_SECONDS = 5.0  # frames cannot come from the future; a small lead is the buffered start of a stream
    MIN_BEHIND_ALLOWANCE_SECONDS = 5.0
    MAX_BEHIND_FRACTION = 0.5  # a clock at half speed is a wrong time base (MJPEG-style frame counting)

    def __init__(self, *, use_stream_clock: bool, label: str, now: Callable[[], float] = time.monotonic) -> None:
        self._use_stream_clock = use_stream_clock
        self._label = label
        self._now = now
        self._opened = now()
        self._last = -math.inf
        self._trusting = use_stream_clock
        self._first_stream: float | None = None
        self._prev_stream = 0.0
        self._base = 0.0
        self._connection_wall_start = 0.0

    @property
    def using_stream_clock(self) -> bool:
        return self._trusting

    def start_connection(self) -> None:
        self._trusting = self._use_stream_clock
        self._first_stream = None

    def timestamp(self, stream_msec: float) -> float:
        wall = self._now() - self._opened
        stamp = wall
        if self._trusting:
            from_stream = self._from_stream(stream_msec / 1000.0, wall)
            if from_stream is None:
                self._trusting = False
                log.info("%s: the stream's timestamps are unusable, timing frames by arrival instead", self._label)
            else:
                stamp = from_stream
        stamp = max(stamp, self._last + _MIN_STEP_SECONDS)
        self._last = stamp
        return stamp

    def _from_stream(self, position: float, wall: float) -> float | None:
        if not (math.isfinite(position) and position >= 0.0):
            return None
        if self._first_stream is None:
            self._first_stream = self._prev_stream = position
            self._base = max(wall, self._last + _MIN_STEP_SECONDS)
            self._connection_wall_start = wall
            return self._base
        step = position - self._prev_stream
        if not 0.0 < step <= self.MAX_STEP_SECONDS:
            return None
        self._prev_stream = position
        stamp = self._base + (position - self._first_stream)
        if stamp - wall > self.MAX_AHEAD_SECONDS:
            return None
        allowed_behind = max(
            self.MIN_BEHIND_ALLOWANCE_SECONDS, self.MAX_BEHIND_FRACTION * (wall - self._connection_wall_start)
        )
        if wall - stamp > allowed_behind:
            return None
        return stamp
