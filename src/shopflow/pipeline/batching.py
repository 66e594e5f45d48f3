"""One detector shared by every camera: requests from camera threads are run together in batches."""

from __future__ import annotations

import logging
import threading
import time
from collections import defaultdict
from concurrent.futures import Future
from dataclasses import dataclass, field

from shopflow.domain.people import Detections
from shopflow.pipeline.priority import CAMERA_NICENESS, lower_this_thread
from shopflow.vision.detector import Image, YoloOnnxDetector, input_shape

log = logging.getLogger(__name__)


@dataclass(slots=True)
class _Request:
    image: Image
    result: Future[Detections] = field(default_factory=Future)


class SharedDetector:
    """Batches detection requests from several camera threads into one model run.

    Frames are only batched with frames of the same model input shape, so a camera's detections are the same
    whether or not other cameras share the model (no extra padding changes its boxes).
    """

    def __init__(
        self,
        detector: YoloOnnxDetector,
        *,
        max_batch: int = 8,
        max_wait_seconds: float = 0.01,
        niceness: int = CAMERA_NICENESS,
    ) -> None:
        self.detector = detector
        self._niceness = niceness
        self.max_batch = max_batch
        self.max_wait_seconds = max_wait_seconds
        self._pending: list[_Request] = []
        self._cond = threading.Condition()
        self._clients = 0
        self._closed = False
        self.batches = 0
        self.frames = 0
        self.busy_seconds = 0.0  # time spent in model runs, read by the metrics endpoint
        self._thread = threading.Thread(target=self._run, name="shared-detector", daemon=True)
        self._thread.start()

    def register(self) -> None:
        """A camera starts using the detector: with N cameras a batch waits briefly for up to N frames."""
        with self._cond:
            self._clients += 1

    def unregister(self) -> None:
        with self._cond:
            self._clients = max(0, self._clients - 1)
            self._cond.notify_all()

    def detect(self, image: Image) -> Detections:
        request = _Request(image)
        with self._cond:
            if self._closed:
                raise RuntimeError("the shared detector is closed")
            self._pending.append(request)
            self._cond.notify_all()
        return request.result.result()

    def _take_batch(self) -> list[_Request]:
        with self._cond:
            while not self._pending and not self._closed:
                self._cond.wait()
            if self._closed and not self._pending:
                return []
            wanted = min(self.max_batch, max(1, self._clients))
            # Waiting only happens while other cameras are expected; one camera never waits.
            self._cond.wait_for(lambda: len(self._pending) >= wanted or self._closed, timeout=self.max_wait_seconds)
            batch, self._pending = self._pending[: self.max_batch], self._pending[self.max_batch :]
            return batch

    def _run(self) -> None:
        lower_this_thread(self._niceness)
        while True:
            batch = self._take_batch()
            if not batch:
                return
            by_shape: dict[tuple[int, int], list[_Request]] = defaultdict(list)
            for request in batch:
                h, w = request.image.shape[:2]
                by_shape[input_shape(w, h, self.detector.imgsz)].append(request)
            for requests in by_shape.values():
                started = time.perf_counter()
                try:
                    results = self.detector.detect_batch([r.image for r in requests])
                except Exception as error:  # the camera threads must hear of it, not hang
                    log.exception("detector failed on a batch of %d frames", len(requests))
                    for request in requests:
                        request.result.set_exception(error)
                    continue
                self.busy_seconds += time.perf_counter() - started
                self.batches += 1
                self.frames += len(requests)
                for request, detections in zip(requests, results, strict=True):
                    request.result.set_result(detections)

    @property
    def pending(self) -> int:
        """Frames waiting for the model."""
        with self._cond:
            return len(self._pending)

    def close(self) -> None:
        with self._cond:
            self._closed = True
            self._cond.notify_all()
        self._thread.join(timeout=5)
