"""Detector backends: each one's detections on sample frames match fp32's, and a bad cached model is rebuilt."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import cv2
import numpy as np
import pytest

from shopflow.domain.people import Detections
from shopflow.services.demo import sample_video
from shopflow.vision.backends import Backend, backend_model, int8_model_path
from shopflow.vision.detector import Image, YoloOnnxDetector
from shopflow.vision.model_cache import ensure_derived_model, manifest_path, read_manifest
from shopflow.vision.model_files import file_sha256, resolve_model
from shopflow.vision.quantize import RECIPE

pytestmark = pytest.mark.video

SAMPLE = sample_video()
# Tolerance against fp32, for every person fp32 sees at 0.6 or more: the backend keeps a box within IoU 0.7 of it
# scored 0.3 or more (so the tracker keeps following that person), and for at least 90 % of them the score is
# within 0.15 of fp32's. Measured on these frames at 640: median IoU 0.96, median score difference 0.02, one
# person of about 60 at 0.60 in fp32 and 0.34 in INT8.
MIN_IOU = 0.7
MAX_SCORE_DIFF = 0.15
CLOSE_SCORES = 0.9
SURE, WEAK = 0.6, 0.3


@pytest.fixture(scope="module")
def frames() -> list[Image]:
    """Eight frames spread over the sample, busy and quiet ones (not the first: the calibration set includes it)."""
    capture = cv2.VideoCapture(str(SAMPLE))
    images: list[Image] = []
    index = 0
    while True:
        ok, image = capture.read()
        if not ok:
            break
        if index % 100 == 37:
            images.append(image)
        index += 1
    capture.release()
    assert len(images) == 8
    return images


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("data")


@pytest.fixture(scope="module")
def int8_model(data_dir: Path) -> Path:
    return backend_model(Backend.INT8, resolve_model("yolo11n"), data_dir)


def iou(box: np.ndarray, boxes: np.ndarray) -> np.ndarray:
    x1, y1 = np.maximum(box[0], boxes[:, 0]), np.maximum(box[1], boxes[:, 1])
    x2, y2 = np.minimum(box[2], boxes[:, 2]), np.minimum(box[3], boxes[:, 3])
    inter = np.clip(x2 - x1, 0, None) * np.clip(y2 - y1, 0, None)
    areas = (box[2] - box[0]) * (box[3] - box[1]) + (boxes[:, 2] - boxes[:, 0]) * (boxes[:, 3] - boxes[:, 1])
    return np.asarray(inter / (areas - inter))


def compare(reference: Detections, other: Detections) -> tuple[list[str], list[float]]:
    """Each sure person of `reference` that `other` misses or places elsewhere, and the score differences."""
    problems: list[str] = []
    differences: list[float] = []
    for box, score in zip(reference.xyxy, reference.confidence, strict=True):
        if score < SURE:
            continue
        if len(other.xyxy) == 0:
            problems.append(f"person at {box.round()} ({score:.2f}) not found")
            continue
        overlaps = iou(box, other.xyxy)
        best = int(overlaps.argmax())
        if overlaps[best] < MIN_IOU:
            problems.append(f"person at {box.round()} ({score:.2f}): best match IoU {overlaps[best]:.2f}")
        else:
            differences.append(abs(float(other.confidence[best]) - float(score)))
    return problems, differences


@pytest.mark.parametrize("imgsz", [320, 480, 640])
def test_int8_detections_match_fp32(frames: list[Image], int8_model: Path, imgsz: int) -> None:
    fp32 = YoloOnnxDetector(resolve_model("yolo11n"), imgsz=imgsz, confidence=WEAK)
    int8 = YoloOnnxDetector(int8_model, imgsz=imgsz, confidence=WEAK)
    differences: list[float] = []
    for image in frames:
        reference, quantised = fp32.detect(image), int8.detect(image)
        # Both ways: INT8 loses nobody fp32 is sure of, and is sure of nobody fp32 does not see.
        for first, second in ((reference, quantised), (quantised, reference)):
            problems, scores = compare(first, second)
            assert problems == []
            differences += scores
    assert len(differences) >= 40  # the frames do hold people: the comparison is not vacuous
    close = sum(d <= MAX_SCORE_DIFF for d in differences) / len(differences)
    assert close >= CLOSE_SCORES, f"only {close:.0%} of scores within {MAX_SCORE_DIFF}: {sorted(differences)[-5:]}"


def test_the_int8_model_is_cached_with_its_sha256(int8_model: Path, data_dir: Path) -> None:
    assert int8_model == int8_model_path(resolve_model("yolo11n"), data_dir)
    manifest = read_manifest(int8_model)
    assert manifest is not None
    assert manifest.sha256 == file_sha256(int8_model)
    assert manifest.source_sha256 == file_sha256(resolve_model("yolo11n"))
    assert manifest.recipe == RECIPE
    modified = int8_model.stat().st_mtime_ns
    # A valid cached file is used as it is, not rebuilt.
    assert backend_model(Backend.INT8, resolve_model("yolo11n"), data_dir) == int8_model
    assert int8_model.stat().st_mtime_ns == modified


def test_fp32_runs_the_model_as_shipped(tmp_path: Path) -> None:
    assert backend_model(Backend.FP32, resolve_model("yolo11n"), tmp_path) == resolve_model("yolo11n")
    assert not (tmp_path / "models").exists()


def test_a_corrupt_cached_int8_model_is_rebuilt_not_used(int8_model: Path, tmp_path: Path) -> None:
    cached = int8_model_path(resolve_model("yolo11n"), tmp_path)
    cached.parent.mkdir(parents=True)
    shutil.copyfile(int8_model, cached)
    shutil.copyfile(manifest_path(int8_model), manifest_path(cached))
    good = file_sha256(cached)
    with cached.open("r+b") as handle:  # flip bytes in the middle of the weights
        handle.seek(cached.stat().st_size // 2)
        handle.write(b"\x00\xff" * 64)
    assert file_sha256(cached) != good

    rebuilt = backend_model(Backend.INT8, resolve_model("yolo11n"), tmp_path)

    assert rebuilt == cached
    # The build is deterministic: the rebuilt file is byte for byte the one built before.
    assert file_sha256(rebuilt) == good
    YoloOnnxDetector(rebuilt, imgsz=320).detect(np.zeros((240, 320, 3), np.uint8))


def copy_builder(calls: list[Path]):  # type: ignore[no-untyped-def]
    def build(source: Path, destination: Path) -> None:
        calls.append(source)
        shutil.copyfile(source, destination)

    return build


@pytest.mark.parametrize("field", ["source_sha256", "recipe"])
def test_a_cached_model_from_another_source_or_recipe_is_rebuilt(tmp_path: Path, field: str) -> None:
    source = tmp_path / "source.onnx"
    shutil.copyfile(resolve_model("yolo11n"), source)
    destination = tmp_path / "models" / "derived.onnx"
    calls: list[Path] = []
    ensure_derived_model(source, destination, recipe="r1", build=copy_builder(calls))
    ensure_derived_model(source, destination, recipe="r1", build=copy_builder(calls))
    assert len(calls) == 1  # built once, then used from the cache

    manifest = json.loads(manifest_path(destination).read_text())
    manifest[field] = "0" * 64
    manifest_path(destination).write_text(json.dumps(manifest))
    ensure_derived_model(source, destination, recipe="r1", build=copy_builder(calls))
    assert len(calls) == 2
    assert read_manifest(destination) is not None
    assert read_manifest(destination).source_sha256 == file_sha256(source)  # type: ignore[union-attr]


def test_a_missing_manifest_means_a_rebuild(tmp_path: Path) -> None:
    source = tmp_path / "source.onnx"
    shutil.copyfile(resolve_model("yolo11n"), source)
    destination = tmp_path / "derived.onnx"
    calls: list[Path] = []
    ensure_derived_model(source, destination, recipe="r1", build=copy_builder(calls))
    manifest_path(destination).unlink()
    ensure_derived_model(source, destination, recipe="r1", build=copy_builder(calls))
    assert len(calls) == 2
    assert file_sha256(destination) == file_sha256(source)
