"""Person tracker behaviour on synthetic store scenes: ids stay with people, ghosts never surface, memory is bounded."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass

import numpy as np
import pytest

from shopflow.domain.people import Detections, TrackedPerson
from shopflow.vision import kalman
from shopflow.vision.tracker import PersonTracker, TrackerSettings, box_iou

FPS = 5.0
STEP = 1.0 / FPS
W, H = 64.0, 160.0  # a person's box at mid-distance, in pixels

Box = tuple[float, float, float, float]
Frame = tuple[float, dict[str, tuple[Box, float]]]  # stream time, person name -> (box, confidence)


def box(cx: float, cy: float = 300.0, w: float = W, h: float = H) -> Box:
    return (cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2)


def detections(people: dict[str, tuple[Box, float]]) -> Detections:
    if not people:
        return Detections.empty()
    boxes = np.array([b for b, _ in people.values()], dtype=np.float32)
    scores = np.array([c for _, c in people.values()], dtype=np.float32)
    return Detections(xyxy=boxes, confidence=scores)


def who(person: TrackedPerson, people: dict[str, tuple[Box, float]]) -> str:
    """The tracker reports the detection's own box, so the ground-truth person is the one with that exact box."""
    for name, (b, _) in people.items():
        if np.allclose(np.asarray(b, dtype=np.float32), (person.x1, person.y1, person.x2, person.y2), atol=1e-3):
            return name
    raise AssertionError(f"reported box {person} matches no detection")


def run(frames: list[Frame], tracker: PersonTracker | None = None) -> dict[str, list[tuple[float, int]]]:
    """Feed frames; returns, per person, the (time, id) of every report."""
    tracker = tracker or PersonTracker()
    seen: dict[str, list[tuple[float, int]]] = {}
    for at, people in frames:
        reported = tracker.update(detections(people), at)
        assert len({p.track_id for p in reported}) == len(reported), "one id reported twice in a frame"
        for person in reported:
            seen.setdefault(who(person, people), []).append((at, person.track_id))
    return seen


def ids(reports: list[tuple[float, int]]) -> set[int]:
    return {track_id for _, track_id in reports}


def times(seconds: float, start: float = 0.0) -> Iterator[float]:
    for i in range(round(seconds * FPS)):
        yield start + i * STEP


def walker(x0: float, vx: float, cy: float = 300.0, conf: float = 0.85) -> Callable[[float], tuple[Box, float]]:
    return lambda t: (box(x0 + vx * t, cy), conf)


# --- distinct people -------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("gap_px", "dy"),
    [
        pytest.param(80.0, 0.0, id="side-by-side-16px-apart"),
        pytest.param(56.0, 0.0, id="shoulders-overlapping"),
        pytest.param(40.0, 25.0, id="one-half-a-step-behind"),
    ],
)
def test_two_people_walking_side_by_side_keep_distinct_ids(gap_px: float, dy: float) -> None:
    a, b = walker(100.0, 90.0), walker(100.0 + gap_px, 90.0, cy=300.0 + dy)
    seen = run([(t, {"a": a(t), "b": b(t)}) for t in times(8.0)])
    assert len(ids(seen["a"])) == 1
    assert len(ids(seen["b"])) == 1
    assert ids(seen["a"]) != ids(seen["b"])
    assert len(seen["a"]) == len(seen["b"]) == 8 * FPS - 1  # reported from the second frame on (min_hits=2)


@pytest.mark.parametrize("hide_when_overlapping", [False, True], ids=["both-detected", "back-one-hidden"])
def test_two_people_crossing_paths_are_not_merged(hide_when_overlapping: bool) -> None:
    a, b = walker(100.0, 120.0), walker(700.0, -120.0, cy=310.0)
    frames: list[Frame] = []
    for t in times(6.0):
        people = {"a": a(t), "b": b(t)}
        if hide_when_overlapping and box_iou(np.array([a(t)[0]]), np.array([b(t)[0]]))[0, 0] > 0.2:
            del people["b"]  # b passes behind a and the detector only sees a
        frames.append((t, people))
    hidden = sum("b" not in people for _, people in frames)
    assert hide_when_overlapping == (hidden > 0)

    seen = run(frames)
    after = 4.0  # well past the meeting point at t=2.5 s
    ids_a_after = {i for t, i in seen["a"] if t >= after}
    ids_b_after = {i for t, i in seen["b"] if t >= after}
    assert len(ids_a_after) == len(ids_b_after) == 1
    assert ids_a_after != ids_b_after
    # Constant-velocity prediction carries each person through the crossing with their own id.
    assert ids(seen["a"]) == ids_a_after
    assert ids(seen["b"]) == ids_b_after


