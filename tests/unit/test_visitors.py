"""Unique visitors: customers seen long enough, employees apart, returning visitors recognised, state bounded."""

from __future__ import annotations

import itertools
import math

import numpy as np
import pytest

from shopflow.analysis.visitors import VisitorCounter, VisitorSettings, similarity
from shopflow.domain.people import PersonKind, TrackedPerson

from .tracks import frames, person, stay, walk


def colours(*weights: float) -> np.ndarray:
    """A two-part descriptor: each part is a normalised histogram, as the vision layer makes them."""
    first = np.array(weights, dtype=np.float32)
    second = first[::-1].copy()
    return np.concatenate([first / first.sum(), second / second.sum()])


RED = colours(8, 1, 1, 0)
RED_AGAIN = colours(7, 2, 1, 0)
BLUE = colours(0, 1, 1, 8)


def test_counts_people_seen_long_enough() -> None:
    counter = VisitorCounter(VisitorSettings(min_presence_seconds=1.0))
    paths = {1: walk((0, 0), (100, 100), 20), 2: stay((50, 50), 3), 3: stay((70, 70), 6)}
    for at, people in frames(paths):
        counter.update(people, at)
    # Nobody in view has been seen clearly yet (no colours), so nobody is settled: the figure waits rather
    # than count someone who may turn out to be a returning visitor (it never goes down).
    assert counter.customers == 0
    counter.forget([1, 2, 3])
    # 3 frames at 5 fps span 0.4 s: a ghost, not a visitor; 6 frames span 1.0 s.
    assert counter.customers == 2
    assert len(counter) == 0


def test_employee_recognised_late_is_not_a_visitor() -> None:
    counter = VisitorCounter()
    counter.update([person(1, 10, 10)], 0.0)
    counter.update([person(1, 10, 10)], 1.0)
    counter.update([person(1, 10, 10, PersonKind.EMPLOYEE)], 2.0)
    counter.forget([1])
    assert (counter.customers, counter.employees) == (0, 1)


def test_similarity_is_one_for_identical_colours() -> None:
    assert similarity(RED, RED) == pytest.approx(1.0)
    assert similarity(RED, RED_AGAIN) > 0.95
    assert similarity(RED, BLUE) < 0.6


def visit(counter: VisitorCounter, track_id: int, start: float, seconds: float, descriptor: np.ndarray) -> set[int]:
    at = start
    while at <= start + seconds:
        counter.update([person(track_id, 10, 10)], at, {track_id: descriptor})
        at += 0.2
    return counter.forget([track_id])


@pytest.mark.parametrize(
    ("second_colours", "gap_seconds", "expected_visitors"),
    [
        pytest.param(RED_AGAIN, 30.0, 1, id="same clothes after leaving: the same visitor"),
        pytest.param(BLUE, 30.0, 2, id="other clothes: a new visitor"),
        pytest.param(RED_AGAIN, 2000.0, 2, id="same clothes long after: remembered no longer"),
    ],
)
def test_returning_visitor(second_colours: np.ndarray, gap_seconds: float, expected_visitors: int) -> None:
    counter = VisitorCounter(VisitorSettings(remember_seconds=900.0))
    assert visit(counter, 1, 0.0, 5.0, RED) == set()
    returning = visit(counter, 2, 5.0 + gap_seconds, 5.0, second_colours)
    assert counter.customers == expected_visitors
    assert returning == ({2} if expected_visitors == 1 else set())


def test_two_people_in_view_together_are_never_the_same_visitor() -> None:
    counter = VisitorCounter()
    for step in range(30):
        at = step * 0.2
        counter.update([person(1, 10, 10), person(2, 90, 10)], at, {1: RED, 2: RED_AGAIN})
    counter.forget([1, 2])
    assert counter.customers == 2


def test_memory_of_departed_visitors_is_bounded() -> None:
    counter = VisitorCounter(VisitorSettings(remember_at_most=50, remember_seconds=60.0))
    rng = np.random.default_rng(7)
    for track_id in range(1, 400):
        descriptor = colours(*rng.uniform(0.1, 1.0, 4))
        visit(counter, track_id, track_id * 3.0, 1.2, descriptor)
    assert len(counter) <= 50


