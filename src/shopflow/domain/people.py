"""Detections, tracked people and who they are."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

import numpy as np
import numpy.typing as npt

FloatArray = npt.NDArray[np.float32]
# What a person's clothes look like (a colour histogram), to tell a returning person from a new one.
Descriptor = npt.NDArray[np.float32]


class PersonKind(StrEnum):
    CUSTOMER = "customer"
    EMPLOYEE = "employee"


@dataclass(frozen=True, slots=True)
class Detections:
    """Person boxes found in one frame: parallel arrays, boxes as x1, y1, x2, y2 in pixels."""

    xyxy: FloatArray = field(default_factory=lambda: np.zeros((0, 4), dtype=np.float32))
    confidence: FloatArray = field(default_factory=lambda: np.zeros((0,), dtype=np.float32))

    def __len__(self) -> int:
        return int(self.xyxy.shape[0])

    @staticmethod
    def empty() -> Detections:
        return Detections()


@dataclass(frozen=True, slots=True)
class TrackedPerson:
    """One person's box in one frame, with the tracker's stable id."""

    track_id: int
    x1: float
    y1: float
    x2: float
    y2: float
    confidence: float
    kind: PersonKind = PersonKind.CUSTOMER

    @property
    def feet(self) -> tuple[float, float]:
        """Bottom-centre of the box: where the person stands, the point that crosses lines."""
        return ((self.x1 + self.x2) / 2.0, self.y2)

    @property
    def height(self) -> float:
        return self.y2 - self.y1
