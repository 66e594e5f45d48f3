"""Heatmap: person-seconds spent on each cell of a coarse grid over the frame, by where people stand."""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
import numpy.typing as npt

from shopflow.domain.people import TrackedPerson


class Heatmap:
    """A (rows, columns) grid over the frame; resolution-free, so maps from one camera merge across resolutions."""

    def __init__(self, columns: int = 64, rows: int = 48) -> None:
        if columns < 1 or rows < 1:
            raise ValueError(f"a heatmap needs at least one column and one row, got {columns}x{rows}")
        self._grid = np.zeros((rows, columns), dtype=np.float64)

    def add(self, people: Sequence[TrackedPerson], frame_width: int, frame_height: int, seconds: float) -> None:
        """Add `seconds` of presence at each person's feet cell; feet outside the frame go to the nearest edge cell."""
        if frame_width <= 0 or frame_height <= 0:
            raise ValueError(f"frame size must be positive, got {frame_width}x{frame_height}")
        if not math.isfinite(seconds) or seconds < 0:
            raise ValueError(f"seconds must be finite and not negative, got {seconds:g}")
        rows, columns = self._grid.shape
        # A box with a non-finite coordinate has no place on the floor; skipping it keeps the frame's others.
        feet = [person.feet for person in people if math.isfinite(person.feet[0]) and math.isfinite(person.feet[1])]
        if not feet:
            return
        points = np.array(feet, dtype=np.float64).reshape(len(feet), 2)
        # Feet often sit a pixel below the frame (boxes cut by the border): clip rather than drop them.
        cell_columns = np.clip(np.floor(points[:, 0] / frame_width * columns), 0, columns - 1).astype(np.intp)
        cell_rows = np.clip(np.floor(points[:, 1] / frame_height * rows), 0, rows - 1).astype(np.intp)
        # add.at, not +=, so two people in one cell both count.
        np.add.at(self._grid, (cell_rows, cell_columns), seconds)

    @property
    def grid(self) -> npt.NDArray[np.float64]:
        """(rows, columns) person-seconds; a copy, so callers cannot change the running totals."""
        return self._grid.copy()

    def merge(self, other: Heatmap) -> None:
        if other._grid.shape != self._grid.shape:
            raise ValueError(f"cannot merge heatmaps of shape {other._grid.shape} into {self._grid.shape}")
        self._grid += other._grid