def test_a_visitor_in_view_is_settled_once_seen_clearly_and_the_tally_never_goes_down() -> None:
    counter = VisitorCounter(VisitorSettings(decide_after_views=3))
    visit(counter, 1, 0.0, 5.0, RED)
    assert counter.take_arrivals() == [0.0]
    seen: list[int] = []
    # The same person comes back: first seen unclearly (no colours), then clearly, then leaves.
    for step in range(40):
        at = 100.0 + 0.2 * step
        clear = {2: RED_AGAIN} if step >= 10 else None
        counter.update([person(2, 10, 10)], at, clear)
        seen.append(counter.customers)
    counter.forget([2])
    seen.append(counter.customers)
    assert all(later >= earlier for earlier, later in itertools.pairwise(seen)), seen
    assert seen[-1] == 1
    assert counter.take_arrivals() == []
    # A new person is settled in view, after three clear views, and arrives when first seen.
    for step in range(10):
        counter.update([person(3, 10, 10)], 200.0 + 0.2 * step, {3: BLUE} if step >= 4 else None)
    assert counter.customers == 2
    assert counter.take_arrivals() == [200.0]
    counter.forget([3])
    assert counter.customers == 2


def test_a_visitor_decided_staff_after_being_counted_is_withdrawn_once_and_not_remembered() -> None:
    counter = VisitorCounter(VisitorSettings(decide_after_views=3))
    for step in range(10):
        counter.update([person(5, 10, 10)], 50.0 + 0.2 * step, {5: BLUE} if step >= 2 else None)
    assert (counter.customers, counter.take_arrivals()) == (1, [50.0])
    # Decided staff (a uniform, a face) while still in view: the arrival stored earlier must be taken back.
    assert counter.withdraw(5) == 50.0
    assert counter.withdraw(5) is None, "taken back once"
    assert counter.withdraw(99) is None, "nobody by that id"
    counter.forget([5])
    assert (counter.customers, counter.employees) == (0, 1)
    # A customer in the same colours later is a new visitor, not "the employee coming back".
    for step in range(10):
        counter.update([person(6, 10, 10)], 90.0 + 0.2 * step, {6: BLUE} if step >= 2 else None)
    assert counter.customers == 1
    assert counter.take_arrivals() == [90.0]


def standing(track_id: int, feet_y: float, stature: float) -> TrackedPerson:
    """A person on a camera over a flat floor (horizon 60 px above the picture): taller boxes further down."""
    height = stature * 0.25 * (feet_y + 60.0)
    return TrackedPerson(track_id, 300.0, feet_y - height, 300.0 + 0.41 * height, feet_y, 0.9)


def walk_through(counter: VisitorCounter, track_id: int, start: float, stature: float, jitter: float = 0.0) -> None:
    """Down the picture and back up in the same dark clothes, 12 s at 5 frames/s, then gone."""
    path = [*range(150, 550, 16), *range(550, 150, -16)]
    for step, feet_y in enumerate(path):
        wobble = 1.0 + jitter * math.sin(1.7 * step)
        counter.update([standing(track_id, feet_y, stature * wobble)], start + step / 5, {track_id: RED})
    counter.forget([track_id])


@pytest.mark.parametrize(
    ("statures", "frame_height", "expected_visitors"),
    [
        # Heights of 1.50, 1.65, 1.80 and 1.97 m: each 9 % or more from the others.
        pytest.param((1.0, 1.1, 1.2, 1.31), 576, 4, id="strangers of clearly different heights"),
        pytest.param((1.0, 1.02, 0.99, 1.01), 576, 1, id="one person coming back three times"),
        pytest.param((1.0, 1.1, 1.2, 1.31), None, 1, id="frame height unknown: colour alone decides"),
    ],
)
def test_people_in_the_same_clothes_are_told_apart_by_height(
    statures: tuple[float, ...], frame_height: int | None, expected_visitors: int
) -> None:
    counter = VisitorCounter(frame_height=frame_height)
    for number, stature in enumerate(statures):
        walk_through(counter, number + 1, number * 60.0, stature, jitter=0.04)
    assert counter.customers == expected_visitors
    assert counter.returning == len(statures) - expected_visitors


