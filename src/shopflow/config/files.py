"""Owner-only files and folders: the database, its WAL, the session secret, backups and sessions hold camera
passwords and personal data, so nobody else on the machine may read them. And the random tokens a server keeps
in its data folder (the session secret, the setup token), made once and then read back."""

from __future__ import annotations

import logging
import os
import secrets
from pathlib import Path

log = logging.getLogger(__name__)

PRIVATE_DIR_MODE = 0o700
PRIVATE_FILE_MODE = 0o600
# For the whole process: whatever ShopFlow creates (archives, models, session files) is born owner-only.
PRIVATE_UMASK = 0o077


def private_dir(path: Path) -> Path:
    """`path` (and missing parents) as a folder only its owner can enter; an existing one is tightened."""
    path.mkdir(mode=PRIVATE_DIR_MODE, parents=True, exist_ok=True)
    _tighten(path, PRIVATE_DIR_MODE)
    return path


def private_file(path: Path) -> Path:
    """`path` created empty if missing, readable and writable by its owner only; an existing one is tightened.

    SQLite gives its -wal and -shm files the database file's mode, so this covers them too.
    """
    try:
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, PRIVATE_FILE_MODE))
    except FileExistsError:
        _tighten(path, PRIVATE_FILE_MODE)
    return path


def _tighten(path: Path, mode: int) -> None:
    try:
        if path.stat().st_mode & 0o777 & ~mode:
            path.chmod(mode)
    except PermissionError:
        # Another user's file (a shared mount): we cannot change it, and refusing to start would not help.
        log.warning("cannot restrict %s to its owner (mode %o): it belongs to another user", path, mode)


def kept_token(path: Path, nbytes: int) -> tuple[str, bool]:
    """The URL-safe random token kept in `path` (owner-only), made on first use; True when this call made it.

    Written aside, then linked into place: the link fails if another process got there first, and nobody ever
    reads a half-written file. An empty file (a crash while writing one by hand) counts as none.
    """
    try:
        existing = path.read_text(encoding="utf-8").strip()
    except FileNotFoundError:
        existing = ""
    if existing:
        return existing, False
    path.parent.mkdir(parents=True, exist_ok=True)
    value = secrets.token_urlsafe(nbytes)
    draft = path.with_name(f".{path.name}.{os.getpid()}")
    descriptor = os.open(draft, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, PRIVATE_FILE_MODE)
    with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
        handle.write(value + "\n")
    try:
        os.link(draft, path)
    except FileExistsError:
        kept = path.read_text(encoding="utf-8").strip()
        if kept:  # another process made it first
            return kept, False
        draft.replace(path)
    finally:
        draft.unlink(missing_ok=True)
    return value, True
