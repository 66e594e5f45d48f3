"""`shopflow restore` and `shopflow backup verify`: put an archive back, or prove that it would come back."""

from __future__ import annotations

import logging
import shutil
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from alembic.script import ScriptDirectory

from shopflow.ops import dumps
from shopflow.ops.archive import OpenedArchive, open_archive
from shopflow.ops.backup import CONFIG_FILES, SESSION_SECRET, BackupError, BackupSources
from shopflow.storage import migrate

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class RestoreResult:
    kind: str
    created_at: str
    files: int
    row_counts: dict[str, int] = field(default_factory=dict)
    schema_revision: str | None = None
    seconds: float = 0.0


def _known_revision(revision: str | None) -> None:
    if revision is None:
        return
    scripts = ScriptDirectory.from_config(migrate.alembic_config())
    if revision not in {script.revision for script in scripts.walk_revisions()}:
        raise BackupError(f"the backup's schema revision {revision} is newer than this ShopFlow: upgrade it first")


def _compare_counts(expected: dict[str, int], actual: dict[str, int]) -> None:
    wrong = [
        f"{table}: {actual.get(table, 0)} rows, the manifest says {count}"
        for table, count in sorted(expected.items())
        if actual.get(table, 0) != count
    ]
    if wrong:
        raise BackupError("the restored database differs from the manifest: " + "; ".join(wrong[:5]))


def _restore_database(opened: OpenedArchive, url: str) -> tuple[dict[str, int], str | None]:
    database: dict[str, Any] = opened.manifest["database"]
    dump_file = opened.database_file
    if dump_file is None:
        raise BackupError("the manifest describes a database but the archive holds no dump")
    _known_revision(database.get("schema_revision"))
    try:
        dumps.restore(dump_file, url)
    except dumps.DumpError as error:
        raise BackupError(str(error)) from None
    counts = dumps.row_counts(url)
    _compare_counts(database["row_counts"], counts)
    return counts, migrate.current_revision(url)


def restore_backup(path: Path, target: BackupSources, *, key: bytes | None) -> RestoreResult:
    """Replace the database, configuration and/or media with what the archive holds (whatever parts it has)."""
    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="shopflow-restore-") as scratch:
        opened = open_archive(path, Path(scratch), key=key)
        counts: dict[str, int] = {}
        revision = None
        if opened.manifest.get("database"):
            counts, revision = _restore_database(opened, target.database_url)
            # An archive from an older ShopFlow comes back at its own revision; bring it up to this one.
            migrate.upgrade(target.database_url)
        for name in opened.names("config/"):
            base = name.removeprefix("config/")
            destination = target.config_dir / base if base in CONFIG_FILES else target.data_dir / SESSION_SECRET
            destination.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(opened.file(name), destination)
        media = opened.names("media/")
        if media or opened.manifest["type"] in ("media", "full"):
            if target.media_dir.exists():
                shutil.rmtree(target.media_dir)
            for name in media:
                destination = target.media_dir / name.removeprefix("media/")
                destination.parent.mkdir(parents=True, exist_ok=True)
                shutil.copyfile(opened.file(name), destination)
        manifest = opened.manifest
    seconds = time.monotonic() - started
    log.info("restored %s in %.1f s", path, seconds)
    return RestoreResult(manifest["type"], manifest["created_at"], len(manifest["files"]), counts, revision, seconds)


def verify_backup(path: Path, *, key: bytes | None, server_url: str) -> RestoreResult:
    """Check the checksums, restore the database into a scratch database and compare its rows with the manifest.

    A PostgreSQL dump is restored into a new database on the server of `server_url` (dropped afterwards).
    """
    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="shopflow-verify-") as scratch:
        workdir = Path(scratch)
        opened = open_archive(path, workdir, key=key)
        manifest = opened.manifest
        counts: dict[str, int] = {}
        revision = None
        database = manifest.get("database")
        if database:
            if database["dialect"] != "sqlite" and dumps.dialect_of(server_url) == "sqlite":
                raise BackupError(
                    "this is a PostgreSQL backup: point DATABASE_URL (or --server) at a PostgreSQL server "
                    "where a scratch database may be created"
                )
            like = "sqlite://" if database["dialect"] == "sqlite" else server_url
            try:
                with dumps.scratch_database(like, workdir) as scratch_url:
                    counts, revision = _restore_database(opened, scratch_url)
            except dumps.DumpError as error:
                raise BackupError(str(error)) from None
            if revision != database.get("schema_revision"):
                raise BackupError(
                    f"the restored schema is at {revision}, the manifest says {database.get('schema_revision')}"
                )
    return RestoreResult(
        manifest["type"], manifest["created_at"], len(manifest["files"]), counts, revision, time.monotonic() - started
    )
