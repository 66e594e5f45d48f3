"""Database dumps: SQLite through its online backup API, PostgreSQL through pg_dump / pg_restore.

Both take one consistent snapshot while the server keeps writing, and the row counts for the manifest are read
from that same snapshot, so `verify` can demand that every counted row comes back.
"""

from __future__ import annotations

import logging
import os
import shutil
import sqlite3
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import URL, text
from sqlalchemy.engine import make_url

from shopflow.storage import migrate
from shopflow.storage.db import create_db_engine, normalise_url
from shopflow.storage.repositories.maintenance import MaintenanceRepository

log = logging.getLogger(__name__)

SQLITE_DUMP = "shopflow.db"
POSTGRES_DUMP = "shopflow.pgdump"


class DumpError(Exception):
    """A dump or restore could not be made; the message says why."""


def dialect_of(url: str) -> str:
    return make_url(normalise_url(url)).get_backend_name()


def sqlite_path(url: str) -> Path:
    database = make_url(normalise_url(url)).database
    if not database or database == ":memory:" or database.startswith("file:"):
        raise DumpError("only a SQLite database in a file can be backed up or restored")
    return Path(database)


def libpq(url: str) -> tuple[str, dict[str, str]]:
    """A libpq connection URI for pg_dump and friends, with the password moved into the environment."""
    parsed: URL = make_url(normalise_url(url))
    env = dict(os.environ)
    if parsed.password is not None:
        env["PGPASSWORD"] = str(parsed.password)
    uri = parsed.set(drivername="postgresql", password=None).render_as_string(hide_password=False)
    return uri, env


def _tool(name: str) -> str:
    found = shutil.which(name)
    if found is None:
        raise DumpError(
            f"{name} is not installed (the PostgreSQL client tools, e.g. apt-get install postgresql-client)"
        )
    return found


def _run(command: list[str], env: dict[str, str]) -> None:
    result = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        lines = [line for line in result.stderr.strip().splitlines() if line.strip()]
        reason = lines[-1] if lines else f"exit status {result.returncode}"
        raise DumpError(f"{Path(command[0]).name} failed: {reason}")


def dump(url: str, target_dir: Path) -> tuple[Path, dict[str, int], str | None]:
    """Dump the database into `target_dir`; the file, the row count per table and the schema revision."""
    revision = migrate.current_revision(url)
    if dialect_of(url) == "sqlite":
        return (*_dump_sqlite(url, target_dir / SQLITE_DUMP), revision)
    return (*_dump_postgres(url, target_dir / POSTGRES_DUMP), revision)


def _dump_sqlite(url: str, target: Path) -> tuple[Path, dict[str, int]]:
    source_path = sqlite_path(url)
    if not source_path.is_file():
        raise DumpError(f"the SQLite database {source_path} does not exist")
    # The online backup API copies a consistent snapshot page by page while other connections keep writing.
    source = sqlite3.connect(source_path, timeout=30)
    try:
        with sqlite3.connect(target) as copy:
            source.backup(copy, pages=4096)
        copy.close()
    finally:
        source.close()
    return target, _counts(f"sqlite:///{target}")


def _dump_postgres(url: str, target: Path) -> tuple[Path, dict[str, int]]:
    pg_dump = _tool("pg_dump")
    uri, env = libpq(url)
    engine = create_db_engine(url)
    try:
        with engine.connect() as connection:
            # One exported snapshot for both the row counts and pg_dump: rows the cameras write meanwhile are in
            # neither, so the manifest describes exactly the dump.
            connection.exec_driver_sql("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
            snapshot = connection.execute(text("SELECT pg_export_snapshot()")).scalar_one()
            from sqlalchemy.orm import Session

            with Session(bind=connection) as session:
                counts = MaintenanceRepository(session).row_counts()
            _run(
                [
                    pg_dump,
                    "--format=custom",
                    "--no-owner",
                    "--no-privileges",
                    f"--snapshot={snapshot}",
                    f"--file={target}",
                    f"--dbname={uri}",
                ],
                env,
            )
            connection.rollback()
    finally:
        engine.dispose()
    return target, counts


def _counts(url: str) -> dict[str, int]:
    from shopflow.storage.db import Database

    database = Database.from_url(url)
    try:
        with database.session() as session:
            return MaintenanceRepository(session).row_counts()
    finally:
        database.dispose()


def row_counts(url: str) -> dict[str, int]:
    return _counts(url)


def restore(dump_file: Path, url: str) -> None:
    """Replace the database at `url` with `dump_file` (created if it does not exist)."""
    if dialect_of(url) == "sqlite":
        if dump_file.name != SQLITE_DUMP:
            raise DumpError("this archive holds a PostgreSQL dump; DATABASE_URL points at SQLite")
        _restore_sqlite(dump_file, sqlite_path(url))
    else:
        if dump_file.name != POSTGRES_DUMP:
            raise DumpError("this archive holds a SQLite database; DATABASE_URL points at PostgreSQL")
        _restore_postgres(dump_file, url)


def _restore_sqlite(dump_file: Path, target: Path) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    source = sqlite3.connect(dump_file)
    try:
        # Through the backup API rather than a file copy: the target's WAL and any open reader stay coherent.
        destination = sqlite3.connect(target, timeout=30)
        try:
            source.backup(destination)
        finally:
            destination.close()
    finally:
        source.close()


def _restore_postgres(dump_file: Path, url: str) -> None:
    pg_restore = _tool("pg_restore")
    create_database_if_missing(url)
    uri, env = libpq(url)
    _drop_schema_objects(url)
    _run(
        [
            pg_restore,
            "--no-owner",
            "--no-privileges",
            "--single-transaction",
            "--exit-on-error",
            f"--dbname={uri}",
            str(dump_file),
        ],
        env,
    )


def _drop_schema_objects(url: str) -> None:
    # A restore is a replacement: tables the dump does not have must not survive either.
    engine = create_db_engine(url)
    try:
        with engine.begin() as connection:
            connection.execute(text("DROP SCHEMA IF EXISTS public CASCADE"))
            connection.execute(text("CREATE SCHEMA public"))
    finally:
        engine.dispose()


def create_database_if_missing(url: str) -> None:
    parsed = make_url(normalise_url(url))
    admin = create_db_engine(
        parsed.set(database="postgres").render_as_string(hide_password=False), isolation_level="AUTOCOMMIT"
    )
    try:
        with admin.connect() as connection:
            exists = connection.execute(
                text("SELECT 1 FROM pg_database WHERE datname = :name"), {"name": parsed.database}
            ).first()
            if exists is None:
                log.info("creating the database %s", parsed.database)
                connection.execute(text(f'CREATE DATABASE "{parsed.database}"'))
    finally:
        admin.dispose()


@contextmanager
def scratch_database(like_url: str, workdir: Path) -> Iterator[str]:
    """A throwaway empty database of the same kind as `like_url` (a new database on the same PostgreSQL)."""
    if dialect_of(like_url) == "sqlite":
        yield f"sqlite:///{workdir / 'verify.db'}"
        return
    name = f"shopflow_verify_{os.getpid()}_{os.urandom(4).hex()}"
    parsed = make_url(normalise_url(like_url))
    admin = create_db_engine(
        parsed.set(database="postgres").render_as_string(hide_password=False), isolation_level="AUTOCOMMIT"
    )
    try:
        with admin.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
        yield parsed.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()
