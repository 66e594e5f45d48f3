"""Each camera's staff rules as its worker needs them, from what the store registered: the camera's staff zones
and long-stay rule, the store's uniform, and its consenting employees' faces when face recognition is on."""

from __future__ import annotations

import logging
from dataclasses import dataclass

from sqlalchemy.orm import Session

from shopflow.analysis.staff import StaffSettings
from shopflow.pipeline.camera import EnrolledFaces, StaffRules
from shopflow.storage.records import CameraSource
from shopflow.storage.repositories import PrivacyRepository
from shopflow.storage.repositories.staff_registry import StaffRegistry
from shopflow.vision.faces import DlibFaceEmbedder
from shopflow.vision.uniform import Uniform, UniformError, uniform_from_json

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class _StoreRules:
    uniform: Uniform | None
    faces: EnrolledFaces | None


class StaffRulesReader:
    """Reads the rules of several cameras in one session, each store's once."""

    def __init__(self, session: Session, face_threshold: float) -> None:
        self._session = session
        self._face_threshold = face_threshold
        self._stores: dict[int, _StoreRules] = {}

    def rules(self, source: CameraSource) -> StaffRules:
        store = self._store(source.store_id)
        minutes = source.staff_after_minutes
        settings = StaffSettings(
            zones=tuple(zone.to_domain() for zone in source.staff_zones),
            stay_seconds=None if minutes is None else minutes * 60.0,
        )
        return StaffRules(settings, store.uniform, store.faces, self._face_threshold)

    def _store(self, store_id: int) -> _StoreRules:
        found = self._stores.get(store_id)
        if found is not None:
            return found
        privacy = PrivacyRepository(self._session).get(store_id)
        uniform = None
        if privacy.uniform is not None:
            try:
                uniform = uniform_from_json(privacy.uniform)
            except UniformError as error:  # checked when saved; a hand-edited row must not stop the cameras
                log.warning("store %s: its uniform is ignored: %s", store_id, error)
        faces = None
        if privacy.face_recognition:
            # Only active employees whose consent covers faces are in the gallery (StaffRegistry.gallery).
            gallery = StaffRegistry(self._session).gallery(store_id, DlibFaceEmbedder.name)
            faces = tuple((str(employee), tuple(blobs)) for employee, blobs in sorted(gallery.items()))
        found = self._stores[store_id] = _StoreRules(uniform, faces)
        return found
