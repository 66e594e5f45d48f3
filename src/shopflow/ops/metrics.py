"""Prometheus metrics: GET /metrics on the store server.

Pipeline figures (camera fps and dropped frames, detector latency, queue depths, events written) are read from
the running machinery when Prometheus scrapes, by a custom collector, instead of being counted on every frame.
The API latency histogram is observed by the request middleware (observability.py). The bridge, when it
exists, sets `shopflow_bridge_outbox_depth{bridge=...}` itself through `Metrics.outbox_depth`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from typing import Protocol

from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Gauge, Histogram, generate_latest
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, SummaryMetricFamily
from prometheus_client.registry import Collector

from shopflow.pipeline.batching import SharedDetector
from shopflow.pipeline.camera import CameraReport
from shopflow.pipeline.supervisor import CameraSupervisor
from shopflow.storage.writer import EventWriter

# Request latencies of a local API: from a cached lookup (ms) to a 90-day report (seconds).
API_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)


class _Statuses(Protocol):
    @property
    def latest(self) -> Mapping[int, CameraReport]: ...


class RuntimeView(Protocol):
    """What the collector reads from the server's runtime (server.runtime.ServerRuntime has all of it)."""

    @property
    def statuses(self) -> _Statuses: ...
    @property
    def supervisor(self) -> CameraSupervisor | None: ...
    @property
    def writer(self) -> EventWriter | None: ...


class PipelineCollector(Collector):
    def __init__(self, runtime: Callable[[], RuntimeView | None]) -> None:
        self._runtime = runtime

    def collect(self) -> Iterator[GaugeMetricFamily | CounterMetricFamily | SummaryMetricFamily]:
        runtime = self._runtime()
        fps = GaugeMetricFamily("shopflow_camera_fps", "Frames per second analysed, per camera", labels=["camera"])
        dropped = CounterMetricFamily(
            "shopflow_camera_dropped_frames",
            "Frames dropped because analysis was slower than the camera",
            labels=["camera"],
        )
        latency = SummaryMetricFamily(
            "shopflow_detector_latency_seconds", "Time of one detector model run (a batch of frames)", labels=["imgsz"]
        )
        frames = CounterMetricFamily("shopflow_detector_frames", "Frames run through the detector", labels=["imgsz"])
        queues = GaugeMetricFamily("shopflow_queue_depth", "Items waiting in an internal queue", labels=["queue"])
        written = CounterMetricFamily("shopflow_events_written", "Event rows written to the database")
        duplicates = CounterMetricFamily("shopflow_events_duplicate", "Replayed events skipped as already stored")
        lost = CounterMetricFamily("shopflow_events_dropped", "Events dropped (buffer full or rejected)")
        if runtime is not None:
            for camera_id, status in sorted(runtime.statuses.latest.items()):
                fps.add_metric([str(camera_id)], status.measured_fps)
                dropped.add_metric([str(camera_id)], status.dropped_frames)
            supervisor = runtime.supervisor
            detectors: Mapping[int, SharedDetector] = supervisor.detectors() if supervisor is not None else {}
            detector_pending = 0
            for imgsz, detector in sorted(detectors.items()):
                latency.add_metric([str(imgsz)], count_value=detector.batches, sum_value=detector.busy_seconds)
                frames.add_metric([str(imgsz)], detector.frames)
                detector_pending += detector.pending
            queues.add_metric(["detector"], detector_pending)
            writer = runtime.writer
            if writer is not None:
                stats = writer.stats()
                queues.add_metric(["event_writer"], stats.pending + stats.in_flight)
                written.add_metric([], stats.written)
                duplicates.add_metric([], stats.duplicates)
                lost.add_metric([], stats.dropped_events + stats.dropped_snapshots)
        yield from (fps, dropped, latency, frames, queues, written, duplicates, lost)


class Metrics:
    """One registry per app, so several apps in one process (the tests) never share or clash."""

    def __init__(self, runtime: Callable[[], RuntimeView | None]) -> None:
        self.registry = CollectorRegistry(auto_describe=True)
        self.api_latency = Histogram(
            "shopflow_api_request_duration_seconds",
            "API request latency by method, route and status",
            ["method", "route", "status"],
            buckets=API_BUCKETS,
            registry=self.registry,
        )
        self.outbox_depth = Gauge(
            "shopflow_bridge_outbox_depth",
            "Messages waiting in a bridge's outbox (set by the bridge)",
            ["bridge"],
            registry=self.registry,
        )
        self.registry.register(PipelineCollector(runtime))

    def render(self) -> tuple[bytes, str]:
        return generate_latest(self.registry), CONTENT_TYPE_LATEST
