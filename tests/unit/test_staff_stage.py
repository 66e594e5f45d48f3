"""The engine's staff stage: faces of undecided tracks are looked at once every `face_every_seconds`, and never
again once a track is decided (the matcher here is a counter standing in for vision/faces, not a database)."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from shopflow.analysis.staff import FaceSighting, StaffSettings
from shopflow.domain.people import TrackedPerson
from shopflow.pipeline.staff import StaffStage
from shopflow.vision.detector import Image

from .tracks import FPS, frames, stay

IMAGE: Image = np.zeros((1000, 1000, 3), dtype=np.uint8)


class CountingMatcher:
    def __init__(self, employee: str | None) -> None:
        self.employee = employee
        self.looked: list[tuple[float, int]] = []
        self.at = 0.0

    def sightings(self, image: Image, people: Sequence[TrackedPerson]) -> dict[int, FaceSighting]:
        self.looked.extend((self.at, person.track_id) for person in people)
        return {person.track_id: FaceSighting(self.employee, 1.0) for person in people}


def run(matcher: CountingMatcher, seconds: float) -> StaffStage:
    stage = StaffStage(1000, 1000, StaffSettings(), faces=matcher, face_every_seconds=2.0)
    for at, people in frames({1: stay((500.0, 500.0), int(seconds * FPS))}):
        matcher.at = at
        stage.classify(IMAGE, people, at)
    return stage


def test_a_customer_face_is_looked_at_once_every_two_seconds() -> None:
    matcher = CountingMatcher(employee=None)
    stage = run(matcher, 20.0)
    assert [at for at, _ in matcher.looked] == [0.0, 2.0, 4.0, 6.0, 8.0, 10.0, 12.0, 14.0, 16.0, 18.0]
    assert stage.rules.undecided(1)


def test_an_employee_is_not_looked_at_again_once_recognised() -> None:
    matcher = CountingMatcher(employee="ana")
    stage = run(matcher, 20.0)
    # Three sightings decide (face_min_frames), then the face is never searched again.
    assert [at for at, _ in matcher.looked] == [0.0, 2.0, 4.0]
    decision = stage.rules.decision(1)
    assert decision is not None and decision.detail == "ana"
