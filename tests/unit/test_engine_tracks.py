"""The engine collects the ids the tracker gives up on, every frame: on a 24/7 camera nothing piles up, and the
scene settles those people at once (a crossing they were making is decided while it is fresh)."""

from __future__ import annotations

import logging
from datetime import UTC, datetime

import numpy as np
import pytest

from shopflow.domain.events import Crossing
from shopflow.domain.geometry import CountingLine
from shopflow.domain.people import Detections
from shopflow.pipeline.engine import CameraEngine, EngineSettings
from shopflow.pipeline.motion import MotionSettings
from shopflow.pipeline.sources import Frame

IMAGE = np.zeros((200, 1000, 3), dtype=np.uint8)
SETTINGS = EngineSettings(motion=MotionSettings(enabled=False))


def boxes(*feet: tuple[float, float]) -> Detections:
    xyxy = np.array([[x - 10, y - 60, x + 10, y] for x, y in feet], dtype=np.float32).reshape(-1, 4)
    return Detections(xyxy, np.full(len(feet), 0.9, dtype=np.float32))


def frame(index: int, fps: float = 5.0) -> Frame:
    return Frame(image=IMAGE, index=index, timestamp=index / fps, captured_at=datetime(2024, 1, 1, tzinfo=UTC))


def test_removed_tracks_are_drained_every_frame(caplog: pytest.LogCaptureFixture) -> None:
    # Short visits one after another: each person is seen for 3 frames, then never again. Undrained, the tracker
    # would hold every one of their ids (and warn past 10,000 of them).
    people = 300
    script: list[Detections] = []
    for person in range(people):
        # Six places far apart, in turn: nobody appears where someone vanished moments ago (that is a revival).
        script += [boxes((100.0 + 150.0 * (person % 6), 150.0))] * 3 + [boxes()] * 2
    frames = iter(script)
    engine = CameraEngine(1000, 200, lambda _image: next(frames), settings=SETTINGS)
    seen: set[int] = set()
    with caplog.at_level(logging.WARNING):
        for index in range(len(script)):
            seen.update(p.track_id for p in engine.process(frame(index)).update.people)
    assert len(seen) == people
    assert engine.tracker.stats.pending_removals <= 1
    assert not [record for record in caplog.records if "never collected" in record.getMessage()]
    assert engine.scene.tracked_state_size < 50  # the scene let them go too


def test_a_crossing_is_decided_when_the_tracker_drops_the_person() -> None:
    # Someone walks down across a line at y=100 and is gone two frames after crossing (before confirm_seconds
    # at 5 fps would have run out with them still in view); the tracker drops them 4 s later.
    line = CountingLine("door", (0.0, 0.5), (0.2, 0.5))
    walk = [boxes((100.0, 40.0 + 12.0 * step)) for step in range(7)]  # feet 40 .. 112: over the line at the end
    script = walk + [boxes()] * 30
    frames = iter(script)
    engine = CameraEngine(1000, 200, lambda _image: next(frames), lines=[line], settings=SETTINGS)
    crossings = []
    for index in range(len(script)):
        crossings += [e for e in engine.process(frame(index)).update.events if isinstance(e, Crossing)]
    assert len(crossings) == 1
    assert crossings[0].at == pytest.approx(6 / 5.0)  # when they were last seen, over the line
    assert engine.scene.lines[0].entries == 1
