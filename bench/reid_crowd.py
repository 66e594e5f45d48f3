"""How often a newcomer is taken for one of the different people the visitor counter remembers, as the number
remembered grows (docs/benchmarks.md, "Re-identification in a busy store").

VisitorCounter compares a newcomer with every visitor who left in the last 15 minutes (up to 500). One pair of
different people scores above the threshold with some small probability p; a newcomer compared with K of them is
merged with one of them with about 1 - (1 - p)^K. On the sample clip this checks the model against the stretches
(bench/reid_classifier.py) that were in view together with others, who are different people for certain.

The second table adds the stature test (analysis/stature.py): a pair is also refused when the two were seen at
the same depths and their boxes there differ in height by more than the tolerance. The camera's line of height
against depth is fitted on the whole clip first here (the product learns it as it goes).

The third table is the product's rule for many remembered (analysis/lookalikes.py): the threshold for K
remembered, learnt from this clip's pairs of strangers, the chance of a mistake it leaves, and the returns it
still recognises.

    .venv/bin/python bench/reid_crowd.py [--thresholds 0.93,0.94,0.95,0.96]
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np

from reid_classifier import MIN_VIEWS, SAME, Segment, clear_people, describe_all, score, segments
from reid_tracks import Frames, tracked_frames
from reid_variants import VARIANTS
from shopflow.analysis.lookalikes import Lookalikes
from shopflow.analysis.stature import Heights, StatureModel
from shopflow.analysis.visitors import VisitorSettings
from shopflow.domain.people import Descriptor

FRAME_SIZE = (768, 576)  # the sample's


def heights(frames: Frames) -> tuple[StatureModel, dict[Segment, Heights], dict[Segment, tuple[Heights, Heights]]]:
    """The camera's line, every stretch's heights by depth, and each stretch's halves (as its descriptor's
    halves: the same clear views, split at the middle)."""
    model = StatureModel(FRAME_SIZE[1])
    stretches = segments(frames)
    seen: dict[Segment, list[tuple[float, float]]] = {}
    for index, chosen in enumerate(clear_people(frames, FRAME_SIZE)):
        for i in chosen:
            person = frames[index][i]
            if person.track_id in stretches[index]:
                seen.setdefault(stretches[index][person.track_id], []).append((person.y2, person.y2 - person.y1))
    whole: dict[Segment, Heights] = {}
    halves: dict[Segment, tuple[Heights, Heights]] = {}
    for stretch, views in seen.items():
        whole[stretch], first, second = Heights(), Heights(), Heights()
        for i, view in enumerate(views):
            model.add(whole[stretch], *view)
            model.record(first if i < len(views) // 2 else second, *view)
        halves[stretch] = (first, second)
    return model, whole, halves


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--fps", type=float, default=5.0)
    parser.add_argument("--thresholds", default="0.93,0.94,0.95,0.96")
    parser.add_argument("--cache", type=Path, default=None, help="default: /tmp/shopflow-reid-tracks-<fps>fps.json")
    args = parser.parse_args()
    cache = args.cache or Path(f"/tmp/shopflow-reid-tracks-{args.fps:g}fps.json")
    thresholds = [float(t) for t in args.thresholds.split(",")]
    product = VARIANTS[0]
    frames = tracked_frames(args.fps, cache)
    views, _, together = describe_all(frames, args.fps, [product])
    whole: dict[Segment, Descriptor] = {
        stretch: np.mean(seen, axis=0) for stretch, seen in views[0][SAME].items() if len(seen) >= MIN_VIEWS
    }
    pairs = {(a, b): product.similarity(whole[a], whole[b]) for a, b in together if a in whole and b in whole}
    # The cost of a higher threshold: returns of the same person (a stretch's two halves) no longer recognised.
    returns = {stretch: by[SAME][0] for stretch, by in score(product, views[0], together).positive.items()}
    crowd_table(thresholds, pairs, returns)

    model, by_depth, halves = heights(frames)
    tolerance = model.settings.same_person_tolerance
    judged = {pair: model.difference(by_depth[pair[0]], by_depth[pair[1]]) for pair in pairs}
    known = [d for d in judged.values() if d is not None]
    print(
        f"\nStature: {len(known)} of {len(judged)} pairs of different people seen at shared depths, "
        f"{sum(d > tolerance for d in known)} of them more than {tolerance:.0%} apart in height"
    )
    own = {stretch: model.difference(*halves[stretch]) for stretch in returns}
    own_known = [d for d in own.values() if d is not None]
    print(
        f"One person's two halves: {len(own_known)} of {len(own)} seen at shared depths, "
        f"{sum(d > tolerance for d in own_known)} of them more than {tolerance:.0%} apart\n"
    )
    print("With the stature test (a pair it sets apart no longer matches at any threshold):\n")
    kept = {pair: 0.0 if (d := judged[pair]) is not None and d > tolerance else s for pair, s in pairs.items()}
    kept_returns = {
        stretch: 0.0 if (d := own[stretch]) is not None and d > tolerance else s for stretch, s in returns.items()
    }
    crowd_table(thresholds, kept, kept_returns)
    remembered_table(kept, kept_returns)


def remembered_table(pairs: dict[tuple[Segment, Segment], float], returns: dict[Segment, float]) -> None:
    """The threshold the product uses for K remembered, having learnt these pairs of strangers."""
    lookalikes = Lookalikes()
    for similarity in pairs.values():
        lookalikes.add(similarity)
    base = VisitorSettings().same_person_similarity
    print("\nThe threshold raised for many remembered (stature test on):\n")
    print("| remembered (K) | threshold | p (one pair) | a newcomer taken for someone else | returns recognised |")
    print("|---|---|---|---|---|")
    for remembered in (6, 10, 20, 50, 100, 500):
        threshold = lookalikes.threshold(base, remembered)
        p = float(np.mean([similarity >= threshold for similarity in pairs.values()]))
        recall = float(np.mean([similarity >= threshold for similarity in returns.values()]))
        print(f"| {remembered} | {threshold:.3f} | {p:.1%} | {1 - (1 - p) ** remembered:.0%} | {recall:.1%} |")


def crowd_table(
    thresholds: list[float], pairs: dict[tuple[Segment, Segment], float], returns: dict[Segment, float]
) -> None:
    """Per threshold: returns recognised, p, and the stretches fooled by one of the others in view with them."""
    others: dict[Segment, list[float]] = {}
    for (a, b), similarity in pairs.items():
        others.setdefault(a, []).append(similarity)
        others.setdefault(b, []).append(similarity)
    mean_others = float(np.mean([len(scores) for scores in others.values()]))
    print(f"{len(pairs)} pairs of different people; {len(others)} stretches, each with {mean_others:.1f} others\n")
    print(
        "| threshold | returns recognised | p (one pair) | stretches with a lookalike among their others "
        "| model at that K | K = 10 | K = 50 |"
    )
    print("|---|---|---|---|---|---|---|")
    for threshold in thresholds:
        p = float(np.mean([similarity >= threshold for similarity in pairs.values()]))
        fooled = sum(max(scores) >= threshold for scores in others.values())
        recall = float(np.mean([similarity >= threshold for similarity in returns.values()]))
        model = float(np.mean([1 - (1 - p) ** len(scores) for scores in others.values()]))
        print(
            f"| {threshold:.2f} | {recall:.1%} | {p:.1%} | {fooled}/{len(others)} ({fooled / len(others):.1%}) "
            f"| {model:.1%} | {1 - (1 - p) ** 10:.0%} | {1 - (1 - p) ** 50:.0%} |"
        )


if __name__ == "__main__":
    main()
