"""What each running camera shows right now: its latest live counts and annotated JPEG, kept in memory only.

The hub is the supervisor's `on_frame` listener. Counts are refreshed on every analysed frame (they cost a few
additions). Pictures cost a drawing and a JPEG encoding, so they are only made while somebody looks: a stream
is open (`watch`) or a snapshot was asked for in the last few seconds (`want_picture`), and then at most
`max_fps` times a second. Memory is bounded: one picture and one set of counts per camera.

A clean frame (as the camera sent it, no drawings), for taking a uniform's colours from a person on it, is copied
only while a reader waits for one (`raw_frame`) and dropped when the last reader has it: never encoded, never
written anywhere.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from datetime import datetime

import cv2
import numpy as np

from shopflow.domain.people import PersonKind
from shopflow.pipeline.annotate import draw
from shopflow.pipeline.engine import CameraEngine, FrameResult
from shopflow.vision.detector import Image

log = logging.getLogger(__name__)

Clock = Callable[[], float]
# How often a camera being looked at also keeps its frame without drawings (the heatmap's background): a scene
# changes slowly, and each one costs a second JPEG encoding.
CLEAN_EVERY_SECONDS = 30.0


@dataclass(frozen=True, slots=True)
class LineTally:
    entries: int  # the line's own `in` direction
    exits: int


@dataclass(frozen=True, slots=True)
class LiveCounts:
    """Who one camera sees in its latest analysed frame; line tallies run since the camera's worker started."""

    camera_id: int
    at: datetime  # wall time (UTC) of the frame
    people: int
    customers: int
    employees: int
    groups: int
    potential_customers: int  # in view now: a group shopping together counts once
    zones: Mapping[str, int] = field(default_factory=dict)  # occupancy of each zone
    lines: Mapping[str, LineTally] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class LivePicture:
    camera_id: int
    seq: int  # grows with every new picture of this camera
    jpeg: bytes
    at: datetime  # wall time of the frame it shows
    width: int
    height: int


@dataclass(frozen=True, slots=True)
class RawFrame:
    """A camera's frame exactly as it came (BGR, no boxes or lines drawn): for the reader who asked, nobody else."""

    camera_id: int
    seq: int  # grows with every raw frame of this camera
    image: Image
    at: datetime  # wall time of the frame


@dataclass(slots=True)
class _Camera:
    counts: LiveCounts | None = None
    picture: LivePicture | None = None
    watchers: int = 0
    wanted_until: float = 0.0  # monotonic time until which a snapshot reader still wants pictures
    encoded_at: float = -1e9  # monotonic time of the last encoding
    seq: int = 0
    clean_taken_at: float = -1e9  # monotonic time of the last clean encoding
    clean: LivePicture | None = None  # the frame without boxes, ids or lines, at most every CLEAN_EVERY_SECONDS