# --- occlusion and return --------------------------------------------------------------------------------------


def _occluded_path(kind: str) -> Callable[[float], float]:
    """Centre x over time for a person hidden from 3.0 s to 4.5 s."""
    if kind == "walking":
        return lambda t: 100.0 + 80.0 * t
    if kind == "standing":
        return lambda _t: 400.0
    # Walks up to a shelf, stops right behind the occluder, and is seen again standing there.
    return lambda t: 100.0 + 80.0 * min(t, 3.2)


@pytest.mark.parametrize("kind", ["walking", "standing", "walks-then-stops-behind-occluder"])
def test_person_occluded_for_1_5_seconds_keeps_id(kind: str) -> None:
    cx = _occluded_path(kind)
    frames: list[Frame] = [(t, {} if 3.0 <= t < 4.5 else {"p": (box(cx(t)), 0.8)}) for t in times(7.0)]
    seen = run(frames)
    assert len(ids(seen["p"])) == 1
    assert max(t for t, _ in seen["p"]) == pytest.approx(7.0 - STEP)


@pytest.mark.parametrize(
    ("absent_seconds", "same_id"),
    [(1.0, True), (3.6, True), (4.6, False), (30.0, False)],
)
def test_return_after_absence_gets_new_id_only_past_lost_seconds(absent_seconds: float, same_id: bool) -> None:
    tracker = PersonTracker(TrackerSettings(lost_seconds=4.0))
    removed: list[int] = []
    first: set[int] = set()
    for t in times(3.0):
        first |= {p.track_id for p in tracker.update(detections({"p": (box(300.0), 0.8)}), t)}
        removed += tracker.removed_since_last_call()
    for t in times(absent_seconds, start=3.0):
        assert tracker.update(Detections.empty(), t) == []
        removed += tracker.removed_since_last_call()
    back: set[int] = set()
    for t in times(2.0, start=3.0 + absent_seconds):
        back |= {p.track_id for p in tracker.update(detections({"p": (box(300.0), 0.8)}), t)}
        removed += tracker.removed_since_last_call()

    assert first == {1}
    assert back == ({1} if same_id else {2})
    assert removed == ([] if same_id else [1])  # reported exactly once
    assert tracker.live_track_ids == back


# --- what may start a track ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "pattern",
    [
        pytest.param([True], id="single-frame"),
        pytest.param([True, False] * 10, id="flickering-every-other-frame"),
        pytest.param([True, False, False, True, False], id="sparse"),
    ],
)
def test_ghost_detections_never_become_reported_tracks(pattern: list[bool]) -> None:
    tracker = PersonTracker()
    at = 0.0
    for present in [*pattern, False]:
        people = {"ghost": (box(500.0), 0.95)} if present else {}
        assert tracker.update(detections(people), at) == []
        at += STEP
    assert tracker.live_track_ids == frozenset()
    assert len(tracker) == 0
    # Ghosts never consumed an id: the first real person is still number 1.
    reported = [tracker.update(detections({"p": (box(200.0), 0.9)}), at + i * STEP) for i in range(3)]
    assert [p.track_id for p in reported[-1]] == [1]


@pytest.mark.parametrize(
    "confidence",
    [
        pytest.param(0.3, id="low-box"),
        pytest.param(0.55, id="high-but-below-new-track-confidence"),
        pytest.param(0.05, id="below-low-confidence"),
    ],
)
def test_doubtful_boxes_never_start_a_track(confidence: float) -> None:
    seen = run([(t, {"p": (box(300.0), confidence)}) for t in times(10.0)])
    assert seen == {}


