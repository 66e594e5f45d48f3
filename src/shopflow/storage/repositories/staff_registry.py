"""The employee registry: who works in a store, their consent, their 1 to 5 face embeddings, and LGPD erasure.

A face embedding is stored only for an active employee whose recorded consent covers faces; withdrawing consent
or erasing the employee deletes them. Consent, enrolment and erasure are written to the audit log.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from sqlalchemy import delete, func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from shopflow.storage.columns import require_utc, utcnow
from shopflow.storage.errors import AlreadyExistsError, ConsentRequiredError, NotFoundError
from shopflow.storage.models import AuditRow, EmployeeFaceRow, EmployeeRow, StaffTrackRow, StoreRow

MAX_FACES = 5


class ConsentMethod(StrEnum):
    FACE = "face"  # agreed to face recognition
    NO_BIOMETRICS = "no_biometrics"  # refused it: excluded by uniform and staff zones only


@dataclass(frozen=True, slots=True)
class Consent:
    at: datetime
    recorded_by: str
    text_version: str
    method: ConsentMethod


@dataclass(frozen=True, slots=True)
class EmployeeProfile:
    id: int
    store_id: int
    code: str | None  # the store's own employee id
    name: str
    department: str
    position: str
    active: bool
    consent: Consent | None
    faces: int
    erased_at: datetime | None
    created_at: datetime


@dataclass(frozen=True, slots=True)
class EnrolledFace:
    id: int
    embedder: str
    created_at: datetime
    photo_kept: bool


@dataclass(frozen=True, slots=True)
class AuditEntry:
    at: datetime
    actor: str
    action: str
    subject: str
    detail: str


def _text(value: str, what: str, limit: int, *, required: bool = False) -> str:
    value = value.strip()
    if required and not value:
        raise ValueError(f"an employee needs {what}")
    if len(value) > limit:
        raise ValueError(f"{what} may have at most {limit} characters, got {len(value)}")
    return value


class StaffRegistry:
    def __init__(self, session: Session) -> None:
        self._session = session

    def create(
        self,
        store_id: int,
        name: str,
        code: str,
        *,
        department: str = "",
        position: str = "",
        active: bool = True,
    ) -> EmployeeProfile:
        if self._session.get(StoreRow, store_id) is None:
            raise NotFoundError("store", store_id)
        row = EmployeeRow(
            store_id=store_id,
            name=_text(name, "a name", 200, required=True),
            code=_text(code, "an employee id", 64, required=True),
            department=_text(department, "the department", 100),
            role=_text(position, "the position", 100),
            active=active,
        )
        taken = select(EmployeeRow.id).where(EmployeeRow.store_id == store_id, EmployeeRow.code == row.code)
        if self._session.scalar(taken) is not None:
            raise AlreadyExistsError(f"employee id {row.code!r} is already used in this store")
        try:
            with self._session.begin_nested():  # a concurrent insert of the same id loses here, not the session
                self._session.add(row)
                self._session.flush()
        except IntegrityError:
            raise AlreadyExistsError(f"employee id {row.code!r} is already used in this store") from None
        return self._profile(row)

    def get(self, employee_id: int) -> EmployeeProfile:
        return self._profile(self._row(employee_id))

    def list_by_store(self, store_id: int) -> list[EmployeeProfile]:
        rows = self._session.scalars(
            select(EmployeeRow).where(EmployeeRow.store_id == store_id).order_by(EmployeeRow.id)
        )
        return [self._profile(row) for row in rows]

    def set_active(self, employee_id: int, active: bool) -> EmployeeProfile:
        row = self._row(employee_id)
        row.active = active
        self._session.flush()
        return self._profile(row)

    def record_consent(
        self,
        employee_id: int,
        *,
        recorded_by: str,
        text_version: str,
        method: ConsentMethod,
        at: datetime | None = None,
    ) -> EmployeeProfile:
        row = self._live_row(employee_id)
        row.consent_at = require_utc(at, "consent time") if at is not None else utcnow()
        row.consent_by = _text(recorded_by, "who recorded the consent", 200, required=True)
        row.consent_version = _text(text_version, "the consent text's version", 50, required=True)
        row.consent_method = str(method)
        if method is not ConsentMethod.FACE:
            self._drop_faces(row)
        self._audit(row.store_id, recorded_by, "consent", row, f"method={method} version={row.consent_version}")
        self._session.flush()
        return self._profile(row)

    def withdraw_consent(self, employee_id: int, *, actor: str) -> EmployeeProfile:
        """Consent to faces withdrawn: the embeddings go with it; uniform and zones still apply."""
        row = self._live_row(employee_id)
        row.consent_method = str(ConsentMethod.NO_BIOMETRICS)
        row.consent_at = utcnow()
        row.consent_by = _text(actor, "who recorded the withdrawal", 200, required=True)
        self._drop_faces(row)
        self._audit(row.store_id, actor, "consent_withdrawn", row, "")
        self._session.flush()
        return self._profile(row)

    def add_face(
        self, employee_id: int, embedding: bytes, embedder: str, *, actor: str, photo: bytes | None = None
    ) -> EmployeeProfile:
        """One enrolled face; `photo` only when the store keeps enrolment photos."""
        row = self._live_row(employee_id)
        if row.consent_method != ConsentMethod.FACE:
            raise ConsentRequiredError(
                f"employee {row.code!r} has not consented to face recognition; record their consent first"
            )
        if self._face_count(row.id) >= MAX_FACES:
            raise ValueError(f"employee {row.code!r} already has {MAX_FACES} photos; remove one first")
        if not embedding:
            raise ValueError("an embedding cannot be empty")
        self._session.add(
            EmployeeFaceRow(employee_id=row.id, embedder=embedder, embedding=bytes(embedding), photo=photo)
        )
        kept = ", photo kept" if photo is not None else ""
        self._audit(row.store_id, actor, "face_enrolled", row, f"embedder={embedder}{kept}")
        self._session.flush()
        return self._profile(row)

    def faces(self, employee_id: int) -> list[EnrolledFace]:
        """The employee's enrolled faces, oldest first (without the embeddings or photos themselves)."""
        query = (
            select(
                EmployeeFaceRow.id,
                EmployeeFaceRow.embedder,
                EmployeeFaceRow.created_at,
                EmployeeFaceRow.photo.is_not(None),
            )
            .where(EmployeeFaceRow.employee_id == employee_id)
            .order_by(EmployeeFaceRow.id)
        )
        return [
            EnrolledFace(face_id, embedder, created, bool(kept))
            for face_id, embedder, created, kept in self._session.execute(query)
        ]

    def photo(self, employee_id: int, face_id: int) -> bytes:
        """A kept enrolment photo; NotFoundError when there is none (never kept, or dropped since)."""
        found = self._session.execute(
            select(EmployeeFaceRow.photo).where(
                EmployeeFaceRow.id == face_id, EmployeeFaceRow.employee_id == employee_id
            )
        ).scalar_one_or_none()
        if found is None:
            raise NotFoundError("photo", face_id)
        return bytes(found)

    def gallery(self, store_id: int, embedder: str) -> dict[int, list[bytes]]:
        """Embeddings of the store's active employees whose consent covers faces, by employee id."""
        query = (
            select(EmployeeFaceRow.employee_id, EmployeeFaceRow.embedding)
            .join(EmployeeRow, EmployeeRow.id == EmployeeFaceRow.employee_id)
            .where(
                EmployeeRow.store_id == store_id,
                EmployeeRow.active.is_(True),
                EmployeeRow.consent_method == str(ConsentMethod.FACE),
                EmployeeRow.erased_at.is_(None),
                EmployeeFaceRow.embedder == embedder,
            )
            .order_by(EmployeeFaceRow.id)
        )
        found: dict[int, list[bytes]] = {}
        for employee_id, embedding in self._session.execute(query):
            found.setdefault(employee_id, []).append(embedding)
        return found

    def erase(self, employee_id: int, *, actor: str) -> EmployeeProfile:
        """LGPD erasure: faces deleted, personal fields blanked, the row kept (inactive) so stored counts still
        say "an employee"; recorded in the audit log."""
        row = self._row(employee_id)
        if row.erased_at is not None:
            return self._profile(row)
        subject = f"employee {row.id}"
        self._drop_faces(row)
        row.name = "(erased)"
        row.code = None
        row.department = ""
        row.role = ""
        row.embedding = None
        row.active = False
        row.consent_at = row.consent_by = row.consent_version = row.consent_method = None
        row.erased_at = utcnow()
        # Their attendance goes too; the staff tracks stay, unnamed, so the stored counts stay right.
        self._session.execute(update(StaffTrackRow).where(StaffTrackRow.employee_id == row.id).values(employee_id=None))
        self._session.add(AuditRow(store_id=row.store_id, actor=actor.strip() or "?", action="erased", subject=subject))
        self._session.flush()
        return self._profile(row)

    def audit(self, store_id: int) -> list[AuditEntry]:
        rows = self._session.scalars(select(AuditRow).where(AuditRow.store_id == store_id).order_by(AuditRow.id))
        return [AuditEntry(row.at, row.actor, row.action, row.subject, row.detail) for row in rows]

    def _audit(self, store_id: int, actor: str, action: str, row: EmployeeRow, detail: str) -> None:
        # The subject is the row id, never the name: the log must survive the employee's erasure.
        self._session.add(
            AuditRow(store_id=store_id, actor=actor.strip(), action=action, subject=f"employee {row.id}", detail=detail)
        )

    def _drop_faces(self, row: EmployeeRow) -> None:
        self._session.execute(delete(EmployeeFaceRow).where(EmployeeFaceRow.employee_id == row.id))

    def _face_count(self, employee_id: int) -> int:
        query = select(func.count()).select_from(EmployeeFaceRow).where(EmployeeFaceRow.employee_id == employee_id)
        return int(self._session.scalar(query) or 0)

    def _profile(self, row: EmployeeRow) -> EmployeeProfile:
        consent = None
        if row.consent_at is not None and row.consent_method is not None:
            consent = Consent(
                row.consent_at, row.consent_by or "", row.consent_version or "", ConsentMethod(row.consent_method)
            )
        return EmployeeProfile(
            id=row.id,
            store_id=row.store_id,
            code=row.code,
            name=row.name,
            department=row.department,
            position=row.role,
            active=row.active,
            consent=consent,
            faces=self._face_count(row.id),
            erased_at=row.erased_at,
            created_at=row.created_at,
        )

    def _row(self, employee_id: int) -> EmployeeRow:
        row = self._session.get(EmployeeRow, employee_id)
        if row is None:
            raise NotFoundError("employee", employee_id)
        return row

    def _live_row(self, employee_id: int) -> EmployeeRow:
        row = self._row(employee_id)
        if row.erased_at is not None:
            raise NotFoundError("employee", employee_id)
        return row
