"""The pipeline's face matcher: recognises enrolled staff in the heads of undecided people's boxes.

A customer's face is found, embedded and compared in memory, then dropped: nothing it sees is kept.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import cv2
import numpy as np

from shopflow.analysis.staff import FaceSighting
from shopflow.domain.people import TrackedPerson
from shopflow.vision.detector import Image
from shopflow.vision.faces import FaceEmbedder, FaceGallery


@dataclass(frozen=True, slots=True)
class FaceWatchSettings:
    # People shorter than this cannot show a face big enough to recognise: not even looked at.
    min_person_px: int = 160
    # Faces narrower than this in the frame are not embedded (too few pixels to tell people apart).
    min_face_px: int = 40
    # Bounded work per frame, whatever the crowd: the largest undecided people are looked at first.
    max_people_per_frame: int = 1
    # A face of this width with a sharpness of `reference_sharpness` weighs 1 in the vote.
    reference_face_px: float = 80.0
    reference_sharpness: float = 100.0


class FaceWatch:
    """The pipeline's face matcher: finds the face in the head of each undecided person's box and says whom it
    matches. Implements pipeline/staff.FaceMatcher. Nothing it sees is kept."""

    def __init__(self, embedder: FaceEmbedder, gallery: FaceGallery, settings: FaceWatchSettings | None = None) -> None:
        self.embedder = embedder
        self.gallery = gallery
        self.settings = settings or FaceWatchSettings()

    def sightings(self, image: Image, people: Sequence[TrackedPerson]) -> dict[int, FaceSighting]:
        settings = self.settings
        height, width = image.shape[:2]
        tall = sorted((p for p in people if p.height >= settings.min_person_px), key=lambda p: -p.height)
        found: dict[int, FaceSighting] = {}
        for person in tall[: settings.max_people_per_frame]:
            # The head is in the top third of a standing person's box; a margin keeps a face cut by the box.
            box_w = person.x2 - person.x1
            x1 = int(max(person.x1 - 0.1 * box_w, 0))
            x2 = int(min(person.x2 + 0.1 * box_w, width))
            y1 = int(max(person.y1 - 0.05 * person.height, 0))
            y2 = int(min(person.y1 + 0.35 * person.height, height))
            if x2 - x1 < settings.min_face_px or y2 - y1 < settings.min_face_px:
                continue
            crop = np.ascontiguousarray(cv2.cvtColor(image[y1:y2, x1:x2], cv2.COLOR_BGR2RGB), dtype=np.uint8)
            # dlib's detector finds faces from about 80 px; upsampling once finds them from about 40 px.
            faces = [f for f in self.embedder.find(crop, upsample=1) if f.width >= settings.min_face_px]
            if not faces:
                continue
            face = max(faces, key=lambda f: f.width)
            match = self.gallery.match(self.embedder.embed(crop, face))
            weight = min(face.width / settings.reference_face_px, 2.0) * min(
                face.sharpness / settings.reference_sharpness, 1.0
            )
            found[person.track_id] = FaceSighting(match.employee, weight)
        return found
