"""Pipeline throughput on the bundled sample: the full pipeline against the bare detector on the same frames,
with and without motion gating, at several detector input sizes. Prints a Markdown table.

    .venv/bin/python bench/pipeline_throughput.py [--video PATH] [--fps 5] [--sizes 320,480,640] [--repeats 2]
"""

from __future__ import annotations

import argparse
import statistics
import time
from dataclasses import replace
from pathlib import Path

from shopflow.config.geometry import parse_line, parse_zone
from shopflow.pipeline.analyze import analyze_source
from shopflow.pipeline.engine import EngineSettings
from shopflow.pipeline.sources import open_source
from shopflow.vision.detector import YoloOnnxDetector
from shopflow.vision.model_files import resolve_model

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "src" / "shopflow" / "assets" / "vtest.avi"
LINES = [parse_line("vertical:0.40,0.98,0.40,0.28"), parse_line("horizontal:0.30,0.50,1.00,0.50")]
ZONES = [parse_zone("plaza:0.45,0.35;0.95,0.35;0.95,0.80;0.45,0.80")]


def bare_detector_fps(detector: YoloOnnxDetector, video: Path, fps: float) -> float:
    """Detector alone on frames decoded beforehand: the ceiling the pipeline is measured against."""
    with open_source(str(video), sample_fps=fps) as source:
        images = [frame.image for frame in source]
    detector.detect(images[0])
    start = time.perf_counter()
    for image in images:
        detector.detect(image)
    return len(images) / (time.perf_counter() - start)


def pipeline_run(
    detector: YoloOnnxDetector, video: Path, fps: float, gated: bool
) -> tuple[float, float, dict[str, int]]:
    settings = EngineSettings()
    settings = replace(settings, motion=replace(settings.motion, enabled=gated))
    report = analyze_source(str(video), detector.detect, lines=LINES, zones=ZONES, sample_fps=fps, settings=settings)
    counts = {f"{n}_{d}": c[d] for n, c in report.lines.items() for d in ("in", "out")}
    counts["visitors"] = report.unique_visitors
    return report.frames_per_second, report.realtime_factor, counts


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--video", type=Path, default=SAMPLE)
    parser.add_argument("--fps", type=float, default=5.0)
    parser.add_argument("--sizes", default="320,480,640")
    parser.add_argument("--repeats", type=int, default=2)
    parser.add_argument("--threads", type=int, default=2)
    args = parser.parse_args()
    model = resolve_model("yolo11n")
    print(
        f"video {args.video.name}, sampled at {args.fps:g} fps, {args.threads} detector threads, "
        f"median of {args.repeats} runs\n"
    )
    print(
        "| input | bare detector fps | pipeline fps (no gate) | pipeline / detector | pipeline fps (gated) "
        "| x real time (gated) | counts equal with gate |"
    )
    print("| --- | ---: | ---: | ---: | ---: | ---: | --- |")
    for size in (int(s) for s in args.sizes.split(",")):
        detector = YoloOnnxDetector(model, imgsz=size, confidence=0.1, threads=args.threads)
        bare, plain, gated, realtime = [], [], [], []
        counts_plain: dict[str, int] = {}
        counts_gated: dict[str, int] = {}
        for _ in range(args.repeats):
            bare.append(bare_detector_fps(detector, args.video, args.fps))
            fps_plain, _, counts_plain = pipeline_run(detector, args.video, args.fps, gated=False)
            fps_gated, rt_gated, counts_gated = pipeline_run(detector, args.video, args.fps, gated=True)
            plain.append(fps_plain)
            gated.append(fps_gated)
            realtime.append(rt_gated)
        b, p, g, r = (statistics.median(v) for v in (bare, plain, gated, realtime))
        same = "yes" if counts_plain == counts_gated else f"no: {counts_plain} vs {counts_gated}"
        print(f"| {size} | {b:.1f} | {p:.1f} | {p / b:.0%} | {g:.1f} | {r:.1f}x | {same} |")


if __name__ == "__main__":
    main()
