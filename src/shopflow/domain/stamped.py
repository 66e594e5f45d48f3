"""Events as they leave the pipeline for storage: stamped with wall time and a key, and the periodic tallies."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from shopflow.domain.events import Event


@dataclass(frozen=True, slots=True)
class PartyTally:
    """Potential customers, groups and visitors the analysis settled on since its previous tally (deltas).

    Parties are only known once they break up, so they are not domain events about one moment; the pipeline
    sends the growth of the group counters now and then and storage adds it to the hour the tally falls in.
    """

    at: float  # stream seconds, like the domain events
    potential_customers: int
    groups: int
    visitors: int = 0  # unique customers settled since the previous tally


@dataclass(frozen=True, slots=True)
class HeatmapTally:
    """Person-seconds added to each heatmap cell since the previous heatmap tally (deltas, row-major).

    The grid is resolution-free (cells over the whole frame); `frame_width` x `frame_height` is the frame it was
    measured on, so a heatmap can be drawn at the camera's own aspect. Storage adds it to the hour it falls in.
    """

    at: float  # stream seconds
    columns: int
    rows: int
    cells: tuple[float, ...]  # rows * columns person-seconds, row by row
    frame_width: int
    frame_height: int

    def __post_init__(self) -> None:
        if self.columns < 1 or self.rows < 1:
            raise ValueError(f"a heatmap tally needs at least one column and one row, got {self.columns}x{self.rows}")
        if len(self.cells) != self.columns * self.rows:
            raise ValueError(f"a {self.columns}x{self.rows} heatmap tally needs {self.columns * self.rows} cells")
        if self.frame_width < 1 or self.frame_height < 1:
            raise ValueError(f"frame size must be positive, got {self.frame_width}x{self.frame_height}")


@dataclass(frozen=True, slots=True)
class StaffCorrection:
    """A track was decided to be staff: everything it did before, sent as a customer's, becomes staff's.

    Never a silent rewrite: storage keeps the correction as a row of its own (who, by which rule, since when)
    and moves the track's earlier crossings, visits and visitor tally from customers to staff in the rollups.
    """

    track_id: int
    rule: str  # analysis.staff.StaffRule's value
    detail: str  # the staff zone's name, or the employee's key for a face; "" otherwise
    first_seen: float  # stream seconds: the track's first sighting, from which it is staff's
    at: float  # stream seconds: when the decision was made
    visitor_arrived_at: float | None = None  # the track had been counted a new visitor arriving then

    def __post_init__(self) -> None:
        if self.at < self.first_seen:
            raise ValueError(f"track {self.track_id} was decided before it was first seen")


@dataclass(frozen=True, slots=True)
class StaffDeparture:
    """A track decided to be staff left the view: closes its presence (the attendance view's last sighting)."""

    track_id: int
    first_seen: float  # stream seconds, as in the track's StaffCorrection
    at: float  # stream seconds: last seen


STAFF_KEY_MARK = "k:"

SinkEvent = Event | PartyTally | HeatmapTally | StaffCorrection | StaffDeparture


@dataclass(frozen=True, slots=True)
class StampedEvent:
    """One event with the wall time it happened and the producer's idempotency key.

    `occurred_at` is the UTC wall time of the event's `at`; for a Visit it is the wall time of `exited_at` (the
    visit is only known when it closes), and storage derives the entry time as occurred_at - dwell_seconds.
    """

    event: SinkEvent
    occurred_at: datetime
    key: str  # unique per camera; the same key written twice is stored once
    processing_time_ms: float | None = None  # for a CountSnapshot: how long its frame took to analyse


def staff_key(session: str, track_id: int, first_seen: float) -> str:
    """A staff correction's key: one per track of a stream session."""
    return f"{session}:{STAFF_KEY_MARK}{track_id}:{first_seen:.3f}"


def session_of(key: str) -> str:
    """The stream session of a staff correction's key; every event key of that session starts with it and ':'."""
    session, separator, _ = key.rpartition(f":{STAFF_KEY_MARK}")
    if not separator or not session:
        raise ValueError(f"not a staff correction's key: {key!r}")
    return session
