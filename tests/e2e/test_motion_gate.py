"""The motion gate saves detector runs where nothing moves, and never changes a count."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import cv2
import pytest

from shopflow.analysis.report import AnalysisReport
from shopflow.config.geometry import parse_line, parse_zone
from shopflow.pipeline.analyze import analyze_source
from shopflow.pipeline.engine import EngineSettings
from shopflow.services.demo import sample_video
from shopflow.vision.detector import YoloOnnxDetector
from shopflow.vision.model_files import resolve_model

pytestmark = pytest.mark.video

SAMPLE = sample_video()
LINES = [parse_line("vertical:0.40,0.98,0.40,0.28"), parse_line("horizontal:0.30,0.50,1.00,0.50")]
ZONES = [parse_zone("plaza:0.45,0.35;0.95,0.35;0.95,0.80;0.45,0.80")]


@pytest.fixture(scope="module")
def quiet_then_busy(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """20 s of an empty, still scene (a store before opening), then 30 s of the plaza.

    The still part is vtest's first frame with its people painted out by the median of the whole clip.
    """
    capture = cv2.VideoCapture(str(SAMPLE))
    frames = []
    while len(frames) < 300:
        ok, image = capture.read()
        if not ok:
            break
        frames.append(image)
    capture.release()
    import numpy as np

    background = np.median(np.stack(frames[::10]), axis=0).astype(np.uint8)
    path = tmp_path_factory.mktemp("clips") / "quiet_then_busy.avi"
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter.fourcc(*"MJPG"), 10.0, (768, 576))
    for _ in range(200):
        writer.write(background)
    for image in frames:
        writer.write(image)
    writer.release()
    return path


def analyse(path: Path, gated: bool) -> AnalysisReport:
    detector = YoloOnnxDetector(resolve_model("yolo11n"), imgsz=320, confidence=0.1)
    settings = EngineSettings()
    settings = replace(settings, motion=replace(settings.motion, enabled=gated))
    return analyze_source(str(path), detector.detect, lines=LINES, zones=ZONES, sample_fps=5.0, settings=settings)


def counts(report: AnalysisReport) -> dict[str, object]:
    return {
        "lines": report.lines,
        "visits": {name: zone.visits for name, zone in report.zones.items()},
        "unique_visitors": report.unique_visitors,
        "potential_customers": report.potential_customers,
        "groups": report.groups,
    }


@pytest.mark.parametrize("clip", ["sample", "quiet_then_busy"])
def test_gate_changes_no_count(clip: str, quiet_then_busy: Path) -> None:
    path = SAMPLE if clip == "sample" else quiet_then_busy
    every_frame = analyse(path, gated=False)
    gated = analyse(path, gated=True)
    assert every_frame.detector_runs == every_frame.frames
    assert counts(gated) == counts(every_frame)
    if clip == "quiet_then_busy":
        # 100 still frames at 5 fps: only the re-checks every 2 s run the detector there.
        assert gated.detector_runs <= gated.frames - 80
        assert sum(c["in"] + c["out"] for c in gated.lines.values()) > 0
