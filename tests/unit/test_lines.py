"""Counting lines on synthetic tracks: each real crossing counts once, in the right direction."""

from __future__ import annotations

import numpy as np
import pytest

from shopflow.analysis.lines import LineCounter
from shopflow.domain.events import Direction
from shopflow.domain.geometry import CountingLine, GeometryError
from shopflow.domain.people import TrackedPerson

from .tracks import FPS, HEIGHT, Path, frames, gap, stay, walk

# Horizontal line across a 1000x1000 frame at y=500 from x=100 to x=900, drawn left to right: moving down is `in`.
LINE = CountingLine("door", (0.1, 0.5), (0.9, 0.5))

CASES: list[tuple[str, dict[int, Path], int, int]] = [
    ("clean crossing down", {1: walk((500, 300), (500, 700), 20)}, 1, 0),
    ("clean crossing up", {1: walk((500, 700), (500, 300), 20)}, 0, 1),
    ("diagonal crossing", {1: walk((150, 350), (700, 650), 20)}, 1, 0),
    (
        "hovering on the line",
        {1: walk((500, 400), (500, 495), 5) + [(500 + i, 495 + (i % 3) * 5) for i in range(60)]},
        0,
        0,
    ),
    ("step over and straight back", {1: walk((500, 400), (500, 530), 6) + walk((500, 530), (500, 400), 6)}, 0, 0),
    ("one-frame flicker across", {1: [*stay((500, 440), 10), (500, 620), *stay((500, 440), 10)]}, 0, 0),
    (
        "crosses, waits, crosses back",
        {1: walk((500, 300), (500, 700), 10) + stay((500, 700), 15) + walk((500, 700), (500, 300), 10)},
        1,
        1,
    ),
    (
        "crosses, leaves round the end, crosses again",
        {
            1: walk((500, 300), (500, 700), 10)
            + walk((500, 700), (980, 700), 10)
            + walk((980, 700), (980, 300), 10)
            + walk((980, 300), (500, 300), 10)
            + walk((500, 300), (500, 700), 10)
        },
        2,
        0,
    ),
    ("walks round the end of the line", {1: walk((980, 300), (980, 700), 20)}, 0, 0),
    (
        "lost near the line, re-acquired beyond it",
        {1: walk((500, 300), (500, 470), 8) + gap(5) + walk((500, 560), (500, 800), 8)},
        1,
        0,
    ),
    (
        "id switch after the crossing is not a double count",
        {1: walk((500, 300), (500, 600), 12), 2: gap(12) + walk((500, 610), (500, 800), 10)},
        1,
        0,
    ),
    ("stationary person beside the line", {1: stay((500, 560), 3000)}, 0, 0),
    (
        "two people side by side",
        {1: walk((400, 300), (400, 700), 20), 2: walk((450, 300), (450, 700), 20)},
        2,
        0,
    ),
    (
        "two people crossing in opposite directions",
        {1: walk((400, 300), (400, 700), 20), 2: walk((430, 700), (430, 300), 20)},
        1,
        1,
    ),
]


@pytest.mark.parametrize(("name", "paths", "entries", "exits"), CASES, ids=[c[0] for c in CASES])
def test_line_counts(name: str, paths: dict[int, Path], entries: int, exits: int) -> None:
    counter = LineCounter(LINE, 1000, 1000)
    crossings = []
    for at, people in frames(paths):
        crossings.extend(counter.update(people, at))
    assert (counter.entries, counter.exits) == (entries, exits)
    assert sum(c.direction is Direction.IN for c in crossings) == entries
    assert sum(c.direction is Direction.OUT for c in crossings) == exits


def test_direction_follows_the_drawing_order() -> None:
    reversed_line = CountingLine("door", (0.9, 0.5), (0.1, 0.5))
    counter = LineCounter(reversed_line, 1000, 1000)
    for at, people in frames({1: walk((500, 300), (500, 700), 20)}):
        counter.update(people, at)
    assert (counter.entries, counter.exits) == (0, 1)


def test_vertical_line_counts_left_to_right_as_in_when_drawn_bottom_up() -> None:
    line = CountingLine("aisle", (0.5, 0.9), (0.5, 0.1))
    counter = LineCounter(line, 1000, 1000)
    for at, people in frames({1: walk((300, 500), (700, 500), 20)}):
        counter.update(people, at)
    assert (counter.entries, counter.exits) == (1, 0)


