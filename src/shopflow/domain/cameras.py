"""A camera's health and its analysis defaults, one definition for every layer that runs, stores or shows it."""

from __future__ import annotations

from enum import StrEnum
from typing import Literal, get_args

from shopflow.domain.problems import InputError

# Frames analysed per second when nothing else is asked: enough to follow a walking person across a doorway.
DEFAULT_SAMPLE_FPS = 5.0
# The most a camera may ask for: beyond it the detector on a store's PC falls behind whatever the camera sends.
MAX_SAMPLE_FPS = 30.0

# The detector's input size (the long side of the letterboxed frame). One rule: a camera without a size of its
# own runs at the server's YOLO_IMGSZ, and this is YOLO_IMGSZ's default (config/settings.py), the repository's
# and a bare CameraSpec's. 640 because at 480 the benchmark clip loses a crossing a direction when sampled at
# 10 fps, where 640 keeps every count (docs/benchmarks.md, "Counting accuracy"); 480 is 1.6x faster and counts
# the same at 5 fps, for a site that sets YOLO_IMGSZ=480.
DEFAULT_IMGSZ = 640
MIN_IMGSZ, MAX_IMGSZ = 320, 1280
# The model's stride: its input's sides are multiples of it.
MODEL_STRIDE = 32


def check_imgsz(size: int, name: str = "imgsz") -> int:
    """`size` if the detector takes it (a multiple of the stride from MIN_IMGSZ to MAX_IMGSZ), else ValueError."""
    if not MIN_IMGSZ <= size <= MAX_IMGSZ or size % MODEL_STRIDE:
        raise InputError(
            f"{name} must be a multiple of {MODEL_STRIDE} from {MIN_IMGSZ} to {MAX_IMGSZ}, got {size}",
            "imgsz_invalid",
            stride=MODEL_STRIDE,
            min=MIN_IMGSZ,
            max=MAX_IMGSZ,
        )
    return size


# How far a camera's picture is turned, clockwise, before anything looks at it: for a camera mounted upside down
# or on its side. The detector was trained on upright people and finds few upside down (27 % of the sample's
# counts, docs/benchmarks.md), so the picture is turned upright first. Quarter turns only: they lose no pixel.
Rotation = Literal[0, 90, 180, 270]
ROTATIONS: tuple[Rotation, ...] = get_args(Rotation)


def check_rotation(degrees: int, name: str = "rotation") -> Rotation:
    """`degrees` if it is a quarter turn clockwise (0, 90, 180 or 270), else InputError."""
    if isinstance(degrees, bool) or degrees not in ROTATIONS:
        raise InputError(
            f"{name} must be 0, 90, 180 or 270 (degrees clockwise), got {degrees}", "rotation_invalid", given=degrees
        )
    return degrees


class CameraStatus(StrEnum):
    """What a camera is doing: reported by its worker, stored on its row, shown by the API and the dashboard."""

    ONLINE = "online"
    OFFLINE = "offline"
    ERROR = "error"
    DISABLED = "disabled"
    STARTING = "starting"
    FINISHED = "finished"  # a video file played once has been analysed to its end
