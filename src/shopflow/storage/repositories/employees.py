"""Store employees, and their face embeddings, which are kept only while the employee's consent stands."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from shopflow.storage.columns import require_utc, utcnow
from shopflow.storage.errors import ConsentRequiredError, NotFoundError
from shopflow.storage.models import EmployeeRow, StoreRow
from shopflow.storage.records import EmployeeRecord


def _record(row: EmployeeRow) -> EmployeeRecord:
    return EmployeeRecord(
        id=row.id,
        store_id=row.store_id,
        name=row.name,
        role=row.role,
        active=row.active,
        consent_at=row.consent_at,
        has_embedding=row.embedding is not None,
        created_at=row.created_at,
    )


def _name(value: str) -> str:
    value = value.strip()
    if not value:
        raise ValueError("an employee needs a name")
    return value


class EmployeeRepository:
    def __init__(self, session: Session) -> None:
        self._session = session

    def create(self, store_id: int, name: str, role: str = "", *, active: bool = True) -> EmployeeRecord:
        if self._session.get(StoreRow, store_id) is None:
            raise NotFoundError("store", store_id)
        row = EmployeeRow(store_id=store_id, name=_name(name), role=role.strip(), active=active)
        self._session.add(row)
        self._session.flush()
        return _record(row)

    def get(self, employee_id: int) -> EmployeeRecord:
        return _record(self._row(employee_id))

    def list_by_store(self, store_id: int, *, active_only: bool = False) -> list[EmployeeRecord]:
        query = select(EmployeeRow).where(EmployeeRow.store_id == store_id).order_by(EmployeeRow.id)
        if active_only:
            query = query.where(EmployeeRow.active.is_(True))
        return [_record(row) for row in self._session.scalars(query)]

    def update(
        self, employee_id: int, *, name: str | None = None, role: str | None = None, active: bool | None = None
    ) -> EmployeeRecord:
        row = self._row(employee_id)
        if name is not None:
            row.name = _name(name)
        if role is not None:
            row.role = role.strip()
        if active is not None:
            row.active = active
        self._session.flush()
        return _record(row)

    def delete(self, employee_id: int) -> None:
        self._session.delete(self._row(employee_id))
        self._session.flush()

    def record_consent(self, employee_id: int, at: datetime | None = None) -> EmployeeRecord:
        row = self._row(employee_id)
        row.consent_at = require_utc(at, "consent time") if at is not None else utcnow()
        self._session.flush()
        return _record(row)

    def withdraw_consent(self, employee_id: int) -> EmployeeRecord:
        """Consent withdrawn: the embedding is deleted with it."""
        row = self._row(employee_id)
        row.consent_at = None
        row.embedding = None
        self._session.flush()
        return _record(row)

    def set_embedding(self, employee_id: int, embedding: bytes) -> None:
        row = self._row(employee_id)
        if row.consent_at is None:
            raise ConsentRequiredError(f"employee {employee_id} has not consented to face recognition")
        if not embedding:
            raise ValueError("an embedding cannot be empty")
        row.embedding = bytes(embedding)
        self._session.flush()

    def embeddings(self, store_id: int) -> dict[int, bytes]:
        """Embeddings of the store's active employees who consented, by employee id."""
        query = select(EmployeeRow.id, EmployeeRow.embedding).where(
            EmployeeRow.store_id == store_id,
            EmployeeRow.active.is_(True),
            EmployeeRow.consent_at.is_not(None),
            EmployeeRow.embedding.is_not(None),
        )
        return {employee_id: embedding for employee_id, embedding in self._session.execute(query) if embedding}

    def _row(self, employee_id: int) -> EmployeeRow:
        row = self._session.get(EmployeeRow, employee_id)
        if row is None:
            raise NotFoundError("employee", employee_id)
        return row
