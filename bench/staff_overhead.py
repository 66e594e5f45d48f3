"""Analysed frames/s of one camera with face recognition on against off, on real photos held as a still scene.

No clip with faces large enough to recognise ships in any package, so each scene is one real photo repeated at
5 frames/s (the motion gate off, so the detector runs on every frame as it would on a busy camera):

- `employee`: zidane.jpg, with its man enrolled from the same photo: recognised, then never looked at again.
- `customers`: bus.jpg (four people, faces about 43 px), with someone else enrolled: nobody is ever decided, so
  their faces are looked at once a second each for as long as they stay (the worst case).

    .venv/bin/python bench/staff_overhead.py [--frames 100] [--repeats 3]
"""

from __future__ import annotations

import argparse
import statistics
import time
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import cv2
import numpy as np

from shopflow.pipeline.engine import CameraEngine, EngineSettings
from shopflow.pipeline.face_watch import FaceWatch
from shopflow.pipeline.sources import Frame
from shopflow.pipeline.staff import StaffStage
from shopflow.vision.detector import Image, YoloOnnxDetector
from shopflow.vision.faces import DlibFaceEmbedder, FaceGallery, enrolment_embedding
from shopflow.vision.model_files import resolve_model

PHOTOS = Path(__file__).resolve().parents[1] / "tests" / "fixtures" / "faces"
FPS = 5.0


def run(image: Image, frames: int, detector: YoloOnnxDetector, stage: StaffStage | None) -> tuple[float, float]:
    """(frames/s, share of the time spent in the staff stage)."""
    height, width = image.shape[:2]
    settings = EngineSettings()
    settings = replace(settings, motion=replace(settings.motion, enabled=False))
    engine = CameraEngine(width, height, detector.detect, settings=settings, staff=stage)
    now = datetime.now(UTC)
    started = time.perf_counter()
    for index in range(frames):
        engine.process(Frame(image=image, index=index, timestamp=index / FPS, captured_at=now))
    elapsed = time.perf_counter() - started
    return frames / elapsed, engine.timings.seconds.get("staff", 0.0) / elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--frames", type=int, default=100)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--imgsz", type=int, default=640)
    args = parser.parse_args()
    detector = YoloOnnxDetector(resolve_model("yolo11n"), imgsz=args.imgsz, confidence=0.1, threads=2)
    embedder = DlibFaceEmbedder()
    scenes = {
        "employee": ("zidane.jpg", "zidane.jpg"),
        "customers": ("bus.jpg", "obama.jpg"),
    }
    print("| scene | recognition off fps | recognition on fps | on / off | time in staff stage | staff tracks |")
    print("| --- | ---: | ---: | ---: | ---: | ---: |")
    for scene, (frame_name, enrolled_name) in scenes.items():
        image: Image = np.asarray(cv2.imread(str(PHOTOS / frame_name)), dtype=np.uint8)
        gallery = FaceGallery({"employee": [enrolment_embedding((PHOTOS / enrolled_name).read_bytes(), embedder)]})
        off: list[float] = []
        on: list[float] = []
        shares: list[float] = []
        decided = 0
        for _ in range(args.repeats):
            off.append(run(image, args.frames, detector, None)[0])
            height, width = image.shape[:2]
            stage = StaffStage(width, height, faces=FaceWatch(embedder, gallery))
            fps, share = run(image, args.frames, detector, stage)
            on.append(fps)
            shares.append(share)
            decided = sum(stage.rules.decisions_total.values())
        off_fps, on_fps = statistics.median(off), statistics.median(on)
        share = statistics.median(shares)
        print(f"| {scene} | {off_fps:.1f} | {on_fps:.1f} | {on_fps / off_fps:.0%} | {share:.0%} | {decided} |")


if __name__ == "__main__":
    main()
