"""How tall a person looks compared with another seen at the same depth, to tell apart two strangers in the same
clothes.

A camera over a flat floor sees a standing person's box height grow in proportion to how far down the picture
their feet are (for a pinhole camera: height = stature / camera height x (feet y - horizon y)). Two people whose
feet were at the same height in the picture were at the same distance, so the ratio of their box heights there is
the ratio of their statures, whatever the lens, the tilt or a sloping floor do elsewhere in the picture. Only those
depths are compared: a line fitted over the whole picture moves a person's stature by 8 to 11 % between the top
and the bottom of the sample clip (the same man walking away and coming back), as much as two strangers differ.

Adults of both sexes spread by about 6 % in height (10 cm in 1.70 m), so about a third of pairs of strangers
differ by more than 8 %, while one person's boxes at one depth vary much less: a stature test rejects a good share
of the strangers that colour alone takes for one person, and almost no real returns.

The line of box height against feet y, learnt from everyone the camera sees clearly, only corrects for the small
difference of depth within a band, and says whether the camera sees people that way at all (`reliable`): looking
straight down, or through a strong fish-eye, the test is left out rather than applied on a wrong premise.
"""

from __future__ import annotations

import math
import statistics
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt

# Depth bands across the picture's height: narrow enough that two boxes in one band are at nearly the same
# distance (the line corrects the rest), few enough that a person's heights stay a fixed, small array.
DEPTH_BANDS = 32


@dataclass(frozen=True, slots=True)
class StatureSettings:
    # Clear views needed before the line is trusted, and how well it must fit them (the share of the box heights'
    # variance it explains; 0.92 on the sample clip, with everyone's real heights in the rest). The line only
    # corrects the depths within a band, so a rough one does: what it must show is that people look taller
    # further down the picture. 50 views are 10 s of one person at 5 frames/s.
    min_views: int = 50
    min_fit: float = 0.6
    # The sums are halved at this many views, so the line follows a camera that was moved without growing old.
    half_life_views: int = 20_000
    # Two people are compared only on this many views at least, seen at shared depths (each side).
    min_shared_views: int = 3
    # Two views of one person at one depth are taken to differ by at most this (log of the ratio of their box
    # heights): about 8 %, which covers posture, a bag and the box's jitter, and rejects strangers whose
    # heights differ by about 14 cm in 1.70 m or more.
    same_person_tolerance: float = 0.08


@dataclass(slots=True)
class Heights:
    """One person's clear views by depth band: how many, and the sums of feet y and log box height. A fixed size
    however long they stay."""

    count: npt.NDArray[np.float64] = field(default_factory=lambda: np.zeros(DEPTH_BANDS))
    feet_y: npt.NDArray[np.float64] = field(default_factory=lambda: np.zeros(DEPTH_BANDS))
    log_height: npt.NDArray[np.float64] = field(default_factory=lambda: np.zeros(DEPTH_BANDS))


class StatureModel:
    """The camera's line of box height against feet y (a running least-squares fit over the clear views of
    everyone, six numbers), and the comparison of two people's heights at shared depths."""

    def __init__(self, frame_height: float, settings: StatureSettings | None = None) -> None:
        self.settings = settings or StatureSettings()
        self._band_height = max(frame_height, 1.0) / DEPTH_BANDS
        self._weight = 0.0
        self._y = self._h = self._yy = self._yh = self._hh = 0.0

    def add(self, heights: Heights, feet_y: float, height: float) -> None:
        """A clear view of a person: into their heights and into the camera's line."""
        if height > 1.0:
            self.record(heights, feet_y, height)
            self._learn(feet_y, height)

    def record(self, heights: Heights, feet_y: float, height: float) -> None:
        """A view into a person's heights only (the line left as it is)."""
        band = min(max(int(feet_y / self._band_height), 0), DEPTH_BANDS - 1)
        heights.count[band] += 1.0
        heights.feet_y[band] += feet_y
        heights.log_height[band] += math.log(max(height, 1.0))

    def _learn(self, feet_y: float, height: float) -> None:
        if self._weight >= self.settings.half_life_views:
            self._weight, self._y, self._h = self._weight / 2, self._y / 2, self._h / 2
            self._yy, self._yh, self._hh = self._yy / 2, self._yh / 2, self._hh / 2
        self._weight += 1.0
        self._y += feet_y
        self._h += height
        self._yy += feet_y * feet_y
        self._yh += feet_y * height
        self._hh += height * height

    def _line(self) -> tuple[float, float, float] | None:
        """Slope, intercept and fit (R squared) of the line, or None while there is too little to fit."""
        n = self._weight
        if n < 2:
            return None
        mean_y, mean_h = self._y / n, self._h / n
        var_y, var_h = self._yy / n - mean_y**2, self._hh / n - mean_h**2
        cov = self._yh / n - mean_y * mean_h
        if var_y <= 1e-9 or var_h <= 1e-9:
            return None
        slope = cov / var_y
        return slope, mean_h - slope * mean_y, cov * cov / (var_y * var_h)

    def _trusted_line(self) -> tuple[float, float, float] | None:
        """The line, when there are enough views, people look taller towards the bottom of the picture, and it
        fits them; None otherwise."""
        line = self._line()
        if line is None or self._weight < self.settings.min_views or line[0] <= 0 or line[2] < self.settings.min_fit:
            return None
        return line

    @property
    def reliable(self) -> bool:
        return self._trusted_line() is not None

    def difference(self, a: Heights, b: Heights) -> float | None:
        """How much taller one person is than the other (log of the ratio), from the depths both were seen at;
        None when the camera's line is not reliable or they share too few views (colour alone decides)."""
        line = self._trusted_line()
        if line is None:
            return None
        slope, intercept, _ = line
        shared = (a.count > 0) & (b.count > 0)
        if (
            a.count[shared].sum() < self.settings.min_shared_views
            or b.count[shared].sum() < self.settings.min_shared_views
        ):
            return None
        differences: list[float] = []
        for band in np.flatnonzero(shared):
            y_a, y_b = a.feet_y[band] / a.count[band], b.feet_y[band] / b.count[band]
            expected_a, expected_b = slope * y_a + intercept, slope * y_b + intercept
            if expected_a <= 1.0 or expected_b <= 1.0:
                continue
            # Each band's mean log height, brought to the same depth by the line.
            differences.append(
                a.log_height[band] / a.count[band]
                - b.log_height[band] / b.count[band]
                - math.log(expected_a / expected_b)
            )
        return abs(statistics.median(differences)) if differences else None

    def could_be_one(self, a: Heights, b: Heights) -> bool:
        """Whether two people's heights allow them to be one person; True when that cannot be told."""
        difference = self.difference(a, b)
        return difference is None or difference <= self.settings.same_person_tolerance