@pytest.mark.parametrize(
    ("confidence", "extends"),
    [(0.3, True), (0.11, True), (0.05, False)],
)
def test_low_confidence_boxes_extend_an_existing_track(confidence: float, extends: bool) -> None:
    established: list[Frame] = [(t, {"p": (box(200.0 + 40.0 * t), 0.8)}) for t in times(2.0)]
    doubtful: list[Frame] = [(t, {"p": (box(200.0 + 40.0 * t), confidence)}) for t in times(3.0, start=2.0)]
    seen = run(established + doubtful)
    reported_while_doubtful = [i for t, i in seen["p"] if t >= 2.0]
    assert ids(seen["p"]) == {1}
    assert len(reported_while_doubtful) == (len(doubtful) if extends else 0)


# --- time ------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_irregular_time_steps_keep_one_id(seed: int) -> None:
    rng = np.random.default_rng(seed)
    steps = rng.uniform(0.05, 1.0, size=60)
    at = np.cumsum(steps)
    frames: list[Frame] = [(float(t), {"p": (box(50.0 + 45.0 * t), 0.8)}) for t in at]
    seen = run(frames)
    assert ids(seen["p"]) == {1}
    # Once confirmed (a new track has no velocity yet, so a ~1 s first step may delay that), every frame reports.
    first = [t for t, _ in frames].index(seen["p"][0][0])
    assert [t for t, _ in seen["p"]] == [t for t, _ in frames[first:]]
    assert first <= 3


def test_long_step_is_bridged_by_velocity_prediction() -> None:
    # 1.2 s between updates at 100 px/s moves a 64 px wide box clear of where it was: only a prediction scaled by
    # the time step (not by "one frame") finds it again.
    regular = [k * STEP for k in range(10)]
    frames: list[Frame] = [(t, {"p": (box(100.0 + 100.0 * t), 0.8)}) for t in [*regular, regular[-1] + 1.2]]
    jump = box_iou(np.array([frames[-2][1]["p"][0]]), np.array([frames[-1][1]["p"][0]]))[0, 0]
    assert jump == 0.0
    seen = run(frames)
    assert seen["p"][-1] == (frames[-1][0], 1)


def test_standing_person_survives_a_long_motion_gated_pause() -> None:
    # Motion gating skips the detector while nothing moves; the next update may come a minute later.
    frames: list[Frame] = [(t, {"p": (box(300.0 + (1.5 if k % 2 else 0.0)), 0.8)}) for k, t in enumerate(times(2.0))]
    frames += [(62.0, {"p": (box(300.0), 0.8)}), (62.2, {"p": (box(301.0), 0.7)})]
    seen = run(frames)
    assert ids(seen["p"]) == {1}
    assert [t for t, _ in seen["p"]][-2:] == [62.0, 62.2]


def test_lost_track_does_not_fly_away_with_a_fast_velocity() -> None:
    # Someone rushes out of view at 2 heights/s (sampled at 10 fps so a new track can follow at all); 2 s later a
    # different person stands where an unclamped prediction would put the runner. The stranger must get a fresh
    # id instead of inheriting the runner's.
    runner = walker(100.0, 2.0 * H)
    frames: list[Frame] = [(k * 0.1, {"runner": runner(k * 0.1)}) for k in range(10)]
    last_seen = 0.9
    frames += [(t, {}) for t in times(2.0, start=last_seen + 0.1)]
    coast = TrackerSettings().coast_seconds
    stranger_at = runner(last_seen + coast)[0]  # where the runner would be after coasting at full speed
    frames += [(t, {"stranger": (stranger_at, 0.9)}) for t in times(1.0, start=last_seen + 0.1 + 2.0)]
    seen = run(frames)
    assert ids(seen["runner"]) == {1}
    assert ids(seen["stranger"]) == {2}


# --- long-running behaviour ------------------------------------------------------------------------------------


