"""Analyse one video file or stream to the end and summarise it: the engine behind `shopflow analyze`."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Sequence
from pathlib import Path

import cv2

from shopflow.analysis.report import AnalysisReport, ReportBuilder
from shopflow.domain.geometry import CountingLine, Zone
from shopflow.pipeline.annotate import draw
from shopflow.pipeline.engine import CameraEngine, DetectFn, EngineSettings
from shopflow.pipeline.prefetch import Prefetcher
from shopflow.pipeline.sources import SourceError, open_source
from shopflow.pipeline.staff import StaffConfig
from shopflow.pipeline.timings import StageTimings

log = logging.getLogger(__name__)

Progress = Callable[[int, int | None], None]  # (frames read so far, total frames if known)


def analyze_source(
    spec: str,
    detect: DetectFn,
    *,
    lines: Sequence[CountingLine] = (),
    zones: Sequence[Zone] = (),
    sample_fps: float | None = None,
    settings: EngineSettings | None = None,
    annotate_to: Path | None = None,
    on_progress: Progress | None = None,
    staff: StaffConfig | None = None,
    rotation: int = 0,
) -> AnalysisReport:
    timings = StageTimings()
    started = time.perf_counter()
    with open_source(spec, sample_fps=sample_fps, rotation=rotation) as source:
        width, height = source.frame_size
        stage = staff.stage(width, height) if staff is not None and staff.active else None
        engine = CameraEngine(
            width, height, detect, lines=lines, zones=zones, settings=settings, staff=stage, timings=timings
        )
        builder = ReportBuilder(engine.scene)
        writer = _open_writer(annotate_to, source.native_fps, sample_fps, width, height)
        total = source.frame_count
        first_at: float | None = None
        last_at = 0.0
        prefetcher = None if source.is_live else Prefetcher(source)
        try:
            frames = iter(prefetcher if prefetcher is not None else source)
            while True:
                with timings.measure("decode"):
                    frame = next(frames, None)
                if frame is None:
                    break
                if first_at is None:
                    first_at = frame.timestamp
                last_at = frame.timestamp
                result = engine.process(frame)
                builder.add(result.update.events)
                builder.add_staff(result.staff)
                if writer is not None:
                    with timings.measure("annotate"):
                        writer.write(draw(frame.image, result.update, engine.scene.lines, engine.scene.zones))
                if on_progress is not None:
                    on_progress(frame.index + 1, total)
        finally:
            if prefetcher is not None:
                prefetcher.close()
            if writer is not None:
                writer.release()
        builder.add(engine.finish())
        if engine.frames == 0:
            raise SourceError(f"{source.url_for_logs} gave no frame to analyse")
        video_seconds = _duration(total, source.native_fps, first_at or 0.0, last_at)
    processing = time.perf_counter() - started
    log.info("analysed %d frames (%d detector runs) in %.1f s", engine.frames, engine.detector_runs, processing)
    return builder.build(engine.frames, video_seconds, processing, dict(timings.seconds), engine.detector_runs)


def _duration(frame_count: int | None, native_fps: float | None, first_at: float, last_at: float) -> float:
    if frame_count and native_fps:
        return frame_count / native_fps
    return last_at - first_at


def _open_writer(
    path: Path | None, native_fps: float | None, sample_fps: float | None, width: int, height: int
) -> cv2.VideoWriter | None:
    if path is None:
        return None
    fps = sample_fps or native_fps or 10.0
    if native_fps:
        fps = min(fps, native_fps)
    path.parent.mkdir(parents=True, exist_ok=True)
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter.fourcc(*"mp4v"), fps, (width, height))
    if not writer.isOpened():
        raise SourceError(f"cannot write the annotated video to {path}")
    return writer
