"""Re-identification measured as a classifier of "same person?" on labelled appearances from the sample video.

Labels come from the tracker, not from the threshold being measured: the two halves of one long, clean track are
the same person (positive pairs); two tracks seen in the same frame are different people (negative pairs). The
tracks are split in two by id; the threshold that maximises F1 on the first half is reported on the second.

    .venv/bin/python bench/reid_classifier.py [--fps 5]

Caveat: the positive pairs are halves of one visit (same light, similar pose), easier than a real return after
leaving the view, so recall here is an upper bound; the negative pairs are the hard ones that matter (people in
view together, several in similar dark clothes).
"""

from __future__ import annotations

import argparse
import itertools
from pathlib import Path

import numpy as np

from shopflow.analysis.visitors import VisitorSettings, similarity
from shopflow.pipeline.sources import open_source
from shopflow.vision.appearance import describe_clear
from shopflow.vision.detector import YoloOnnxDetector
from shopflow.vision.model_files import resolve_model
from shopflow.vision.tracker import PersonTracker

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "src" / "shopflow" / "assets" / "vtest.avi"
MIN_VIEWS = 6  # per half-track: fewer clear views are not a fair sample of someone's clothes


def collect(fps: float) -> tuple[dict[int, list[np.ndarray]], set[tuple[int, int]]]:
    """Clear-view descriptors per track, and the pairs of tracks ever seen in the same frame."""
    detector = YoloOnnxDetector(resolve_model("yolo11n"), imgsz=640, confidence=0.1, threads=2)
    views: dict[int, list[np.ndarray]] = {}
    together: set[tuple[int, int]] = set()
    tracker = PersonTracker()
    with open_source(str(SAMPLE), sample_fps=fps) as source:
        for frame in source:
            people = tracker.update(detector.detect(frame.image), frame.timestamp)
            for track_id, descriptor in describe_clear(frame.image, people).items():
                views.setdefault(track_id, []).append(descriptor)
            ids = sorted(p.track_id for p in people)
            together.update(itertools.combinations(ids, 2))
    return views, together


def pairs(
    views: dict[int, list[np.ndarray]], together: set[tuple[int, int]], tracks: set[int]
) -> tuple[list[float], list[float]]:
    """Similarity scores of positive (same person) and negative (different people) pairs among `tracks`."""
    halves: dict[int, tuple[np.ndarray, np.ndarray]] = {}
    for track_id in tracks:
        seen = views.get(track_id, [])
        if len(seen) >= 2 * MIN_VIEWS:
            middle = len(seen) // 2
            halves[track_id] = (np.mean(seen[:middle], axis=0), np.mean(seen[middle:], axis=0))
    positives = [similarity(first, second) for first, second in halves.values()]
    whole = {t: np.mean(views[t], axis=0) for t in tracks if len(views.get(t, [])) >= MIN_VIEWS}
    negatives = [similarity(whole[a], whole[b]) for a, b in together if a in whole and b in whole]
    return positives, negatives


def rates(positives: list[float], negatives: list[float], threshold: float) -> tuple[float, float]:
    true_positive = sum(score >= threshold for score in positives)
    false_positive = sum(score >= threshold for score in negatives)
    precision = true_positive / (true_positive + false_positive) if true_positive + false_positive else 1.0
    recall = true_positive / len(positives) if positives else 0.0
    return precision, recall


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--fps", type=float, default=5.0)
    args = parser.parse_args()
    views, together = collect(args.fps)
    tracks = sorted(views)
    tuning, held_out = set(tracks[0::2]), set(tracks[1::2])
    tune_pos, tune_neg = pairs(views, together, tuning)
    test_pos, test_neg = pairs(views, together, held_out)
    candidates = np.round(np.arange(0.80, 0.995, 0.005), 3)

    def f1(threshold: float) -> float:
        precision, recall = rates(tune_pos, tune_neg, threshold)
        return 2 * precision * recall / (precision + recall) if precision + recall else 0.0

    chosen = float(max(candidates, key=lambda t: (f1(float(t)), float(t))))
    current = VisitorSettings().same_person_similarity
    print(
        f"tracks: {len(tracks)}; tuning half: {len(tune_pos)} positive / {len(tune_neg)} negative pairs; "
        f"held-out half: {len(test_pos)} positive / {len(test_neg)} negative pairs"
    )
    print("| threshold | chosen on | precision (held out) | recall (held out) |")
    print("|---|---|---|---|")
    for label, threshold in (("current setting", current), ("best F1 on the tuning half", chosen)):
        precision, recall = rates(test_pos, test_neg, threshold)
        print(f"| {threshold:.3f} | {label} | {precision:.1%} | {recall:.1%} |")
    hardest = sorted(test_neg + tune_neg)[-5:]
    print("highest similarity of two different people:", ", ".join(f"{s:.3f}" for s in hardest))


if __name__ == "__main__":
    main()
