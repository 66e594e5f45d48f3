"""Counts on the sample video changed the ways real cameras differ from it (the fast variants of
bench/robustness_matrix.py; the full matrix is in docs/benchmarks.md). The truth of each variant follows from the
hand-verified truth, with the tolerance the truth itself carries (see tests/e2e/variants.py)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import cv2
import pytest

from shopflow.vision.detector import YoloOnnxDetector
from shopflow.vision.model_files import resolve_model

from .variants import LINES, SAMPLE, VARIANTS, ZONE, Variant, accuracy, analyse, errors

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
    assert accuracy(report.lines) >= MIN_ACCURACY, (errors(report.lines), report.lines)


@pytest.fixture(scope="module")
def upside_down_video(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The sample as a camera mounted upside down records it: every picture turned 180°. Every second frame, at
    5 fps, the rate the test samples at; FFV1 is lossless, so only the turn differs from the sample."""
    path = tmp_path_factory.mktemp("upside-down") / "vtest-upside-down.avi"
    capture = cv2.VideoCapture(str(SAMPLE))
    width, height = int(capture.get(cv2.CAP_PROP_FRAME_WIDTH)), int(capture.get(cv2.CAP_PROP_FRAME_HEIGHT))
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter.fourcc(*"FFV1"), 5.0, (width, height))
    index = 0
    try:
        while True:
            ok, image = capture.read()
            if not ok:
                break
            if index % 2 == 0:
                writer.write(cv2.rotate(image, cv2.ROTATE_180))
            index += 1
    finally:
        capture.release()
        writer.release()
    assert index == 795, index
    return path


def test_a_camera_mounted_upside_down_counts_once_its_rotation_is_set(upside_down_video: Path, tmp_path: Path) -> None:
    # Through the CLI, the lines as drawn on the upright picture: `--rotate 180` turns every picture before the
    # detector. Without it YOLO11n finds few of the upside-down people (the matrix's "upside-down" row).
    out = tmp_path / "report.json"
    line_args = [
        arg for line in LINES for arg in ("--line", f"{line.name}:{line.a[0]},{line.a[1]},{line.b[0]},{line.b[1]}")
    ]
    zone = ";".join(f"{x},{y}" for x, y in ZONE.polygon)
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "shopflow.cli",
            "analyze",
            str(upside_down_video),
            "--rotate",
            "180",
            "--fps",
            "5",
            *line_args,
            "--zone",
            f"{ZONE.name}:{zone}",
            "--json",
            str(out),
        ],
        capture_output=True,
        text=True,
        timeout=600,
        env={**os.environ, "COLUMNS": "200"},
        check=False,
    )
    assert result.returncode == 0, result.stderr
    lines = json.loads(out.read_text(encoding="utf-8"))["lines"]
    assert accuracy(lines) >= MIN_ACCURACY, (errors(lines), lines)
