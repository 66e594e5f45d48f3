"""The database, its WAL and every folder ShopFlow makes are readable by the server's own user only: they hold
camera passwords and personal data. Checked under a permissive umask, as a default shell has."""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from shopflow.server.app import create_app

from .conftest import make_settings, owner_token
from .test_cli_serve import run_cli


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.fixture
def permissive_umask() -> Iterator[None]:
    previous = os.umask(0o022)
    try:
        yield
    finally:
        os.umask(previous)


@pytest.mark.usefixtures("permissive_umask")
def test_a_fresh_data_dir_is_owner_only(tmp_path: Path) -> None:
    data = tmp_path / "fresh" / "data"
    database = data / "shopflow.db"
    with TestClient(create_app(make_settings(f"sqlite:///{database}", data), start_pipeline=False)) as client:
        client.headers["Authorization"] = f"Bearer {owner_token(client)}"
        assert client.post("/api/stores", json={"name": "Loja"}).status_code == 201
        wal, shm = Path(f"{database}-wal"), Path(f"{database}-shm")
        assert wal.exists() and shm.exists()  # the server is running: SQLite keeps them open
        assert mode(data) == 0o700
        for path in (database, wal, shm):
            assert mode(path) == 0o600, path


@pytest.mark.usefixtures("permissive_umask")
def test_an_existing_readable_install_is_tightened(tmp_path: Path) -> None:
    data = tmp_path / "data"
    data.mkdir(mode=0o755)
    database = data / "shopflow.db"
    database.touch(mode=0o644)
    os.chmod(data, 0o755)  # noqa: PTH101 - mkdir's mode is masked by the umask
    os.chmod(database, 0o644)  # noqa: PTH101
    with TestClient(create_app(make_settings(f"sqlite:///{database}", data), start_pipeline=False)) as client:
        client.headers["Authorization"] = f"Bearer {owner_token(client)}"
        assert client.get("/api/stores").status_code == 200
    assert mode(data) == 0o700
    assert mode(database) == 0o600


def test_cli_database_and_backups_are_owner_only(tmp_path: Path) -> None:
    data = tmp_path / "data"
    database = data / "shopflow.db"
    env = {"DATABASE_URL": f"sqlite:///{database}"}
    assert run_cli("db", "upgrade", cwd=tmp_path, **env).returncode == 0
    assert mode(data) == 0o700
    assert mode(database) == 0o600
    backup = run_cli("backup", "--type", "database", cwd=tmp_path, **env)
    assert backup.returncode == 0, backup.stderr
    backups = data / "backups"
    archives = list(backups.iterdir())
    assert archives
    assert mode(backups) == 0o700
    for archive in archives:
        assert mode(archive) == 0o600, archive
