"""Back up, destroy, restore and compare, on SQLite and PostgreSQL: every row comes back, the manifest is right."""

from __future__ import annotations

import json
import tarfile
from datetime import datetime
from pathlib import Path

import pytest

from shopflow.ops.backup import BackupSources, create_backup, prune_backups
from shopflow.ops.restore import restore_backup, verify_backup
from shopflow.storage import migrate
from shopflow.vision.model_files import file_sha256

from .helpers import admin_for, all_rows, destroy, populate


def test_backup_destroy_restore_brings_back_every_row(
    empty_url: str, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    migrate.upgrade(empty_url)
    populate(empty_url)
    before = all_rows(empty_url)
    assert len(before["crossings"]) == 120 and len(before["hourly_rollups"]) > 0 and before["store_privacy"]
    sources = BackupSources(empty_url, tmp_path / "data", tmp_path)

    made = create_backup("database", sources, tmp_path / "backups")

    manifest = made.manifest
    assert manifest["type"] == "database"
    assert manifest["database"]["schema_revision"] == migrate.head_revision()
    assert manifest["database"]["row_counts"] == {table: len(rows) for table, rows in before.items()}
    assert datetime.fromisoformat(manifest["created_at"]).tzinfo is not None
    with tarfile.open(made.path) as tar:
        names = tar.getnames()
        assert names[0] == "manifest.json"
        stored = json.loads(tar.extractfile("manifest.json").read())  # type: ignore[union-attr]
        assert stored == manifest
        unpacked = tmp_path / "unpacked"
        tar.extractall(unpacked, filter="data")
    assert set(names[1:]) == set(manifest["files"])
    for name, described in manifest["files"].items():
        assert file_sha256(unpacked / name) == described["sha256"]

    verified = verify_backup(made.path, key=None, server_url=empty_url)
    assert verified.row_counts == manifest["database"]["row_counts"]

    destroy(empty_url, admin_for(empty_url, request))
    restored = restore_backup(made.path, sources, key=None)

    assert restored.schema_revision == migrate.head_revision()
    assert all_rows(empty_url) == before


def test_full_backup_brings_back_configuration_and_media(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'data' / 'shopflow.db'}"
    migrate.upgrade(url)
    populate(url, events=8)
    sources = BackupSources(url, tmp_path / "data", tmp_path / "app")
    (tmp_path / "app").mkdir()
    (tmp_path / "app" / ".env").write_text("API_PORT=8001\nYOLO_CONFIDENCE=0.4\n", encoding="utf-8")
    (tmp_path / "data" / "session_secret").write_text("s3cret\n", encoding="utf-8")
    (tmp_path / "data" / "media" / "store 1").mkdir(parents=True)
    (tmp_path / "data" / "media" / "store 1" / "floor.png").write_bytes(b"\x89PNG fake floor plan")
    made = create_backup("full", sources, tmp_path / "backups")
    assert set(made.manifest["files"]) == {
        "database/shopflow.db",
        "config/.env",
        "config/session_secret",
        "media/store 1/floor.png",
    }

    (tmp_path / "app" / ".env").write_text("API_PORT=9999\n", encoding="utf-8")
    (tmp_path / "data" / "session_secret").unlink()
    (tmp_path / "data" / "media" / "store 1" / "floor.png").unlink()
    (tmp_path / "data" / "media" / "stray.txt").write_text("not in the backup", encoding="utf-8")
    before = all_rows(url)
    destroy(url, None)
    restore_backup(made.path, sources, key=None)

    assert (tmp_path / "app" / ".env").read_text(encoding="utf-8") == "API_PORT=8001\nYOLO_CONFIDENCE=0.4\n"
    assert (tmp_path / "data" / "session_secret").read_text(encoding="utf-8") == "s3cret\n"
    assert (tmp_path / "data" / "media" / "store 1" / "floor.png").read_bytes() == b"\x89PNG fake floor plan"
    assert not (tmp_path / "data" / "media" / "stray.txt").exists()
    assert all_rows(url) == before


def test_config_and_media_backups_hold_no_database(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'data' / 'shopflow.db'}"
    migrate.upgrade(url)
    (tmp_path / "data" / "media").mkdir()
    (tmp_path / "data" / "media" / "a.jpg").write_bytes(b"jpeg")
    (tmp_path / ".env").write_text("API_DEBUG=false\n", encoding="utf-8")
    sources = BackupSources(url, tmp_path / "data", tmp_path)
    config = create_backup("config", sources, tmp_path / "backups")
    media = create_backup("media", sources, tmp_path / "backups")
    assert set(config.manifest["files"]) == {"config/.env"} and config.manifest["database"] is None
    assert set(media.manifest["files"]) == {"media/a.jpg"} and media.manifest["database"] is None
    assert verify_backup(media.path, key=None, server_url=url).row_counts == {}


def test_old_backups_are_pruned_and_other_files_left_alone(tmp_path: Path) -> None:
    folder = tmp_path / "backups"
    folder.mkdir()
    names = [
        "shopflow-database-20261001T020000000Z.tar.gz",  # 61 days before "now": deleted
        "shopflow-full-20261031T020000000Z.tar.gz.enc",  # 31 days: deleted
        "shopflow-database-20261101T030000000Z.tar.gz",  # 29 days 23 hours: kept
        "shopflow-database-20261130T020000000Z.tar.gz",
        "notes-20261001.txt",  # not ours: never touched
    ]
    for name in names:
        (folder / name).write_bytes(b"x")
    now = datetime.fromisoformat("2026-12-01T02:00:00+00:00")
    removed = prune_backups(folder, 30, now=now)
    assert sorted(p.name for p in removed) == sorted(names[:2])
    assert sorted(p.name for p in folder.iterdir()) == sorted(names[2:])
