"""Derived models (the INT8 copy) built once from the source model and kept under DATA_DIR with their sha256.

Next to each built file lies a small JSON manifest: the file's sha256, the source model's sha256 and the build
recipe. A cached file is used only when all three match; otherwise (corrupt, truncated, built from another
model or by an older recipe) it is rebuilt, never used.
"""

from __future__ import annotations

import json
import logging
import os
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path

from shopflow.config.files import private_dir
from shopflow.vision.model_files import ModelError, file_sha256

log = logging.getLogger(__name__)

Builder = Callable[[Path, Path], None]  # (source model, destination file)


@dataclass(frozen=True, slots=True)
class Manifest:
    sha256: str
    source_sha256: str
    recipe: str


def manifest_path(model: Path) -> Path:
    return model.with_name(model.name + ".json")


def read_manifest(model: Path) -> Manifest | None:
    try:
        data = json.loads(manifest_path(model).read_text(encoding="utf-8"))
        return Manifest(
            sha256=str(data["sha256"]), source_sha256=str(data["source_sha256"]), recipe=str(data["recipe"])
        )
    except (OSError, ValueError, KeyError, TypeError):
        return None


def cached_model_valid(model: Path, *, source_sha256: str, recipe: str) -> bool:
    manifest = read_manifest(model)
    if manifest is None or not model.is_file():
        return False
    if manifest.source_sha256 != source_sha256 or manifest.recipe != recipe:
        log.warning("cached model %s was built from another model or recipe; rebuilding it", model)
        return False
    if file_sha256(model) != manifest.sha256:
        log.warning("cached model %s is corrupt (sha256 mismatch); rebuilding it", model)
        return False
    return True


def ensure_derived_model(source: Path, destination: Path, *, recipe: str, build: Builder) -> Path:
    """`destination`, built from `source` by `build` unless a valid copy is already there."""
    source_sha256 = file_sha256(source)
    if cached_model_valid(destination, source_sha256=source_sha256, recipe=recipe):
        return destination
    private_dir(destination.parent)
    # Built aside and moved into place: a crash or a second process never leaves a half-written model in use.
    draft = destination.with_name(f".{destination.name}.{os.getpid()}.tmp")
    try:
        build(source, draft)
        manifest = Manifest(sha256=file_sha256(draft), source_sha256=source_sha256, recipe=recipe)
        manifest_draft = manifest_path(draft)
        manifest_draft.write_text(json.dumps(asdict(manifest), indent=1) + "\n", encoding="utf-8")
        draft.replace(destination)
        manifest_draft.replace(manifest_path(destination))
    except Exception as error:
        raise ModelError(f"cannot build {destination.name} from {source}: {error}") from error
    finally:
        draft.unlink(missing_ok=True)
        manifest_path(draft).unlink(missing_ok=True)
    log.info("built %s (sha256 %s)", destination, manifest.sha256)
    return destination
