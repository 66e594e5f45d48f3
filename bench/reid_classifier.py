"""Re-identification measured as a classifier of "same person?" on labelled appearances from the sample video.

Labels come from the tracker, not from the threshold being measured, and only where the tracker cannot have
swapped ids: a track is cut into stretches wherever its box touches another or it goes missing (segments()).
The two halves of one stretch are the same person (positive pairs); two stretches seen in the same frame are
different people (negative pairs). A return under other light is mimicked by describing one half (or one person
of a negative pair) 30 % darker or brighter, over the whole frame or over the people only: more positives, and
negatives just as hard. The tracks are split in two by id many ways (odd/even ids and seeded random halves, each
used both ways round): the threshold that maximises F1 on one half is reported on the other, and the mean and
worst of those figures are printed per descriptor variant (bench/reid_variants.py).

    .venv/bin/python bench/reid_classifier.py [--light all|frame|person|none] [--seeds 10] [--only 0,7]

The detector and tracker run once; their boxes are cached (default /tmp/shopflow-reid-tracks-5fps.json, outside
the repository) and the frames decoded again on every run, so variants are cheap to try. Caveat: the positive
pairs are halves of one stretch of a visit (same pose, same light unless changed on purpose), easier than a
real return after leaving the view, so recall here is an upper bound; the negative pairs are the hard ones that
matter (people in view together, several in the same dark jacket and jeans).
"""

from __future__ import annotations

import argparse
import itertools
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import cv2
import numpy as np

from reid_tracks import Frames, images, tracked_frames
from reid_variants import VARIANTS, Variant
from shopflow.analysis.visitors import VisitorSettings
from shopflow.domain.people import Descriptor, TrackedPerson
from shopflow.vision.appearance import MIN_HEIGHT_PX, clear_views
from shopflow.vision.detector import Image
from shopflow.vision.tracker import box_iou

MIN_VIEWS = 6  # per half-stretch: fewer clear views are not a fair sample of someone's clothes
SAME = "same light"
# A return under other light: brightness -30 % and +30 % (as bench/robustness_matrix.py), over the whole frame
# (the camera's exposure, daylight, the lights switched on) or over the people only (another part of the store,
# which a correction computed from the whole frame cannot see).
LIGHTS = {
    SAME: (1.0, "frame"),
    "frame -30 %": (0.7, "frame"),
    "frame +30 %": (1.3, "frame"),
    "person -30 %": (0.7, "person"),
    "person +30 %": (1.3, "person"),
}
CHANGED = tuple(light for light in LIGHTS if light != SAME)
CONDITIONS = {
    "none": (SAME,),
    "frame": (SAME, "frame -30 %", "frame +30 %"),
    "person": (SAME, "person -30 %", "person +30 %"),
    "all": tuple(LIGHTS),
}

Segment = tuple[int, int]  # a track id and the number of its unbroken stretch (segments())
Views = dict[Segment, list[Descriptor]]  # per stretch, its clear views in order


@dataclass
class Scores:
    """One variant's pair scores, per stretch (positives) and per pair of stretches (negatives)."""

    positive: dict[Segment, dict[str, list[float]]] = field(default_factory=dict)  # per light condition
    negative: dict[tuple[Segment, Segment], dict[str, list[float]]] = field(default_factory=dict)

    def pick(self, tracks: set[int], conditions: Sequence[str] = (SAME,)) -> tuple[list[float], list[float]]:
        """The pairs among the stretches of `tracks` (both stretches of a negative pair in them)."""
        positives = [s for t, by in self.positive.items() if t[0] in tracks for c in conditions for s in by[c]]
        negatives = [
            s
            for (a, b), by in self.negative.items()
            if a[0] in tracks and b[0] in tracks
            for c in conditions
            for s in by[c]
        ]
        return positives, negatives


