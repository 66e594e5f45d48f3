"""What the hourly rollups count, and the keys and totals they are read and written by."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Literal

import numpy as np
import numpy.typing as npt


@dataclass(frozen=True, slots=True)
class Counts:
    """What a rollup counts. Entries and exits include employees; visits and dwell are customers only;
    potential customers, groups and visitors come from the pipeline's party tallies."""

    entries: int = 0
    exits: int = 0
    customer_entries: int = 0
    visits: int = 0
    dwell_seconds_sum: float = 0.0
    potential_customers: int = 0
    groups: int = 0
    visitors: int = 0  # unique customers, as each camera's analysis settled them (a store's: reports/visitors.py)
    peak_occupancy: int = 0

    def combine(self, other: Counts, *, peak: Literal["sum", "max"]) -> Counts:
        """Add two buckets. Peaks of different cameras in one hour add up ("sum": people seen at once by all
        cameras, an upper bound when views overlap); peaks of different hours do not ("max")."""
        return Counts(
            entries=self.entries + other.entries,
            exits=self.exits + other.exits,
            customer_entries=self.customer_entries + other.customer_entries,
            visits=self.visits + other.visits,
            dwell_seconds_sum=self.dwell_seconds_sum + other.dwell_seconds_sum,
            potential_customers=self.potential_customers + other.potential_customers,
            groups=self.groups + other.groups,
            visitors=self.visitors + other.visitors,
            peak_occupancy=(
                self.peak_occupancy + other.peak_occupancy
                if peak == "sum"
                else max(self.peak_occupancy, other.peak_occupancy)
            ),
        )

    @property
    def average_dwell_seconds(self) -> float | None:
        return self.dwell_seconds_sum / self.visits if self.visits else None


@dataclass(frozen=True, slots=True)
class HourlyTotals:
    hour_start: datetime  # UTC
    counts: Counts
    camera_id: int | None = None  # None: every camera of the store together


@dataclass(frozen=True, slots=True)
class DailyTotals:
    day: date  # the store's local calendar day
    counts: Counts
    camera_id: int | None = None


@dataclass(frozen=True, slots=True)
class HeatmapGrid:
    """A camera's heatmap summed over a time range, for one grid size.

    `cells` is (rows, columns) person-seconds, read-only. `frame_width` x `frame_height` is the frame size most
    recently measured with this grid.
    """

    camera_id: int
    columns: int
    rows: int
    cells: npt.NDArray[np.float64]
    frame_width: int
    frame_height: int
    hours: int  # hourly rows added together
    last_updated: datetime


@dataclass(frozen=True, slots=True)
class RollupKey:
    """One hourly rollup row; a flush adds a `Counts` of deltas to each key it touched."""

    store_id: int
    camera_id: int
    hour_start: datetime
