"""Real databases for the storage tests: a SQLite file per test and a PostgreSQL database per test session."""

from __future__ import annotations

import os
import secrets
import shutil
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from functools import cache
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError
from xdist.remote import Producer
from xdist.scheduler import LoadScopeScheduling

from shopflow.storage import migrate
from shopflow.storage.db import Database, normalise_url
from shopflow.storage.models import Base

PG_URL_ENV = "SHOPFLOW_TEST_PG_URL"
PG_DEFAULT_URLS = (
    "postgresql+psycopg://postgres@127.0.0.1:5432/test",
    "postgresql+psycopg://root@127.0.0.1:5432/test",
)
DIALECTS = [
    pytest.param("sqlite", id="sqlite"),
    pytest.param("postgresql", id="postgresql", marks=pytest.mark.postgres),
]


def _reachable(url: str) -> str | None:
    """None when we can connect to `url`, else why not."""
    engine = create_engine(normalise_url(url), connect_args={"connect_timeout": 5})
    try:
        with engine.connect() as connection:
            connection.execute(text("SELECT 1"))
        return None
    except OperationalError as error:
        return str(error.orig or error).strip().splitlines()[0]
    finally:
        engine.dispose()


ROOT = Path(__file__).resolve().parent.parent


@cache
def analyses_video(path: str) -> bool:
    """Whether the test file at `path` (relative to the repository) is marked `video`."""
    file = ROOT / path
    return file.suffix == ".py" and "pytest.mark.video" in file.read_text(encoding="utf-8")


class VideoOnOneWorker(LoadScopeScheduling):
    """`--dist loadfile` (scripts/test.sh), except that every file of video tests is one unit of work, and files
    are handed out in the order they were collected.

    Why one unit: a video analysis keeps both cores busy, while most other tests wait on a socket, a subprocess or
    the database. Two analyses side by side only slow each other down (and push the server tests towards their
    timeouts); one analysis beside the waiting tests fills the idle core. Whole files stay on one worker so a
    module's fixtures are set up once. (xdist's own `loadgroup` would say this with marks, but it stopped
    grouping on pytest 9.2: pytest-dev/pytest-xdist#1386.)

    Why in order: NiceGUI's simulated user (tests/web/pages, collected last) resets NiceGUI's configuration when
    a test ends, after which a worker can no longer start the server app; xdist's default largest-file-first order
    would run API tests after page tests.
    """

    def __init__(self, config: pytest.Config, log: Producer | None = None) -> None:
        config.option.loadscopereorder = False
        super().__init__(config, log)

    def _split_scope(self, nodeid: str) -> str:
        path = nodeid.split("::", 1)[0]
        return "video" if analyses_video(path) else path


def pytest_configure(config: pytest.Config) -> None:
    # The CLI tests set the terminal's width with COLUMNS for the command they run; rich fixes a console's width
    # for good when COLUMNS is already set as it is made, and xdist's workers start with COLUMNS=80.
    os.environ.pop("COLUMNS", None)
    # A store's server lowers its camera threads so that people using the dashboard come first. Here the other
    # test workers, not a person, compete for the two cores, and a server's lowered cameras (in this process or
    # a `shopflow serve` it starts) would starve behind them: a clip took four times as long. Equal priority
    # keeps the suite's time honest; tests/integration/test_camera_priority.py checks the lowering itself.
    os.environ.setdefault("CAMERA_NICENESS", "0")


def pytest_xdist_make_scheduler(config: pytest.Config, log: Producer) -> LoadScopeScheduling | None:
    return VideoOnOneWorker(config, log) if config.getvalue("dist") == "loadfile" else None


@pytest.fixture(scope="session")
def pg_admin_url() -> str:
    """A PostgreSQL URL we may create databases from; the storage tests fail (not skip) without one."""
    override = os.environ.get(PG_URL_ENV)
    candidates = (override,) if override else PG_DEFAULT_URLS
    reasons = []
    for url in candidates:
        reason = _reachable(url)
        if reason is None:
            return normalise_url(url)
        reasons.append(f"  {make_url(normalise_url(url)).render_as_string(hide_password=True)}: {reason}")
    pytest.fail(
        "PostgreSQL is not reachable, and the storage tests must run on it as well as on SQLite.\n"
        + "\n".join(reasons)
        + f"\nStart the server, or point {PG_URL_ENV} at one (a user that may CREATE DATABASE).",
        pytrace=False,
    )


@contextmanager
def fresh_pg_database(admin_url: str) -> Iterator[str]:
    name = f"shopflow_test_{os.getpid()}_{secrets.token_hex(4)}"
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
        yield make_url(admin_url).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture(scope="session")
def pg_migrated_url(pg_admin_url: str) -> Iterator[str]:
    with fresh_pg_database(pg_admin_url) as url:
        migrate.upgrade(url)
        yield url


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A migrated SQLite file that each test copies, so migrations run once per session."""
    path = tmp_path_factory.mktemp("template") / "shopflow.db"
    migrate.upgrade(f"sqlite:///{path}")
    with sqlite3.connect(path) as connection:  # fold the WAL into the file so a plain copy is complete
        connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    return path


@pytest.fixture(params=DIALECTS)
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """The URL of an empty, migrated database of either dialect, private to the test."""
    if request.param == "sqlite":
        path = tmp_path / "data" / "shopflow.db"
        path.parent.mkdir()
        shutil.copyfile(request.getfixturevalue("sqlite_template"), path)
        return f"sqlite:///{path}"
    url: str = request.getfixturevalue("pg_migrated_url")
    # DELETE rather than TRUNCATE: on tables this small it takes milliseconds instead of a few hundred.
    engine = create_engine(url)
    try:
        with engine.begin() as connection:
            for table in reversed(Base.metadata.sorted_tables):
                connection.execute(table.delete())
    finally:
        engine.dispose()
    return url


@pytest.fixture
def database(db_url: str) -> Iterator[Database]:
    db = Database.from_url(db_url)
    yield db
    db.dispose()


@pytest.fixture(params=DIALECTS)
def empty_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A database with nothing in it, not even migrations."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'empty.db'}"
        return
    with fresh_pg_database(request.getfixturevalue("pg_admin_url")) as url:
        yield url
