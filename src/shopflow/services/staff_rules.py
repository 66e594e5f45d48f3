"""The store's staff uniform: registered from colours, or from a box drawn round a person on a camera's picture.

A uniform is two colours, not a person: the LGPD-friendly way to tell staff apart (no biometrics). Changing it
needs `Permission.STAFF` and is written to the audit log; the cameras use it within a resync (server/runtime.py).
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from shopflow.services.access import Caller, Permission, require_store
from shopflow.services.staff import StaffInputError
from shopflow.storage.db import Database
from shopflow.storage.repositories import AuditRepository, PrivacyRepository
from shopflow.vision.detector import Image
from shopflow.vision.uniform import Uniform, UniformError, uniform_from_box, uniform_from_json


class StaffRulesService:
    def __init__(self, database: Database, caller: Caller) -> None:
        self._database = database
        self._caller = caller

    def uniform(self, store_id: int) -> Uniform | None:
        with self._database.read_session() as session:
            require_store(session, self._caller, store_id, Permission.STAFF)
            stored = PrivacyRepository(session).get(store_id).uniform
        return None if stored is None else uniform_from_json(stored)

    def set_uniform(self, store_id: int, data: dict[str, Any] | None) -> Uniform | None:
        """The uniform from its JSON form (vision/uniform.py), or None to stop telling staff by their clothes."""
        try:
            uniform = None if data is None else uniform_from_json(data)
        except UniformError as error:
            raise StaffInputError.of(error) from None
        return self._save(store_id, uniform)

    def uniform_from_picture(
        self, store_id: int, image: Image, box: tuple[float, float, float, float], name: str, *, lower: bool = True
    ) -> Uniform:
        """The clothing colours inside `box` (fractions of the picture: x1, y1, x2, y2) of a person wearing it;
        `lower=False` leaves the trousers free (a uniform shirt or jacket over the staff's own trousers)."""
        height, width = image.shape[:2]
        x1, y1, x2, y2 = box
        pixels = (x1 * width, y1 * height, x2 * width, y2 * height)
        with self._database.read_session() as session:
            require_store(session, self._caller, store_id, Permission.STAFF)
        try:
            uniform = uniform_from_box(image, pixels, name)
            if not lower:
                uniform = replace(uniform, lower=None)
        except UniformError as error:
            raise StaffInputError.of(error) from None
        saved = self._save(store_id, uniform)
        assert saved is not None
        return saved

    def _save(self, store_id: int, uniform: Uniform | None) -> Uniform | None:
        with self._database.session() as session:
            require_store(session, self._caller, store_id, Permission.STAFF)
            PrivacyRepository(session).set_uniform(store_id, None if uniform is None else uniform.to_json())
            AuditRepository(session).add(
                actor=self._caller.label,
                action="uniform_set" if uniform is not None else "uniform_removed",
                subject=f"store {store_id}",
                detail="" if uniform is None else uniform.name,
                store_id=store_id,
            )
        return uniform
