"""Employees, whichever door they come through (the API, the dashboard or the CLI): the registry, consent, face
enrolment from 1 to 5 photos, and LGPD erasure.

Every method first checks that the caller may handle the staff of the employee's store (`Permission.STAFF`);
an employee of a store they may not see is "not found", like a store. A photo is looked at only for an employee
who consented to face recognition and has room for it; it is checked (exactly one face, large and sharp
enough), turned into an embedding and dropped: only the embedding is stored. The face work runs outside any
transaction, so a slow photo never holds the database's write lock (SQLite).
"""

from __future__ import annotations

import builtins
from collections.abc import Sequence
from enum import StrEnum
from functools import cache
from typing import BinaryIO

from sqlalchemy.orm import Session

from shopflow.domain.problems import InputError
from shopflow.services.access import Caller, Permission, require_store
from shopflow.storage.db import Database
from shopflow.storage.errors import ConsentRequiredError, NotFoundError
from shopflow.storage.repositories import AuditRepository, PrivacyRepository
from shopflow.storage.repositories.staff_registry import (
    MAX_FACES,
    ConsentMethod,
    EmployeeProfile,
    EnrolledFace,
    StaffRegistry,
)
from shopflow.vision.faces import DlibFaceEmbedder, Embedding, FaceEmbedder, FaceError, PhotoRules
from shopflow.vision.faces import enrolment_embedding as embed_photo

# A photo as bytes, or an open file read only once the employee may take a face (an API upload).
Photo = bytes | BinaryIO


class StaffInputError(InputError):
    """A field that cannot be saved (blank, too long); the message says what to fix."""

    @classmethod
    def of(cls, error: Exception) -> StaffInputError:
        return cls(str(error), getattr(error, "code", ""), **getattr(error, "params", {}))


class EnrolmentRefusal(StrEnum):
    NO_CONSENT = "no_consent"  # no consent to face recognition (none recorded, or no_biometrics)
    FULL = "full"  # the photos would pass MAX_FACES


class EnrolmentRefusedError(Exception):
    """The employee cannot take a face now, whatever the photo: `reason` says why (the API answers 409)."""

    def __init__(self, reason: EnrolmentRefusal, message: str) -> None:
        super().__init__(message)
        self.reason = reason


class PhotoRejectedError(FaceError):
    """One photo of several was refused (a FaceError, with the same problem): `index` says which, from 0."""

    def __init__(self, index: int, error: FaceError) -> None:
        super().__init__(error.problem, str(error))
        self.index = index


@cache
def face_embedder() -> FaceEmbedder:
    """Loaded on the first enrolment (a few seconds), then shared by every door of this process."""
    return DlibFaceEmbedder()


