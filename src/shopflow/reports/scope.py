"""What a report is about: a store, optionally one of its cameras, and how its unique visitors are counted; unknown
ids raise storage's NotFoundError."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session

from shopflow.reports.visitors import VisitorsRule, visitors_rule
from shopflow.storage.errors import NotFoundError
from shopflow.storage.records import CameraRecord, StoreRecord
from shopflow.storage.repositories import CameraRepository, StoreRepository


@dataclass(frozen=True, slots=True)
class Scope:
    store: StoreRecord
    visitors_rule: VisitorsRule  # decided once per report, so every figure of it follows the same rule
    camera: CameraRecord | None = None

    @property
    def camera_id(self) -> int | None:
        return None if self.camera is None else self.camera.id

    @property
    def timezone(self) -> str:
        return self.store.timezone


def resolve_scope(session: Session, store_id: int, camera_id: int | None = None) -> Scope:
    """The store, and the camera when one is asked for; a camera of another store is as unknown as a missing one
    (a caller must not learn about other stores' cameras through this store's reports)."""
    store = StoreRepository(session).get(store_id)
    if camera_id is None:
        return Scope(store, visitors_rule(session, store.id))
    camera = CameraRepository(session).get(camera_id)
    if camera.store_id != store.id:
        raise NotFoundError("camera", camera_id)
    return Scope(store, visitors_rule(session, store.id, camera.id), camera)
