"""What the server runs beside the HTTP API: event writer, camera workers, live hub, realtime relay.

One `ServerRuntime` per app (built by the lifespan, never at import time). The camera supervisor is kept in
step with the enabled cameras in the database by `resync()`, which the camera endpoints call after they commit.
"""

from __future__ import annotations

import logging
import threading

from shopflow.config.settings import Settings
from shopflow.domain.cameras import CameraStatus
from shopflow.ops.jobs import build_scheduler
from shopflow.ops.scheduling import Scheduler
from shopflow.pipeline.camera import CameraReport, CameraSpec, StaffRules
from shopflow.pipeline.engine import engine_settings
from shopflow.pipeline.live_hub import LiveCounts, LiveHub
from shopflow.pipeline.staff import SharedEmbedder
from shopflow.pipeline.supervisor import CameraSupervisor
from shopflow.server.staff_rules import StaffRulesReader
from shopflow.services.realtime import EventRelay, RealtimeBroker
from shopflow.services.throttle import ApiRateLimit, SignInThrottle
from shopflow.storage.db import Database
from shopflow.storage.errors import NotFoundError
from shopflow.storage.records import CameraSource
from shopflow.storage.repositories import CameraRepository
from shopflow.storage.repositories.notifications import EVENTS_CHANNEL, NotificationListener
from shopflow.storage.writer import EventWriter
from shopflow.vision.backends import Backend, backend_model
from shopflow.vision.detector import YoloOnnxDetector
from shopflow.vision.faces import DlibFaceEmbedder, FaceEmbedder
from shopflow.vision.model_files import resolve_model

log = logging.getLogger(__name__)

# Staff rules change through any door (the API, the dashboard, the CLI of another process): the cameras pick the
# changes up within this many seconds. Only a camera whose rules changed restarts.
RESYNC_EVERY_SECONDS = 30.0


def camera_spec(source: CameraSource, staff: StaffRules | None = None) -> CameraSpec:
    return CameraSpec(
        camera_id=source.id,
        source=source.source_url,
        sample_fps=source.sample_fps,
        imgsz=source.imgsz,
        lines=tuple(line.to_domain() for line in source.lines),
        zones=tuple(zone.to_domain() for zone in source.zones),
        loop=source.loop_video,
        realtime=source.realtime_pace,
        rotation=source.rotation,
        staff=staff or StaffRules(),
    )


class CameraStatusRecorder:
    """The supervisor's StatusListener: writes each report to the camera's row, in a short session of its own.

    Reports of cameras that are no longer meant to run (deleted, disabled, changed) are ignored, so a worker
    being stopped cannot overwrite the status the API has just set.
    """

    def __init__(self, database: Database) -> None:
        self._database = database
        self._lock = threading.Lock()
        self._active: set[int] = set()
        self.latest: dict[int, CameraReport] = {}  # last report of each running camera, for the metrics endpoint

    def set_active(self, camera_ids: set[int]) -> None:
        with self._lock:
            self._active = set(camera_ids)
            self.latest = {key: value for key, value in self.latest.items() if key in self._active}

    def camera_status(self, status: CameraReport) -> None:
        with self._lock:
            if status.camera_id not in self._active:
                return
            self.latest[status.camera_id] = status
        try:
            with self._database.session() as session:
                CameraRepository(session).set_status(
                    status.camera_id,
                    status.state,
                    status.reason or None,
                    last_frame_at=status.last_frame_at,
                    measured_fps=round(status.measured_fps, 2),
                    dropped_frames=status.dropped_frames,
                )
        except NotFoundError:
            log.debug("camera %s was deleted; its status is not recorded", status.camera_id)


