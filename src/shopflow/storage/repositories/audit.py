"""The audit log: who did what, when. Entries are added, read by owners and purged by retention, never edited."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from shopflow.domain.text import shown_plainly
from shopflow.storage.models import AuditRow, StoreRow

MAX_DETAIL = 2000


@dataclass(frozen=True, slots=True)
class AuditRecord:
    id: int
    at: datetime
    organisation_id: int | None
    store_id: int | None
    actor: str
    action: str
    subject: str
    detail: str


def _record(row: AuditRow) -> AuditRecord:
    return AuditRecord(
        row.id, row.at, row.organisation_id, row.store_id, row.actor, row.action, row.subject, row.detail
    )


class AuditRepository:
    def __init__(self, session: Session) -> None:
        self._session = session

    def add(
        self,
        *,
        actor: str,
        action: str,
        subject: str = "",
        detail: str = "",
        organisation_id: int | None = None,
        store_id: int | None = None,
    ) -> None:
        self._session.add(
            AuditRow(
                organisation_id=organisation_id,
                store_id=store_id,
                # What a stranger typed (the e-mail of a failed sign-in) is kept, its control characters shown.
                actor=shown_plainly(actor[:200]) or "?",
                action=action[:50],
                subject=shown_plainly(subject[:100]),
                detail=shown_plainly(detail[:MAX_DETAIL]),
            )
        )
        self._session.flush()

    def list(
        self,
        organisation_id: int,
        *,
        since: datetime | None = None,
        until: datetime | None = None,
        action: str | None = None,
        limit: int = 200,
        before_id: int | None = None,
    ) -> list[AuditRecord]:
        """The organisation's entries (its own and its stores'), newest first."""
        stores = select(StoreRow.id).where(StoreRow.organisation_id == organisation_id)
        query = select(AuditRow).where(or_(AuditRow.organisation_id == organisation_id, AuditRow.store_id.in_(stores)))
        if since is not None:
            query = query.where(AuditRow.at >= since)
        if until is not None:
            query = query.where(AuditRow.at < until)
        if action:
            query = query.where(AuditRow.action == action)
        if before_id is not None:
            query = query.where(AuditRow.id < before_id)
        return [_record(row) for row in self._session.scalars(query.order_by(AuditRow.id.desc()).limit(limit))]
