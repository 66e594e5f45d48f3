"""Builders for the operations tests: a database with a bit of everything, a full dump of it, and destroying it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, select, text
from sqlalchemy.engine import make_url

from shopflow.storage.db import Database, normalise_url
from shopflow.storage.models import Base, EmployeeRow
from shopflow.storage.repositories import PrivacyRepository
from shopflow.storage.repositories.staff_registry import ConsentMethod, StaffRegistry
from shopflow.storage.writer import EventWriter

from ..storage.factories import crossing, snapshot, store_with_cameras, tally, visit


def populate(url: str, *, events: int = 40, at: datetime | None = None) -> None:
    """Two stores, three cameras, every kind of event (so rollups and heatmap-free tables are filled too)."""
    at = at or datetime.now(UTC) - timedelta(hours=2)
    database = Database.from_url(url)
    try:
        store, cameras = store_with_cameras(database, cameras=2)
        other, more = store_with_cameras(database, cameras=1)
        with database.session() as session:
            PrivacyRepository(session).update(store.id, retention_days=45, consent_text="Avisamos na entrada.")
        with EventWriter(database) as writer:
            for n, camera in enumerate([*cameras, *more]):
                writer.write(
                    camera.id,
                    [crossing(f"c{n}-{i}", at + timedelta(seconds=i), track_id=i) for i in range(events)]
                    + [visit(f"v{n}-{i}", at + timedelta(seconds=i), 3.5 + i) for i in range(events // 4)]
                    + [snapshot(f"s{n}-{i}", at + timedelta(minutes=i), i % 5) for i in range(events // 8)]
                    + [tally(f"t{n}", at, 3, 1, 4)],
                )
        del other
    finally:
        database.dispose()


def all_rows(url: str) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table, in primary-key order: two databases are equal when these are."""
    engine = create_engine(normalise_url(url))
    try:
        with engine.connect() as connection:
            return {
                table.name: [tuple(row) for row in connection.execute(select(table).order_by(*table.primary_key))]
                for table in Base.metadata.sorted_tables
            }
    finally:
        engine.dispose()


def destroy(url: str, admin_url: str | None) -> None:
    """Lose the database entirely: delete the SQLite file, or DROP the PostgreSQL database."""
    parsed = make_url(normalise_url(url))
    if parsed.get_backend_name() == "sqlite":
        for suffix in ("", "-wal", "-shm"):
            Path(f"{parsed.database}{suffix}").unlink(missing_ok=True)
        return
    assert admin_url is not None
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE "{parsed.database}" WITH (FORCE)'))
    finally:
        admin.dispose()


def admin_for(url: str, request: Any) -> str | None:
    return None if url.startswith("sqlite") else str(request.getfixturevalue("pg_admin_url"))


def add_employee(database: Database, store_id: int, name: str, *, active: bool) -> int:
    """An employee who consented, with an embedding in the legacy single-embedding column (as a database from before
    the registry's enrolled faces, migration 0006, may still hold); then left the store when `active` is False."""
    with database.session() as session:
        employees = StaffRegistry(session)
        employee = employees.create(store_id, name, f"legacy-{name}")
        employees.record_consent(employee.id, recorded_by="dono", text_version="v1", method=ConsentMethod.FACE)
        # Nothing writes this column any more, so the old data is put there by hand.
        row = session.get(EmployeeRow, employee.id)
        assert row is not None
        row.embedding = b"\x01\x02\x03\x04" * 32
        if not active:
            employees.set_active(employee.id, False)
    return employee.id


def has_legacy_embedding(database: Database, employee_id: int) -> bool:
    with database.session() as session:
        row = session.get(EmployeeRow, employee_id)
        assert row is not None
        return row.embedding is not None
