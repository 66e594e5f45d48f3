"""A store's privacy settings (retention, face recognition, consent text), with defaults until first saved."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from shopflow.domain.problems import InputError
from shopflow.storage.columns import utcnow
from shopflow.storage.errors import NotFoundError
from shopflow.storage.models import EmployeeFaceRow, EmployeeRow, StorePrivacyRow, StoreRow
from shopflow.storage.records import MAX_RETENTION_DAYS, PrivacySettings

MAX_CONSENT_TEXT = 10_000


def _record(row: StorePrivacyRow) -> PrivacySettings:
    return PrivacySettings(
        store_id=row.store_id,
        retention_days=row.retention_days,
        face_recognition=row.face_recognition,
        consent_text=row.consent_text,
        updated_at=row.updated_at,
        uniform=row.uniform,
        keep_face_photos=row.keep_face_photos,
    )


def _check(retention_days: int | None, consent_text: str | None) -> None:
    if retention_days is not None and not 1 <= retention_days <= MAX_RETENTION_DAYS:
        raise InputError(
            f"retention must be from 1 to {MAX_RETENTION_DAYS} days, got {retention_days}",
            "retention_range",
            max=MAX_RETENTION_DAYS,
        )
    if consent_text is not None and len(consent_text) > MAX_CONSENT_TEXT:
        raise InputError(
            f"the consent text may have at most {MAX_CONSENT_TEXT} characters",
            "consent_text_too_long",
            max=MAX_CONSENT_TEXT,
        )


class PrivacyRepository:
    def __init__(self, session: Session) -> None:
        self._session = session

    def get(self, store_id: int) -> PrivacySettings:
        """The store's settings, or the defaults when they were never saved; NotFoundError for no such store."""
        row = self._session.get(StorePrivacyRow, store_id)
        if row is not None:
            return _record(row)
        if self._session.get(StoreRow, store_id) is None:
            raise NotFoundError("store", store_id)
        return PrivacySettings(store_id=store_id)

    def set_uniform(self, store_id: int, uniform: dict[str, Any] | None) -> PrivacySettings:
        """Register the store's staff uniform (already checked by vision/uniform.py), or None to drop the rule."""
        row = self._row(store_id)
        row.uniform = uniform
        row.updated_at = utcnow()
        self._session.flush()
        return _record(row)

    def _drop_photos(self, store_id: int) -> None:
        """The store stopped keeping photos: those it kept go now (the embeddings stay)."""
        employees = select(EmployeeRow.id).where(EmployeeRow.store_id == store_id)
        self._session.execute(
            update(EmployeeFaceRow)
            .where(EmployeeFaceRow.employee_id.in_(employees), EmployeeFaceRow.photo.is_not(None))
            .values(photo=None)
        )

    def _row(self, store_id: int) -> StorePrivacyRow:
        """The store's row, made from the defaults on the first save."""
        row = self._session.get(StorePrivacyRow, store_id)
        if row is None:
            current = self.get(store_id)
            row = StorePrivacyRow(
                store_id=store_id,
                retention_days=current.retention_days,
                face_recognition=current.face_recognition,
                consent_text=current.consent_text,
            )
            self._session.add(row)
        return row

    def update(
        self,
        store_id: int,
        *,
        retention_days: int | None = None,
        face_recognition: bool | None = None,
        consent_text: str | None = None,
        keep_face_photos: bool | None = None,
    ) -> PrivacySettings:
        """Change the given fields (None leaves one as it is); the first save starts from the defaults."""
        _check(retention_days, consent_text)
        row = self._row(store_id)
        if retention_days is not None:
            row.retention_days = retention_days
        if face_recognition is not None:
            row.face_recognition = face_recognition
        if consent_text is not None:
            row.consent_text = consent_text.strip()
        if keep_face_photos is not None:
            if row.keep_face_photos and not keep_face_photos:
                self._drop_photos(store_id)
            row.keep_face_photos = keep_face_photos
        row.updated_at = utcnow()
        self._session.flush()
        return _record(row)
