"""Damaged archives are detected, and encrypted ones open only with their key, with messages that say why."""

from __future__ import annotations

import gzip
import io
import tarfile
from pathlib import Path

import pytest
from typer.testing import CliRunner

from shopflow.cli import app
from shopflow.ops.backup import BackupError, BackupResult, BackupSources, create_backup
from shopflow.ops.crypto import MAGIC, load_key, new_key
from shopflow.ops.restore import restore_backup, verify_backup
from shopflow.storage import migrate

from .helpers import all_rows, populate


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    url = f"sqlite:///{tmp_path / 'data' / 'shopflow.db'}"
    migrate.upgrade(url)
    populate(url, events=12)
    return url


def backup(url: str, tmp_path: Path, key: bytes | None = None) -> BackupResult:
    return create_backup("database", BackupSources(url, tmp_path / "data", tmp_path), tmp_path / "backups", key=key)


def repack_with_flipped_byte(archive: Path, member: str) -> None:
    """The same archive and manifest, but one byte of `member` changed (what bit rot on a disk does)."""
    with tarfile.open(archive) as tar:
        entries = [(info, tar.extractfile(info).read()) for info in tar]  # type: ignore[union-attr]
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as tar:
        for info, data in entries:
            middle = len(data) // 2
            flipped = data[:middle] + bytes([data[middle] ^ 0xFF]) + data[middle + 1 :]
            tar.addfile(info, io.BytesIO(flipped if info.name == member else data))
    archive.write_bytes(buffer.getvalue())


def test_a_changed_file_inside_the_archive_is_detected(sqlite_url: str, tmp_path: Path) -> None:
    made = backup(sqlite_url, tmp_path)
    repack_with_flipped_byte(made.path, "database/shopflow.db")
    with pytest.raises(BackupError, match=r"is corrupt: database/shopflow.db does not match its sha256"):
        verify_backup(made.path, key=None, server_url=sqlite_url)
    before = all_rows(sqlite_url)
    with pytest.raises(BackupError, match="is corrupt"):
        restore_backup(made.path, BackupSources(sqlite_url, tmp_path / "data", tmp_path), key=None)
    assert all_rows(sqlite_url) == before  # a corrupt archive never touches the database


def test_a_truncated_archive_is_detected(sqlite_url: str, tmp_path: Path) -> None:
    made = backup(sqlite_url, tmp_path)
    data = made.path.read_bytes()
    made.path.write_bytes(data[: len(data) // 2])
    with pytest.raises(BackupError, match="is damaged or not a backup archive"):
        verify_backup(made.path, key=None, server_url=sqlite_url)


def test_an_archive_without_a_manifest_is_refused(tmp_path: Path, sqlite_url: str) -> None:
    path = tmp_path / "other.tar.gz"
    with tarfile.open(path, "w:gz") as tar:
        info = tarfile.TarInfo("database/shopflow.db")
        info.size = 4
        tar.addfile(info, io.BytesIO(b"data"))
    with pytest.raises(BackupError, match=r"has no readable manifest\.json"):
        verify_backup(path, key=None, server_url=sqlite_url)
    with gzip.open(path) as unpacked:  # it is a valid tar.gz: only the manifest is missing
        assert unpacked.read()


def test_encrypted_backup_round_trips_with_its_key(sqlite_url: str, tmp_path: Path) -> None:
    key = load_key(new_key())
    made = backup(sqlite_url, tmp_path, key)
    assert made.path.name.endswith(".tar.gz.enc")
    assert made.path.read_bytes().startswith(MAGIC)
    assert b"SQLite format 3" not in made.path.read_bytes()  # nothing of the database is readable
    before = all_rows(sqlite_url)
    assert (
        verify_backup(made.path, key=key, server_url=sqlite_url).row_counts == made.manifest["database"]["row_counts"]
    )
    Path(sqlite_url.removeprefix("sqlite:///")).unlink()
    restore_backup(made.path, BackupSources(sqlite_url, tmp_path / "data", tmp_path), key=key)
    assert all_rows(sqlite_url) == before


def test_a_wrong_key_is_refused_clearly(sqlite_url: str, tmp_path: Path) -> None:
    made = backup(sqlite_url, tmp_path, load_key(new_key()))
    with pytest.raises(BackupError, match="wrong BACKUP_ENCRYPTION_KEY"):
        verify_backup(made.path, key=load_key(new_key()), server_url=sqlite_url)
    with pytest.raises(BackupError, match="is encrypted: set BACKUP_ENCRYPTION_KEY"):
        verify_backup(made.path, key=None, server_url=sqlite_url)


def test_a_tampered_encrypted_archive_is_refused(sqlite_url: str, tmp_path: Path) -> None:
    key = load_key(new_key())
    made = backup(sqlite_url, tmp_path, key)
    data = bytearray(made.path.read_bytes())
    data[-10] ^= 0x01
    made.path.write_bytes(bytes(data))
    with pytest.raises(BackupError, match=r"wrong BACKUP_ENCRYPTION_KEY, or the archive is damaged"):
        verify_backup(made.path, key=key, server_url=sqlite_url)
    made.path.write_bytes(made.path.read_bytes()[:-100])
    with pytest.raises(BackupError, match="cut short"):
        verify_backup(made.path, key=key, server_url=sqlite_url)


def run_cli(args: list[str], env: dict[str, str]) -> tuple[int, str, str]:
    result = CliRunner().invoke(app, args, env=env)
    return result.exit_code, result.stdout, result.stderr


def test_cli_errors_are_one_line_without_a_traceback(sqlite_url: str, tmp_path: Path) -> None:
    env = {"DATABASE_URL": sqlite_url, "DATA_DIR": str(tmp_path / "data"), "BACKUP_ENCRYPTION_KEY": new_key()}
    code, out, _ = run_cli(["backup", "--type", "database", "--dir", str(tmp_path / "b")], env)
    assert code == 0, out
    archive = next((tmp_path / "b").iterdir())
    assert archive.name.endswith(".enc")

    code, out, _ = run_cli(["backup", "verify", str(archive)], env)
    assert code == 0 and ": OK (database" in out

    for args, extra, message in (
        (["backup", "verify", str(archive)], {"BACKUP_ENCRYPTION_KEY": new_key()}, "wrong BACKUP_ENCRYPTION_KEY"),
        (["backup", "verify", str(archive)], {"BACKUP_ENCRYPTION_KEY": "short"}, "BACKUP_ENCRYPTION_KEY"),
        (["backup", "verify", str(tmp_path / "missing.tar.gz")], {}, "does not exist"),
        (["restore", str(archive)], {}, "add --yes"),
        (["backup", "--type", "everything"], {}, "--type must be one of database, config, media, full"),
    ):
        code, out, err = run_cli(args, env | extra)
        assert code == 2, (args, out, err)
        assert message in err, err
        assert "Traceback" not in err and len(err.strip().splitlines()) == 1, err
