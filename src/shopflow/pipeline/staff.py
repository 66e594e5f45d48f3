"""The engine's staff stage: measures the evidence in a frame (uniform colours, faces) for the tracks still
undecided, and lets analysis/staff.py weigh it. Faces and uniforms are looked at only while a track is undecided,
so a camera full of known staff costs nothing once they are recognised."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Protocol

import numpy as np

from shopflow.analysis.staff import FaceSighting, StaffClassifier, StaffDecision, StaffSettings
from shopflow.domain.people import TrackedPerson
from shopflow.pipeline.camera import StaffRules
from shopflow.pipeline.face_watch import FaceWatch
from shopflow.vision.detector import Image
from shopflow.vision.faces import Embedding, Face, FaceEmbedder, FaceError, FaceGallery
from shopflow.vision.uniform import Uniform, uniform_matches

log = logging.getLogger(__name__)


class FaceMatcher(Protocol):
    """Finds faces inside the given person boxes and says whom each matches (see vision/faces.py)."""

    def sightings(self, image: Image, people: Sequence[TrackedPerson]) -> dict[int, FaceSighting]: ...


class StaffStage:
    def __init__(
        self,
        frame_width: int,
        frame_height: int,
        settings: StaffSettings | None = None,
        *,
        uniform: Uniform | None = None,
        faces: FaceMatcher | None = None,
        face_every_seconds: float = 2.0,
    ) -> None:
        self.rules = StaffClassifier(frame_width, frame_height, settings)
        self.uniform = uniform
        self.faces = faces
        # A customer is never decided, so without this their face would be searched on every frame: look at
        # each undecided track's face at most this often (the vote needs a few sightings, not all of them).
        self.face_every_seconds = face_every_seconds
        self._face_looked: dict[int, float] = {}

    def classify(
        self, image: Image, people: list[TrackedPerson], at: float
    ) -> tuple[list[TrackedPerson], list[StaffDecision]]:
        undecided = [person for person in people if self.rules.undecided(person.track_id)]
        uniform = None
        if self.uniform is not None and undecided:
            uniform = uniform_matches(image, undecided, self.uniform)
        faces = None
        if self.faces is not None and undecided:
            due = [p for p in undecided if at - self._face_looked.get(p.track_id, -1e9) >= self.face_every_seconds]
            if due:
                faces = self.faces.sightings(image, due)
                for person in due:
                    self._face_looked[person.track_id] = at
            # Bounded on a 24/7 camera: forget tracks not looked at for a minute.
            for track_id in [t for t, looked in self._face_looked.items() if at - looked > 60.0]:
                del self._face_looked[track_id]
        return self.rules.update(people, at, uniform=uniform, faces=faces)


@dataclass(frozen=True, slots=True)
class StaffConfig:
    """A camera's staff rules before its frame size is known."""

    settings: StaffSettings = field(default_factory=StaffSettings)
    uniform: Uniform | None = None
    faces: FaceMatcher | None = None

    @property
    def active(self) -> bool:
        return self.settings.any_rule or self.uniform is not None or self.faces is not None

    def stage(self, frame_width: int, frame_height: int) -> StaffStage:
        return StaffStage(frame_width, frame_height, self.settings, uniform=self.uniform, faces=self.faces)


class SharedEmbedder:
    """One face embedder for every camera of a process (its models take tens of megabytes and seconds to load),
    used by one camera at a time: dlib does not promise its detectors are safe to share between threads."""

    def __init__(self, embedder: FaceEmbedder) -> None:
        self._embedder = embedder
        self._lock = threading.Lock()
        self.name = embedder.name

    def find(self, rgb: Image, upsample: int = 1) -> list[Face]:
        with self._lock:
            return self._embedder.find(rgb, upsample)

    def embed(self, rgb: Image, face: Face) -> Embedding:
        with self._lock:
            return self._embedder.embed(rgb, face)


def staff_config(rules: StaffRules, embedder: Callable[[], FaceEmbedder] | None) -> StaffConfig:
    """A camera's StaffConfig from its spec's rules. Faces need `embedder` (loaded on the first camera that
    needs it); a process that cannot load one keeps the other rules and says why in the log."""
    faces: FaceMatcher | None = None
    if rules.faces and embedder is not None:
        try:
            loaded = embedder()
        except FaceError as error:
            log.warning("face recognition is on but unavailable, staff are told apart by the other rules: %s", error)
        else:
            gallery = FaceGallery(
                {key: [np.frombuffer(blob, dtype=np.float32) for blob in blobs] for key, blobs in rules.faces},
                **({} if rules.face_threshold is None else {"threshold": rules.face_threshold}),
            )
            faces = FaceWatch(loaded, gallery)
    return StaffConfig(settings=rules.settings, uniform=rules.uniform, faces=faces)