class LiveHub:
    """Thread-safe: `on_frame` runs on camera worker threads, readers on any thread."""

    def __init__(
        self,
        *,
        max_fps: float = 5.0,
        want_seconds: float = 5.0,
        jpeg_quality: int = 80,
        clock: Clock = time.monotonic,
    ) -> None:
        if max_fps <= 0 or want_seconds <= 0 or not 1 <= jpeg_quality <= 100:
            raise ValueError("need max_fps > 0, want_seconds > 0 and jpeg_quality in 1..100")
        self._min_interval = 1.0 / max_fps
        self._want_seconds = want_seconds
        self._jpeg_params = [int(cv2.IMWRITE_JPEG_QUALITY), jpeg_quality]
        self._clock = clock
        self._cameras: dict[int, _Camera] = {}
        self._cond = threading.Condition()
        # Raw frames: how many readers wait per camera, and the frame they get (dropped when none waits).
        self._raw_waiters: dict[int, int] = {}
        self._raw: dict[int, RawFrame] = {}
        self.encoded = 0  # pictures made so far, for tests and diagnostics

    # --- producer: the camera workers -----------------------------------------------------------------------

    def on_frame(self, camera_id: int, result: FrameResult, engine: CameraEngine) -> None:
        counts = _counts(camera_id, result, engine)
        now = self._clock()
        self._keep_raw(camera_id, result)
        with self._cond:
            camera = self._cameras.setdefault(camera_id, _Camera())
            camera.counts = counts
            wanted = camera.watchers > 0 or now < camera.wanted_until
            # 10 % slack: a camera delivering exactly max_fps, with the usual jitter, still gets every frame drawn.
            if not wanted or now - camera.encoded_at < 0.9 * self._min_interval:
                return
            camera.encoded_at = now
            clean_due = camera.clean is None or now - camera.clean_taken_at >= CLEAN_EVERY_SECONDS
            if clean_due:
                camera.clean_taken_at = now
        # Drawing and encoding happen outside the lock, on this worker's thread, where the engine's state is
        # consistent (the engine is only ever touched by its own worker).
        try:
            image = draw(result.frame.image, result.update, engine.scene.lines, engine.scene.zones)
            ok, buffer = cv2.imencode(".jpg", image, self._jpeg_params)
            clean = cv2.imencode(".jpg", result.frame.image, self._jpeg_params)[1] if clean_due else None
        except Exception:  # a picture nobody gets is a small loss; a worker stopped counting is not
            log.exception("camera %s: could not draw its live picture", camera_id)
            return
        if not ok:
            return
        height, width = image.shape[:2]
        with self._cond:
            camera = self._cameras.setdefault(camera_id, _Camera())
            camera.seq += 1
            camera.picture = LivePicture(
                camera_id, camera.seq, buffer.tobytes(), result.frame.captured_at, int(width), int(height)
            )
            if clean is not None:
                camera.clean = replace(camera.picture, jpeg=clean.tobytes())
            self.encoded += 1
            self._cond.notify_all()

    # --- readers ----------------------------------------------------------------------------------------------

    def counts(self, camera_id: int) -> LiveCounts | None:
        with self._cond:
            camera = self._cameras.get(camera_id)
            return None if camera is None else camera.counts

    def picture(self, camera_id: int) -> LivePicture | None:
        """The latest picture as it is (maybe old, maybe none): does not ask for a new one."""
        with self._cond:
            camera = self._cameras.get(camera_id)
            return None if camera is None else camera.picture

    def clean_picture(self, camera_id: int, timeout: float = 0.0) -> LivePicture | None:
        """The camera's latest frame without drawings (for a heatmap's background), waiting up to `timeout` for a
        first one; None when the camera shows nothing."""
        with self._cond:
            camera = self._cameras.get(camera_id)
            if camera is not None and camera.clean is not None:
                return camera.clean
        if timeout <= 0:
            return None
        self.fresh_picture(camera_id, timeout)  # asks for pictures: the first one brings a clean frame too
        with self._cond:
            camera = self._cameras.get(camera_id)
            return None if camera is None else camera.clean

    def want_picture(self, camera_id: int) -> None:
        """Ask for pictures of this camera for the next `want_seconds` (a snapshot reader)."""
        with self._cond:
            camera = self._cameras.setdefault(camera_id, _Camera())
            camera.wanted_until = self._clock() + self._want_seconds

    def fresh_picture(self, camera_id: int, timeout: float) -> LivePicture | None:
        """A picture made within the last `want_seconds`, waiting up to `timeout` for one; blocks the caller."""
        self.want_picture(camera_id)
        deadline = time.monotonic() + timeout
        with self._cond:
            while True:
                camera = self._cameras.get(camera_id)
                fresh = camera is not None and self._clock() - camera.encoded_at <= self._want_seconds
                if fresh and camera is not None and camera.picture is not None:
                    return camera.picture
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    return None
                self._cond.wait(remaining)

    @contextmanager
    def watch(self, camera_id: int) -> Iterator[None]:
        """Keep pictures of this camera coming while the block runs (an open stream)."""
        with self._cond:
            self._cameras.setdefault(camera_id, _Camera()).watchers += 1
        try:
            yield
        finally:
            with self._cond:
                camera = self._cameras.get(camera_id)
                if camera is not None:
                    camera.watchers = max(0, camera.watchers - 1)

    def watchers(self, camera_id: int) -> int:
        with self._cond:
            camera = self._cameras.get(camera_id)
            return 0 if camera is None else camera.watchers

    def forget(self, camera_id: int) -> None:
        """Drop a camera that stopped running (its last counts and picture would only mislead)."""
        with self._cond:
            camera = self._cameras.pop(camera_id, None)
            if camera is not None and camera.watchers:
                # An open stream keeps waiting on a fresh entry; it ends when its camera does not come back.
                self._cameras[camera_id] = _Camera(watchers=camera.watchers)
            self._cond.notify_all()

    def camera_ids(self) -> list[int]:
        with self._cond:
            return sorted(self._cameras)

    # --- raw frames, only while asked for -------------------------------------------------------------------

    def _keep_raw(self, camera_id: int, result: FrameResult) -> None:
        # Read without the lock (a dict look-up is atomic): every frame passes here, a reader is rare, and one who
        # registers just now gets the next frame.
        if camera_id not in self._raw_waiters:
            return
        with self._cond:
            if not self._raw_waiters.get(camera_id):
                return  # nobody asked: no copy, the common case costs one dictionary look-up
            previous = self._raw.get(camera_id)
        # The copy is made outside the lock; the source may reuse its buffer for the next frame.
        image = np.array(result.frame.image, dtype=np.uint8, copy=True)
        with self._cond:
            if not self._raw_waiters.get(camera_id):
                return
            seq = 1 if previous is None else previous.seq + 1
            self._raw[camera_id] = RawFrame(camera_id, seq, image, result.frame.captured_at)
            self._cond.notify_all()

    def raw_frame(self, camera_id: int, timeout: float) -> RawFrame | None:
        """The camera's next frame as it came, waiting up to `timeout` seconds (None: no frame came, e.g. the
        camera is not running); blocks the caller. The hub forgets the frame once no reader waits for one."""
        deadline = time.monotonic() + timeout
        with self._cond:
            self._raw_waiters[camera_id] = self._raw_waiters.get(camera_id, 0) + 1
            before = self._raw.get(camera_id)
            seen = 0 if before is None else before.seq
            try:
                while True:
                    frame = self._raw.get(camera_id)
                    if frame is not None and frame.seq > seen:
                        return frame
                    remaining = deadline - time.monotonic()
                    if remaining <= 0:
                        return None
                    self._cond.wait(remaining)
            finally:
                self._raw_waiters[camera_id] -= 1
                if not self._raw_waiters[camera_id]:
                    del self._raw_waiters[camera_id]
                    self._raw.pop(camera_id, None)


def _counts(camera_id: int, result: FrameResult, engine: CameraEngine) -> LiveCounts:
    update = result.update
    employees = sum(1 for person in update.people if person.kind is PersonKind.EMPLOYEE)
    return LiveCounts(
        camera_id=camera_id,
        at=result.frame.captured_at,
        people=len(update.people),
        customers=len(update.people) - employees,
        employees=employees,
        groups=len(update.groups.groups),
        potential_customers=update.groups.potential_customers,
        zones=dict(update.zone_occupancy),
        lines={line.line.name: LineTally(line.entries, line.exits) for line in engine.scene.lines},
    )