class StaffService:
    """Employee operations for one caller."""

    def __init__(self, database: Database, caller: Caller) -> None:
        self._database = database
        self._caller = caller

    # --- reading ----------------------------------------------------------------------------------------------

    def list(self, store_id: int) -> list[EmployeeProfile]:
        """The store's employees (erased ones too, blanked), in the order they were registered. A read of personal
        data (LGPD art. 37): who looked, and when, goes to the audit log."""
        with self._database.read_session() as session:
            require_store(session, self._caller, store_id, Permission.STAFF)
            profiles = StaffRegistry(session).list_by_store(store_id)
        with self._database.session() as session:
            AuditRepository(session).add(
                actor=self._caller.label, action="employees_read", subject=f"store {store_id}", store_id=store_id
            )
        return profiles

    def get(self, employee_id: int) -> EmployeeProfile:
        with self._database.read_session() as session:
            return self._employee(session, employee_id)

    # --- changing ---------------------------------------------------------------------------------------------

    def create(
        self,
        store_id: int,
        name: str,
        employee_id: str,
        *,
        department: str = "",
        position: str = "",
        active: bool = True,
    ) -> EmployeeProfile:
        """A new employee; `employee_id` is the store's own id (AlreadyExistsError when the store uses it)."""
        with self._database.session() as session:
            require_store(session, self._caller, store_id, Permission.STAFF)
            try:
                return StaffRegistry(session).create(
                    store_id, name, employee_id, department=department, position=position, active=active
                )
            except ValueError as error:
                raise StaffInputError.of(error) from None

    def set_active(self, employee_id: int, active: bool) -> EmployeeProfile:
        """Deactivated, an employee leaves the face gallery; their record and consent stay."""
        with self._database.session() as session:
            self._employee(session, employee_id)
            return StaffRegistry(session).set_active(employee_id, active)

    def record_consent(
        self, employee_id: int, *, recorded_by: str, text_version: str, method: ConsentMethod
    ) -> EmployeeProfile:
        """The employee's consent as agreed to now; no_biometrics deletes any enrolled face."""
        with self._database.session() as session:
            self._employee(session, employee_id)
            try:
                return StaffRegistry(session).record_consent(
                    employee_id, recorded_by=recorded_by, text_version=text_version, method=method
                )
            except ValueError as error:
                raise StaffInputError.of(error) from None

    def withdraw_consent(self, employee_id: int, *, on_behalf_of: str | None = None) -> EmployeeProfile:
        """Consent to faces withdrawn: the embeddings go; uniform and staff zones still tell the employee apart."""
        with self._database.session() as session:
            self._employee(session, employee_id)
            return StaffRegistry(session).withdraw_consent(employee_id, actor=self._actor(on_behalf_of))

    def enrol_face(self, employee_id: int, photo: Photo, *, on_behalf_of: str | None = None) -> EmployeeProfile:
        """One more face from one photo. EnrolmentRefusedError (no face consent, or already MAX_FACES) before the
        photo is even read; FaceError (with its `problem`) for a photo that cannot enrol a face."""
        return self.enrol_faces(employee_id, [photo], on_behalf_of=on_behalf_of)

    def enrol_faces(
        self, employee_id: int, photos: Sequence[Photo], *, on_behalf_of: str | None = None
    ) -> EmployeeProfile:
        """Faces from several photos, all or none: PhotoRejectedError names the first photo refused."""
        if not photos:
            raise StaffInputError(f"give 1 to {MAX_FACES} photos")
        with self._database.read_session() as session:
            profile = self._employee(session, employee_id)  # not found before any photo is read
        if profile.consent is None or profile.consent.method is not ConsentMethod.FACE:
            # Refused before the photo is even looked at: without consent, a face is not processed at all.
            raise EnrolmentRefusedError(
                EnrolmentRefusal.NO_CONSENT,
                "this employee has not consented to face recognition; record their consent first",
            )
        if profile.faces + len(photos) > MAX_FACES:
            raise EnrolmentRefusedError(EnrolmentRefusal.FULL, _full_message(profile, len(photos)))
        embedder, embedded = _embed(photos)
        with self._database.session() as session:
            self._employee(session, employee_id)
            keep = PrivacyRepository(session).get(profile.store_id).keep_face_photos
            registry = StaffRegistry(session)
            try:
                for embedding, photo in embedded:
                    profile = registry.add_face(
                        employee_id,
                        embedding.tobytes(),
                        embedder.name,
                        actor=self._actor(on_behalf_of),
                        photo=photo if keep else None,
                    )
            # Consent withdrawn or photos added meanwhile: the same answers as when checked above.
            except ConsentRequiredError as error:
                raise EnrolmentRefusedError(EnrolmentRefusal.NO_CONSENT, str(error)) from None
            except ValueError as error:  # already MAX_FACES
                raise EnrolmentRefusedError(EnrolmentRefusal.FULL, str(error)) from None
        return profile

    def faces(self, employee_id: int) -> builtins.list[EnrolledFace]:
        with self._database.read_session() as session:
            self._employee(session, employee_id)
            return StaffRegistry(session).faces(employee_id)

    def photo(self, employee_id: int, face_id: int) -> bytes:
        """A kept enrolment photo (an employee asking what was enrolled: LGPD art. 18); each look is audited."""
        with self._database.read_session() as session:
            profile = self._employee(session, employee_id)
            data = StaffRegistry(session).photo(employee_id, face_id)
        with self._database.session() as session:
            AuditRepository(session).add(
                actor=self._caller.label,
                action="face_photo_read",
                subject=f"employee {employee_id}",
                detail=f"face {face_id}",
                store_id=profile.store_id,
            )
        return data

    def erase(self, employee_id: int, *, on_behalf_of: str | None = None) -> EmployeeProfile:
        """LGPD erasure: the face embeddings deleted, the personal fields blanked, the row kept inactive (stored
        counts still say "an employee"), and an audit entry; erasing again changes nothing."""
        with self._database.session() as session:
            self._employee(session, employee_id)
            return StaffRegistry(session).erase(employee_id, actor=self._actor(on_behalf_of))

    # --- the rules every method shares -------------------------------------------------------------------------

    def _employee(self, session: Session, employee_id: int) -> EmployeeProfile:
        """The employee, if the caller may handle their store's staff; someone of a store they cannot see is not
        found, exactly like nobody."""
        profile = StaffRegistry(session).get(employee_id)
        try:
            require_store(session, self._caller, profile.store_id, Permission.STAFF)
        except NotFoundError:
            raise NotFoundError("employee", employee_id) from None
        return profile

    def _actor(self, on_behalf_of: str | None) -> str:
        """Who did it, for the audit log: always the caller, and on whose behalf when they said so."""
        given = (on_behalf_of or "").strip()
        return self._caller.label if not given else f"{self._caller.label} for {given}"


def _full_message(profile: EmployeeProfile, adding: int) -> str:
    if profile.faces >= MAX_FACES:
        return f"employee {profile.code!r} already has {MAX_FACES} photos; remove one first"
    return f"employee {profile.code!r} has {profile.faces} photos; {adding} more would pass the limit of {MAX_FACES}"


def _embed(photos: Sequence[Photo]) -> tuple[FaceEmbedder, list[tuple[Embedding, bytes]]]:
    """Each photo's face as an embedding, with the photo (kept only if the store keeps enrolment photos)."""
    rules = PhotoRules()
    embedder = face_embedder()  # FaceError (unavailable) when face recognition is not installed
    embedded: list[tuple[Embedding, bytes]] = []
    for index, photo in enumerate(photos):
        # One byte over the limit is enough to tell the photo is too large, without reading all of it.
        data = photo if isinstance(photo, bytes) else photo.read(rules.max_bytes + 1)
        try:
            embedded.append((embed_photo(data, embedder, rules), data))
        except FaceError as error:
            raise PhotoRejectedError(index, error) from None
    return embedder, embedded
