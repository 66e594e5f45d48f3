"""Engines and sessions from a DATABASE_URL (SQLite or PostgreSQL through psycopg 3)."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import URL, make_url
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.pool import StaticPool

from shopflow.config.files import private_dir, private_file
from shopflow.storage import tenancy

log = logging.getLogger(__name__)

DEFAULT_DATABASE_URL = "sqlite:///./data/shopflow.db"
SQLITE_BUSY_TIMEOUT_MS = 5000
# Execution option marking a read-only session's connection: on SQLite its transaction begins DEFERRED (a WAL
# snapshot, no write lock), so reads never queue behind the event writer.
READ_ONLY_OPTION = "shopflow_read_only"


def normalise_url(url: str) -> str:
    """The URL SQLAlchemy should use: `postgresql://` and `postgres://` go through psycopg 3, empty means default."""
    url = url.strip() or DEFAULT_DATABASE_URL
    for prefix in ("postgresql://", "postgres://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url.removeprefix(prefix)
    return url


def _sqlite_file(url: URL) -> Path | None:
    database = url.database
    if not database or database == ":memory:" or database.startswith("file:"):
        return None
    return Path(database)


def create_db_engine(url: str, **engine_kwargs: Any) -> Engine:
    """An engine for `url`; for SQLite the folder is created and WAL, foreign keys and a busy timeout are set."""
    parsed = make_url(normalise_url(url))
    if parsed.get_backend_name() != "sqlite":
        engine = create_engine(parsed, pool_pre_ping=True, **engine_kwargs)
        tenancy.enforce_on(engine)
        return engine

    path = _sqlite_file(parsed)
    connect_args: dict[str, Any] = {"check_same_thread": False}  # the event writer flushes from its own thread
    if path is None:
        # An in-memory database lives in one connection: share it, or every checkout sees an empty database.
        engine = create_engine(parsed, connect_args=connect_args, poolclass=StaticPool, **engine_kwargs)
    else:
        if not path.parent.exists():
            private_dir(path.parent)
        private_file(path)
        engine = create_engine(parsed, connect_args=connect_args, **engine_kwargs)
    _configure_sqlite(engine, wal=path is not None)
    return engine


def _configure_sqlite(engine: Engine, *, wal: bool) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # pysqlite's own transaction handling skips BEGIN before SELECTs and breaks SAVEPOINT; turn it off and
        # let the "begin" hook below emit BEGIN, as SQLAlchemy's documentation recommends.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        try:
            if wal:
                cursor.execute("PRAGMA journal_mode=WAL")
                cursor.execute("PRAGMA synchronous=NORMAL")  # safe with WAL, and far fewer fsyncs per flush
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
        finally:
            cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Any) -> None:
        # IMMEDIATE takes the write lock up front. A deferred transaction that reads and then writes fails at
        # once ("database is locked") if another connection wrote in between, which the event writer does every
        # second; an immediate one waits up to busy_timeout instead. A read-only session never writes, so it
        # begins DEFERRED: under WAL it reads a consistent snapshot and never waits for the writer.
        if connection.get_execution_options().get(READ_ONLY_OPTION):
            connection.exec_driver_sql("BEGIN DEFERRED")
        else:
            connection.exec_driver_sql("BEGIN IMMEDIATE")


def make_session_factory(engine: Engine) -> sessionmaker[Session]:
    # Records are copied out of rows inside the transaction, so nothing needs reloading after commit.
    return sessionmaker(bind=engine, expire_on_commit=False)


def make_read_session_factory(engine: Engine) -> sessionmaker[Session]:
    """Sessions for reading only: no write lock on SQLite, a READ ONLY transaction on PostgreSQL."""
    options: dict[str, Any] = {READ_ONLY_OPTION: True}
    if engine.dialect.name == "postgresql":
        # Refuses writes server-side, so a read path that tries one fails loudly instead of writing.
        options["postgresql_readonly"] = True
    return sessionmaker(bind=engine.execution_options(**options), expire_on_commit=False)


@contextmanager
def session_scope(factory: sessionmaker[Session]) -> Iterator[Session]:
    """One transaction: committed when the block ends, rolled back when it raises."""
    session = factory()
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()


@dataclass(frozen=True, slots=True)
class Database:
    """An engine with its session factory: what the rest of ShopFlow holds on to."""

    engine: Engine
    sessions: sessionmaker[Session]
    read_sessions: sessionmaker[Session]

    @classmethod
    def from_url(cls, url: str, **engine_kwargs: Any) -> Database:
        engine = create_db_engine(url, **engine_kwargs)
        return cls(
            engine=engine, sessions=make_session_factory(engine), read_sessions=make_read_session_factory(engine)
        )

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    @contextmanager
    def session(self) -> Iterator[Session]:
        with session_scope(self.sessions) as session:
            yield session

    @contextmanager
    def read_session(self) -> Iterator[Session]:
        """A transaction that only reads: it never takes SQLite's write lock, so it never waits for the writer."""
        with session_scope(self.read_sessions) as session:
            yield session

    def dispose(self) -> None:
        self.engine.dispose()