def test_heights_are_compared_only_where_the_camera_shows_them() -> None:
    """Boxes that do not grow down the picture (a camera looking straight down): the same clothes are one
    visitor, as before, whatever the boxes' sizes."""
    counter = VisitorCounter(frame_height=576)
    for number, size in enumerate((60.0, 90.0, 120.0)):
        for step, feet_y in enumerate(range(150, 550, 8)):
            box = TrackedPerson(number + 1, 300.0, feet_y - size, 340.0, feet_y, 0.9)
            counter.update([box], number * 60.0 + step / 5, {number + 1: RED})
        counter.forget([number + 1])
    assert counter.customers == 1


def seen_together(
    counter: VisitorCounter, first: int, second: int, start: float, dress: tuple[np.ndarray, ...]
) -> None:
    """Two people in view at once for 3 s: strangers for certain, whose likeness the counter learns."""
    for step in range(15):
        at = start + step * 0.2
        counter.update([person(first, 10, 10), person(second, 90, 10)], at, {first: dress[0], second: dress[1]})
    counter.forget([first, second])


def dressed(*bins: int, weight: float = 8.0) -> np.ndarray:
    """Clothes of 16 colour bins, mostly in the given ones: people who share no bin look nothing alike."""
    weights = np.full(16, 0.2)
    weights[list(bins)] = weight
    return colours(*weights)


@pytest.mark.parametrize(
    ("remembered", "newcomer", "expected_returning"),
    [
        pytest.param(5, dressed(0, 1, weight=6.0), 1, id="few remembered: a lookalike matches, as measured"),
        pytest.param(50, dressed(0, 1, weight=6.0), 0, id="fifty remembered: as alike as strangers here, a newcomer"),
        pytest.param(50, dressed(0, 1), 1, id="fifty remembered: the very same clothes, the visitor back"),
    ],
)
def test_the_more_people_remembered_the_more_alike_a_return_must_be(
    remembered: int, newcomer: np.ndarray, expected_returning: int
) -> None:
    lookalike = dressed(0, 1, weight=6.0)
    assert 0.95 < similarity(dressed(0, 1), lookalike) < 1.0
    counter = VisitorCounter(VisitorSettings(remember_seconds=120.0))
    # The camera learns how alike its strangers look: 2 pairs in 25 as alike as these two.
    for pair in range(25):
        dress = (dressed(0, 1), lookalike) if pair in (5, 17) else (dressed(0, 1), dressed(14, 15))
        seen_together(counter, 2 * pair + 1, 2 * pair + 2, pair * 4.0, dress)
    # Long after (those are forgotten), people in other clothes leave one by one, then one in these.
    others = list(itertools.combinations(range(2, 14), 2))
    start = 300.0
    for number in range(remembered):
        visit(counter, 100 + number, start + 2.0 * number, 1.2, dressed(*others[number]))
    visit(counter, 999, start + 2.0 * remembered, 1.2, dressed(0, 1))
    assert len(counter) == remembered + 1, "everyone since is remembered, nobody taken for another"
    before = (counter.customers, counter.returning)
    visit(counter, 1000, start + 2.0 * remembered + 10.0, 1.2, newcomer)
    assert (counter.customers - before[0], counter.returning - before[1]) == (
        1 - expected_returning,
        expected_returning,
    )


def test_a_glimpse_beside_someone_teaches_nothing_about_strangers() -> None:
    """A box seen for a moment next to a person (a ghost, a second box on them) is not a stranger to learn from."""
    counter = VisitorCounter()
    for step in range(15):
        at = step * 0.2
        people = [person(1, 10, 10)] + ([person(2, 90, 10)] if step < 3 else [])
        counter.update(people, at, {1: RED, 2: RED} if step < 3 else {1: RED})
        if step == 3:
            counter.forget([2])
    counter.forget([1])
    assert counter.strangers_compared == 0
    # Two people in view together for long enough are.
    seen_together(counter, 3, 4, 10.0, (RED, BLUE))
    assert counter.strangers_compared == 1
