"""Runs one camera: source -> engine -> sink, reconnecting, reporting its health, never falling behind."""

from __future__ import annotations

import logging
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable
from datetime import UTC, datetime

from shopflow.domain.backoff import Backoff
from shopflow.domain.cameras import CameraStatus
from shopflow.domain.urls import redact_url
from shopflow.pipeline.batching import SharedDetector
from shopflow.pipeline.camera import CameraReport, CameraSpec, StatusListener
from shopflow.pipeline.engine import CameraEngine, EngineSettings, FrameResult
from shopflow.pipeline.live_frames import NewestFrameReader
from shopflow.pipeline.priority import CAMERA_NICENESS, lower_this_thread
from shopflow.pipeline.sink import EventSink
from shopflow.pipeline.sources import CONNECTING, OFFLINE, Frame, FrameSource, SourceError, open_source
from shopflow.pipeline.staff import staff_config
from shopflow.pipeline.stamping import EventStamper
from shopflow.vision.faces import FaceEmbedder

log = logging.getLogger(__name__)

FrameListener = Callable[[int, FrameResult, CameraEngine], None]
STATUS_EVERY_SECONDS = 2.0
# A camera that cannot be opened is tried again after 1, 2, 4 ... seconds, at most every 30 s.
RETRY = Backoff(first_seconds=1.0, max_seconds=30.0, jitter_fraction=0.0)


