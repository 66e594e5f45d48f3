"""Migrations bring an empty database to head on both dialects, and the models match them exactly."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from sqlalchemy import inspect, text

from shopflow.storage import migrate
from shopflow.storage.db import DEFAULT_DATABASE_URL, Database, create_db_engine, normalise_url
from shopflow.storage.models import Base

TABLES = {
    "organisations",
    "user_stores",
    "user_sessions",
    "stores",
    "cameras",
    "camera_events",
    "crossings",
    "visits",
    "party_tallies",
    "staff_tracks",
    "hourly_rollups",
    "heatmap_hourly",
    "heatmap_tallies",
    "employees",
    "users",
    "api_keys",
    "store_privacy",
    "store_hourly_rollups",
    "employee_faces",
    "audit_log",
}


def _tables(url: str) -> set[str]:
    engine = create_db_engine(url)
    try:
        return set(inspect(engine).get_table_names()) - {"alembic_version"}
    finally:
        engine.dispose()


def test_upgrade_from_empty_to_head_matches_the_models(empty_url: str) -> None:
    assert migrate.current_revision(empty_url) is None
    assert _tables(empty_url) == set()

    migrate.upgrade(empty_url)

    assert migrate.current_revision(empty_url) == migrate.head_revision()
    assert migrate.is_up_to_date(empty_url)
    assert _tables(empty_url) == TABLES == set(Base.metadata.tables)
    assert migrate.pending_model_changes(empty_url) == []


def test_downgrade_to_base_and_up_again(empty_url: str) -> None:
    migrate.upgrade(empty_url)
    migrate.downgrade(empty_url, "base")
    assert _tables(empty_url) == set()
    assert migrate.current_revision(empty_url) is None
    migrate.upgrade(empty_url)
    assert _tables(empty_url) == TABLES


def test_upgrade_twice_is_harmless(empty_url: str) -> None:
    migrate.upgrade(empty_url)
    migrate.upgrade(empty_url)
    assert migrate.current_revision(empty_url) == migrate.head_revision()


def test_models_differing_from_migrations_are_reported(empty_url: str) -> None:
    """The check is real: a database that lacks an index the models declare shows up as a difference."""
    migrate.upgrade(empty_url)
    engine = create_db_engine(empty_url)
    try:
        with engine.begin() as connection:
            connection.execute(text("DROP INDEX ix_crossings_store_id_at"))
    finally:
        engine.dispose()
    differences = migrate.pending_model_changes(empty_url)
    assert [(kind, index.name) for kind, index in differences] == [("add_index", "ix_crossings_store_id_at")]


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("postgresql://u:p@db:5432/shop", "postgresql+psycopg://u:p@db:5432/shop"),
        ("postgres://u@db/shop", "postgresql+psycopg://u@db/shop"),
        ("postgresql+psycopg://u@db/shop", "postgresql+psycopg://u@db/shop"),
        ("sqlite:///./data/x.db", "sqlite:///./data/x.db"),
        ("", DEFAULT_DATABASE_URL),
        ("  ", DEFAULT_DATABASE_URL),
    ],
)
def test_normalise_url(given: str, expected: str) -> None:
    assert normalise_url(given) == expected


def test_sqlite_gets_its_folder_wal_and_foreign_keys(tmp_path: Path) -> None:
    path = tmp_path / "nested" / "folder" / "shopflow.db"
    database = Database.from_url(f"sqlite:///{path}")
    try:
        with database.engine.connect() as connection:
            assert connection.execute(text("PRAGMA journal_mode")).scalar() == "wal"
            assert connection.execute(text("PRAGMA foreign_keys")).scalar() == 1
    finally:
        database.dispose()
    assert path.parent.is_dir()
    with sqlite3.connect(path) as raw:  # WAL is a property of the file, not only of our connections
        assert raw.execute("PRAGMA journal_mode").fetchone() == ("wal",)
