"""Runs one worker per enabled camera and keeps them in step with the cameras' settings, without a restart."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterable

from shopflow.pipeline.batching import SharedDetector
from shopflow.pipeline.camera import CameraSpec, StatusListener
from shopflow.pipeline.engine import EngineSettings
from shopflow.pipeline.priority import CAMERA_NICENESS, made_in_background
from shopflow.pipeline.sink import EventSink
from shopflow.pipeline.worker import CameraWorker, FrameListener
from shopflow.vision.detector import YoloOnnxDetector
from shopflow.vision.faces import FaceEmbedder

log = logging.getLogger(__name__)

DetectorFactory = Callable[[int], YoloOnnxDetector]  # input size -> a loaded detector


class CameraSupervisor:
    """One shared detector per input size (usually one for the whole store), one worker thread per camera."""

    def __init__(
        self,
        detector_factory: DetectorFactory,
        sink: EventSink,
        listener: StatusListener,
        *,
        settings: EngineSettings | None = None,
        on_frame: FrameListener | None = None,
        face_embedder: Callable[[], FaceEmbedder] | None = None,
        niceness: int = CAMERA_NICENESS,
    ) -> None:
        self._face_embedder = face_embedder
        self._niceness = niceness
        self._detector_factory = detector_factory
        self._sink = sink
        self._listener = listener
        self._settings = settings or EngineSettings()
        self._on_frame = on_frame
        self._detectors: dict[int, SharedDetector] = {}
        self._workers: dict[int, CameraWorker] = {}
        self._lock = threading.Lock()

    @property
    def detector_loaded(self) -> bool:
        return bool(self._detectors)

    def preload(self, imgsz: int) -> None:
        """Load a detector before any camera needs it, so the first frames are not slow."""
        with self._lock:
            self._shared(imgsz)

    def _shared(self, imgsz: int) -> SharedDetector:
        shared = self._detectors.get(imgsz)
        if shared is None:
            # Loaded on a thread of camera priority: the model's own threads are started as it loads.
            detector = made_in_background(
                lambda: self._detector_factory(imgsz), name="detector-loader", niceness=self._niceness
            )
            shared = self._detectors[imgsz] = SharedDetector(detector, niceness=self._niceness)
        return shared

    def sync(self, specs: Iterable[CameraSpec]) -> None:
        """Start new cameras, restart changed ones, stop the ones gone or disabled."""
        wanted = {spec.camera_id: spec for spec in specs}
        with self._lock:
            for camera_id in list(self._workers):
                worker = self._workers[camera_id]
                if wanted.get(camera_id) != worker.spec:
                    log.info("camera %s: stopping worker", camera_id)
                    worker.stop()
                    del self._workers[camera_id]
            for camera_id, spec in wanted.items():
                if camera_id not in self._workers:
                    worker = CameraWorker(
                        spec,
                        self._shared(spec.imgsz),
                        self._sink,
                        self._listener,
                        settings=self._settings,
                        on_frame=self._on_frame,
                        face_embedder=self._face_embedder,
                        niceness=self._niceness,
                    )
                    self._workers[camera_id] = worker
                    worker.start()

    def detectors(self) -> dict[int, SharedDetector]:
        """The shared detectors by input size (for the metrics endpoint)."""
        with self._lock:
            return dict(self._detectors)

    def running(self) -> list[int]:
        with self._lock:
            return [camera_id for camera_id, worker in self._workers.items() if worker.alive]

    def stop(self) -> None:
        with self._lock:
            workers, self._workers = list(self._workers.values()), {}
            detectors, self._detectors = list(self._detectors.values()), {}
        for worker in workers:
            worker.stop()
        for detector in detectors:
            detector.close()