def segments(frames: Frames, whole_tracks: bool = False) -> list[dict[int, Segment]]:
    """Per frame, the unbroken stretch each person is in; people touching another box are in none.

    The tracker swaps ids now and then when two people cross, or when it revives a lost track on someone else,
    so a whole track is not one person for sure. A stretch ends when the person's box touches another (IoU > 0)
    or the track goes missing for a frame. Within a stretch the id could pass to someone else only if two people
    traded places between two frames without their boxes ever touching, so a stretch is taken as one person (the
    lowest-scoring ones were checked on contact sheets) and two stretches in the same frame as two people. With
    `whole_tracks` every track is one stretch (people touching others included), as this bench labelled before."""
    if whole_tracks:
        return [{p.track_id: (p.track_id, 1) for p in people} for people in frames]
    counter: dict[int, int] = {}
    open_in: dict[int, int] = {}  # track id -> the frame its current stretch was last seen in
    result: list[dict[int, Segment]] = []
    for index, people in enumerate(frames):
        boxes = np.array([[p.x1, p.y1, p.x2, p.y2] for p in people], dtype=np.float64).reshape(-1, 4)
        overlap = box_iou(boxes, boxes)
        np.fill_diagonal(overlap, 0.0)
        current: dict[int, Segment] = {}
        for i, person in enumerate(people):
            track_id = person.track_id
            if overlap[i].max(initial=0.0) > 0.0:
                open_in.pop(track_id, None)
                continue
            if open_in.get(track_id) != index - 1:
                counter[track_id] = counter.get(track_id, 0) + 1
            open_in[track_id] = index
            current[track_id] = (track_id, counter[track_id])
        result.append(current)
    return result


def clear_people(frames: Frames, frame_size: tuple[int, int]) -> list[list[int]]:
    """Per frame, the indices of the people the product would describe: seen whole and apart, confident, tall
    enough. Chosen on the original frames, so every variant and light describes the same views."""
    width, height = frame_size
    chosen = []
    for people in frames:
        clear = clear_views(people, width, height)
        chosen.append(
            [i for i, p in enumerate(people) if clear[i] and p.confidence >= 0.5 and p.y2 - p.y1 >= MIN_HEIGHT_PX]
        )
    return chosen


def relit(image: Image, people: Sequence[TrackedPerson], factor: float, where: str) -> Image:
    """The frame with its brightness scaled by `factor`, everywhere or in the people's boxes only."""
    if factor == 1.0:
        return image
    if where == "frame":
        return np.asarray(cv2.convertScaleAbs(image, alpha=factor, beta=0.0), dtype=np.uint8)
    shown = image.copy()
    for p in people:
        box = shown[int(p.y1) : int(p.y2), int(p.x1) : int(p.x2)]
        box[:] = cv2.convertScaleAbs(box, alpha=factor, beta=0.0)
    return shown


def describe_all(
    frames: Frames, fps: float, variants: Sequence[Variant], whole_tracks: bool = False
) -> tuple[list[dict[str, Views]], list[float], set[tuple[Segment, Segment]]]:
    """Every variant's views of every stretch, in the original light and the changed ones; the milliseconds
    each variant spends per frame (original light); and the pairs of stretches seen in the same frame."""
    views: list[dict[str, Views]] = [{light: {} for light in LIGHTS} for _ in variants]
    spent = [0.0] * len(variants)
    together: set[tuple[Segment, Segment]] = set()
    stretches = segments(frames, whole_tracks)
    chosen: list[list[int]] | None = None
    for index, image in enumerate(images(fps)):
        people = frames[index]
        if chosen is None:
            chosen = clear_people(frames, (image.shape[1], image.shape[0]))
        clear = [people[i] for i in chosen[index] if people[i].track_id in stretches[index]]
        together.update(itertools.combinations(sorted(stretches[index].values()), 2))
        for light, (factor, where) in LIGHTS.items():
            shown = relit(image, clear, factor, where)
            for v, variant in enumerate(variants):
                started = time.perf_counter()
                described = variant.describe_frame(shown, clear)
                if light == SAME:
                    spent[v] += time.perf_counter() - started
                for track_id, descriptor in described.items():
                    if descriptor is not None:
                        views[v][light].setdefault(stretches[index][track_id], []).append(descriptor)
    per_frame = [1000.0 * seconds / max(len(frames), 1) for seconds in spent]
    return views, per_frame, together


def score(variant: Variant, views: dict[str, Views], together: set[tuple[Segment, Segment]]) -> Scores:
    """Positives: a stretch's first half against its second (also with either half in changed light);
    negatives: two stretches in view together, each described whole (also with either one in changed light).
    Descriptors are averaged over views, as VisitorCounter does."""
    halves: dict[str, dict[Segment, tuple[Descriptor, Descriptor]]] = {}
    whole: dict[str, dict[Segment, Descriptor]] = {}
    for light, per_track in views.items():
        halves[light] = {}
        whole[light] = {}
        for track_id, seen in per_track.items():
            if len(seen) >= MIN_VIEWS:
                whole[light][track_id] = np.mean(seen, axis=0)
            if len(seen) >= 2 * MIN_VIEWS:
                middle = len(seen) // 2
                halves[light][track_id] = (np.mean(seen[:middle], axis=0), np.mean(seen[middle:], axis=0))
    scores = Scores()
    same = variant.similarity
    for stretch, (first, second) in halves[SAME].items():
        scores.positive[stretch] = {SAME: [same(first, second)]}
        for light in CHANGED:
            first_lit, second_lit = halves[light][stretch]
            scores.positive[stretch][light] = [same(first, second_lit), same(second, first_lit)]
    for a, b in together:
        if a in whole[SAME] and b in whole[SAME]:
            scores.negative[(a, b)] = {SAME: [same(whole[SAME][a], whole[SAME][b])]}
            for light in CHANGED:
                lit = whole[light]
                scores.negative[(a, b)][light] = [same(whole[SAME][a], lit[b]), same(whole[SAME][b], lit[a])]
    return scores


