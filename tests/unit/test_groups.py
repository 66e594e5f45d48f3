"""Groups: the potential-customer rule, DBSCAN, perspective-aware distances, smoothing over time and totals."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
import pytest

from shopflow.analysis.groups import (
    GroupSettings,
    GroupsNow,
    GroupTracker,
    dbscan,
    metric_distances,
    potential_customers_in_cluster,
)
from shopflow.domain.people import PersonKind, TrackedPerson

C = PersonKind.CUSTOMER
E = PersonKind.EMPLOYEE
FPS = 10
PIXELS_PER_METRE = 100.0  # boxes 170 px tall stand for 1.7 m people


def person(track_id: int, x_m: float, y_m: float = 0.0, kind: PersonKind = C, height: float = 170.0) -> TrackedPerson:
    """A person whose feet stand at (x_m, y_m) metres on a floor seen at 100 px per metre."""
    x = 500.0 + x_m * PIXELS_PER_METRE
    y = 400.0 + y_m * PIXELS_PER_METRE
    return TrackedPerson(track_id, x - 20.0, y - height, x + 20.0, y, 0.9, kind)


Scene = Callable[[float], Sequence[TrackedPerson]]


def run(tracker: GroupTracker, scene: Scene, seconds: float, start: float = 0.0) -> list[tuple[float, GroupsNow]]:
    """Feed `seconds` of a scene at 10 frames per second; times are start + i / FPS (exact, not summed)."""
    frames = round(seconds * FPS)
    out: list[tuple[float, GroupsNow]] = []
    for i in range(frames):
        at = start + i / FPS
        out.append((at, tracker.update(scene(at), at)))
    return out


WALK = 1.0  # metres per second: the pace the tests' people walk at, side by side unless a test says otherwise


def pair_scene(gap_m: Callable[[float], float], kinds: tuple[PersonKind, PersonKind] = (C, C)) -> Scene:
    """Two people walking down the aisle (along y) at the same pace, `gap_m` apart across it."""
    return lambda at: [person(1, 0.0, WALK * at, kind=kinds[0]), person(2, gap_m(at), WALK * at, kind=kinds[1])]


# --- the rule -----------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("non_employees", "expected"),
    [(0, 0), (1, 1), (2, 1), (3, 1), (4, 1), (5, 2), (7, 2), (40, 2)],
)
def test_rule_boundaries(non_employees: int, expected: int) -> None:
    assert potential_customers_in_cluster(non_employees, GroupSettings()) == expected


@pytest.mark.parametrize(
    ("non_employees", "expected"),
    [(1, 1), (2, 1), (3, 3), (9, 3)],
)
def test_rule_follows_settings(non_employees: int, expected: int) -> None:
    settings = GroupSettings(small_group_max=2, large_group_potential_customers=3)
    assert potential_customers_in_cluster(non_employees, settings) == expected


def test_rule_rejects_negative_count() -> None:
    with pytest.raises(ValueError, match="negative"):
        potential_customers_in_cluster(-1, GroupSettings())


@pytest.mark.parametrize(
    "bad",
    [
        {"eps_metres": 0.0},
        {"min_samples": 0},
        {"person_height_metres": -1.7},
        {"form_seconds": -0.1},
        {"break_seconds": -1.0},
        {"min_presence_seconds": -1.0},
        {"small_group_max": 0},
        {"large_group_potential_customers": 0},
    ],
)
def test_settings_reject_nonsense(bad: dict[str, Any]) -> None:
    with pytest.raises(ValueError, match=next(iter(bad))):
        GroupSettings(**bad)


@pytest.mark.parametrize(
    ("kinds", "expected_potential_customers"),
    [
        ((C, C, C), 1),
        ((C, C, E), 1),  # an employee helping a couple does not make them more customers
        ((E, E), 0),  # two employees chatting
        ((C, E), 1),
        ((C, C, C, C, E, E), 1),  # 4 non-employees: still small
        ((C, C, C, C, C, E), 2),  # 5 non-employees: large
        ((C,) * 7, 2),
    ],
)
def test_cluster_in_view_counts_non_employees_only(
    kinds: tuple[PersonKind, ...], expected_potential_customers: int
) -> None:
    tracker = GroupTracker(GroupSettings(form_seconds=0.0))
    people = [person(i, 0.3 * i, kind=kind) for i, kind in enumerate(kinds)]
    now = tracker.update(people, 0.0)
    assert now.groups == (frozenset(range(len(kinds))),)
    assert now.potential_customers == expected_potential_customers


@pytest.mark.parametrize(
    ("people", "expected_groups", "expected_potential_customers"),
    [
        ([], 0, 0),
        ([person(1, 0.0)], 0, 1),  # alone: one potential customer
        ([person(1, 0.0, kind=E)], 0, 0),  # alone employee: none
        ([person(1, 0.0), person(2, 5.0)], 0, 2),  # strangers far apart
        # a couple, a lone customer and a lone employee
        ([person(1, 0.0), person(2, 1.0), person(3, 6.0), person(4, 12.0, kind=E)], 1, 2),
        # two separate families, each one potential customer
        ([person(1, 0.0), person(2, 1.0), person(3, 6.0), person(4, 7.0), person(5, 7.5)], 2, 2),
    ],
)
def test_mixed_scene_in_view(
    people: list[TrackedPerson], expected_groups: int, expected_potential_customers: int
) -> None:
    now = GroupTracker(GroupSettings(form_seconds=0.0)).update(people, 0.0)
    assert len(now.groups) == expected_groups
    assert now.potential_customers == expected_potential_customers


# --- DBSCAN -------------------------------------------------------------------------------------------------------


def neighbours(n: int, edges: Sequence[tuple[int, int]]) -> np.ndarray:
    matrix = np.zeros((n, n), dtype=np.bool_)
    for a, b in edges:
        matrix[a, b] = matrix[b, a] = True
    return matrix


def clique(members: Sequence[int]) -> list[tuple[int, int]]:
    return [(a, b) for a in members for b in members if a < b]


@pytest.mark.parametrize(
    ("n", "edges", "min_samples", "expected"),
    [
        pytest.param(0, [], 2, [], id="empty"),
        pytest.param(4, [(0, 1), (1, 2), (2, 3)], 2, [0, 0, 0, 0], id="chain joins end to end"),
        pytest.param(5, [(0, 1), (2, 3)], 2, [0, 0, 1, 1, -1], id="two clusters and noise"),
        pytest.param(3, [], 2, [-1, -1, -1], id="all noise"),
        pytest.param(3, [], 1, [0, 1, 2], id="min_samples 1 makes everyone a cluster"),
        pytest.param(5, [(3, 4), (0, 2)], 2, [0, -1, 0, 1, 1], id="labels follow first core point"),
        # min_samples=3: a lone pair is noise; 5 hangs on the triangle 2-3-4 as a border point
        pytest.param(6, [(0, 1), *clique([2, 3, 4]), (4, 5)], 3, [-1, -1, 0, 0, 0, 0], id="min_samples 3 border"),
        # min_samples=3 on a chain: the ends are border points, the middle is core
        pytest.param(5, [(0, 1), (1, 2), (2, 3), (3, 4)], 3, [0, 0, 0, 0, 0], id="min_samples 3 chain"),
        # a border point between two clusters joins the first and does not bridge them
        pytest.param(
            9,
            [*clique([0, 1, 2, 3]), (3, 4), (4, 5), *clique([5, 6, 7, 8])],
            4,
            [0, 0, 0, 0, 0, 1, 1, 1, 1],
            id="shared border",
        ),
    ],
)
def test_dbscan(n: int, edges: list[tuple[int, int]], min_samples: int, expected: list[int]) -> None:
    labels = dbscan(neighbours(n, edges), min_samples)
    assert labels.tolist() == expected


def test_dbscan_ignores_the_diagonal() -> None:
    matrix = neighbours(4, [(0, 1)])
    with_diagonal = matrix | np.eye(4, dtype=np.bool_)
    assert dbscan(with_diagonal, 2).tolist() == dbscan(matrix, 2).tolist() == [0, 0, -1, -1]


@pytest.mark.parametrize(
    ("matrix", "min_samples", "message"),
    [
        (np.zeros((2, 3), dtype=np.bool_), 2, "square"),
        (np.array([[False, True], [False, False]]), 2, "symmetric"),
        (np.zeros((2, 2), dtype=np.bool_), 0, "min_samples"),
    ],
)
def test_dbscan_rejects_bad_input(matrix: np.ndarray, min_samples: int, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        dbscan(matrix, min_samples)


# --- metres from pixels -------------------------------------------------------------------------------------------


def box(track_id: int, feet_x: float, feet_y: float, height: float) -> TrackedPerson:
    return TrackedPerson(track_id, feet_x - 10.0, feet_y - height, feet_x + 10.0, feet_y, 0.9)


@pytest.mark.parametrize(
    ("height_a", "height_b", "dx", "dy", "expected_metres"),
    [
        pytest.param(34.0, 34.0, 20.0, 0.0, 1.0, id="far from camera: 1 m is 20 px"),
        pytest.param(340.0, 340.0, 200.0, 0.0, 1.0, id="near the camera: 1 m is 200 px"),
        pytest.param(100.0, 240.0, 100.0, 0.0, 1.0, id="scale is the pair's mean height"),
        pytest.param(170.0, 170.0, 90.0, 120.0, 1.5, id="diagonal"),
        pytest.param(34.0, 34.0, 100.0, 0.0, 5.0, id="100 px far away is 5 m"),
        pytest.param(340.0, 340.0, 100.0, 0.0, 0.5, id="100 px up close is 0.5 m"),
    ],
)
def test_metric_distance_follows_perspective(
    height_a: float, height_b: float, dx: float, dy: float, expected_metres: float
) -> None:
    people = [box(1, 300.0, 200.0, height_a), box(2, 300.0 + dx, 200.0 + dy, height_b)]
    metres = metric_distances(people, 1.7)
    assert metres.shape == (2, 2)
    assert metres[0, 1] == pytest.approx(expected_metres)
    assert metres[1, 0] == pytest.approx(expected_metres)
    assert metres[0, 0] == metres[1, 1] == 0.0


def test_metric_distance_edge_cases() -> None:
    assert metric_distances([], 1.7).shape == (0, 0)
    flat = [box(1, 0.0, 0.0, 0.0), box(2, 10.0, 0.0, 0.0)]
    assert np.isinf(metric_distances(flat, 1.7)[0, 1])  # no height, no scale: never close
    with pytest.raises(ValueError, match="person_height_metres"):
        metric_distances(flat, 0.0)


def test_same_pixel_gap_is_a_group_only_far_from_the_camera() -> None:
    tracker = GroupTracker(GroupSettings(form_seconds=0.0))
    # 60 px apart: 3 m for small (far) people, 0.6 m for big (near) people
    far_pair = [box(1, 100.0, 100.0, 34.0), box(2, 160.0, 100.0, 34.0)]
    near_pair = [box(3, 100.0, 400.0, 170.0), box(4, 160.0, 400.0, 170.0)]
    assert tracker.update(far_pair + near_pair, 0.0).groups == (frozenset({3, 4}),)


# --- smoothing over time ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("close_seconds", "becomes_group"),
    [(0.4, False), (1.9, False), (2.1, True), (5.0, True)],  # close frames span close_seconds - 0.1 s
)
def test_pair_must_stay_close_to_become_a_group(close_seconds: float, becomes_group: bool) -> None:
    # far for 1 s, close (0.5 m) for close_seconds, then far again
    tracker = GroupTracker()
    scene = pair_scene(lambda at: 0.5 if 1.0 <= at < 1.0 + close_seconds - 1e-6 else 6.0)
    frames = run(tracker, scene, 1.0 + close_seconds + 1.0)
    grouped = [at for at, now in frames if now.groups]
    assert bool(grouped) is becomes_group
    if becomes_group:
        assert grouped[0] == pytest.approx(3.0)  # formed exactly form_seconds after they met
        assert all(now.groups == (frozenset({1, 2}),) for _, now in frames if now.groups)
        assert all(now.potential_customers == 1 for _, now in frames if now.groups)
    # apart again, both still in view: the pair's state is gone unless still together
    if not becomes_group:
        assert len(tracker) == 4  # two people, two parties, no pair


def test_passing_each_other_leaves_two_potential_customers() -> None:
    tracker = GroupTracker()
    # walking towards and past each other at 1.5 m/s each: within 1.5 m for 1 s only
    run(tracker, pair_scene(lambda at: 6.0 - 3.0 * at), 4.0)
    tracker.finish()
    assert (tracker.groups_total, tracker.potential_customers_total) == (0, 2)


def test_walking_together_for_five_seconds_is_a_group() -> None:
    tracker = GroupTracker()
    frames = run(tracker, lambda at: [person(1, at), person(2, at + 0.8)], 5.0)  # moving side by side
    for at, now in frames:
        if at < 2.0 - 1e-9:
            assert now.groups == ()
            assert now.potential_customers == 2
        else:
            assert now.groups == (frozenset({1, 2}),)
            assert now.potential_customers == 1


@pytest.mark.parametrize(
    ("apart_seconds", "survives"),
    [(0.1, True), (1.0, True), (2.9, True), (3.5, False)],
)
def test_group_survives_short_separation(apart_seconds: float, survives: bool) -> None:
    tracker = GroupTracker()
    apart_from, apart_until = 5.0, 5.0 + apart_seconds
    frames = run(tracker, pair_scene(lambda at: 4.0 if apart_from <= at < apart_until - 1e-6 else 0.5), 12.0)
    after_forming = [now.groups for at, now in frames if at >= 2.0]
    if survives:
        assert all(groups == (frozenset({1, 2}),) for groups in after_forming)
    else:
        broken = [at for at, now in frames if at >= 2.0 and not now.groups]
        assert broken[0] == pytest.approx(apart_from + 3.0)  # broke after break_seconds apart
        # and re-forms only after being close for form_seconds again
        assert broken[-1] == pytest.approx(apart_until + 2.0 - 0.1)


@pytest.mark.parametrize(
    ("missing_frames", "formed_at"),
    [
        (set(), 2.0),
        ({0.5}, 2.0),  # a single missed frame keeps the streak
        ({0.5, 1.5}, 2.0),  # two separate single misses too
        ({0.5, 0.6}, 2.7),  # two in a row restart the streak at 0.7
    ],
)
def test_forming_tolerates_single_missed_frames(missing_frames: set[float], formed_at: float) -> None:
    def scene(at: float) -> list[TrackedPerson]:
        hidden = any(abs(at - m) < 1e-6 for m in missing_frames)
        walked = WALK * at
        return [person(1, 0.0, walked)] if hidden else [person(1, 0.0, walked), person(2, 0.6, walked)]

    frames = run(GroupTracker(), scene, 4.0)
    assert next(at for at, now in frames if now.groups) == pytest.approx(formed_at)


def test_single_far_frame_is_a_missed_frame_too() -> None:
    frames = run(GroupTracker(), pair_scene(lambda at: 5.0 if abs(at - 1.0) < 1e-6 else 0.6), 3.0)
    assert next(at for at, now in frames if now.groups) == pytest.approx(2.0)


def test_partner_out_of_view_does_not_break_the_group() -> None:
    tracker = GroupTracker()
    run(tracker, pair_scene(lambda at: 0.5), 3.0)
    # partner hidden behind a shelf for 5 s: no evidence they split up
    run(tracker, lambda at: [person(1, 0.0)], 5.0, start=3.0)
    back = tracker.update([person(1, 0.0), person(2, 0.5)], 8.0)
    assert back.groups == (frozenset({1, 2}),)


def test_time_must_not_go_backwards_and_ids_must_be_unique() -> None:
    tracker = GroupTracker()
    tracker.update([person(1, 0.0)], 5.0)
    with pytest.raises(ValueError, match="backwards"):
        tracker.update([person(1, 0.0)], 4.0)
    with pytest.raises(ValueError, match="twice"):
        tracker.update([person(1, 0.0), person(1, 1.0)], 6.0)


# --- totals over a session ----------------------------------------------------------------------------------------


def fixed(*people: TrackedPerson) -> Scene:
    return lambda at: list(people)


def walking(*people: TrackedPerson) -> Scene:
    """The people keep their places relative to each other and walk down the aisle together at WALK."""
    return lambda at: [shifted(p, WALK * at) for p in people]


def shifted(p: TrackedPerson, dy_m: float) -> TrackedPerson:
    dy = dy_m * PIXELS_PER_METRE
    return TrackedPerson(p.track_id, p.x1, p.y1 + dy, p.x2, p.y2 + dy, p.confidence, p.kind)


@pytest.mark.parametrize(
    ("scene", "seconds", "expected_groups", "expected_potential_customers"),
    [
        pytest.param(walking(person(1, 0.0), person(2, 0.7), person(3, 1.4)), 5.0, 1, 1, id="family of 3"),
        pytest.param(walking(*(person(i, 0.5 * (i % 3), 0.5 * (i // 3)) for i in range(6))), 5.0, 1, 2, id="6 friends"),
        pytest.param(fixed(person(1, 0.0), person(2, 6.0)), 5.0, 0, 2, id="two strangers never close"),
        pytest.param(fixed(person(1, 0.0)), 0.1, 0, 0, id="1-frame ghost"),
        pytest.param(fixed(person(1, 0.0)), 0.5, 0, 0, id="seen 0.4 s: below min presence"),
        pytest.param(fixed(person(1, 0.0)), 1.1, 0, 1, id="seen 1.0 s: counted"),
        pytest.param(fixed(person(1, 0.0, kind=E)), 5.0, 0, 0, id="lone employee"),
        # Groups are groups of customers: staff beside a customer, or staff together, are not one.
        pytest.param(walking(person(1, 0.0), person(2, 0.5, kind=E)), 5.0, 0, 1, id="customer helped by employee"),
        pytest.param(walking(person(1, 0.0, kind=E), person(2, 0.5, kind=E)), 5.0, 0, 0, id="two employees"),
        pytest.param(
            lambda at: [person(1, 0.0, at), person(2, 0.5, at, kind=C if at < 2.5 else E)],
            5.0,
            0,
            1,
            id="latest kind wins",
        ),
        pytest.param(walking(person(1, 0.0), person(2, 0.5)), 1.5, 0, 2, id="too short together to be a group"),
        pytest.param(fixed(person(1, 0.0), person(2, 0.7), person(3, 1.4)), 5.0, 0, 3, id="standing near strangers"),
    ],
)
def test_totals(scene: Scene, seconds: float, expected_groups: int, expected_potential_customers: int) -> None:
    tracker = GroupTracker()
    frames = run(tracker, scene, seconds)
    for track_id in {p.track_id for p in scene(frames[-1][0])}:
        tracker.forget(track_id)
    assert (tracker.groups_total, tracker.potential_customers_total) == (expected_groups, expected_potential_customers)
    assert len(tracker) == 0


def test_party_is_final_only_when_all_members_are_forgotten() -> None:
    tracker = GroupTracker()
    run(tracker, walking(person(1, 0.0), person(2, 0.7), person(3, 1.4)), 5.0)
    tracker.forget(1)
    tracker.forget(2)
    assert (tracker.groups_total, tracker.potential_customers_total) == (0, 0)
    tracker.forget(3)
    assert (tracker.groups_total, tracker.potential_customers_total) == (1, 1)


def test_finish_finalises_open_parties() -> None:
    tracker = GroupTracker()
    run(tracker, walking(person(1, 0.0), person(2, 0.7), person(3, 8.0)), 5.0)
    tracker.finish()
    assert (tracker.groups_total, tracker.potential_customers_total) == (1, 2)
    assert len(tracker) == 0
    tracker.finish()  # nothing left to count twice
    assert (tracker.groups_total, tracker.potential_customers_total) == (1, 2)


def test_people_together_at_different_times_are_one_party() -> None:
    tracker = GroupTracker()
    # 1 walks with 2 first, then 2 goes off with 3: clusters in different frames merge into one party
    run(tracker, walking(person(1, 0.0), person(2, 0.5), person(3, 10.0)), 4.0)
    run(tracker, walking(person(1, -10.0), person(2, 9.5), person(3, 10.0)), 4.0, start=4.0)
    tracker.finish()
    assert (tracker.groups_total, tracker.potential_customers_total) == (1, 1)


def test_reused_track_id_after_forget_is_a_new_person() -> None:
    tracker = GroupTracker()
    run(tracker, walking(person(1, 0.0), person(2, 0.5)), 3.0)
    tracker.forget(1)
    run(tracker, fixed(person(1, 20.0), person(2, 0.5)), 3.0, start=3.0)  # the tracker hands id 1 to a stranger
    tracker.forget(1)
    tracker.forget(2)
    tracker.forget(99)  # unknown ids are ignored
    # the couple (1, 2) is one party; the stranger who got id 1 is another
    assert (tracker.groups_total, tracker.potential_customers_total) == (1, 2)


def test_state_stays_bounded_over_ten_thousand_frames() -> None:
    rng = np.random.default_rng(7)
    tracker = GroupTracker()
    present: dict[int, tuple[float, int]] = {}  # track id -> (x metres, frame it leaves at)
    next_id = 0
    parties_seen = 0
    largest = 0
    for frame in range(10_000):
        at = frame / FPS
        for track_id in [t for t, (_, leaves) in present.items() if leaves <= frame]:
            del present[track_id]
            tracker.forget(track_id)
        if len(present) < 8 and rng.random() < 0.1:
            size = int(rng.integers(1, 4))
            x = float(rng.uniform(0.0, 30.0))
            leaves = frame + int(rng.integers(5, 200))  # from ghosts of half a second to 20 s visits
            for k in range(size):
                present[next_id] = (x + 0.6 * k, leaves)
                next_id += 1
            parties_seen += 1
        people = [person(t, x + 0.01 * (frame % 50), WALK * at) for t, (x, _) in present.items()]
        tracker.update(people, at)
        largest = max(largest, len(tracker))
    for track_id in list(present):
        tracker.forget(track_id)
    assert parties_seen > 300
    assert largest < 80  # a few people, their parties and pairs at a time, never the whole history
    assert len(tracker) == 0
    assert tracker.groups_total > 0
    assert 0 < tracker.potential_customers_total <= next_id


@pytest.mark.parametrize(
    ("returning", "expected_groups", "expected_potential_customers"),
    [
        pytest.param(set(), 1, 1, id="a new couple"),
        pytest.param({1, 2}, 0, 0, id="the same couple coming back into view"),
        pytest.param({1}, 1, 1, id="one of them seen before"),
    ],
)
def test_returning_visitors_are_not_counted_again(
    returning: set[int], expected_groups: int, expected_potential_customers: int
) -> None:
    tracker = GroupTracker()
    run(tracker, walking(person(1, 0.0), person(2, 0.5)), 5.0)
    for track_id in (1, 2):
        tracker.forget(track_id, returning=track_id in returning)
    assert (tracker.groups_total, tracker.potential_customers_total) == (expected_groups, expected_potential_customers)


# --- a checkout queue ---------------------------------------------------------------------------------------------

QUEUE_SLOTS_M = (0.0, 1.0, 2.0)  # three places 1 m apart, the front at 0
QUEUE_EVERY_SECONDS = 60.0


def queue_position(customer: int, at: float) -> tuple[float, float] | None:
    """Where lone customer `customer` stands (metres) at `at`, or None when out of view.

    Customer i walks up to the back of the queue from 8 m away during [60 i, 60 i + 10]; every minute, at 60 k + 5,
    the front one leaves (walking off sideways for 5 s, then out of view) and the others step up one place in 1 s.
    """
    start = customer * QUEUE_EVERY_SECONDS
    if at < start:
        return None
    if at < start + 10.0:
        return (QUEUE_SLOTS_M[2] + 8.0 * (1.0 - (at - start) / 10.0), 0.0)
    moves = [start + QUEUE_EVERY_SECONDS * k + 5.0 for k in (1, 2, 3)]
    place = 2.0
    for moved_at in moves[:2]:
        if at >= moved_at:
            place -= min(at - moved_at, 1.0)
    if at < moves[2]:
        return (place, 0.0)
    if at < moves[2] + 5.0:
        return (0.0, -(at - moves[2]) * 1.0)  # off to the side, away from the queue
    return None


def test_a_checkout_queue_of_lone_customers_is_not_a_group() -> None:
    customers = 60
    tracker = GroupTracker()
    fps = 5
    gone: set[int] = set()
    for frame in range(round((customers + 4) * QUEUE_EVERY_SECONDS * fps)):
        at = frame / fps
        people = []
        latest = min(int(at // QUEUE_EVERY_SECONDS), customers - 1)
        for customer in range(max(latest - 4, 0), latest + 1):  # nobody stays longer than four minutes
            where = queue_position(customer, at)
            if where is not None:
                people.append(person(customer + 1, *where))
            elif at > customer * QUEUE_EVERY_SECONDS and customer not in gone:
                gone.add(customer)
                tracker.forget(customer + 1)
        tracker.update(people, at)
        assert len(tracker) < 30  # bounded by the people in view, however long the chain of near contacts
    tracker.finish()
    assert tracker.groups_total == 0
    assert tracker.potential_customers_total >= 0.95 * customers


def test_a_couple_walking_past_a_queue_stays_one_party_and_the_queue_stays_alone() -> None:
    tracker = GroupTracker()

    def scene(at: float) -> list[TrackedPerson]:
        queue = [person(10 + k, 0.0, -1.0 * k) for k in range(3)]  # standing, 1 m apart
        couple = [person(1, 0.6, -6.0 + WALK * at), person(2, 1.2, -6.0 + WALK * at)]  # walking along it
        return queue + couple

    run(tracker, scene, 12.0)
    tracker.finish()
    assert (tracker.groups_total, tracker.potential_customers_total) == (1, 4)
