"""Read-only sessions: they never wait for a writer on SQLite, see committed data, and cannot write."""

from __future__ import annotations

import sqlite3
import threading
import time
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from shopflow.storage.db import Database
from shopflow.storage.repositories import CameraRepository, StoreRepository

from .factories import store_with_cameras


def test_a_read_does_not_wait_for_an_open_write_transaction(database: Database) -> None:
    store, _ = store_with_cameras(database, cameras=2)
    writing = threading.Event()
    release = threading.Event()

    def writer() -> None:
        # A write transaction that holds SQLite's write lock (and PostgreSQL's row lock) until released.
        with database.session() as session:
            StoreRepository(session).update(store.id, name="Renamed")
            session.flush()
            writing.set()
            release.wait(10)

    thread = threading.Thread(target=writer)
    thread.start()
    try:
        assert writing.wait(10)
        started = time.perf_counter()
        with database.read_session() as session:
            seen = StoreRepository(session).get(store.id)
            cameras = CameraRepository(session).list_by_store(store.id)
        waited = time.perf_counter() - started
        # The writer has not committed: the read sees the committed name, at once rather than after the
        # writer's 10 s (on SQLite a BEGIN IMMEDIATE read would block here for the whole busy timeout).
        assert seen.name == "Centro"
        assert len(cameras) == 2
        assert waited < 2.0
    finally:
        release.set()
        thread.join(10)
    with database.read_session() as session:
        assert StoreRepository(session).get(store.id).name == "Renamed"


def test_a_write_session_still_takes_the_write_lock_first_on_sqlite(tmp_path: Path) -> None:
    database = Database.from_url(f"sqlite:///{tmp_path}/lock.db")
    try:
        with database.session() as session:
            session.execute(text("CREATE TABLE t (x INTEGER)"))
        holding = threading.Event()
        release = threading.Event()

        def hold_the_lock() -> None:
            with database.session() as session:
                session.execute(text("SELECT 1"))  # BEGIN IMMEDIATE: the write lock, before any write
                holding.set()
                release.wait(10)

        thread = threading.Thread(target=hold_the_lock)
        thread.start()
        try:
            assert holding.wait(10)
            # A plain read-only session is not blocked ...
            with database.read_session() as session:
                assert session.execute(text("SELECT count(*) FROM t")).scalar_one() == 0
            # ... while a second writer is: it waits for the lock (here it gives up after a short timeout).
            raw = database.engine.raw_connection()
            try:
                cursor = raw.cursor()
                cursor.execute("PRAGMA busy_timeout=100")
                with pytest.raises(sqlite3.OperationalError, match="locked"):
                    cursor.execute("BEGIN IMMEDIATE")
            finally:
                raw.close()
        finally:
            release.set()
            thread.join(10)
    finally:
        database.dispose()


def test_a_read_session_refuses_to_write(database: Database) -> None:
    store, _ = store_with_cameras(database)
    if database.dialect == "postgresql":
        with pytest.raises(DBAPIError, match="read-only"), database.read_session() as session:
            StoreRepository(session).update(store.id, name="Renamed")
            session.flush()
    # On both databases the write session afterwards is a normal read-write one (no option leaks via the pool).
    with database.session() as session:
        StoreRepository(session).update(store.id, name="Renamed")
    with database.read_session() as session:
        assert StoreRepository(session).get(store.id).name == "Renamed"
