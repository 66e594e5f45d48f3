"""Stores, for one caller: those they may see, new stores in their organisation, and changes to a store's set-up."""

from __future__ import annotations

from collections.abc import Mapping

from shopflow.services.access import AccessDeniedError, Caller, Permission, require_store, visible_stores
from shopflow.storage.db import Database
from shopflow.storage.errors import NotFoundError
from shopflow.storage.records import PrivacySettings, StoreRecord
from shopflow.storage.repositories import AuditRepository, PrivacyRepository, StoreRepository


class StoreService:
    def __init__(self, database: Database, caller: Caller) -> None:
        self._database = database
        self._caller = caller

    def list(self) -> list[StoreRecord]:
        with self._database.read_session() as session:
            return visible_stores(session, self._caller)

    def get(self, store_id: int) -> StoreRecord:
        with self._database.read_session() as session:
            return require_store(session, self._caller, store_id)

    def create(
        self,
        name: str,
        *,
        timezone: str,
        opening_hours: Mapping[str, Mapping[str, str]],
        organisation_id: int | None = None,
    ) -> StoreRecord:
        """A new store of the caller's organisation (owners only)."""
        self._caller.require(Permission.ADMIN)
        own = self._caller.organisation_id
        if own is None:
            raise AccessDeniedError("this caller belongs to no organisation; a user of one creates its stores")
        if organisation_id is not None and organisation_id != own:
            raise NotFoundError("organisation", organisation_id)
        with self._database.session() as session:
            store = StoreRepository(session).create(own, name, timezone=timezone, opening_hours=opening_hours)
            AuditRepository(session).add(
                actor=self._caller.label, action="store_created", subject=f"store {store.id}", store_id=store.id
            )
        return store

    def privacy(self, store_id: int) -> PrivacySettings:
        with self._database.read_session() as session:
            require_store(session, self._caller, store_id)
            return PrivacyRepository(session).get(store_id)

    def save_privacy(
        self,
        store_id: int,
        *,
        retention_days: int,
        face_recognition: bool,
        consent_text: str,
        keep_face_photos: bool | None = None,
    ) -> PrivacySettings:
        """Retention, face recognition and keeping enrolment photos are the owner's call (they decide what personal
        data is kept); turning photos off deletes the ones kept."""
        with self._database.session() as session:
            require_store(session, self._caller, store_id, Permission.ADMIN)
            saved = PrivacyRepository(session).update(
                store_id,
                retention_days=retention_days,
                face_recognition=face_recognition,
                consent_text=consent_text,
                keep_face_photos=keep_face_photos,
            )
            AuditRepository(session).add(
                actor=self._caller.label,
                action="privacy_changed",
                subject=f"store {store_id}",
                detail=f"retention {retention_days} days, faces {'on' if face_recognition else 'off'}, "
                f"enrolment photos {'kept' if saved.keep_face_photos else 'not kept'}",
                store_id=store_id,
            )
        return saved

    def update(
        self,
        store_id: int,
        *,
        name: str | None = None,
        timezone: str | None = None,
        opening_hours: Mapping[str, Mapping[str, str]] | None = None,
    ) -> StoreRecord:
        """ValueError (with what to fix) for a blank name, an unknown zone or malformed hours."""
        with self._database.session() as session:
            require_store(session, self._caller, store_id, Permission.MANAGE)
            return StoreRepository(session).update(store_id, name=name, timezone=timezone, opening_hours=opening_hours)