@pytest.mark.parametrize("seed", [7, 11, 23])
def test_person_standing_at_counter_for_ten_minutes_keeps_one_id(seed: int) -> None:
    """Seen from behind: confidence wanders 0.2..0.7, the box jitters, and shoppers walking past hide them."""
    rng = np.random.default_rng(seed)
    counter = box(420.0, 330.0)
    frames: list[Frame] = []
    gap_until = -1.0
    passer_start, passer_dir = -100.0, 1.0
    for k in range(10 * 60 * int(FPS)):
        t = k * STEP
        people: dict[str, tuple[Box, float]] = {}
        if t >= gap_until and rng.random() < 0.01:
            gap_until = t + rng.uniform(0.2, 2.0)  # hidden by something, up to 2 s
        if t >= gap_until:
            jitter = rng.normal(0.0, 2.5, size=4)
            x1, y1, x2, y2 = (float(v) for v in np.add(counter, jitter))
            people["counter"] = ((x1, y1, x2, y2), float(rng.uniform(0.2, 0.7)))
        # A shopper crosses the aisle in front every ~40 s and briefly hides the counter person.
        if t - passer_start > 40.0:
            passer_start, passer_dir = t, -passer_dir
        px = (0.0 if passer_dir > 0 else 900.0) + passer_dir * 110.0 * (t - passer_start)
        if -50.0 < px < 950.0:
            passer = box(px, 360.0, w=80.0, h=200.0)
            people["passer"] = (passer, 0.85)
            if "counter" in people and box_iou(np.array([passer]), np.array([counter]))[0, 0] > 0.3:
                del people["counter"]
        frames.append((t, people))
    seen = run(frames)
    assert len(ids(seen["counter"])) == 1
    assert ids(seen["counter"]).isdisjoint(ids(seen["passer"]))
    assert len(seen["counter"]) > 0.4 * len(frames)


def test_memory_holds_only_live_tracks_after_10000_frames() -> None:
    rng = np.random.default_rng(5)
    settings = TrackerSettings()
    tracker = PersonTracker(settings)

    @dataclass
    class Shopper:
        x0: float
        vx: float
        cy: float
        enters: float
        stays: float

        def at(self, t: float) -> Box | None:
            if not self.enters <= t < self.enters + self.stays:
                return None
            return box(self.x0 + self.vx * (t - self.enters), self.cy, h=self.cy * 0.5)

    shoppers: list[Shopper] = []
    issued: set[int] = set()
    last_seen: dict[int, float] = {}
    removed: list[int] = []
    peak = 0
    frames = 10_000
    for k in range(frames + int((25.0 + settings.lost_seconds + 1.0) * FPS)):  # 25 s: the longest stay
        t = k * STEP
        if k < frames and rng.random() < 0.08:  # ~one arrival every 2.5 s
            lane = float(rng.choice([260.0, 340.0, 420.0]))
            vx = float(rng.choice([-1.0, 1.0]) * rng.uniform(0.0, 120.0))
            shoppers.append(Shopper(float(rng.uniform(100, 800)), vx, lane, t, float(rng.uniform(1.0, 25.0))))
        shoppers = [s for s in shoppers if t < s.enters + s.stays]
        visible = {f"s{id(s)}": (b, float(rng.uniform(0.3, 0.95))) for s in shoppers if (b := s.at(t)) is not None}
        for person in tracker.update(detections(visible), t):
            issued.add(person.track_id)
            last_seen[person.track_id] = t
        removed += tracker.removed_since_last_call()
        for gone in tracker.removed_since_last_call():
            raise AssertionError(f"id {gone} reported twice")

        stats = tracker.stats
        live = tracker.live_track_ids
        peak = max(peak, len(tracker))
        assert stats.pending_removals == 0
        assert len(tracker) == stats.tentative + stats.tracked + stats.lost
        assert len(live) == stats.tracked + stats.lost
        assert stats.tentative <= len(visible)
        # Nothing outlives its last sighting by more than lost_seconds (plus the frame that noticed it missing).
        assert all(t - last_seen[i] <= settings.lost_seconds + STEP + 1e-9 for i in live)
        last_seen = {i: last_seen[i] for i in live}  # the test's own bookkeeping stays bounded too

    assert len(issued) > 300  # people really came and went
    assert len(tracker) == 0
    assert tracker.live_track_ids == frozenset()
    assert Counter(removed) == Counter(issued)  # every id freed, each exactly once
    assert peak < 40


# --- settings and the Kalman filter ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "changes",
    [
        {"low_confidence": 0.6},
        {"new_track_confidence": 0.4},
        {"match_iou": 0.0},
        {"lost_seconds": -1.0},
        {"min_hits": 0},
    ],
)
def test_inconsistent_settings_are_refused(changes: dict[str, float]) -> None:
    with pytest.raises(ValueError):
        TrackerSettings(**changes)  # type: ignore[arg-type]


