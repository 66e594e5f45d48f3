"""On real video, the two cues beside colour are in force where they should be: the sample camera shows people
taller further down its picture and sees strangers together; the same camera mounted upside down does not show
heights that way, so colour decides alone there (analysis/stature.py, analysis/lookalikes.py)."""

from __future__ import annotations

import itertools

import pytest

from shopflow.analysis.visitors import VisitorCounter
from shopflow.pipeline.engine import CameraEngine
from shopflow.pipeline.sources import open_source
from shopflow.services.demo import sample_video
from shopflow.vision.detector import YoloOnnxDetector
from shopflow.vision.model_files import resolve_model

pytestmark = pytest.mark.video

SECONDS = 40  # of the 79.5 s clip: several people in view together, several leaving


@pytest.fixture(scope="module")
def detector() -> YoloOnnxDetector:
    return YoloOnnxDetector(resolve_model("yolo11n"), imgsz=640, confidence=0.1, threads=2)


def visitors_after(detector: YoloOnnxDetector, rotation: int) -> VisitorCounter:
    with open_source(str(sample_video()), sample_fps=5.0, rotation=rotation) as source:
        width, height = source.frame_size
        engine = CameraEngine(width, height, detector.detect)
        for frame in itertools.takewhile(lambda frame: frame.timestamp < SECONDS, source):
            engine.process(frame)
    return engine.scene.visitors


def test_the_upright_camera_compares_heights_and_learns_how_alike_strangers_look(detector: YoloOnnxDetector) -> None:
    visitors = visitors_after(detector, rotation=0)
    assert visitors.tells_heights_apart
    assert visitors.strangers_compared >= 10, visitors.strangers_compared


def test_upside_down_the_heights_are_left_out(detector: YoloOnnxDetector) -> None:
    visitors = visitors_after(detector, rotation=180)
    assert not visitors.tells_heights_apart
