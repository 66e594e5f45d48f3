"""The stamper sends each visitor once, as an arrival at the moment they came into view, so the hourly tally of
visitors never goes down and lands in the hour they arrived in."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import numpy as np

from shopflow.analysis.scene import SceneAnalyzer
from shopflow.domain.stamped import PartyTally, StampedEvent
from shopflow.pipeline.sources import Frame
from shopflow.pipeline.stamping import EventStamper

from .tracks import person

START = datetime(2024, 3, 10, 12, 59, 59, tzinfo=UTC)  # a second before the hour turns
IMAGE = np.zeros((1, 1, 3), dtype=np.uint8)
RED = np.array([0.8, 0.1, 0.1, 0.0, 0.0, 0.1, 0.1, 0.8], dtype=np.float32)
BLUE = np.array([0.0, 0.1, 0.1, 0.8, 0.8, 0.1, 0.1, 0.0], dtype=np.float32)


def visitor_tallies(visits: list[tuple[int, float, float, np.ndarray | None]]) -> list[StampedEvent]:
    """Play visits (track id, from, to, colours or None for never seen clearly) at 5 fps through scene and stamper."""
    scene = SceneAnalyzer(640, 480)
    stamper = EventStamper("session", scene)
    stamped: list[StampedEvent] = []
    end = max(to for _, _, to, _ in visits) + 15.0
    index = 0
    at = 0.0
    while at <= end:
        people = [person(t, 100.0 * t, 300.0) for t, start, to, _ in visits if start <= at <= to]
        colours = {t: c for t, start, to, c in visits if start <= at <= to and c is not None}
        update = scene.update(people, at, colours)
        frame = Frame(image=IMAGE, index=index, timestamp=at, captured_at=START + timedelta(seconds=at))
        stamped.extend(stamper.stamp(update.events, frame))
        index += 1
        at = index / 5.0
    last = Frame(image=IMAGE, index=index, timestamp=at, captured_at=START + timedelta(seconds=at))
    stamped.extend(stamper.stamp(scene.finish(), last, final=True))
    return [s for s in stamped if isinstance(s.event, PartyTally) and s.event.visitors]


def test_a_visitor_lands_in_the_hour_they_arrived_in() -> None:
    tallies = visitor_tallies([(1, 0.0, 5.0, RED)])
    assert [(s.event.visitors, s.occurred_at) for s in tallies] == [(1, START)]  # 12:59:59, settled after 13:00


def test_visitor_tallies_are_never_negative_and_keys_are_unique() -> None:
    # 1 leaves; 2 (the same clothes, first unclear) comes back; 3 and 4 arrive at the same moment.
    tallies = visitor_tallies([(1, 0.0, 4.0, RED), (2, 10.0, 16.0, RED), (3, 20.0, 26.0, BLUE), (4, 20.0, 30.0, None)])
    assert all(s.event.visitors > 0 for s in tallies)
    assert sum(s.event.visitors for s in tallies) == 3
    assert len({s.key for s in tallies}) == len(tallies)
    assert sorted(s.occurred_at for s in tallies) == [
        START,
        START + timedelta(seconds=20),
        START + timedelta(seconds=20),
    ]
