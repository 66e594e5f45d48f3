"""One engine configuration from YOLO_CONFIDENCE for the server's cameras and `shopflow analyze`."""

from __future__ import annotations

import pytest

from shopflow.pipeline.engine import EngineSettings, engine_settings


def test_the_default_confidence_keeps_the_tracker_defaults() -> None:
    built = engine_settings(0.5)
    assert built == EngineSettings()
    tracker = built.tracker
    assert (tracker.low_confidence, tracker.high_confidence, tracker.new_track_confidence) == (0.1, 0.5, 0.6)
    assert built.motion.enabled


@pytest.mark.parametrize(
    ("confidence", "low", "new_track"),
    [(0.3, 0.1, 0.6), (0.7, 0.1, 0.7), (0.05, 0.05, 0.6)],
)
def test_the_other_thresholds_move_only_to_stay_in_order(confidence: float, low: float, new_track: float) -> None:
    tracker = engine_settings(confidence).tracker
    assert (tracker.low_confidence, tracker.high_confidence, tracker.new_track_confidence) == (
        low,
        confidence,
        new_track,
    )


def test_the_motion_gate_can_be_turned_off() -> None:
    assert not engine_settings(0.5, motion_gate=False).motion.enabled
