"""Counts on the sample video changed the ways real cameras differ from it (the fast variants of
bench/robustness_matrix.py; the full matrix is in docs/benchmarks.md). The truth of each variant follows from the
hand-verified truth, with the tolerance the truth itself carries (see tests/e2e/variants.py)."""

from __future__ import annotations

import pytest

from shopflow.vision.detector import YoloOnnxDetector
from shopflow.vision.model_files import resolve_model

from .variants import VARIANTS, Variant, accuracy, analyse, errors

pytestmark = pytest.mark.video

FAST = [variant for variant in VARIANTS if "fast" in variant.tags]
# The goal is 98 % on every variant at 5 fps: with 62 crossings, at most one counting error.
MIN_ACCURACY = 0.98


@pytest.fixture(scope="module")
def detector() -> YoloOnnxDetector:
    return YoloOnnxDetector(resolve_model("yolo11n"), imgsz=640, confidence=0.1, threads=2)


@pytest.mark.parametrize("variant", FAST, ids=[variant.name for variant in FAST])
def test_counts_hold_on_a_changed_camera(variant: Variant, detector: YoloOnnxDetector) -> None:
    report = analyse(variant, detector.detect)
    assert accuracy(report) >= MIN_ACCURACY, (errors(report), report.lines)
