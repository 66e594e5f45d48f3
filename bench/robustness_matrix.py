"""Counting accuracy on the sample video changed the ways real cameras differ from it (tests/e2e/variants.py):
per line and direction, against the hand-verified ground truth moved with each change. Prints a Markdown table
for docs/benchmarks.md. No video is written: frames are transformed as they are read.

    .venv/bin/python bench/robustness_matrix.py [--only NAME,NAME] [--imgsz 640]
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # the variants live with the e2e tests that check the fast ones

from tests.e2e.variants import TRUTH, VARIANTS, accuracy, analyse  # noqa: E402

from shopflow.vision.detector import YoloOnnxDetector  # noqa: E402
from shopflow.vision.model_files import resolve_model  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", default="", help="comma-separated variant names (default: all)")
    parser.add_argument("--imgsz", type=int, default=640)
    args = parser.parse_args()
    wanted = {name for name in args.only.split(",") if name}
    detector = YoloOnnxDetector(resolve_model("yolo11n"), imgsz=args.imgsz, confidence=0.1, threads=2)
    keys = list(TRUTH)
    header = " | ".join(f"{line} {direction}" for line, direction in keys)
    truth = " | ".join(str(low) if low == high else f"{low}-{high}" for low, high in TRUTH.values())
    print(f"| variant | fps | {header} | unique visitors (12) | accuracy | seconds |")
    print("|---|---|" + "---|" * len(keys) + "---|---|---|")
    print(f"| ground truth | | {truth} | 12 | | |")
    for variant in VARIANTS:
        if wanted and variant.name not in wanted:
            continue
        started = time.perf_counter()
        report = analyse(variant, detector.detect)
        seconds = time.perf_counter() - started
        counts = " | ".join(str(report.lines[line][direction]) for line, direction in keys)
        print(
            f"| {variant.description} | {variant.fps:g} | {counts} | {report.unique_visitors} "
            f"| {accuracy(report.lines):.1%} | {seconds:.0f} |",
            flush=True,
        )


if __name__ == "__main__":
    main()