class ServerRuntime:
    """Owns the background machinery of one app. `start()` and `stop()` are called by the lifespan."""

    def __init__(self, settings: Settings, database: Database, *, start_pipeline: bool = True) -> None:
        self.settings = settings
        self.database = database
        self.start_pipeline = start_pipeline
        self.hub = LiveHub()
        self.broker = RealtimeBroker()
        # Per server process (shared between processes through Redis when REDIS_URL is set).
        self.sign_in_throttle = SignInThrottle.from_settings(settings)
        self.api_rate_limit = ApiRateLimit.from_settings(settings)
        self.relay = EventRelay(database, self.broker, use_notify=database.dialect == "postgresql")
        self.statuses = CameraStatusRecorder(database)
        self.writer: EventWriter | None = None
        self.supervisor: CameraSupervisor | None = None
        self.listener: NotificationListener | None = None
        self.scheduler: Scheduler | None = None
        self._sync_lock = threading.Lock()
        self._synced: set[int] = set()
        self._embedder: FaceEmbedder | None = None
        self._embedder_lock = threading.Lock()
        self._stopping = threading.Event()
        self._resyncer: threading.Thread | None = None

    @property
    def detector_loaded(self) -> bool:
        return self.supervisor is not None and self.supervisor.detector_loaded

    def start(self) -> None:
        if self.database.dialect == "postgresql":
            self.listener = NotificationListener(self.database_url, EVENTS_CHANNEL, self.relay.heard)
            if not self.listener.start():
                log.warning("not yet listening for events of other server processes; still trying")
        self.writer = EventWriter(self.database, on_committed=self.relay.committed)
        if self.start_pipeline:
            model = backend_model(
                Backend(self.settings.yolo_backend), resolve_model(self.settings.yolo_model), self.settings.data_dir
            )
            engine = engine_settings(self.settings.yolo_confidence)
            confidence = engine.tracker.low_confidence

            def detector(imgsz: int) -> YoloOnnxDetector:
                return YoloOnnxDetector(model, imgsz=imgsz, confidence=confidence, threads=self.settings.yolo_threads)

            self.supervisor = CameraSupervisor(
                detector,
                self.writer,
                self.statuses,
                settings=engine,
                on_frame=self.hub.on_frame,
                face_embedder=self.face_embedder,
                niceness=self.settings.camera_niceness,
            )
            self.resync()
            self._resyncer = threading.Thread(target=self._resync_now_and_then, name="camera-resync", daemon=True)
            self._resyncer.start()
            # Backups and retention run in the process that runs the cameras, so a second API process adds none.
            self.scheduler = build_scheduler(self.settings, self.database)
            self.scheduler.start()

    def face_embedder(self) -> FaceEmbedder:
        """The process's face embedder, loaded when the first camera with face recognition starts."""
        with self._embedder_lock:
            if self._embedder is None:
                self._embedder = SharedEmbedder(DlibFaceEmbedder())
            return self._embedder

    def _resync_now_and_then(self) -> None:
        while not self._stopping.wait(RESYNC_EVERY_SECONDS):
            try:
                self.resync()
            except Exception:  # the database may be away for a while; the cameras keep their current rules
                log.exception("could not bring the cameras up to date with their settings")

    @property
    def database_url(self) -> str:
        return self.database.engine.url.render_as_string(hide_password=False)

    def resync(self) -> None:
        """Start, restart or stop camera workers to match the enabled cameras in the database."""
        if self.supervisor is None:
            return
        with self._sync_lock:
            with self.database.read_session() as session:
                sources = CameraRepository(session).list_enabled()
                staff = StaffRulesReader(session, self.settings.face_match_threshold)
                specs = [camera_spec(source, staff.rules(source)) for source in sources]
            wanted = {spec.camera_id for spec in specs}
            self.statuses.set_active(wanted)
            self.supervisor.sync(specs)
            for camera_id in self._synced - wanted:
                self.hub.forget(camera_id)
            self._synced = wanted
        log.info("cameras running: %s", sorted(wanted) or "none")

    def _record_stopped(self, camera_ids: set[int]) -> None:
        try:
            with self.database.session() as session:
                cameras = CameraRepository(session)
                for camera_id in sorted(camera_ids):
                    try:
                        if cameras.get(camera_id).status is not CameraStatus.FINISHED:
                            cameras.set_status(camera_id, CameraStatus.OFFLINE, "the ShopFlow server was stopped")
                    except NotFoundError:
                        continue
        except Exception:  # shutting down must go on even when the database is gone
            log.exception("could not record that the cameras stopped")

    def is_running(self, camera_id: int) -> bool:
        return self.supervisor is not None and camera_id in self.supervisor.running()

    def live_counts(self, camera_id: int) -> LiveCounts | None:
        """Who a camera of this process sees in its latest analysed frame (None when it is not running)."""
        return self.hub.counts(camera_id) if self.is_running(camera_id) else None

    def stop(self) -> None:
        self._stopping.set()
        if self._resyncer is not None:
            self._resyncer.join(timeout=10.0)
            self._resyncer = None
        if self.scheduler is not None:
            self.scheduler.stop()
            self.scheduler = None
        if self.supervisor is not None:
            # A stopping worker's last word (a file worker says "finished") would be wrong: the server stopped it.
            self.statuses.set_active(set())
            self.supervisor.stop()
            self.supervisor = None
            self._record_stopped(self._synced)
        if self.writer is not None:
            self.writer.close()  # writes what is still buffered
            self.writer = None
        if self.listener is not None:
            self.listener.stop()
            self.listener = None
