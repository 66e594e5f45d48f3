"""Detector backends side by side on the bundled sample: bare detector frames/s (interleaved, so both see the
same machine load), pipeline frames/s and the counts against the hand-verified truth, per input size.

    .venv/bin/python bench/detector_backends.py [--sizes 320,480,640] [--backends onnx-fp32,onnx-int8]
        [--bare-frames 60] [--threads 2] [--data-dir bench/out/data]

Also prints the CPU's vector extensions: INT8 only pays where the CPU has VNNI (or AVX-512), see docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import os
import time
from pathlib import Path

from shopflow.config.geometry import parse_line, parse_zone
from shopflow.pipeline.analyze import analyze_source
from shopflow.pipeline.sources import open_source
from shopflow.vision.backends import Backend, backend_model
from shopflow.vision.detector import YoloOnnxDetector
from shopflow.vision.model_files import resolve_model

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "src" / "shopflow" / "assets" / "vtest.avi"
LINES = [parse_line("vertical:0.40,0.98,0.40,0.28"), parse_line("horizontal:0.30,0.50,1.00,0.50")]
ZONES = [parse_zone("plaza:0.45,0.35;0.95,0.35;0.95,0.80;0.45,0.80")]
TRUTH = {"vertical": (13, 18), "horizontal": (13, 18)}  # tests/e2e/vtest_ground_truth.md


def cpu_flags() -> str:
    try:
        text = Path("/proc/cpuinfo").read_text(encoding="utf-8")
    except OSError:
        return "unknown"
    flags = next((line.split(":", 1)[1].split() for line in text.splitlines() if line.startswith("flags")), [])
    wanted = [f for f in flags if f.startswith(("avx", "amx")) or "vnni" in f]
    return " ".join(wanted) or "none"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sizes", default="320,480,640")
    parser.add_argument("--backends", default=",".join(b.value for b in Backend))
    parser.add_argument("--bare-frames", type=int, default=60)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--data-dir", type=Path, default=ROOT / "bench" / "out" / "data")
    args = parser.parse_args()
    source = resolve_model("yolo11n")
    backends = [Backend(b) for b in args.backends.split(",")]
    started = time.perf_counter()
    models = {b: backend_model(b, source, args.data_dir) for b in backends}
    print(f"models ready in {time.perf_counter() - started:.0f} s (built unless cached in {args.data_dir})")
    print(f"CPU vector extensions: {cpu_flags()}; load average {os.getloadavg()[0]:.1f}")
    with open_source(str(SAMPLE), sample_fps=5.0) as frames:
        images = [frame.image for frame in frames]
    step = max(1, len(images) // args.bare_frames)
    bare_images = images[::step][: args.bare_frames]
    print(f"bare: {len(bare_images)} frames interleaved; pipeline: all {len(images)} frames at 5 fps, motion gate on\n")
    print("| input | backend | bare detector fps | vs fp32 | pipeline fps | vertical in/out | horizontal in/out |")
    print("| ---: | --- | ---: | ---: | ---: | --- | --- |")
    for size in (int(s) for s in args.sizes.split(",")):
        detectors = {b: YoloOnnxDetector(models[b], imgsz=size, confidence=0.1, threads=args.threads) for b in backends}
        spent = dict.fromkeys(backends, 0.0)
        for detector in detectors.values():
            detector.detect(bare_images[0])
        for image in bare_images:  # A, B, A, B: both backends see the same moments of a shared machine
            for backend, detector in detectors.items():
                tick = time.perf_counter()
                detector.detect(image)
                spent[backend] += time.perf_counter() - tick
        for backend, detector in detectors.items():
            report = analyze_source(str(SAMPLE), detector.detect, lines=LINES, zones=ZONES, sample_fps=5.0)
            v, h = report.lines["vertical"], report.lines["horizontal"]
            print(
                f"| {size} | {backend.value} | {len(bare_images) / spent[backend]:.1f} "
                f"| {spent[backends[0]] / spent[backend]:.2f}x | {report.frames_per_second:.1f} "
                f"| {v['in']} / {v['out']} | {h['in']} / {h['out']} |",
                flush=True,
            )
    print(f"\ntruth: vertical {TRUTH['vertical']}, horizontal {TRUTH['horizontal']}")


if __name__ == "__main__":
    main()
