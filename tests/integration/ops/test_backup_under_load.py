"""A backup taken while cameras write events, and the restore drill against a live server, on both databases."""

from __future__ import annotations

import json
import threading
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import create_engine, text
from typer.testing import CliRunner

from shopflow.cli import app as cli
from shopflow.config.settings import Settings
from shopflow.ops.backup import BackupSources, create_backup
from shopflow.ops.dumps import scratch_database
from shopflow.ops.restore import restore_backup, verify_backup
from shopflow.server.app import create_app
from shopflow.storage import migrate
from shopflow.storage.db import Database, normalise_url
from shopflow.storage.writer import EventWriter

from ..api.conftest import owner_token
from ..storage.factories import crossing, store_with_cameras, visit
from .helpers import admin_for, all_rows, destroy


def keep_writing(writer: EventWriter, camera_ids: list[int], stop: threading.Event, started: threading.Event) -> None:
    """What the cameras do: a few crossings and a visit per camera every few milliseconds, until told to stop."""
    at = datetime.now(UTC) - timedelta(hours=3)
    n = 0
    while not stop.is_set():
        for camera_id in camera_ids:
            writer.write(
                camera_id,
                [crossing(f"k{n}-{i}", at + timedelta(milliseconds=10 * n + i), track_id=n) for i in range(3)]
                + [visit(f"v{n}", at + timedelta(milliseconds=10 * n), 2.0)],
            )
        n += 1
        if n == 50:
            writer.flush()
            started.set()
        stop.wait(0.002)


def consistency(url: str) -> tuple[int, int, int, int]:
    """(crossings, entries counted in the rollups, visits, visits counted in the rollups) of one database."""
    engine = create_engine(normalise_url(url))
    try:
        with engine.connect() as connection:
            return tuple(  # type: ignore[return-value]
                int(connection.execute(text(sql)).scalar_one())
                for sql in (
                    "SELECT count(*) FROM crossings WHERE is_entry",
                    "SELECT coalesce(sum(entries), 0) FROM hourly_rollups",
                    "SELECT count(*) FROM visits",
                    "SELECT coalesce(sum(visits), 0) FROM hourly_rollups",
                )
            )
    finally:
        engine.dispose()


def test_a_backup_taken_while_cameras_write_restores_consistently(empty_url: str, tmp_path: Path) -> None:
    migrate.upgrade(empty_url)
    database = Database.from_url(empty_url)
    try:
        _store, cameras = store_with_cameras(database, cameras=2)
        stop, started = threading.Event(), threading.Event()
        with EventWriter(database, flush_seconds=0.01) as writer:
            thread = threading.Thread(target=keep_writing, args=(writer, [c.id for c in cameras], stop, started))
            thread.start()
            try:
                assert started.wait(30), "the cameras never started writing"
                made = create_backup("database", BackupSources(empty_url, tmp_path, tmp_path), tmp_path / "b")
            finally:
                stop.set()
                thread.join()
    finally:
        database.dispose()
    final = consistency(empty_url)
    counted = made.manifest["database"]["row_counts"]
    assert 0 < counted["crossings"] < final[0], "the backup should hold some but not all of the events"

    verify_backup(made.path, key=None, server_url=empty_url)  # restored rows == the manifest's counts
    with scratch_database(empty_url, tmp_path) as other:
        restore_backup(made.path, BackupSources(other, tmp_path / "restored", tmp_path / "restored"), key=None)
        entries, rollup_entries, visits, rollup_visits = consistency(other)
    # The rollups are written in the same transaction as their events: a consistent snapshot agrees with itself.
    assert entries == rollup_entries > 0
    assert visits == rollup_visits > 0
    assert entries < final[0]


def test_restore_drill_on_a_live_server(empty_url: str, tmp_path: Path, request: pytest.FixtureRequest) -> None:
    """docs/operations.md's drill: back up the running server, destroy its database, restore, verify."""
    data_dir = tmp_path / "data"
    env = {"DATABASE_URL": empty_url, "DATA_DIR": str(data_dir), "BACKUP_DIR": str(tmp_path / "backups")}
    settings = Settings(  # type: ignore[call-arg]
        _env_file=None, database_url=empty_url, data_dir=data_dir, yolo_imgsz=320, allowed_hosts=["testserver"]
    )
    runner = CliRunner()
    with TestClient(create_app(settings, start_pipeline=False)) as client:
        token = owner_token(client)
        client.headers["Authorization"] = f"Bearer {token}"
        store = client.post("/api/stores", json={"name": "Loja Centro"}).json()
        camera = client.post(
            "/api/cameras",
            json={
                "store_id": store["id"],
                "name": "Entrada",
                "source_url": "rtsp://10.0.0.9/stream",
                "lines": [{"name": "door", "a": [0.1, 0.5], "b": [0.9, 0.5]}],
            },
        ).json()
        writer = client.app.state.runtime.writer  # type: ignore[attr-defined]
        stop, started = threading.Event(), threading.Event()
        thread = threading.Thread(target=keep_writing, args=(writer, [camera["id"]], stop, started))
        thread.start()
        try:
            assert started.wait(30)
            result = runner.invoke(cli, ["backup", "--type", "full"], env=env)
        finally:
            stop.set()
            thread.join()
        assert result.exit_code == 0, result.output
    archive = next((tmp_path / "backups").iterdir())
    manifest_counts = _manifest_counts(archive, tmp_path)

    destroy(empty_url, admin_for(empty_url, request))
    restored = runner.invoke(cli, ["restore", str(archive), "--yes"], env=env)
    assert restored.exit_code == 0, restored.output
    verified = runner.invoke(cli, ["backup", "verify", str(archive)], env=env)
    assert verified.exit_code == 0 and ": OK (full" in verified.stdout, verified.output

    rows = all_rows(empty_url)
    assert {table: len(found) for table, found in rows.items()} == manifest_counts
    assert manifest_counts["crossings"] > 0
    with TestClient(create_app(settings, start_pipeline=False)) as client:
        assert client.get("/api/health").json()["status"] == "ok"
        # The owner and their session came back with the data.
        client.headers["Authorization"] = f"Bearer {token}"
        assert client.get(f"/api/cameras/{camera['id']}").json()["name"] == "Entrada"


def _manifest_counts(archive: Path, tmp_path: Path) -> dict[str, int]:
    import tarfile

    with tarfile.open(archive) as tar:
        manifest = json.loads(tar.extractfile("manifest.json").read())  # type: ignore[union-attr]
    counts: dict[str, int] = manifest["database"]["row_counts"]
    return counts
