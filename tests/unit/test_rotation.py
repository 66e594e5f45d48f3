"""A camera mounted upside down or sideways: its picture and what is drawn on it turn together, by quarter turns."""

from __future__ import annotations

import numpy as np
import pytest

from shopflow.domain.cameras import ROTATIONS, check_rotation
from shopflow.domain.geometry import Point, turn_point
from shopflow.domain.problems import InputError
from shopflow.storage.records import InsideSide, LineConfig, ZoneConfig
from shopflow.vision.orientation import upright

# (point, degrees clockwise, where it lands): worked out on paper for a picture turned a quarter at a time.
TURNS: list[tuple[Point, int, Point]] = [
    ((0.1, 0.2), 0, (0.1, 0.2)),
    ((0.1, 0.2), 90, (0.8, 0.1)),
    ((0.1, 0.2), 180, (0.9, 0.8)),
    ((0.1, 0.2), 270, (0.2, 0.9)),
    ((0.0, 0.0), 90, (1.0, 0.0)),  # the top-left corner goes to the top right
    ((1.0, 1.0), 180, (0.0, 0.0)),
    ((0.5, 0.5), 270, (0.5, 0.5)),  # the middle stays
]


@pytest.mark.parametrize(("point", "degrees", "expected"), TURNS)
def test_a_point_turns_with_the_picture(point: Point, degrees: int, expected: Point) -> None:
    assert turn_point(point, degrees) == pytest.approx(expected)


def test_four_quarter_turns_bring_every_point_back() -> None:
    rng = np.random.default_rng(7)
    for x, y in rng.random((50, 2)):
        point = (round(float(x), 4), round(float(y), 4))
        turned = point
        for _ in range(4):
            turned = turn_point(turned, 90)
        assert turned == point
        assert turn_point(turn_point(point, 90), 270) == point


@pytest.mark.parametrize("degrees", ROTATIONS)
def test_the_picture_and_a_point_on_it_turn_to_the_same_place(degrees: int) -> None:
    # One lit pixel on a picture that is wider than tall and not symmetric: where the picture's turn puts the
    # pixel is where turn_point puts its centre, so lines drawn on a turned picture sit on the same spot.
    height, width, col, row = 30, 40, 5, 7
    image = np.zeros((height, width, 3), dtype=np.uint8)
    image[row, col] = 255
    turned = upright(image, degrees)
    rows, cols = np.nonzero(turned[:, :, 0])
    new_height, new_width = turned.shape[:2]
    x, y = turn_point(((col + 0.5) / width, (row + 0.5) / height), degrees)
    assert (int(cols[0]), int(rows[0])) == (int(x * new_width), int(y * new_height))
    assert (new_width, new_height) == ((height, width) if degrees in (90, 270) else (width, height))


def _cross(line: LineConfig, point: Point) -> float:
    (ax, ay), (bx, by) = line.a, line.b
    return (bx - ax) * (point[1] - ay) - (by - ay) * (point[0] - ax)


@pytest.mark.parametrize("degrees", ROTATIONS)
def test_a_turned_line_keeps_its_inside_side(degrees: int) -> None:
    door = LineConfig("door", (0.1, 0.5), (0.9, 0.5), InsideSide.NEGATIVE)
    inside_point = (0.5, 0.3)  # the negative side of this line
    turned = door.turned(degrees)
    assert turned.inside is InsideSide.NEGATIVE
    assert _cross(door, inside_point) < 0
    assert _cross(turned, turn_point(inside_point, degrees)) < 0


def test_a_turned_zone_is_the_same_zone_moved() -> None:
    shelf = ZoneConfig("shelf", ((0.1, 0.1), (0.4, 0.1), (0.4, 0.4)))
    turned = shelf.turned(180)
    assert turned.name == "shelf"
    assert turned.polygon == ((0.9, 0.9), (0.6, 0.9), (0.6, 0.6))
    turned.to_domain()  # still a valid zone


@pytest.mark.parametrize("degrees", [45, -90, 360, 1, True])
def test_only_quarter_turns_are_accepted(degrees: int) -> None:
    with pytest.raises(InputError, match="0, 90, 180 or 270") as raised:
        check_rotation(degrees)
    assert raised.value.code == "rotation_invalid"


def test_every_quarter_turn_is_accepted() -> None:
    assert [check_rotation(degrees) for degrees in ROTATIONS] == [0, 90, 180, 270]


def test_a_picture_flipped_top_bottom_turned_half_round_is_the_mirrored_picture() -> None:
    # Why the rotation also rescues a camera whose picture is flipped top-bottom: turned 180° it is the picture
    # mirrored left-right, which counts like the original (docs/benchmarks.md, robustness matrix).
    rng = np.random.default_rng(3)
    image = rng.integers(0, 256, (30, 40, 3), dtype=np.uint8)
    assert np.array_equal(upright(np.flip(image, axis=0), 180), np.flip(image, axis=1))
