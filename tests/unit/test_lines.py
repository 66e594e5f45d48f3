"""Counting lines on synthetic tracks: each real crossing counts once, in the right direction."""

from __future__ import annotations

import pytest

from shopflow.analysis.lines import LineCounter
from shopflow.domain.events import Direction
from shopflow.domain.geometry import CountingLine, GeometryError

from .tracks import Path, frames, gap, stay, walk

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
