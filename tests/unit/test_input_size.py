"""One detector input size rule: the settings, the stored camera and the detector share its default and limits."""

from __future__ import annotations

import inspect
from pathlib import Path

import pytest
from pydantic import ValidationError

from shopflow.config.settings import Settings
from shopflow.domain.cameras import DEFAULT_IMGSZ, check_imgsz
from shopflow.pipeline.camera import CameraSpec
from shopflow.vision.detector import YoloOnnxDetector


def test_a_camera_without_a_size_runs_at_the_settings_default(tmp_path: Path) -> None:
    settings = Settings(_env_file=None, data_dir=tmp_path)  # type: ignore[call-arg]
    assert settings.yolo_imgsz == DEFAULT_IMGSZ == 640
    assert CameraSpec(1, "rtsp://10.0.0.1/s").imgsz == DEFAULT_IMGSZ
    assert inspect.signature(YoloOnnxDetector).parameters["imgsz"].default == DEFAULT_IMGSZ


@pytest.mark.parametrize("size", [320, 352, 480, 640, 1280])
def test_sizes_the_detector_takes(size: int) -> None:
    assert check_imgsz(size) == size


@pytest.mark.parametrize("size", [0, 32, 288, 500, 1312, 4096])
def test_sizes_the_detector_refuses(size: int) -> None:
    with pytest.raises(ValueError, match=f"imgsz must be a multiple of 32 from 320 to 1280, got {size}"):
        check_imgsz(size)


def test_the_setting_is_checked_by_the_same_rule(tmp_path: Path) -> None:
    with pytest.raises(ValidationError, match="YOLO_IMGSZ must be a multiple of 32 from 320 to 1280, got 500"):
        Settings(_env_file=None, data_dir=tmp_path, yolo_imgsz=500)  # type: ignore[call-arg]
