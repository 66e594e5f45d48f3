"""The stamper sends the scene's heatmap growth about once a minute of stream time, and the rest at the end."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import numpy as np
import pytest

from shopflow.analysis.scene import SceneAnalyzer, SceneSettings
from shopflow.domain.stamped import HeatmapTally, PartyTally
from shopflow.pipeline.sources import Frame
from shopflow.pipeline.stamping import EventStamper

from .tracks import person

WIDTH, HEIGHT = 640, 480
START = datetime(2024, 3, 10, 12, 0, tzinfo=UTC)
IMAGE = np.zeros((1, 1, 3), dtype=np.uint8)  # the stamper never looks at pixels


def frame(index: int, at: float) -> Frame:
    return Frame(image=IMAGE, index=index, timestamp=at, captured_at=START + timedelta(seconds=at))


def run(seconds: float, fps: float = 2.0, every: float = 60.0) -> tuple[SceneAnalyzer, EventStamper, list]:
    scene = SceneAnalyzer(WIDTH, HEIGHT, settings=SceneSettings(heatmap_columns=8, heatmap_rows=6))
    stamper = EventStamper("session", scene, heatmap_every_seconds=every)
    stamped = []
    steps = int(seconds * fps)
    for index in range(steps + 1):
        at = index / fps
        # One person standing still in the middle of the left half, another walking right along the bottom.
        people = [person(1, 100.0, 300.0), person(2, 20.0 + 600.0 * index / steps, 470.0)]
        update = scene.update(people, at)
        stamped.extend(stamper.stamp(update.events, frame(index, at)))
    last = frame(steps, steps / fps)
    stamped.extend(stamper.stamp(scene.finish(), last, final=True))
    return scene, stamper, stamped


def test_heatmap_tallies_come_once_a_minute_and_add_up_to_the_scene_heatmap() -> None:
    scene, _stamper, stamped = run(seconds=150.0)
    tallies = [item for item in stamped if isinstance(item.event, HeatmapTally)]

    # Stream times 60 and 120 are due; 150 is sent by the final stamp.
    assert [item.event.at for item in tallies] == [60.0, 120.0, 150.0]
    assert tallies[-1].key.endswith(":end")
    assert len({item.key for item in stamped}) == len(stamped)  # every key unique, the closing ones too
    total = sum(np.array(item.event.cells).reshape(6, 8) for item in tallies)
    np.testing.assert_allclose(total, scene.heatmap.grid)
    assert total.sum() == pytest.approx(2 * 150.0)  # two people in view for 150 s
    first = tallies[0]
    assert (first.event.columns, first.event.rows, first.event.frame_width, first.event.frame_height) == (
        8,
        6,
        640,
        480,
    )
    assert first.occurred_at == START + timedelta(seconds=60)
    assert first.event.cells[3 * 8 + 1] == pytest.approx(60.0)  # row 300/480*6 = 3, column 100/640*8 = 1


def test_nothing_is_sent_while_nobody_is_in_view() -> None:
    scene = SceneAnalyzer(WIDTH, HEIGHT)
    stamper = EventStamper("session", scene, heatmap_every_seconds=10.0)
    stamped = []
    for index in range(100):
        update = scene.update([], index * 0.5)
        stamped.extend(stamper.stamp(update.events, frame(index, index * 0.5)))
    stamped.extend(stamper.stamp(scene.finish(), frame(99, 49.5), final=True))
    assert not [item for item in stamped if isinstance(item.event, HeatmapTally | PartyTally)]


def test_the_interval_must_be_positive() -> None:
    with pytest.raises(ValueError, match="must be positive"):
        EventStamper("session", SceneAnalyzer(WIDTH, HEIGHT), heatmap_every_seconds=0.0)