def rates(positives: Sequence[float], negatives: Sequence[float], threshold: float) -> tuple[float, float, float]:
    """Precision, recall and F1 of "same person" at `threshold`."""
    true_positive = sum(s >= threshold for s in positives)
    false_positive = sum(s >= threshold for s in negatives)
    precision = true_positive / (true_positive + false_positive) if true_positive + false_positive else 1.0
    recall = true_positive / len(positives) if positives else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return precision, recall, f1


def best_threshold(positives: Sequence[float], negatives: Sequence[float]) -> float:
    """The threshold with the best F1, halfway between two observed scores; on a tie the highest (fewer merges)."""
    ordered = sorted(set(positives) | set(negatives))
    candidates = [(low + high) / 2 for low, high in itertools.pairwise(ordered)] + [ordered[0] - 1e-6]
    return max(candidates, key=lambda t: (rates(positives, negatives, t)[2], t))


def splits(tracks: Sequence[int], seeds: int) -> list[tuple[str, set[int], set[int]]]:
    """Tuning and held-out halves: odd/even ids (the first published split) and seeded random halves, each used
    both ways round."""
    ordered = sorted(tracks)
    halves = [("ids", set(ordered[0::2]), set(ordered[1::2]))]
    for seed in range(1, seeds + 1):
        shuffled = np.random.default_rng(seed).permutation(ordered).tolist()
        halves.append((f"seed {seed}", set(shuffled[0::2]), set(shuffled[1::2])))
    return [(f"{name} {way}", *pair) for name, a, b in halves for way, pair in (("A>B", (a, b)), ("B>A", (b, a)))]


@dataclass
class Summary:
    thresholds: list[float] = field(default_factory=list)
    held_out: list[tuple[float, float, float]] = field(default_factory=list)  # all pairs
    same_light: list[tuple[float, float, float]] = field(default_factory=list)
    false_merges: int = 0
    negatives: int = 0
    missed: int = 0
    positives: int = 0


def evaluate(scores: Scores, tracks: Sequence[int], seeds: int, conditions: Sequence[str]) -> Summary:
    """Tune on one half, report on the other, for every split, on the pairs in the given light conditions."""
    summary = Summary()
    for _, tuning, held_out in splits(tracks, seeds):
        threshold = best_threshold(*scores.pick(tuning, conditions))
        summary.thresholds.append(threshold)
        positives, negatives = scores.pick(held_out, conditions)
        summary.held_out.append(rates(positives, negatives, threshold))
        summary.same_light.append(rates(*scores.pick(held_out), threshold))
        summary.false_merges += sum(s >= threshold for s in negatives)
        summary.negatives += len(negatives)
        summary.missed += sum(s < threshold for s in positives)
        summary.positives += len(positives)
    return summary


def auc(positives: Sequence[float], negatives: Sequence[float]) -> float:
    """Chance that a positive pair scores above a negative one (ties count half): independent of any threshold."""
    pos, neg = np.asarray(positives)[:, None], np.asarray(negatives)[None, :]
    return float(((pos > neg).sum() + 0.5 * (pos == neg).sum()) / (pos.size * neg.size))


def report_current(scores: Scores, tracks: Sequence[int]) -> None:
    """The product at its current threshold: on the first published split (same light, as docs/benchmarks.md had
    it before), then on every pair per light condition (the threshold was not tuned on these labels)."""
    _, tuning, held_out = splits(tracks, 0)[0]
    tune_pos, tune_neg = scores.pick(tuning)
    test_pos, test_neg = scores.pick(held_out)
    chosen = best_threshold(tune_pos, tune_neg)
    current = VisitorSettings().same_person_similarity
    print(
        f"product, odd/even ids, same light: {len(tune_pos)} positive / {len(tune_neg)} negative pairs to tune on, "
        f"{len(test_pos)} / {len(test_neg)} held out"
    )
    print("| threshold | chosen on | precision (held out) | recall (held out) |")
    print("|---|---|---|---|")
    for label, threshold in (("current setting", current), ("best F1 on the tuning half", chosen)):
        precision, recall, _ = rates(test_pos, test_neg, threshold)
        print(f"| {threshold:.3f} | {label} | {precision:.1%} | {recall:.1%} |")
    print()
    print(f"product at {current:.3f}, all stretches:")
    print("| light | precision | recall | false merges | missed |")
    print("|---|---|---|---|---|")
    for light in LIGHTS:
        positives, negatives = scores.pick(set(tracks), (light,))
        precision, recall, _ = rates(positives, negatives, current)
        merges, missed = sum(s >= current for s in negatives), sum(s < current for s in positives)
        print(f"| {light} | {precision:.1%} | {recall:.1%} | {merges}/{len(negatives)} | {missed}/{len(positives)} |")
    print()


