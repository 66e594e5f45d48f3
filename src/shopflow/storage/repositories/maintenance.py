"""Queries for operations: row counts for backup manifests, and the deletions that data retention runs."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Table, delete, false, func, or_, select, update
from sqlalchemy.orm import Session

from shopflow.storage.models import (
    AuditRow,
    Base,
    CameraEventRow,
    CameraRow,
    CrossingRow,
    EmployeeFaceRow,
    EmployeeRow,
    HeatmapHourlyRow,
    HeatmapTallyRow,
    HourlyRollupRow,
    PartyTallyRow,
    StaffTrackRow,
    StorePrivacyRow,
    StoreRow,
    VisitRow,
)
from shopflow.storage.records import DEFAULT_RETENTION_DAYS

# Deleting millions of rows in one statement holds locks (and on SQLite the only write lock) for minutes while
# cameras keep writing; batches keep each transaction short.
DELETE_BATCH = 5000

# Raw events with their time column; the hourly rollups and heatmap grids made from them are kept longer.
_RAW_EVENT_TABLES = (
    (CameraEventRow, CameraEventRow.at),
    (CrossingRow, CrossingRow.at),
    (VisitRow, VisitRow.exited_at),
    (PartyTallyRow, PartyTallyRow.at),
    # Staff presences name employees (attendance): they go with the raw events, not with the aggregates.
    (StaffTrackRow, StaffTrackRow.last_seen_at),
)


def data_tables() -> list[Table]:
    """Every table of the schema, parents before children (the order a restore or a comparison needs)."""
    return list(Base.metadata.sorted_tables)


class MaintenanceRepository:
    def __init__(self, session: Session) -> None:
        self._session = session

    def row_counts(self) -> dict[str, int]:
        """Rows per table, read in the session's transaction (one snapshot when the caller makes it one)."""
        return {
            table.name: int(self._session.execute(select(func.count()).select_from(table)).scalar_one())
            for table in data_tables()
        }

    def store_retention_days(self) -> dict[int, int]:
        """Every store's event retention: its saved privacy setting, or the default."""
        rows = self._session.execute(
            select(StoreRow.id, StorePrivacyRow.retention_days).outerjoin(
                StorePrivacyRow, StorePrivacyRow.store_id == StoreRow.id
            )
        ).all()
        return {store_id: days or DEFAULT_RETENTION_DAYS for store_id, days in rows}

    def delete_raw_events(self, store_id: int, before: datetime, *, batch: int = DELETE_BATCH) -> dict[str, int]:
        """Delete one batch per raw event table of `store_id` older than `before`; rows deleted per table."""
        removed: dict[str, int] = {}
        for model, column in _RAW_EVENT_TABLES:
            ids = select(model.id).where(model.store_id == store_id, column < before).limit(batch)
            result = self._session.execute(delete(model).where(model.id.in_(ids)))
            removed[model.__tablename__] = int(result.rowcount or 0)  # type: ignore[attr-defined]
        cameras = select(CameraRow.id).where(CameraRow.store_id == store_id)
        ids = select(HeatmapTallyRow.id).where(HeatmapTallyRow.camera_id.in_(cameras), HeatmapTallyRow.at < before)
        result = self._session.execute(delete(HeatmapTallyRow).where(HeatmapTallyRow.id.in_(ids.limit(batch))))
        removed[HeatmapTallyRow.__tablename__] = int(result.rowcount or 0)  # type: ignore[attr-defined]
        return removed

    def delete_aggregates(self, before: datetime, *, batch: int = DELETE_BATCH) -> dict[str, int]:
        """Delete one batch of hourly rollups and heatmap grids whose hour started before `before`."""
        removed: dict[str, int] = {}
        for model in (HourlyRollupRow, HeatmapHourlyRow):
            ids = select(model.id).where(model.hour_start < before).limit(batch)
            result = self._session.execute(delete(model).where(model.id.in_(ids)))
            removed[model.__tablename__] = int(result.rowcount or 0)  # type: ignore[attr-defined]
        return removed

    def clear_unconsented_embeddings(self) -> dict[str, int]:
        """Erase the face embeddings of employees who left (inactive) or whose consent does not (or no longer)
        cover faces: the legacy single embedding column and every enrolled face."""
        result = self._session.execute(
            update(EmployeeRow)
            .where(
                EmployeeRow.embedding.is_not(None),
                or_(EmployeeRow.active == false(), EmployeeRow.consent_at.is_(None)),
            )
            .values(embedding=None)
        )
        cleared = int(result.rowcount or 0)  # type: ignore[attr-defined]
        unconsented = select(EmployeeRow.id).where(
            or_(
                EmployeeRow.active == false(),
                EmployeeRow.consent_at.is_(None),
                EmployeeRow.consent_method.is_distinct_from("face"),
            )
        )
        faces = self._session.execute(delete(EmployeeFaceRow).where(EmployeeFaceRow.employee_id.in_(unconsented)))
        return {"employees.embedding": cleared, EmployeeFaceRow.__tablename__: int(faces.rowcount or 0)}  # type: ignore[attr-defined]

    def delete_audit_entries(self, before: datetime, *, batch: int = DELETE_BATCH) -> int:
        """Delete one batch of audit log entries written before `before` (the log has its own retention)."""
        ids = select(AuditRow.id).where(AuditRow.at < before).limit(batch)
        result = self._session.execute(delete(AuditRow).where(AuditRow.id.in_(ids)))
        return int(result.rowcount or 0)  # type: ignore[attr-defined]
