"""Uniform colours on a real frame of vtest.avi: taken from a drawn box, worn by that person and not by others."""

from __future__ import annotations

from dataclasses import replace

import cv2
import pytest

from shopflow.domain.people import TrackedPerson
from shopflow.services.demo import sample_video
from shopflow.vision.uniform import Uniform, UniformError, uniform_from_box, uniform_from_json, wears
from tests.sample_video import sample_frame

SAMPLE = sample_video()
# On frame 670 (see tests/e2e/vtest_ground_truth.md): BJ in a light-blue jacket; K all in black; BL (blonde
# woman) in a long black coat on the grass.
BJ = (565.0, 264.0, 598.0, 371.0)
K = (468.0, 184.0, 497.0, 261.0)
BL = (223.0, 345.0, 285.0, 470.0)


@pytest.fixture(scope="module")
def frame() -> cv2.typing.MatLike:
    return sample_frame(670)


def person(box: tuple[float, float, float, float]) -> TrackedPerson:
    return TrackedPerson(1, *box, confidence=0.9)


def test_the_uniform_from_a_box_is_worn_by_that_person_only(frame: cv2.typing.MatLike) -> None:
    uniform = replace(uniform_from_box(frame, BJ, "blue jacket"), lower=None)
    assert uniform.upper is not None
    red, green, blue = uniform.upper
    assert blue > red and blue > green  # a blue jacket reads as blue
    assert wears(frame, person(BJ), uniform) is True
    assert wears(frame, person(K), uniform) is False
    assert wears(frame, person(BL), uniform) is False


def test_a_box_too_small_to_judge_gives_no_verdict(frame: cv2.typing.MatLike) -> None:
    uniform = Uniform("shirt", upper=(200, 30, 30))
    assert wears(frame, person((10.0, 10.0, 20.0, 40.0)), uniform) is None
    with pytest.raises(UniformError, match="px tall"):
        uniform_from_box(frame, (10.0, 10.0, 20.0, 40.0))
    with pytest.raises(UniformError, match="not inside"):
        uniform_from_box(frame, (700.0, 10.0, 900.0, 300.0))


def test_json_round_trip_and_colour_forms() -> None:
    uniform = uniform_from_json({"name": "vest", "upper": "#ff8000", "lower": [10, 20, 30]})
    assert (uniform.upper, uniform.lower) == ((255, 128, 0), (10, 20, 30))
    assert uniform_from_json(uniform.to_json()) == uniform
    with pytest.raises(UniformError, match=r"0\.\.255"):
        uniform_from_json({"name": "vest", "upper": [300, 0, 0]})
    with pytest.raises(UniformError, match="tolerance must be a number"):
        uniform_from_json({"name": "vest", "upper": "#ffffff", "tolerance": "wide"})
