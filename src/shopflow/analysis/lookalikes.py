"""How alike strangers look on a camera, so that remembering many visitors does not make every newcomer someone
already seen.

A newcomer is compared with every visitor remembered. If one pair of different people matches with probability
p, a newcomer compared with K of them is taken for one with about 1 - (1 - p)^K: 9 % at the sample clip's
K = 6, 55 % at K = 50 (docs/benchmarks.md, "Re-identification in a busy store"). The threshold was measured with
up to `validated_remembered` people remembered; beyond that, the threshold for K remembered is raised until the
chance of such a mistake is what it was there.

p is read from the camera itself: people in view at the same time are different people for certain, so the
similarity of every such pair (the latest `kept` of them) shows how alike this store's customers look, in this
light. Where no two strangers have matched yet, nothing is raised.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True, slots=True)
class LookalikeSettings:
    # The most people remembered at once when the threshold was measured (the sample clip: up to 9).
    validated_remembered: int = 10
    # Pairs of strangers kept: the latest ones, so the figure follows the day's customers and light.
    kept: int = 2_000


class Lookalikes:
    """The similarities of pairs of people seen together (strangers for certain), and the threshold they call
    for when many are remembered."""

    def __init__(self, settings: LookalikeSettings | None = None) -> None:
        self.settings = settings or LookalikeSettings()
        self._scores: deque[float] = deque(maxlen=self.settings.kept)

    def add(self, similarity: float) -> None:
        self._scores.append(similarity)

    def __len__(self) -> int:
        return len(self._scores)

    def threshold(self, base: float, remembered: int) -> float:
        """The similarity a newcomer needs to be one of `remembered` people: `base` up to the validated number,
        then high enough that the chance of matching one of them is no more than it was there."""
        validated = self.settings.validated_remembered
        if remembered <= validated or not self._scores:
            return base
        scores = np.sort(np.fromiter(self._scores, dtype=np.float64))[::-1]  # most alike first
        p = float(np.count_nonzero(scores >= base)) / len(scores)
        if p == 0.0:
            return base
        # 1 - (1 - allowed)^remembered = 1 - (1 - p)^validated
        allowed = 1.0 - (1.0 - p) ** (validated / remembered)
        over = int(allowed * len(scores))  # strangers that may still match, of those kept
        return max(base, float(np.nextafter(scores[over], np.inf)))
