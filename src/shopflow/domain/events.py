"""What the analysis tells the rest of ShopFlow. Times are stream seconds (video time), never wall time."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from shopflow.domain.people import PersonKind


class Direction(StrEnum):
    IN = "in"
    OUT = "out"


@dataclass(frozen=True, slots=True)
class Crossing:
    line: str
    direction: Direction
    track_id: int
    kind: PersonKind
    at: float


@dataclass(frozen=True, slots=True)
class ZoneEntry:
    zone: str
    track_id: int
    kind: PersonKind
    at: float


@dataclass(frozen=True, slots=True)
class Visit:
    """One stay in a zone, closed once the person has been gone longer than the zone's grace period."""

    zone: str
    track_id: int
    kind: PersonKind
    entered_at: float
    exited_at: float

    @property
    def dwell_seconds(self) -> float:
        return self.exited_at - self.entered_at


@dataclass(frozen=True, slots=True)
class CountSnapshot:
    """Who is in view right now: the periodic row behind `camera_events`."""

    at: float
    total_people: int
    customers: int
    employees: int
    groups: int
    potential_customers: int


Event = Crossing | ZoneEntry | Visit | CountSnapshot
