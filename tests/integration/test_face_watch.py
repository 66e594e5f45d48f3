"""The pipeline's face matcher on real photos: the face in the head of a person's box, matched against the staff."""

from __future__ import annotations

from pathlib import Path

import cv2
import pytest

from shopflow.domain.people import TrackedPerson
from shopflow.pipeline.face_watch import FaceWatch, FaceWatchSettings
from shopflow.vision.faces import DlibFaceEmbedder, FaceGallery, enrolment_embedding

PHOTOS = Path(__file__).resolve().parents[1] / "fixtures" / "faces"


@pytest.fixture(scope="module")
def watch() -> FaceWatch:
    embedder = DlibFaceEmbedder()
    gallery = FaceGallery({"Ana": [enrolment_embedding((PHOTOS / "obama2.jpg").read_bytes(), embedder)]})
    return FaceWatch(embedder, gallery)


def standing(track_id: int, image: cv2.typing.MatLike) -> TrackedPerson:
    """A box whose top third is the photo (a portrait is the head and shoulders of someone standing)."""
    height, width = image.shape[:2]
    return TrackedPerson(track_id, 0.0, 0.0, float(width), float(height) * 3, confidence=0.9)


def test_an_enrolled_face_is_recognised_and_a_stranger_is_not(watch: FaceWatch) -> None:
    employee = cv2.imread(str(PHOTOS / "obama.jpg"))
    stranger = cv2.imread(str(PHOTOS / "biden.jpg"))
    seen = watch.sightings(employee, [standing(1, employee)])
    assert set(seen) == {1}
    assert seen[1].employee == "Ana"
    assert seen[1].weight > 1.0  # a 155 px sharp face weighs more than the 80 px reference
    seen = watch.sightings(stranger, [standing(2, stranger)])
    assert set(seen) == {2}
    assert seen[2].employee is None


def test_people_too_small_for_a_face_are_not_looked_at(watch: FaceWatch) -> None:
    plaza = cv2.imread(str(PHOTOS / "bus.jpg"))
    short = TrackedPerson(3, 0.0, 0.0, 100.0, 150.0, confidence=0.9)  # under min_person_px
    assert watch.sightings(plaza, [short]) == {}


def test_work_per_frame_is_bounded(watch: FaceWatch) -> None:
    employee = cv2.imread(str(PHOTOS / "obama.jpg"))
    crowd = [standing(track_id, employee) for track_id in range(10)]
    limited = FaceWatch(watch.embedder, watch.gallery, FaceWatchSettings(max_people_per_frame=2))
    assert len(limited.sightings(employee, crowd)) == 2
