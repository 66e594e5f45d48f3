"""Stature: box heights compared at shared depths, on a camera whose line of height against depth is learnt."""

from __future__ import annotations

import math

import pytest

from shopflow.analysis.stature import Heights, StatureModel, StatureSettings

FRAME_HEIGHT = 576


def box_height(stature: float, feet_y: float) -> float:
    """A camera over a flat floor with its horizon 60 px above the picture: box height grows with depth."""
    return stature * 0.25 * (feet_y + 60.0)


def walked(model: StatureModel, stature: float, feet: range) -> Heights:
    heights = Heights()
    for feet_y in feet:
        model.add(heights, float(feet_y), box_height(stature, feet_y))
    return heights


def test_the_line_is_trusted_only_with_enough_views_that_grow_down_the_picture() -> None:
    model = StatureModel(FRAME_HEIGHT, StatureSettings(min_views=50))
    walked(model, 1.0, range(200, 300, 5))  # 20 views
    assert not model.reliable, "too few views"
    walked(model, 1.0, range(300, 500, 5))
    assert model.reliable
    # A camera looking straight down: box sizes do not follow depth.
    overhead = StatureModel(FRAME_HEIGHT)
    for feet_y in range(100, 500, 2):
        overhead.add(Heights(), float(feet_y), 80.0 + (feet_y * 37) % 23)
    assert not overhead.reliable


@pytest.mark.parametrize(
    ("first", "second", "first_path", "second_path", "expected"),
    [
        pytest.param(
            1.0,
            1.15,
            range(150, 550, 4),
            range(150, 550, 4),
            pytest.approx(math.log(1.15), abs=0.01),
            id="same path, 15 % taller",
        ),
        pytest.param(
            1.0,
            1.0,
            range(150, 550, 4),
            range(549, 149, -5),
            pytest.approx(0.0, abs=0.01),
            id="same person walking back",
        ),
        # Never at the very same y (4 px apart, up to nearly a band within one): the line brings them together.
        pytest.param(
            1.0,
            1.0,
            range(150, 550, 8),
            range(154, 554, 8),
            pytest.approx(0.0, abs=0.01),
            id="slightly different depths",
        ),
        pytest.param(1.0, 1.3, range(100, 250, 4), range(350, 560, 4), None, id="never at the same depth"),
    ],
)
def test_difference_at_shared_depths(
    first: float, second: float, first_path: range, second_path: range, expected: object
) -> None:
    model = StatureModel(FRAME_HEIGHT)
    a, b = walked(model, first, first_path), walked(model, second, second_path)
    assert model.difference(b, a) == expected


def test_a_line_fitted_over_the_whole_picture_does_not_decide() -> None:
    """A floor that rises at the back (a ramp, a lens) bends the line: a person seen only at the back and seen
    again only at the front must not be judged by it."""
    model = StatureModel(FRAME_HEIGHT)

    def bent(feet_y: float) -> float:
        return 0.25 * (feet_y + 60.0) * (1.0 + 0.2 * (feet_y < 250))

    back, front = Heights(), Heights()
    for feet_y in range(100, 250, 3):
        model.add(back, float(feet_y), bent(feet_y))
    for feet_y in range(300, 560, 3):
        model.add(front, float(feet_y), bent(feet_y))
    assert model.reliable
    assert model.difference(back, front) is None
    assert model.could_be_one(back, front)


def test_one_persons_jitter_is_within_the_tolerance_and_a_stranger_is_not() -> None:
    model = StatureModel(FRAME_HEIGHT)
    jitter = [1.0 + 0.06 * math.sin(i * 1.7) for i in range(100)]  # +-6 % box height, frame to frame
    first, again, stranger = Heights(), Heights(), Heights()
    for i, feet_y in enumerate(range(150, 550, 4)):
        model.add(first, float(feet_y), box_height(jitter[i], feet_y))
        model.add(again, float(feet_y), box_height(jitter[-1 - i], feet_y))
        model.add(stranger, float(feet_y), box_height(1.12 * jitter[i], feet_y))
    assert model.could_be_one(first, again)
    assert not model.could_be_one(first, stranger)


def test_the_line_follows_a_camera_moved_without_growing() -> None:
    model = StatureModel(FRAME_HEIGHT, StatureSettings(half_life_views=400))
    for _ in range(20):
        walked(model, 1.0, range(150, 550, 4))
    # Turned to look straight down: after a few halvings the old view no longer holds the line up.
    for _ in range(20):
        for feet_y in range(150, 550, 4):
            model.add(Heights(), float(feet_y), 90.0 + (feet_y * 37) % 23)
    assert not model.reliable
