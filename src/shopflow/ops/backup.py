"""`shopflow backup`: a tar.gz archive of the database, the configuration and/or the media, with a manifest.

The manifest (`manifest.json`, first in the archive) lists the sha256 of every other file, the schema revision,
the row count of every table and the creation time; `verify.py` checks an archive against it.
"""

from __future__ import annotations

import json
import logging
import os
import re
import tarfile
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from shopflow import __version__
from shopflow.config.files import private_dir
from shopflow.ops import crypto, dumps
from shopflow.ops.settings import BACKUP_TYPES, BackupType
from shopflow.vision.model_files import file_sha256

log = logging.getLogger(__name__)

MANIFEST = "manifest.json"
FORMAT = 1
ARCHIVE_NAME = re.compile(r"^shopflow-(database|config|media|full)-(\d{8}T\d{9}Z)\.tar\.gz(\.enc)?$")
CONFIG_FILES = (".env",)
SESSION_SECRET = "session_secret"


class BackupError(Exception):
    """A backup could not be made, or an archive is not a usable ShopFlow backup; the message says why."""


@dataclass(frozen=True, slots=True)
class BackupSources:
    database_url: str
    data_dir: Path
    config_dir: Path  # where `.env` lives (the server's working directory)

    @property
    def media_dir(self) -> Path:
        return self.data_dir / "media"


@dataclass(frozen=True, slots=True)
class BackupResult:
    path: Path
    manifest: dict[str, Any]
    seconds: float


def _walk(root: Path) -> Iterator[Path]:
    for folder, _dirs, files in os.walk(root):
        for name in sorted(files):
            yield Path(folder) / name


def _members(kind: BackupType, sources: BackupSources, workdir: Path) -> tuple[list[tuple[str, Path]], dict[str, Any]]:
    """(name in archive, file) pairs to store, and what the manifest says about the database."""
    members: list[tuple[str, Path]] = []
    database: dict[str, Any] = {}
    if kind in ("database", "full"):
        dump_file, counts, revision = dumps.dump(sources.database_url, workdir)
        members.append((f"database/{dump_file.name}", dump_file))
        database = {
            "dialect": dumps.dialect_of(sources.database_url),
            "schema_revision": revision,
            "row_counts": counts,
        }
    if kind in ("config", "full"):
        for name in CONFIG_FILES:
            path = sources.config_dir / name
            if path.is_file():
                members.append((f"config/{name}", path))
        secret = sources.data_dir / SESSION_SECRET
        if secret.is_file():
            members.append((f"config/{SESSION_SECRET}", secret))
    if kind in ("media", "full") and sources.media_dir.is_dir():
        members.extend(
            (f"media/{path.relative_to(sources.media_dir).as_posix()}", path) for path in _walk(sources.media_dir)
        )
    return members, database


def archive_name(kind: BackupType, at: datetime, *, encrypted: bool) -> str:
    # Milliseconds in the name: two backups of one kind in the same second must not overwrite each other.
    stamp = f"{at.strftime('%Y%m%dT%H%M%S')}{at.microsecond // 1000:03d}Z"
    return f"shopflow-{kind}-{stamp}.tar.gz" + (".enc" if encrypted else "")


def create_backup(
    kind: BackupType, sources: BackupSources, target_dir: Path, *, key: bytes | None = None
) -> BackupResult:
    if kind not in BACKUP_TYPES:
        raise BackupError(f"unknown backup type {kind!r}; choose one of {', '.join(BACKUP_TYPES)}")
    started = datetime.now(UTC)
    clock = _monotonic()
    private_dir(target_dir)
    final = target_dir / archive_name(kind, started, encrypted=key is not None)
    with tempfile.TemporaryDirectory(prefix=".shopflow-backup-", dir=target_dir) as scratch:
        workdir = Path(scratch)
        try:
            members, database = _members(kind, sources, workdir)
        except dumps.DumpError as error:
            raise BackupError(str(error)) from None
        manifest: dict[str, Any] = {
            "format": FORMAT,
            "type": kind,
            "created_at": started.isoformat(),
            "shopflow_version": __version__,
            "database": database or None,
            "files": {name: {"sha256": file_sha256(path), "bytes": path.stat().st_size} for name, path in members},
        }
        manifest_path = workdir / MANIFEST
        manifest_path.write_text(json.dumps(manifest, indent=2, sort_keys=True) + "\n", encoding="utf-8")
        plain = workdir / "archive.tar.gz"
        # compresslevel 1: a pg_dump is already compressed, and the RTO counts the time to write it too.
        with tarfile.open(plain, "w:gz", compresslevel=1) as tar:
            tar.add(manifest_path, arcname=MANIFEST)
            for name, path in members:
                tar.add(path, arcname=name)
        draft = workdir / final.name
        if key is None:
            plain.replace(draft)
        else:
            with plain.open("rb") as source, draft.open("wb") as target:
                crypto.encrypt_stream(source, target, key)
        draft.chmod(0o600)  # it holds the whole database and the session secret
        draft.replace(final)
    seconds = _monotonic() - clock
    log.info("backup %s written to %s in %.1f s", kind, final, seconds)
    return BackupResult(final, manifest, seconds)


def _monotonic() -> float:
    import time

    return time.monotonic()


def prune_backups(target_dir: Path, keep_days: int, *, now: datetime | None = None) -> list[Path]:
    """Delete ShopFlow archives in `target_dir` made more than `keep_days` ago (by the time in their name)."""
    cutoff = (now or datetime.now(UTC)) - timedelta(days=keep_days)
    removed: list[Path] = []
    if not target_dir.is_dir():
        return removed
    for path in sorted(target_dir.iterdir()):
        match = ARCHIVE_NAME.match(path.name)
        if match is None:
            continue  # never touch a file we did not make
        made = datetime.strptime(match.group(2)[:15], "%Y%m%dT%H%M%S").replace(tzinfo=UTC)
        if made < cutoff:
            path.unlink()
            removed.append(path)
    if removed:
        log.info("deleted %d backups older than %d days from %s", len(removed), keep_days, target_dir)
    return removed