class CameraWorker:
    def __init__(
        self,
        spec: CameraSpec,
        detector: SharedDetector,
        sink: EventSink,
        listener: StatusListener,
        *,
        settings: EngineSettings | None = None,
        on_frame: FrameListener | None = None,
        face_embedder: Callable[[], FaceEmbedder] | None = None,
        niceness: int = CAMERA_NICENESS,
    ) -> None:
        self.spec = spec
        self._niceness = niceness
        self._detector = detector
        self._sink = sink
        self._listener = listener
        self._settings = settings or EngineSettings()
        self._on_frame = on_frame
        # Built on the thread, where loading a face model cannot hold up the supervisor.
        self._face_embedder = face_embedder
        self._stop = threading.Event()
        self._source: FrameSource | None = None
        self._recent: deque[float] = deque(maxlen=64)  # monotonic times of the last frames, for the fps figure
        self._dropped = 0
        self._last_frame_at: datetime | None = None
        self._state = CameraStatus.STARTING
        self._reason = ""
        self._next_status = 0.0
        self._thread = threading.Thread(target=self._run, name=f"camera-{spec.camera_id}", daemon=True)

    def start(self) -> None:
        self._report(CameraStatus.STARTING, "starting", force=True)
        self._thread.start()

    def stop(self, timeout: float = 10.0) -> None:
        self._stop.set()
        source = self._source
        if source is not None:
            source.close()
        self._thread.join(timeout=timeout)

    @property
    def alive(self) -> bool:
        return self._thread.is_alive()

    def _fps(self) -> float:
        recent = self._recent
        if len(recent) < 2 or recent[-1] == recent[0]:
            return 0.0
        return (len(recent) - 1) / (recent[-1] - recent[0])

    def _report(self, state: CameraStatus, reason: str, *, force: bool = False) -> None:
        now = time.monotonic()
        if not force and state == self._state and now < self._next_status:
            return
        self._state, self._reason, self._next_status = state, reason, now + STATUS_EVERY_SECONDS
        status = CameraReport(self.spec.camera_id, state, reason, self._last_frame_at, self._fps(), self._dropped)
        try:
            self._listener.camera_status(status)
        except Exception:  # a status write failing must not stop the counting
            log.exception("camera %s: could not record its status", self.spec.camera_id)

    def _on_source_status(self, state: str, reason: str) -> None:
        if state == OFFLINE:
            self._report(CameraStatus.OFFLINE, reason, force=True)
        elif state == CONNECTING:
            self._report(self._state, reason)

    def _run(self) -> None:
        lower_this_thread(self._niceness)  # the camera's frame reader, started from here, inherits it
        self._detector.register()
        try:
            self._loop()
        except Exception as error:  # the worker's last word must reach the status, not vanish in a thread
            log.exception("camera %s stopped on an unexpected error", self.spec.camera_id)
            self._report(CameraStatus.ERROR, f"internal error: {error}", force=True)
        finally:
            self._detector.unregister()

    def _loop(self) -> None:
        attempt = 0
        passes = 0
        while not self._stop.is_set():
            try:
                source = open_source(
                    self.spec.source,
                    sample_fps=self.spec.sample_fps,
                    reconnect=True,
                    on_status=self._on_source_status,
                    rotation=self.spec.rotation,
                )
            except (SourceError, ValueError) as error:
                wait = RETRY.delay(attempt)
                attempt += 1
                self._report(CameraStatus.ERROR, f"{error} (retrying in {wait:g} s)", force=True)
                self._stop.wait(wait)
                continue
            attempt = 0
            self._source = source
            try:
                with source:
                    self._play(source, passes)
            except SourceError as error:
                self._report(CameraStatus.ERROR, str(error), force=True)
                self._stop.wait(RETRY.delay(0))
                continue
            finally:
                self._source = None
            passes += 1
            if not source.is_live and not self.spec.loop:
                self._report(CameraStatus.FINISHED, "the video file has been analysed to its end", force=True)
                return

    def _session(self, source: FrameSource, passes: int) -> str:
        if not source.is_live and not self.spec.loop:
            return f"file{passes}"  # replaying a file after a restart repeats its keys: stored once
        return f"{'loop' if not source.is_live else 'live'}{datetime.now(UTC):%Y%m%dT%H%M%S.%f}"

    def _frames(self, source: FrameSource) -> Iterable[Frame]:
        if source.is_live:
            reader = NewestFrameReader(source)
            try:
                for frame in reader:
                    self._dropped = reader.dropped
                    yield frame
            finally:
                reader.close()
            return
        started = time.monotonic()
        first: float | None = None
        for frame in source:
            if self.spec.realtime:
                first = frame.timestamp if first is None else first
                delay = started + (frame.timestamp - first) - time.monotonic()
                if delay > 0 and self._stop.wait(delay):
                    return
            yield frame

    def _play(self, source: FrameSource, passes: int) -> None:
        session = self._session(source, passes)
        engine: CameraEngine | None = None
        stamper: EventStamper | None = None
        last: Frame | None = None
        staff = staff_config(self.spec.staff, self._face_embedder) if self.spec.staff.active else None
        log.info("camera %s: analysing %s", self.spec.camera_id, redact_url(self.spec.source))
        for frame in self._frames(source):
            if self._stop.is_set():
                break
            height, width = frame.image.shape[:2]
            if engine is None or (engine.scene.frame_width, engine.scene.frame_height) != (width, height):
                if engine is not None and stamper is not None and last is not None:
                    self._sink.write(self.spec.camera_id, stamper.stamp(engine.finish(), last, final=True))
                engine = CameraEngine(
                    width,
                    height,
                    self._detector.detect,
                    lines=self.spec.lines,
                    zones=self.spec.zones,
                    settings=self._settings,
                    staff=None if staff is None else staff.stage(width, height),
                )
                stamper = EventStamper(f"{session}:{width}x{height}", engine.scene)
            assert stamper is not None
            started = time.perf_counter()
            result = engine.process(frame)
            took_ms = 1000 * (time.perf_counter() - started)
            events = stamper.stamp([*result.update.events, *result.staff_events], frame, took_ms)
            if events:
                self._sink.write(self.spec.camera_id, events)
            self._recent.append(time.monotonic())
            self._last_frame_at = frame.captured_at
            last = frame
            if self._on_frame is not None:
                self._on_frame(self.spec.camera_id, result, engine)
            reason = f"{self._dropped} frames dropped: analysis slower than the camera" if self._dropped else ""
            self._report(CameraStatus.ONLINE, reason)
        if engine is not None and stamper is not None and last is not None and not self._stop.is_set():
            # The end of a file: close the visits and parties still open. A stopped worker does not, so a
            # restarted one can replay the same file and store nothing twice.
            self._sink.write(self.spec.camera_id, stamper.stamp(engine.finish(), last, final=True))
