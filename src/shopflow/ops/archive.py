"""Opening a backup archive: decrypt it when needed, unpack it safely, and check it against its manifest."""

from __future__ import annotations

import json
import tarfile
import zlib
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any

from shopflow.ops import crypto
from shopflow.ops.backup import FORMAT, MANIFEST, BackupError
from shopflow.vision.model_files import file_sha256


@dataclass(frozen=True, slots=True)
class OpenedArchive:
    root: Path  # where the files were unpacked
    manifest: dict[str, Any]

    def file(self, name: str) -> Path:
        return self.root / name

    def names(self, prefix: str) -> list[str]:
        return sorted(name for name in self.manifest["files"] if name.startswith(prefix))

    @property
    def database_file(self) -> Path | None:
        names = self.names("database/")
        return self.file(names[0]) if names else None


def _safe_name(name: str) -> bool:
    path = PurePosixPath(name)
    return not path.is_absolute() and ".." not in path.parts and bool(path.parts)


def open_archive(path: Path, workdir: Path, *, key: bytes | None) -> OpenedArchive:
    """Unpack `path` into `workdir` and check every file's sha256 against the manifest; BackupError if not."""
    if not path.is_file():
        raise BackupError(f"{path} does not exist or is not a file")
    tar_path = path
    if crypto.is_encrypted(path):
        if key is None:
            raise BackupError(f"{path.name} is encrypted: set BACKUP_ENCRYPTION_KEY to the key it was made with")
        tar_path = workdir / "decrypted.tar.gz"
        try:
            with path.open("rb") as source, tar_path.open("wb") as target:
                crypto.decrypt_stream(source, target, key)
        except crypto.DecryptionError as error:
            raise BackupError(f"{path.name}: {error}") from None
    root = workdir / "unpacked"
    root.mkdir()
    try:
        with tarfile.open(tar_path, "r:gz") as tar:
            for member in tar:
                if not (member.isfile() and _safe_name(member.name)):
                    raise BackupError(f"{path.name} holds an unexpected entry {member.name!r}; not a ShopFlow backup")
                tar.extract(member, root, filter="data")
    except (tarfile.TarError, zlib.error, EOFError, OSError) as error:
        if isinstance(error, OSError) and not isinstance(error, EOFError) and error.errno is not None:
            raise BackupError(f"cannot unpack {path.name}: {error.strerror}") from None
        raise BackupError(f"{path.name} is damaged or not a backup archive ({error})") from None
    manifest_path = root / MANIFEST
    try:
        manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        raise BackupError(f"{path.name} has no readable {MANIFEST}; not a ShopFlow backup") from None
    if (
        not isinstance(manifest, dict)
        or manifest.get("format") != FORMAT
        or not isinstance(manifest.get("files"), dict)
    ):
        raise BackupError(f"{path.name}: {MANIFEST} is not of a format this ShopFlow reads")
    problems = _checksum_problems(root, manifest["files"])
    if problems:
        raise BackupError(f"{path.name} is corrupt: " + "; ".join(problems[:5]))
    return OpenedArchive(root, manifest)


def _checksum_problems(root: Path, files: dict[str, Any]) -> list[str]:
    problems = []
    present = {p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file()} - {MANIFEST}
    for name in sorted(set(files) - present):
        problems.append(f"{name} is missing")
    for name in sorted(present - set(files)):
        problems.append(f"{name} is not in the manifest")
    for name in sorted(set(files) & present):
        if file_sha256(root / name) != files[name].get("sha256"):
            problems.append(f"{name} does not match its sha256")
    return problems
