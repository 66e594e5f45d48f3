"""ShopFlow against the toolkit people would pick instead, in the same run on the same sampled frames:
supervision 0.30's ByteTrack and LineZone (feet anchor) on the same YOLO11n ONNX and onnxruntime.

The anchor runs the model the way its tutorials do: a square imgsz x imgsz letterboxed input, fp32 onnxruntime,
scores above 0.25, then supervision's NMS. ShopFlow runs `shopflow analyze`'s pipeline with YOLO_BACKEND.
Runs alternate (anchor, ShopFlow, anchor, ...) so both see the same load on a shared machine.

    .venv/bin/pip install -e '.[bench]'
    .venv/bin/python bench/anchor_compare.py [--sizes 480,640] [--repeats 2] [--backend onnx-fp32]
"""

from __future__ import annotations

import argparse
import os
import statistics
import time
from pathlib import Path

import cv2
import numpy as np
import onnxruntime as ort
import supervision as sv

from shopflow.config.geometry import parse_line, parse_zone
from shopflow.pipeline.analyze import analyze_source
from shopflow.pipeline.sources import open_source
from shopflow.vision.backends import Backend, backend_model
from shopflow.vision.detector import YoloOnnxDetector
from shopflow.vision.model_files import resolve_model

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "src" / "shopflow" / "assets" / "vtest.avi"
LINE_SPECS = {"vertical": "0.40,0.98,0.40,0.28", "horizontal": "0.30,0.50,1.00,0.50"}
LINES = [parse_line(f"{name}:{spec}") for name, spec in LINE_SPECS.items()]
ZONES = [parse_zone("plaza:0.45,0.35;0.95,0.35;0.95,0.80;0.45,0.80")]


class SquareOnnx:
    """The usual hand-written YOLO ONNX wrapper: square letterbox, fp32, confidence filter, class 0 only."""

    def __init__(self, model: Path, imgsz: int, threads: int = 2) -> None:
        options = ort.SessionOptions()
        options.intra_op_num_threads = threads
        self.session = ort.InferenceSession(str(model), options, providers=["CPUExecutionProvider"])
        self.imgsz = imgsz

    def __call__(self, image: np.ndarray) -> sv.Detections:
        height, width = image.shape[:2]
        scale = self.imgsz / max(width, height)
        new_w, new_h = round(width * scale), round(height * scale)
        canvas = np.full((self.imgsz, self.imgsz, 3), 114, np.uint8)
        pad_x, pad_y = (self.imgsz - new_w) // 2, (self.imgsz - new_h) // 2
        canvas[pad_y : pad_y + new_h, pad_x : pad_x + new_w] = cv2.resize(image, (new_w, new_h))
        blob = cv2.dnn.blobFromImage(canvas, 1 / 255.0, swapRB=True)
        (output,) = self.session.run(None, {self.session.get_inputs()[0].name: blob})
        rows = output[0].T
        scores = rows[:, 4]
        keep = scores > 0.25
        cx, cy, w, h = rows[keep, 0], rows[keep, 1], rows[keep, 2], rows[keep, 3]
        xyxy = np.stack([cx - w / 2 - pad_x, cy - h / 2 - pad_y, cx + w / 2 - pad_x, cy + h / 2 - pad_y], 1) / scale
        detections = sv.Detections(
            xyxy=xyxy.astype(np.float32),
            confidence=scores[keep].astype(np.float32),
            class_id=np.zeros(int(keep.sum()), int),
        )
        return detections.with_nms(threshold=0.45)


def anchor_run(model: Path, imgsz: int) -> tuple[float, dict[str, tuple[int, int]]]:
    detect = SquareOnnx(model, imgsz)
    tracker = sv.ByteTrack(frame_rate=5)
    zones: dict[str, sv.LineZone] = {}
    frames = 0
    started = time.perf_counter()
    with open_source(str(SAMPLE), sample_fps=5.0) as source:
        width, height = source.frame_size
        for name, spec in LINE_SPECS.items():
            x1, y1, x2, y2 = (float(v) for v in spec.split(","))
            zones[name] = sv.LineZone(
                start=sv.Point(x1 * width, y1 * height),
                end=sv.Point(x2 * width, y2 * height),
                triggering_anchors=[sv.Position.BOTTOM_CENTER],
            )
        for frame in source:
            tracked = tracker.update_with_detections(detect(frame.image))
            for zone in zones.values():
                zone.trigger(tracked)
            frames += 1
    fps = frames / (time.perf_counter() - started)
    return fps, {name: (zone.in_count, zone.out_count) for name, zone in zones.items()}


def shopflow_run(model: Path, imgsz: int) -> tuple[float, dict[str, tuple[int, int]]]:
    detector = YoloOnnxDetector(model, imgsz=imgsz, confidence=0.1, threads=2)
    report = analyze_source(str(SAMPLE), detector.detect, lines=LINES, zones=ZONES, sample_fps=5.0)
    return report.frames_per_second, {n: (c["in"], c["out"]) for n, c in report.lines.items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sizes", default="480,640")
    parser.add_argument("--repeats", type=int, default=2)
    parser.add_argument("--backend", default=Backend.FP32.value)
    parser.add_argument("--data-dir", type=Path, default=ROOT / "bench" / "out" / "data")
    args = parser.parse_args()
    source = resolve_model("yolo11n")
    ours = backend_model(Backend(args.backend), source, args.data_dir)
    print(f"supervision {sv.__version__}, ShopFlow backend {args.backend}, load average {os.getloadavg()[0]:.1f}")
    print(f"median of {args.repeats} alternating runs; truth: vertical 13 / 18, horizontal 13 / 18\n")
    print("| input | anchor fps | ShopFlow fps | ShopFlow / anchor | anchor counts (in/out) | ShopFlow counts |")
    print("| ---: | ---: | ---: | ---: | --- | --- |")
    for size in (int(s) for s in args.sizes.split(",")):
        anchor_fps, our_fps = [], []
        anchor_counts: dict[str, tuple[int, int]] = {}
        our_counts: dict[str, tuple[int, int]] = {}
        for _ in range(args.repeats):
            fps, anchor_counts = anchor_run(source, size)
            anchor_fps.append(fps)
            fps, our_counts = shopflow_run(ours, size)
            our_fps.append(fps)
        a, o = statistics.median(anchor_fps), statistics.median(our_fps)

        def show(counts: dict[str, tuple[int, int]]) -> str:
            return ", ".join(f"{name} {i} / {out}" for name, (i, out) in counts.items())

        print(f"| {size} | {a:.1f} | {o:.1f} | {o / a:.2f}x | {show(anchor_counts)} | {show(our_counts)} |", flush=True)


if __name__ == "__main__":
    main()
