"""The sample video's tracked people, frame by frame, cached so descriptor variants can be measured without
running the detector again (bench/reid_classifier.py). The cache is a JSON file outside the repository; it is
rebuilt when the video, the sampling rate or the cache format differ.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

from shopflow.domain.people import TrackedPerson
from shopflow.pipeline.sources import open_source
from shopflow.vision.detector import Image, YoloOnnxDetector
from shopflow.vision.model_files import resolve_model
from shopflow.vision.tracker import PersonTracker

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "src" / "shopflow" / "assets" / "vtest.avi"
FORMAT = 1

Frames = list[list[TrackedPerson]]


def _key(fps: float) -> dict[str, object]:
    return {"format": FORMAT, "video": SAMPLE.name, "bytes": SAMPLE.stat().st_size, "fps": fps, "model": "yolo11n"}


def _track(fps: float) -> Frames:
    detector = YoloOnnxDetector(resolve_model("yolo11n"), imgsz=640, confidence=0.1, threads=2)
    tracker = PersonTracker()
    with open_source(str(SAMPLE), sample_fps=fps) as source:
        return [tracker.update(detector.detect(frame.image), frame.timestamp) for frame in source]


def _person(row: list[float]) -> TrackedPerson:
    track_id, x1, y1, x2, y2, confidence = row
    return TrackedPerson(int(track_id), float(x1), float(y1), float(x2), float(y2), float(confidence))


def tracked_frames(fps: float, cache: Path) -> Frames:
    """The tracker's people in every sampled frame, from the cache when it matches, else detected and cached."""
    key = _key(fps)
    if cache.exists():
        stored = json.loads(cache.read_text(encoding="utf-8"))
        if stored.get("key") == key:
            return [[_person(row) for row in people] for people in stored["frames"]]
    frames = _track(fps)
    rows = [[[p.track_id, p.x1, p.y1, p.x2, p.y2, p.confidence] for p in people] for people in frames]
    cache.write_text(json.dumps({"key": key, "frames": rows}), encoding="utf-8")
    return frames


def images(fps: float) -> Iterator[Image]:
    """The sampled frames again, in the order tracked_frames() lists them (decoding is cheap, detecting is not)."""
    with open_source(str(SAMPLE), sample_fps=fps) as source:
        for frame in source:
            yield frame.image
