"""Zones on synthetic tracks: one visit per stay, dwell seconds, occupancy, and no split on short occlusion."""

from __future__ import annotations

import pytest

from shopflow.analysis.zones import ZoneMonitor, point_in_polygon
from shopflow.domain.events import Visit, ZoneEntry
from shopflow.domain.geometry import GeometryError, Zone

from .tracks import FPS, Path, frames, gap, stay, walk

# The middle of a 1000x1000 frame: x and y from 300 to 700.
COUNTER = Zone("counter", ((0.3, 0.3), (0.7, 0.3), (0.7, 0.7), (0.3, 0.7)))
OUTSIDE = (100.0, 100.0)
INSIDE = (500.0, 500.0)


def run(paths: dict[int, Path]) -> tuple[ZoneMonitor, list[Visit], list[ZoneEntry]]:
    monitor = ZoneMonitor(COUNTER, 1000, 1000)
    events: list[ZoneEntry | Visit] = []
    for at, people in frames(paths):
        events.extend(monitor.update(people, at))
    events.extend(monitor.finish())
    visits = [e for e in events if isinstance(e, Visit)]
    entries = [e for e in events if isinstance(e, ZoneEntry)]
    return monitor, visits, entries


STAY_10S = int(10 * FPS)

CASES: list[tuple[str, dict[int, Path], list[float]]] = [
    ("one stay of ten seconds", {1: stay(OUTSIDE, 5) + stay(INSIDE, STAY_10S + 1) + stay(OUTSIDE, 30)}, [10.0]),
    (
        "short occlusion does not split the visit",
        {1: stay(INSIDE, 26) + gap(7) + stay(INSIDE, 25) + stay(OUTSIDE, 30)},
        [(26 + 7 + 25 - 1) / FPS],
    ),
    (
        "stepping out briefly does not split the visit",
        {1: stay(INSIDE, 26) + stay(OUTSIDE, 5) + stay(INSIDE, 25) + stay(OUTSIDE, 30)},
        [(26 + 5 + 25 - 1) / FPS],
    ),
    (
        "a long absence makes two visits",
        {1: stay(INSIDE, 26) + stay(OUTSIDE, 50) + stay(INSIDE, 26) + stay(OUTSIDE, 30)},
        [5.0, 5.0],
    ),
    ("brushing a corner is not a visit", {1: stay(OUTSIDE, 5) + stay(INSIDE, 3) + stay(OUTSIDE, 30)}, []),
    ("still inside at the end of the video", {1: stay(OUTSIDE, 5) + stay(INSIDE, 26)}, [5.0]),
    # Feet inside from x=310 (frame 10) to x=690 (frame 29): 19 steps of 0.2 s.
    ("walking through", {1: walk((110, 500), (910, 500), 41) + stay(OUTSIDE, 30)}, [3.8]),
    (
        "two people, overlapping stays",
        {1: stay(INSIDE, 51) + stay(OUTSIDE, 30), 2: stay(OUTSIDE, 10) + stay((400, 400), 26) + stay(OUTSIDE, 40)},
        [5.0, 10.0],
    ),
]


@pytest.mark.parametrize(("name", "paths", "dwells"), CASES, ids=[c[0] for c in CASES])
def test_visits_and_dwell(name: str, paths: dict[int, Path], dwells: list[float]) -> None:
    monitor, visits, entries = run(paths)
    assert sorted(v.dwell_seconds for v in visits) == pytest.approx(sorted(dwells))
    assert monitor.entries == len(dwells) == len(entries)
    assert len(monitor) == 0


def test_occupancy_and_peak() -> None:
    monitor = ZoneMonitor(COUNTER, 1000, 1000)
    occupancy = []
    paths: dict[int, Path] = {
        1: stay(INSIDE, 40) + stay(OUTSIDE, 30),
        2: stay(OUTSIDE, 10) + stay((400, 400), 20) + stay(OUTSIDE, 40),
    }
    for at, people in frames(paths):
        monitor.update(people, at)
        occupancy.append(monitor.occupancy)
    assert max(occupancy) == 2 == monitor.peak_occupancy
    assert occupancy[-1] == 0
    # A person counts once they have been inside for the minimum visit time (1 s = 5 frames).
    assert occupancy[4] == 0 and occupancy[5] == 1


def test_forget_closes_the_visit_of_a_departed_person() -> None:
    monitor = ZoneMonitor(COUNTER, 1000, 1000)
    for at, people in frames({1: stay(INSIDE, 20)}):
        monitor.update(people, at)
    visits = monitor.forget([1])
    assert [v.dwell_seconds for v in visits] == pytest.approx([19 / FPS])
    assert len(monitor) == 0


@pytest.mark.parametrize(
    ("x", "y", "inside"),
    [(0.5, 0.5, True), (0.1, 0.5, False), (0.69, 0.31, True), (0.71, 0.5, False)],
)
def test_point_in_polygon(x: float, y: float, inside: bool) -> None:
    assert point_in_polygon(x, y, COUNTER.polygon) is inside


@pytest.mark.parametrize(
    ("polygon", "message"),
    [
        (((0.1, 0.1), (0.9, 0.9), (0.9, 0.1), (0.1, 0.9)), "self-intersecting"),
        (((0.1, 0.1), (0.9, 0.1)), "at least 3 points"),
        (((0.1, 0.1), (0.5, 0.5), (0.9, 0.9)), "no area"),
        (((0.1, 0.1), (1.5, 0.1), (0.5, 0.9)), "outside 0..1"),
        (((0.1, 0.1), (0.1, 0.1), (0.5, 0.9)), "same point"),
    ],
)
def test_bad_zones_are_refused_with_a_clear_message(polygon: tuple[tuple[float, float], ...], message: str) -> None:
    with pytest.raises(GeometryError, match=message):
        Zone("counter", polygon)
