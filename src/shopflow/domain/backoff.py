"""Waiting between retries: one rule for reconnecting cameras, restarting camera workers and database flushes."""

from __future__ import annotations

import random
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Backoff:
    """Waits between retries: `first_seconds`, doubling, capped at `max_seconds`.

    The jitter shortens each wait by up to `jitter_fraction` so cameras that dropped together (a switch reboot)
    do not all reconnect in the same instant.
    """

    first_seconds: float = 1.0
    max_seconds: float = 30.0
    jitter_fraction: float = 0.1

    def __post_init__(self) -> None:
        if not self.first_seconds > 0:
            raise ValueError(f"backoff first_seconds must be positive, got {self.first_seconds!r}")
        if not self.max_seconds >= self.first_seconds:
            raise ValueError(f"backoff max_seconds ({self.max_seconds!r}) must be at least first_seconds")
        if not 0.0 <= self.jitter_fraction < 1.0:
            raise ValueError(f"backoff jitter_fraction must be in [0, 1), got {self.jitter_fraction!r}")

    def delay(self, attempt: int, rng: random.Random | None = None) -> float:
        """Seconds to wait before retry number `attempt` (0 for the first retry)."""
        # min() on the exponent keeps 2**attempt finite however long a camera stays away.
        base = min(self.max_seconds, self.first_seconds * 2.0 ** min(max(attempt, 0), 64))
        if self.jitter_fraction == 0.0:
            return base
        return base * (1.0 - (rng or random).uniform(0.0, self.jitter_fraction))
