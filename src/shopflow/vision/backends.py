"""Detector backends chosen by `YOLO_BACKEND`: the model file onnxruntime runs, fp32 as shipped or its INT8 copy.

Both run through `YoloOnnxDetector` (same letterbox, same decoding, same NMS), so only the arithmetic differs.
The INT8 copy is built from the source model on first use and cached under DATA_DIR/models (see model_cache).
"""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path

from shopflow.vision.model_cache import ensure_derived_model
from shopflow.vision.quantize import RECIPE, quantize_model

MODELS_DIR = "models"


class Backend(StrEnum):
    """`YOLO_BACKEND`; its default (config/settings.py) is fp32: INT8 only pays on CPUs with VNNI."""

    FP32 = "onnx-fp32"
    INT8 = "onnx-int8"


def int8_model_path(source: Path, data_dir: Path) -> Path:
    return data_dir / MODELS_DIR / f"{source.stem}.int8.onnx"


def backend_model(backend: Backend, source: Path, data_dir: Path) -> Path:
    """The file `backend` runs for `source`, building (or rebuilding) the cached INT8 copy when needed."""
    if backend is Backend.FP32:
        return source
    return ensure_derived_model(source, int8_model_path(source, data_dir), recipe=RECIPE, build=quantize_model)
