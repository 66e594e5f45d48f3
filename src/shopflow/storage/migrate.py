"""Bring a database's schema up to date with Alembic, configured in code (no alembic.ini at run time)."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory

from shopflow.storage.db import create_db_engine, normalise_url
from shopflow.storage.models import Base

log = logging.getLogger(__name__)

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"


def alembic_config(url: str | None = None) -> Config:
    """An Alembic Config pointing at the migrations inside the installed package."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    if url is not None:
        # Kept out of the ini options: configparser would treat a '%' in a password as interpolation.
        config.attributes["url"] = normalise_url(url)
    return config


def _run(url: str, action: str, *args: Any) -> None:
    engine = create_db_engine(url)
    try:
        with engine.connect() as connection:
            sqlite = connection.dialect.name == "sqlite"
            if sqlite:
                # A batch migration rebuilds a SQLite table (copy, DROP, rename); with foreign keys on, the DROP
                # cascades and deletes every row that references the table. The pragma only takes effect outside
                # a transaction, so it goes straight to the driver before SQLAlchemy begins one.
                connection.connection.driver_connection.execute("PRAGMA foreign_keys=OFF")  # type: ignore[union-attr]
            with connection.begin():
                config = alembic_config(url)
                config.attributes["connection"] = connection
                getattr(command, action)(config, *args)
                if sqlite:
                    broken = connection.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
                    if broken:
                        raise RuntimeError(f"migration left {len(broken)} rows with broken foreign keys: {broken[:5]}")
    finally:
        engine.dispose()  # the connection without foreign keys is not handed out again


def upgrade(url: str, revision: str = "head") -> None:
    log.info("migrating database up to %s", revision)
    _run(url, "upgrade", revision)


def downgrade(url: str, revision: str) -> None:
    log.info("migrating database down to %s", revision)
    _run(url, "downgrade", revision)


def head_revision() -> str:
    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    if head is None:
        raise RuntimeError(f"no migrations found in {MIGRATIONS_DIR}")
    return head


def current_revision(url: str) -> str | None:
    """The revision the database is at; None for a database that was never migrated."""
    engine = create_db_engine(url)
    try:
        with engine.connect() as connection:
            return MigrationContext.configure(connection).get_current_revision()
    finally:
        engine.dispose()


def is_up_to_date(url: str) -> bool:
    return current_revision(url) == head_revision()


def pending_model_changes(url: str) -> list[Any]:
    """What the models have that the migrated database lacks (an empty list when a migration matches them)."""
    engine = create_db_engine(url)
    try:
        with engine.connect() as connection:
            context = MigrationContext.configure(connection, opts={"compare_type": True})
            return list(compare_metadata(context, Base.metadata))
    finally:
        engine.dispose()


def make_revision(url: str, message: str) -> None:
    """For developers: autogenerate a new migration from the models against an up-to-date database at `url`."""
    _run(url, "revision", message, True)