def test_crossing_carries_track_time_and_line() -> None:
    counter = LineCounter(LINE, 1000, 1000)
    crossings = [c for at, people in frames({7: walk((500, 300), (500, 700), 20)}) for c in counter.update(people, at)]
    assert len(crossings) == 1
    assert crossings[0].track_id == 7
    assert crossings[0].line == "door"
    assert 1.0 < crossings[0].at < 3.0


def test_state_is_freed_when_tracks_are_forgotten() -> None:
    counter = LineCounter(LINE, 1000, 1000)
    for at, people in frames({i: walk((100 + i, 300), (100 + i, 700), 10) for i in range(1, 50)}):
        counter.update(people, at)
    assert len(counter) == 49
    counter.forget(range(1, 50))
    assert len(counter) == 0


@pytest.mark.parametrize(
    ("a", "b", "message"),
    [
        ((0.2, 0.2), (0.2, 0.2), "two points are equal"),
        ((0.2, 1.2), (0.5, 0.5), "outside 0..1"),
        ((-0.1, 0.5), (0.5, 0.5), "outside 0..1"),
    ],
)
def test_bad_lines_are_refused_with_a_clear_message(
    a: tuple[float, float], b: tuple[float, float], message: str
) -> None:
    with pytest.raises(GeometryError, match=message):
        CountingLine("door", a, b)


def _count_until_the_end(paths: dict[int, Path], line: CountingLine = LINE) -> tuple[int, int]:
    """Counts after every track has ended and been forgotten, as the scene does when the tracker drops them."""
    counter = LineCounter(line, 1000, 1000)
    for at, people in frames(paths):
        counter.update(people, at)
    counter.forget(list(paths))
    return counter.entries, counter.exits


# A crossing still awaiting confirmation when the track ends is decided by where the person was last seen.
TRACK_END_CASES: list[tuple[str, dict[int, Path], int, int]] = [
    ("crosses and leaves the view within confirm_seconds", {1: walk((500, 300), (500, 540), 8)}, 1, 0),
    ("crosses up and is lost at once", {1: walk((500, 700), (500, 460), 8)}, 0, 1),
    ("reaches the band and leaves the view", {1: walk((500, 300), (500, 502), 8)}, 0, 0),
    ("steps over, steps back, then leaves", {1: [*walk((500, 400), (500, 540), 6), (500, 440)]}, 0, 0),
    ("a confirmed crossing is not counted again at the end", {1: walk((500, 300), (500, 700), 20)}, 1, 0),
]


@pytest.mark.parametrize(("name", "paths", "entries", "exits"), TRACK_END_CASES, ids=[c[0] for c in TRACK_END_CASES])
def test_pending_crossings_are_decided_when_the_track_ends(
    name: str, paths: dict[int, Path], entries: int, exits: int
) -> None:
    assert _count_until_the_end(paths) == (entries, exits)


# The tracker loses someone on or just past the line and a new id takes over: the crossing still counts once.
ID_SWITCH_CASES: list[tuple[str, dict[int, Path], int, int]] = [
    (
        "new id just past the line",
        {1: walk((500, 300), (500, 470), 8), 2: gap(9) + walk((500, 530), (500, 800), 10)},
        1,
        0,
    ),
    (
        "new id born on the line",
        {1: walk((500, 300), (500, 500), 8), 2: gap(9) + walk((505, 502), (500, 800), 12)},
        1,
        0,
    ),
    (
        "switch while the crossing awaits confirmation",
        {1: walk((500, 300), (500, 530), 9), 2: gap(10) + walk((500, 545), (500, 800), 10)},
        1,
        0,
    ),
    (
        "switch going out",
        {1: walk((500, 800), (500, 530), 8), 2: gap(9) + walk((500, 470), (500, 200), 10)},
        0,
        1,
    ),
    (
        "a stranger appearing far away inherits nothing",
        {1: walk((200, 300), (200, 470), 8), 2: gap(9) + walk((800, 530), (800, 800), 10)},
        0,
        0,
    ),
    (
        "someone still in view hands over nothing",
        {1: stay((480, 470), 30), 2: gap(9) + walk((520, 530), (520, 800), 10)},
        0,
        0,
    ),
    (
        "a handed-over crossing is not counted twice",
        {1: walk((500, 300), (500, 600), 12), 2: gap(13) + walk((500, 610), (500, 800), 10)},
        1,
        0,
    ),
]


