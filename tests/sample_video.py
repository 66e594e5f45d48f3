"""The bundled sample clip (OpenCV's vtest.avi, 768x576 at 10 fps) as the tests read single frames of it."""

from __future__ import annotations

import cv2
import numpy as np
import numpy.typing as npt

from shopflow.services.demo import sample_video


def sample_frame(index: int) -> npt.NDArray[np.uint8]:
    """Frame `index` of the sample, BGR."""
    video = cv2.VideoCapture(str(sample_video()))
    try:
        video.set(cv2.CAP_PROP_POS_FRAMES, index)
        ok, image = video.read()
    finally:
        video.release()
    assert ok, f"the sample has no frame {index}"
    return np.asarray(image, dtype=np.uint8)
