"""Unique visitors: distinct people the camera saw long enough to be sure they were real."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from shopflow.domain.people import PersonKind, TrackedPerson


@dataclass(slots=True)
class _Sighting:
    first_at: float
    last_at: float
    kind: PersonKind


class VisitorCounter:
    """Counts customers (not employees) seen for at least `min_presence_seconds`.

    A person's kind is decided by the latest sighting, since recognition of an employee may come after the
    first frames.
    """

    def __init__(self, min_presence_seconds: float = 1.0) -> None:
        self.min_presence_seconds = min_presence_seconds
        self._live: dict[int, _Sighting] = {}
        self._finished_customers = 0
        self._finished_employees = 0

    def update(self, people: Sequence[TrackedPerson], at: float) -> None:
        for person in people:
            sighting = self._live.get(person.track_id)
            if sighting is None:
                self._live[person.track_id] = _Sighting(at, at, person.kind)
            else:
                sighting.last_at = at
                sighting.kind = person.kind

    def _qualifies(self, sighting: _Sighting) -> bool:
        return sighting.last_at - sighting.first_at >= self.min_presence_seconds

    def forget(self, track_ids: Iterable[int]) -> None:
        for track_id in track_ids:
            sighting = self._live.pop(track_id, None)
            if sighting is None or not self._qualifies(sighting):
                continue
            if sighting.kind is PersonKind.EMPLOYEE:
                self._finished_employees += 1
            else:
                self._finished_customers += 1

    def _live_count(self, kind: PersonKind) -> int:
        return sum(1 for s in self._live.values() if s.kind is kind and self._qualifies(s))

    @property
    def customers(self) -> int:
        return self._finished_customers + self._live_count(PersonKind.CUSTOMER)

    @property
    def employees(self) -> int:
        return self._finished_employees + self._live_count(PersonKind.EMPLOYEE)

    def __len__(self) -> int:
        return len(self._live)
