"""Turns a camera's picture upright before the detector, the tracker and the dashboard see it."""

from __future__ import annotations

import cv2
import numpy as np

from shopflow.vision.detector import Image

_TURNS = {90: cv2.ROTATE_90_CLOCKWISE, 180: cv2.ROTATE_180, 270: cv2.ROTATE_90_COUNTERCLOCKWISE}


def upright(image: Image, rotation: int) -> Image:
    """`image` turned `rotation` degrees clockwise (0, 90, 180 or 270); the same array when there is no turn."""
    if rotation == 0:
        return image
    return np.asarray(cv2.rotate(image, _TURNS[rotation]), dtype=np.uint8)
