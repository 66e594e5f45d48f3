"""How often a newcomer is taken for one of the different people the visitor counter remembers, as the number
remembered grows (docs/benchmarks.md, "Re-identification in a busy store").

VisitorCounter compares a newcomer with every visitor who left in the last 15 minutes (up to 500). One pair of
different people scores above the threshold with some small probability p; a newcomer compared with K of them is
merged with one of them with about 1 - (1 - p)^K. On the sample clip this checks the model against the stretches
(bench/reid_classifier.py) that were in view together with others, who are different people for certain.

    .venv/bin/python bench/reid_crowd.py [--thresholds 0.93,0.94,0.95,0.96]
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np

from reid_classifier import MIN_VIEWS, SAME, Segment, describe_all, score
from reid_tracks import tracked_frames
from reid_variants import VARIANTS
from shopflow.domain.people import Descriptor


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--fps", type=float, default=5.0)
    parser.add_argument("--thresholds", default="0.93,0.94,0.95,0.96")
    parser.add_argument("--cache", type=Path, default=None, help="default: /tmp/shopflow-reid-tracks-<fps>fps.json")
    args = parser.parse_args()
    cache = args.cache or Path(f"/tmp/shopflow-reid-tracks-{args.fps:g}fps.json")
    product = VARIANTS[0]
    views, _, together = describe_all(tracked_frames(args.fps, cache), args.fps, [product])
    whole: dict[Segment, Descriptor] = {
        stretch: np.mean(seen, axis=0) for stretch, seen in views[0][SAME].items() if len(seen) >= MIN_VIEWS
    }
    others: dict[Segment, set[Segment]] = {stretch: set() for stretch in whole}
    for a, b in together:
        if a in whole and b in whole:
            others[a].add(b)
            others[b].add(a)
    pairs = [product.similarity(whole[a], whole[b]) for a, b in together if a in whole and b in whole]
    crowded = [stretch for stretch in whole if others[stretch]]
    mean_others = float(np.mean([len(others[stretch]) for stretch in crowded]))
    print(f"{len(pairs)} pairs of different people; {len(crowded)} stretches, each with {mean_others:.1f} others")
    # The cost of a higher threshold: returns of the same person (a stretch's two halves) no longer recognised.
    positives, _ = score(product, views[0], together).pick({stretch[0] for stretch in whole})
    print(
        "| threshold | returns recognised | p (one pair) | stretches with a lookalike among their others "
        "| model at that K | K = 10 | K = 50 |"
    )
    print("|---|---|---|---|---|---|---|")
    for threshold in (float(t) for t in args.thresholds.split(",")):
        p = float(np.mean([score >= threshold for score in pairs]))
        fooled = sum(
            max(product.similarity(whole[stretch], whole[other]) for other in others[stretch]) >= threshold
            for stretch in crowded
        )
        recall = float(np.mean([s >= threshold for s in positives]))
        model = float(np.mean([1 - (1 - p) ** len(others[stretch]) for stretch in crowded]))
        print(
            f"| {threshold:.2f} | {recall:.1%} | {p:.1%} | {fooled}/{len(crowded)} ({fooled / len(crowded):.1%}) "
            f"| {model:.1%} "
            f"| {1 - (1 - p) ** 10:.0%} | {1 - (1 - p) ** 50:.0%} |"
        )


if __name__ == "__main__":
    main()