def versus(f1: np.ndarray, first: np.ndarray) -> str:
    """In how many splits a variant's held-out F1 beats, equals or trails the first row's (the same splits): the
    splits share their pairs, so the counts say more about consistency than the means do."""
    better, worse = int((f1 > first + 1e-9).sum()), int((f1 < first - 1e-9).sum())
    return f"{better} / {len(f1) - better - worse} / {worse}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--fps", type=float, default=5.0)
    parser.add_argument("--seeds", type=int, default=10, help="random splits besides odd/even ids")
    parser.add_argument("--cache", type=Path, default=None, help="default: /tmp/shopflow-reid-tracks-<fps>fps.json")
    parser.add_argument("--only", default="", help="comma-separated variant numbers (0 = the product's)")
    parser.add_argument(
        "--light", choices=list(CONDITIONS), default="all", help="which light changes to add to the pairs"
    )
    parser.add_argument(
        "--whole-tracks", action="store_true", help="label whole tracks, id switches and all (the old labels)"
    )
    args = parser.parse_args()
    cache = args.cache or Path(f"/tmp/shopflow-reid-tracks-{args.fps:g}fps.json")
    wanted = {int(n) for n in args.only.split(",") if n}
    variants = [v for i, v in enumerate(VARIANTS) if not wanted or i in wanted]
    conditions = CONDITIONS[args.light]
    frames = tracked_frames(args.fps, cache)
    views, per_frame, together = describe_all(frames, args.fps, variants, args.whole_tracks)
    rows = []
    for v, variant in enumerate(variants):
        scores = score(variant, views[v], together)
        tracks = sorted({stretch[0] for stretch in views[v][SAME]})
        if variant.product:
            report_current(scores, tracks)
        rows.append((variant, scores, evaluate(scores, tracks, args.seeds, conditions), per_frame[v], tracks))
    _, scores, summary, _, tracks = rows[0]
    same_pos, same_neg = scores.pick(set(tracks))
    all_pos, all_neg = scores.pick(set(tracks), conditions)
    print(
        f"{len(tracks)} tracks, {len(scores.positive)} stretches with 2x{MIN_VIEWS} clear views; "
        f"{len(same_pos)} positive / {len(same_neg)} negative pairs in the same light, {len(all_pos)} / "
        f"{len(all_neg)} with the light changes ({', '.join(conditions)}); {len(summary.thresholds)} "
        "tuning/held-out splits"
    )
    print(
        "| variant | threshold: median (range) | held-out P mean | R mean | F1 mean | P worst | F1 worst "
        "| false merges | missed | same light P / R | AUC | hardest negatives (same light) | ms/frame "
        "| F1 vs the first row: splits better / equal / worse |"
    )
    print("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|")
    first_f1 = np.array(rows[0][2].held_out)[:, 2]
    for variant, scores, summary, ms, tracks in rows:
        held = np.array(summary.held_out)
        same = np.array(summary.same_light).mean(axis=0)
        hardest = sorted(by[SAME][0] for by in scores.negative.values())[-3:]
        print(
            f"| {variant.name} | {np.median(summary.thresholds):.3f} ({min(summary.thresholds):.3f}-"
            f"{max(summary.thresholds):.3f}) | {held[:, 0].mean():.1%} | {held[:, 1].mean():.1%} "
            f"| {held[:, 2].mean():.1%} | {held[:, 0].min():.1%} | {held[:, 2].min():.1%} "
            f"| {summary.false_merges}/{summary.negatives} | {summary.missed}/{summary.positives} "
            f"| {same[0]:.1%} / {same[1]:.1%} | {auc(*scores.pick(set(tracks), conditions)):.3f} "
            f"| {', '.join(f'{s:.3f}' for s in hardest)} | {ms:.2f} | {versus(held[:, 2], first_f1)} |",
            flush=True,
        )


if __name__ == "__main__":
    main()
