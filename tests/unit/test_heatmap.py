"""Heatmap: person-seconds accumulate in the feet cell, feet off the frame clip to the edge, maps merge."""

from __future__ import annotations

import math

import numpy as np
import pytest

from shopflow.analysis.heatmap import Heatmap
from shopflow.domain.people import TrackedPerson

WIDTH, HEIGHT = 640, 480  # with the default 64 x 48 grid every cell is 10 x 10 px


def standing_at(feet_x: float, feet_y: float, track_id: int = 1) -> TrackedPerson:
    return TrackedPerson(track_id, feet_x - 15.0, feet_y - 120.0, feet_x + 15.0, feet_y, 0.9)


def test_new_heatmap_is_empty_with_rows_by_columns_shape() -> None:
    grid = Heatmap(columns=8, rows=6).grid
    assert grid.shape == (6, 8)
    assert grid.dtype == np.float64
    assert not grid.any()


@pytest.mark.parametrize(
    ("feet", "cell"),
    [
        pytest.param((15.0, 25.0), (2, 1), id="inside"),
        pytest.param((0.0, 0.0), (0, 0), id="top-left corner"),
        pytest.param((639.9, 479.9), (47, 63), id="bottom-right pixel"),
        pytest.param((640.0, 480.0), (47, 63), id="right on the far edge"),
        pytest.param((-30.0, -5.0), (0, 0), id="off the top-left clips"),
        pytest.param((900.0, 700.0), (47, 63), id="off the bottom-right clips"),
        pytest.param((320.0, 485.0), (47, 32), id="feet just below the frame"),
    ],
)
def test_presence_lands_in_the_feet_cell(feet: tuple[float, float], cell: tuple[int, int]) -> None:
    heatmap = Heatmap()
    heatmap.add([standing_at(*feet)], WIDTH, HEIGHT, 0.25)
    grid = heatmap.grid
    assert grid[cell] == pytest.approx(0.25)
    assert grid.sum() == pytest.approx(0.25)


def test_seconds_accumulate_over_frames_and_people() -> None:
    heatmap = Heatmap()
    for _ in range(10):  # ten frames at 10 fps: one second
        heatmap.add(
            [standing_at(15.0, 25.0, 1), standing_at(18.0, 22.0, 2), standing_at(300.0, 300.0, 3)], WIDTH, HEIGHT, 0.1
        )
    grid = heatmap.grid
    assert grid[2, 1] == pytest.approx(2.0)  # two people sharing a cell both count
    assert grid[30, 30] == pytest.approx(1.0)
    assert grid.sum() == pytest.approx(3.0)


def test_same_place_at_another_resolution_hits_the_same_cell() -> None:
    low, high = Heatmap(), Heatmap()
    low.add([standing_at(15.0, 25.0)], WIDTH, HEIGHT, 1.0)
    high.add([standing_at(30.0, 50.0)], 2 * WIDTH, 2 * HEIGHT, 1.0)
    np.testing.assert_array_equal(low.grid, high.grid)


def test_no_people_or_broken_boxes_add_nothing() -> None:
    heatmap = Heatmap()
    heatmap.add([], WIDTH, HEIGHT, 1.0)
    heatmap.add([standing_at(math.nan, 10.0), standing_at(10.0, math.inf)], WIDTH, HEIGHT, 1.0)
    assert heatmap.grid.sum() == 0.0


def test_grid_is_a_copy() -> None:
    heatmap = Heatmap()
    heatmap.add([standing_at(15.0, 25.0)], WIDTH, HEIGHT, 1.0)
    heatmap.grid[:] = 99.0
    assert heatmap.grid.sum() == pytest.approx(1.0)


def test_merge_adds_cell_by_cell() -> None:
    morning, afternoon = Heatmap(4, 3), Heatmap(4, 3)
    morning.add([standing_at(10.0, 10.0)], 400, 300, 2.0)
    afternoon.add([standing_at(10.0, 10.0), standing_at(390.0, 290.0)], 400, 300, 1.5)
    morning.merge(afternoon)
    expected = np.zeros((3, 4))
    expected[0, 0] = 3.5
    expected[2, 3] = 1.5
    np.testing.assert_allclose(morning.grid, expected)
    np.testing.assert_allclose(afternoon.grid.sum(), 3.0)  # the merged-in map is unchanged


@pytest.mark.parametrize(("columns", "rows"), [(4, 4), (3, 3), (64, 48)])
def test_merge_rejects_other_shapes(columns: int, rows: int) -> None:
    with pytest.raises(ValueError, match="shape"):
        Heatmap(4, 3).merge(Heatmap(columns, rows))


@pytest.mark.parametrize(("columns", "rows"), [(0, 48), (64, 0), (-1, -1)])
def test_rejects_an_empty_grid(columns: int, rows: int) -> None:
    with pytest.raises(ValueError, match="at least one column and one row"):
        Heatmap(columns, rows)


@pytest.mark.parametrize(
    ("width", "height", "seconds", "message"),
    [
        (0, HEIGHT, 1.0, "frame size"),
        (WIDTH, -1, 1.0, "frame size"),
        (WIDTH, HEIGHT, -0.1, "seconds"),
        (WIDTH, HEIGHT, math.nan, "seconds"),
        (WIDTH, HEIGHT, math.inf, "seconds"),
    ],
)
def test_add_rejects_nonsense(width: int, height: int, seconds: float, message: str) -> None:
    heatmap = Heatmap()
    with pytest.raises(ValueError, match=message):
        heatmap.add([standing_at(1.0, 1.0)], width, height, seconds)
    assert heatmap.grid.sum() == 0.0
