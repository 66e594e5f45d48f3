"""Motion gate: skip the person detector on frames where nothing changed, but re-check every few seconds."""

from __future__ import annotations

import math
from dataclasses import dataclass

import cv2
import numpy as np
import numpy.typing as npt

_BLUR_KERNEL = (5, 5)
_MIN_ANALYSIS_WIDTH = 16


@dataclass(frozen=True, slots=True)
class MotionSettings:
    enabled: bool = True
    analysis_width: int = 160  # downscale before differencing: cheap, and averaging pixels cancels sensor noise
    pixel_threshold: int = 18  # grey-level change (after a small blur) that counts as motion
    min_changed_fraction: float = 0.0015  # share of pixels that must change to call it motion
    recheck_seconds: float = 2.0  # run the detector at least this often anyway: people standing still stay tracked

    def __post_init__(self) -> None:
        if self.analysis_width < _MIN_ANALYSIS_WIDTH:
            raise ValueError(f"motion analysis_width must be at least {_MIN_ANALYSIS_WIDTH}, got {self.analysis_width}")
        if not 1 <= self.pixel_threshold <= 255:
            raise ValueError(f"motion pixel_threshold must be 1..255, got {self.pixel_threshold}")
        if not 0.0 <= self.min_changed_fraction <= 1.0:
            raise ValueError(f"motion min_changed_fraction must be 0..1, got {self.min_changed_fraction}")
        if not (math.isfinite(self.recheck_seconds) and self.recheck_seconds > 0):
            raise ValueError(f"motion recheck_seconds must be a positive number, got {self.recheck_seconds}")


class MotionGate:
    """Decides per frame whether the detector must run.

    The comparison is against the frame the detector last ran on, not the previous frame: someone moving a little
    each frame accumulates change until it counts, instead of slipping under the threshold forever.
    """

    def __init__(self, settings: MotionSettings = MotionSettings()) -> None:
        self._settings = settings
        self._reference: npt.NDArray[np.uint8] | None = None
        self._last_detection_at = 0.0
        self._skipped = 0

    @property
    def skipped(self) -> int:
        """Frames on which the detector was skipped so far."""
        return self._skipped

    def should_detect(self, image: npt.NDArray[np.uint8], at: float) -> bool:
        """True on the first frame, on motion, and `recheck_seconds` after the last detection (stream time `at`)."""
        settings = self._settings
        if not settings.enabled:
            return True
        small = self._prepare(image)
        reference = self._reference
        detect = (
            reference is None
            or reference.shape != small.shape  # the camera changed resolution after a reconnect
            or at < self._last_detection_at  # time went backwards: a new stream, start over
            or at - self._last_detection_at >= settings.recheck_seconds
            or self._changed_fraction(small, reference) >= settings.min_changed_fraction
        )
        if detect:
            self._reference = small
            self._last_detection_at = at
            return True
        self._skipped += 1
        return False

    def _changed_fraction(self, small: npt.NDArray[np.uint8], reference: npt.NDArray[np.uint8]) -> float:
        difference = cv2.absdiff(small, reference)
        changed = int(np.count_nonzero(difference > self._settings.pixel_threshold))
        return changed / difference.size

    def _prepare(self, image: npt.NDArray[np.uint8]) -> npt.NDArray[np.uint8]:
        grey = cv2.cvtColor(image, cv2.COLOR_BGR2GRAY) if image.ndim == 3 else image
        height, width = grey.shape[:2]
        target_width = self._settings.analysis_width
        if width > target_width:
            target_height = max(1, round(height * target_width / width))
            # INTER_AREA averages whole blocks of pixels: the cheapest good denoiser at this step.
            grey = cv2.resize(grey, (target_width, target_height), interpolation=cv2.INTER_AREA)
        return np.asarray(cv2.GaussianBlur(grey, _BLUR_KERNEL, 0), dtype=np.uint8)
