"""Page tests: NiceGUI's simulated user on the dashboard (tests/web/dashboard_main.py) over a fresh SQLite file.

The pages only use repositories and reports services, which the storage and reports tests run on both
dialects; one dialect is enough here.
"""

from __future__ import annotations

import shutil
import sys
from collections.abc import Iterator
from datetime import timedelta
from functools import cache
from pathlib import Path

import pytest
from nicegui.testing import User

from shopflow.config.credentials import hash_password
from shopflow.services.accounts import Accounts
from shopflow.services.setup_token import setup_token
from shopflow.storage.db import Database
from shopflow.storage.records import Language, StoreRecord, UserRecord, UserRole
from shopflow.storage.repositories import StoreRepository, UserRepository
from tests.web.env_names import DATA_DIR_ENV, DATABASE_URL_ENV

PASSWORD = "Caju-Verde-Manga-2026"
# Pages answer after work in a thread (a password hash, a database read): give them up to 5 s on a busy machine.
RETRIES = 50


@pytest.fixture(autouse=True)
def keep_shopflow_modules() -> Iterator[None]:
    """Put back the shopflow modules NiceGUI's test reset removes from sys.modules.

    After each `user` test NiceGUI forgets the modules that defined pages, and their parent packages, so the next
    test imports them afresh. For us that is `shopflow` itself: until something imports it again, resources of
    the package (the sample video) cannot be found, and two copies of a module would hold two copies of each
    class. Set up before `user`, so this runs after its teardown.
    """
    saved = {name: module for name, module in sys.modules.items() if name == "shopflow" or name.startswith("shopflow.")}
    yield
    for name, module in saved.items():
        sys.modules.setdefault(name, module)


@pytest.fixture(autouse=True)
def database(
    keep_shopflow_modules: None, sqlite_template: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Database]:
    """The dashboard's database, set up before the `user` fixture starts the app on it."""
    path = tmp_path / "data" / "shopflow.db"
    path.parent.mkdir()
    shutil.copyfile(sqlite_template, path)
    url = f"sqlite:///{path}"
    monkeypatch.setenv(DATABASE_URL_ENV, url)
    monkeypatch.setenv(DATA_DIR_ENV, str(path.parent))
    db = Database.from_url(url)
    yield db
    db.dispose()


def add_user(
    database: Database,
    email: str = "dona@loja.com.br",
    role: UserRole = UserRole.OWNER,
    language: Language = Language.PT_BR,
) -> UserRecord:
    with database.session() as session:
        return UserRepository(session).create(
            email, password_hash(), organisation_id=organisation(database), role=role, language=language
        )


@cache
def password_hash() -> str:
    """PASSWORD hashed once per test run (scrypt at its production cost takes a third of a second)."""
    return hash_password(PASSWORD)


def organisation(database: Database) -> int:
    """The server's organisation (made on first use): users and stores of a page test share it."""
    with database.session() as session:
        return StoreRepository(session).server_organisation("Acme")


def add_store(database: Database, name: str = "Loja Centro", timezone: str = "America/Sao_Paulo") -> StoreRecord:
    organisation_id = organisation(database)
    with database.session() as session:
        return StoreRepository(session).create(organisation_id, name, timezone=timezone)


def setup_link(database: Database, data_dir: Path) -> str:
    """The /setup link with the one-time token the server prints at start on a server without users."""
    accounts = Accounts(database, session_lifetime=timedelta(hours=1))
    token = setup_token(accounts, data_dir)
    assert token is not None, "the server already has users"
    return f"/setup?token={token}"


async def sign_in(
    user: User, email: str = "dona@loja.com.br", password: str = PASSWORD, *, expect_success: bool = True
) -> None:
    await user.open("/login")
    user.find(marker="email").type(email)
    user.find(marker="password").type(password)
    user.find(marker="sign-in").click()
    if expect_success:
        await user.should_see(marker="sign-out", retries=RETRIES)
        # The simulated browser remembers the sign-in hand-over's address (a real one shows where it was
        # redirected): open the overview itself, so a reload reloads a page.
        await user.open("/")
        await user.should_see(marker="sign-out", retries=RETRIES)


def grant(database: Database, account: UserRecord, *stores: StoreRecord) -> None:
    """Let a manager or viewer see these stores (an owner sees them all)."""
    with database.session() as session:
        UserRepository(session).update(account.id, store_ids=[store.id for store in stores])