def test_ids_start_at_one_and_increase_in_order_of_confirmation() -> None:
    tracker = PersonTracker()
    tracker.update(detections({"a": (box(100.0), 0.9)}), 0.0)
    tracker.update(detections({"a": (box(101.0), 0.9), "b": (box(500.0), 0.9)}), 0.2)
    reported = tracker.update(detections({"a": (box(102.0), 0.9), "b": (box(501.0), 0.9)}), 0.4)
    assert [(p.track_id, p.x1) for p in reported] == [(1, 102.0 - W / 2), (2, 501.0 - W / 2)]


@pytest.mark.parametrize(("dt", "motion_dt", "moved"), [(0.2, 0.2, 20.0), (2.0, 2.0, 200.0), (2.0, 0.5, 50.0)])
def test_kalman_prediction_scales_with_the_time_step(dt: float, motion_dt: float, moved: float) -> None:
    mean, cov = kalman.initiate(kalman.xyxy_to_xyah(np.array([box(300.0)])))
    mean[0, 4] = 100.0  # px per second
    predicted, predicted_cov = kalman.predict(mean, cov, np.array([dt]), np.array([motion_dt]))
    assert predicted[0, 0] - mean[0, 0] == pytest.approx(moved)
    assert np.trace(predicted_cov[0]) > np.trace(cov[0])
    longer = kalman.predict(mean, cov, np.array([dt * 2]), np.array([motion_dt]))[1]
    assert np.trace(longer[0]) > np.trace(predicted_cov[0])


def test_kalman_update_pulls_the_state_to_the_measurement() -> None:
    start = kalman.xyxy_to_xyah(np.array([box(300.0)]))
    mean, cov = kalman.initiate(start)
    mean, cov = kalman.predict(mean, cov, np.array([0.2]), np.array([0.2]))
    measured = kalman.xyxy_to_xyah(np.array([box(310.0)]))
    updated, updated_cov = kalman.update(mean, cov, measured)
    assert 305.0 < updated[0, 0] <= 310.0
    assert updated[0, 4] > 0.0  # it learned that the person moves right
    assert np.trace(updated_cov[0]) < np.trace(cov[0])
    np.testing.assert_allclose(kalman.xyah_to_xyxy(start), [box(300.0)])


def test_stream_time_going_backwards_is_treated_as_no_time_passing() -> None:
    tracker = PersonTracker()
    for t in (0.0, 0.2, 0.4):
        reported = tracker.update(detections({"p": (box(300.0), 0.8)}), t)
    assert [p.track_id for p in reported] == [1]
    assert [p.track_id for p in tracker.update(detections({"p": (box(301.0), 0.8)}), 0.1)] == [1]
    # The clock resumes from 0.4 s, so the lost timer is not stretched by the hiccup.
    for t in (0.6, 4.5):
        assert tracker.update(Detections.empty(), t) == []
    assert tracker.live_track_ids == frozenset({1})
    assert tracker.update(Detections.empty(), 4.7) == []
    assert tracker.removed_since_last_call() == [1]


@pytest.mark.parametrize(
    ("gap_seconds", "shift", "same_id"),
    [
        pytest.param(1.0, (70.0, 0.0), True, id="reappears a little apart after 1 s: same person"),
        pytest.param(1.0, (200.0, 0.0), False, id="a box far away is someone else"),
        pytest.param(3.0, (70.0, 0.0), False, id="too long gone to be taken over by proximity"),
    ],
)
def test_lost_track_takes_over_a_nearby_box_that_iou_misses(
    gap_seconds: float, shift: tuple[float, float], same_id: bool
) -> None:
    """Behind an occluder the person's box shrinks to a fragment, then comes back where IoU no longer matches."""
    frames: list[Frame] = [(i * STEP, {"p": (box(200.0), 0.9)}) for i in range(10)]
    start = 10 * STEP
    frames.append((start, {"p": (box(205.0, 260.0, w=30.0, h=60.0), 0.2)}))  # the fragment
    back = start + gap_seconds
    moved = box(200.0 + shift[0], 300.0 + shift[1], w=W * 0.8, h=H * 0.8)
    frames += [(back + i * STEP, {"q": (moved, 0.9)}) for i in range(5)]
    seen = run(frames)
    assert len(ids(seen["p"])) == 1
    assert (ids(seen["q"]) == ids(seen["p"])) is same_id
