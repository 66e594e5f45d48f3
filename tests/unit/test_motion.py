"""The motion gate skips the detector on still scenes and lets it run on movement, drift and rechecks."""

from __future__ import annotations

import cv2
import numpy as np
import numpy.typing as npt
import pytest

from shopflow.pipeline.motion import MotionGate, MotionSettings

pytestmark = pytest.mark.timeout(60)

Image = npt.NDArray[np.uint8]
WIDTH, HEIGHT = 640, 480


def textured_background(seed: int = 7) -> Image:
    """A shop-like still scene: smooth texture in every channel, not a flat colour that hides noise effects."""
    rng = np.random.default_rng(seed)
    raw = rng.integers(30, 220, (HEIGHT, WIDTH, 3)).astype(np.uint8)
    return np.asarray(cv2.GaussianBlur(raw, (7, 7), 0), dtype=np.uint8)


def with_box(background: Image, x: int, y: int = 200, width: int = 24, height: int = 48, grey: int = 250) -> Image:
    image = background.copy()
    cv2.rectangle(image, (x, y), (x + width - 1, y + height - 1), (grey, grey, grey), -1)
    return image


def run(gate: MotionGate, frames: list[Image], fps: float) -> list[int]:
    """Indexes of the frames on which the gate let the detector run."""
    return [i for i, image in enumerate(frames) if gate.should_detect(image, i / fps)]


def test_static_scene_only_runs_the_detector_on_the_first_frame_and_rechecks() -> None:
    background = textured_background()
    gate = MotionGate(MotionSettings(recheck_seconds=2.0))

    detected = run(gate, [background] * 50, fps=10.0)

    assert detected == [0, 20, 40]
    assert gate.skipped == 47


def test_sensor_noise_does_not_count_as_motion() -> None:
    rng = np.random.default_rng(3)
    background = textured_background().astype(np.float64)
    noisy = [np.clip(background + rng.normal(0.0, 3.0, background.shape), 0, 255).astype(np.uint8) for _ in range(60)]
    gate = MotionGate(MotionSettings(recheck_seconds=2.0))

    detected = run(gate, noisy, fps=25.0)

    assert detected == [0, 50]
    assert gate.skipped == 58


@pytest.mark.parametrize(
    ("box_width", "box_height", "triggers"),
    [
        (24, 48, True),  # a person far from the camera: 6x12 pixels at analysis size
        (12, 24, True),
        (4, 4, False),  # a fly or a flickering pixel: below min_changed_fraction
    ],
)
def test_moving_blob_triggers_when_it_is_big_enough(box_width: int, box_height: int, triggers: bool) -> None:
    background = textured_background()
    frames = [with_box(background, 100 + 12 * i, width=box_width, height=box_height) for i in range(10)]
    gate = MotionGate(MotionSettings(recheck_seconds=60.0))

    detected = run(gate, frames, fps=10.0)

    assert detected == (list(range(10)) if triggers else [0])


def test_blob_appearing_in_an_empty_scene_triggers() -> None:
    background = textured_background()
    gate = MotionGate(MotionSettings(recheck_seconds=60.0))

    assert gate.should_detect(background, 0.0)
    assert not gate.should_detect(background, 0.1)
    assert gate.should_detect(with_box(background, 300), 0.2)
    assert not gate.should_detect(with_box(background, 300), 0.3)


def drifting_scene(x: int) -> Image:
    """A dark-clothed person on a dark floor creeping 1 pixel per frame: each step alone is below the threshold."""
    image = np.full((HEIGHT, WIDTH, 3), 40, np.uint8)
    cv2.rectangle(image, (x, 200), (x + 39, 279), (60, 60, 60), -1)
    return image


def test_slow_drift_accumulates_against_the_last_detected_frame_until_it_triggers() -> None:
    for step in range(10):
        one_step = MotionGate(MotionSettings(recheck_seconds=60.0))
        one_step.should_detect(drifting_scene(100 + step), 0.0)
        assert not one_step.should_detect(drifting_scene(101 + step), 0.01), "a single step must be too small"

    gate = MotionGate(MotionSettings(recheck_seconds=60.0))
    detected = run(gate, [drifting_scene(100 + i) for i in range(100)], fps=100.0)

    assert detected[0] == 0
    assert len(detected) >= 4, "accumulated drift must trigger again and again"
    gaps = np.diff(detected)
    assert gaps.min() > 1, "between detections the drift must be skipped while it is still small"


def test_disabled_gate_always_runs_the_detector() -> None:
    background = textured_background()
    gate = MotionGate(MotionSettings(enabled=False))

    assert all(gate.should_detect(background, i / 10.0) for i in range(30))
    assert gate.skipped == 0


def test_resolution_change_and_time_going_backwards_run_the_detector() -> None:
    background = textured_background()
    gate = MotionGate(MotionSettings(recheck_seconds=60.0))
    assert gate.should_detect(background, 10.0)
    assert not gate.should_detect(background, 10.1)

    smaller = np.asarray(cv2.resize(background, (320, 200)), dtype=np.uint8)
    assert gate.should_detect(smaller, 10.2)
    assert not gate.should_detect(smaller, 10.3)
    assert gate.should_detect(smaller, 0.5), "a restarted stream clock must not freeze the gate until it catches up"


def test_grey_and_small_images_are_accepted() -> None:
    grey = np.full((60, 80), 100, np.uint8)
    gate = MotionGate()
    assert gate.should_detect(grey, 0.0)
    assert not gate.should_detect(grey, 0.1)
    moved = grey.copy()
    moved[20:40, 30:50] = 200
    assert gate.should_detect(moved, 0.2)


@pytest.mark.parametrize(
    "settings",
    [
        {"analysis_width": 8},
        {"pixel_threshold": 0},
        {"pixel_threshold": 256},
        {"min_changed_fraction": -0.1},
        {"min_changed_fraction": 1.5},
        {"recheck_seconds": 0.0},
        {"recheck_seconds": float("nan")},
    ],
)
def test_invalid_settings_are_refused(settings: dict[str, float]) -> None:
    with pytest.raises(ValueError, match="motion"):
        MotionSettings(**settings)  # type: ignore[arg-type]