@pytest.mark.parametrize(("name", "paths", "entries", "exits"), ID_SWITCH_CASES, ids=[c[0] for c in ID_SWITCH_CASES])
def test_a_new_track_inherits_the_side_of_the_one_it_replaces(
    name: str, paths: dict[int, Path], entries: int, exits: int
) -> None:
    assert _count_until_the_end(paths) == (entries, exits)


def _jittery_stand(offset: float, jitter: float, seconds: float, seed: int, gaussian: bool) -> list[TrackedPerson]:
    """Someone standing with their feet `offset` box heights off the line (+ = the `in` side), the detector's
    box bottom and height wobbling by `jitter` of the height every frame (uniform, or as a 2-sigma Gaussian)."""
    rng = np.random.default_rng(seed)
    people: list[TrackedPerson] = []
    for _ in range(round(seconds * FPS)):
        wobble = rng.normal(0.0, jitter / 2) if gaussian else rng.uniform(-jitter, jitter)
        height = HEIGHT * (1.0 + rng.uniform(-jitter, jitter))
        feet_y = 500 + (offset + wobble) * HEIGHT
        people.append(TrackedPerson(1, 480, feet_y - height, 520, feet_y, 0.9))
    return people


JITTER_CASES = [
    (offset, jitter, gaussian, seed)
    for offset in (0.0, 0.02, -0.03, 0.05)
    for jitter, gaussian in ((0.06, False), (0.06, True), (0.08, True))
    for seed in (1, 2, 3)
]


@pytest.mark.parametrize(("offset", "jitter", "gaussian", "seed"), JITTER_CASES)
def test_standing_on_the_line_with_detector_jitter_counts_nothing(
    offset: float, jitter: float, gaussian: bool, seed: int
) -> None:
    counter = LineCounter(LINE, 1000, 1000)
    for index, person in enumerate(_jittery_stand(offset, jitter, 60.0, seed, gaussian)):
        counter.update([person], index / FPS)
    counter.forget([1])
    assert counter.entries + counter.exits <= 1, (counter.entries, counter.exits)


def _cut_off(track_id: int, feet_x: float, feet_y: float, height: float = 400.0) -> TrackedPerson:
    """A person whose box the detector clipped to the bottom of a 1000x1000 frame (feet below it when y > 1000)."""
    width = 0.41 * height
    return TrackedPerson(track_id, feet_x - width / 2, feet_y - height, feet_x + width / 2, min(feet_y, 1000.0), 0.9)


# Lines near the bottom edge, and people so close to the camera that the frame cuts their feet off.
EDGE_CASES: list[tuple[str, CountingLine, list[tuple[float, float]], int, int]] = [
    (
        "walks across a vertical line drawn to the edge, feet cut off",
        CountingLine("aisle", (0.4, 0.98), (0.4, 0.28)),
        [(200.0 + 25.0 * i, 1060.0) for i in range(17)],
        1,
        0,
    ),
    (
        "walks up into view over a line hugging the bottom edge",
        CountingLine("door", (0.1, 0.99), (0.9, 0.99)),
        [(500.0, 1200.0 - 30.0 * i) for i in range(20)],
        0,
        1,
    ),
    (
        "stands cut off at the bottom edge",
        CountingLine("door", (0.1, 0.99), (0.9, 0.99)),
        [(500.0, 1080.0)] * 50,
        0,
        0,
    ),
    (
        "passes below a line that stops well short of the edge",
        CountingLine("aisle", (0.4, 0.85), (0.4, 0.28)),
        [(200.0 + 25.0 * i, 1060.0) for i in range(17)],
        0,
        0,
    ),
]


@pytest.mark.parametrize(("name", "line", "feet", "entries", "exits"), EDGE_CASES, ids=[c[0] for c in EDGE_CASES])
def test_people_cut_off_by_the_bottom_edge_are_counted(
    name: str, line: CountingLine, feet: list[tuple[float, float]], entries: int, exits: int
) -> None:
    counter = LineCounter(line, 1000, 1000)
    for index, (x, y) in enumerate(feet):
        counter.update([_cut_off(1, x, y)], index / FPS)
    counter.forget([1])
    assert (counter.entries, counter.exits) == (entries, exits)
