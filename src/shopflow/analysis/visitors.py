"""Unique visitors: distinct people the camera saw long enough to be sure they were real, recognising those
who leave the view and come back by their clothing colours (a descriptor kept in memory for a while only)."""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from shopflow.domain.people import Descriptor, PersonKind, TrackedPerson


@dataclass(frozen=True, slots=True)
class VisitorSettings:
    min_presence_seconds: float = 1.0
    # A returning person matches a departed visitor whose colours are at least this similar (mean
    # Bhattacharyya coefficient of the normalised histogram parts, 1 = identical).
    same_person_similarity: float = 0.93
    # How long a departed visitor can be recognised, and how many are remembered (memory stays bounded).
    remember_seconds: float = 900.0
    remember_at_most: int = 500


def similarity(a: Descriptor, b: Descriptor) -> float:
    """Mean Bhattacharyya coefficient over the descriptor's parts (each part of a descriptor sums to 1)."""
    parts = max(float(a.sum()), 1.0)
    return float(np.sqrt(a * b).sum()) / parts


@dataclass(slots=True)
class _Sighting:
    first_at: float
    last_at: float
    kind: PersonKind
    colours: Descriptor | None = None
    samples: int = 0
    # Whether a person in view looks new, decided once: `customers` is read every frame, and comparing every
    # person with every remembered visitor each time would cost more than the rest of the scene. The decision
    # that counts is made again, with all their colours, when they leave.
    looks_new: bool | None = None

    def descriptor(self) -> Descriptor | None:
        return None if self.colours is None else (self.colours / self.samples).astype(np.float32)


@dataclass(slots=True)
class _Departed:
    last_at: float
    colours: Descriptor


class VisitorCounter:
    """Counts customers (not employees) seen for at least `min_presence_seconds`, once each.

    A person's kind is decided by the latest sighting, since an employee may be recognised after the first
    frames. A person whose colours match someone who left earlier is that visitor returning, not a new one.
    """

    def __init__(self, settings: VisitorSettings | None = None) -> None:
        self.settings = settings or VisitorSettings()
        self._live: dict[int, _Sighting] = {}
        self._departed: deque[_Departed] = deque(maxlen=self.settings.remember_at_most)
        self._finished_customers = 0
        self._finished_employees = 0
        self.returning = 0

    def update(
        self, people: Sequence[TrackedPerson], at: float, colours: Mapping[int, Descriptor] | None = None
    ) -> None:
        for person in people:
            sighting = self._live.get(person.track_id)
            if sighting is None:
                sighting = self._live[person.track_id] = _Sighting(at, at, person.kind)
            sighting.last_at = at
            sighting.kind = person.kind
            descriptor = None if colours is None else colours.get(person.track_id)
            if descriptor is not None:
                sighting.colours = descriptor.copy() if sighting.colours is None else sighting.colours + descriptor
                sighting.samples += 1
        while self._departed and at - self._departed[0].last_at > self.settings.remember_seconds:
            self._departed.popleft()

    def _qualifies(self, sighting: _Sighting) -> bool:
        return sighting.last_at - sighting.first_at >= self.settings.min_presence_seconds

    def _returning_match(self, sighting: _Sighting) -> int | None:
        """Index of the departed visitor this person is, if any (someone who left before they appeared)."""
        descriptor = sighting.descriptor()
        if descriptor is None:
            return None
        best, best_index = self.settings.same_person_similarity, None
        for index, departed in enumerate(self._departed):
            if departed.last_at >= sighting.first_at:
                continue
            score = similarity(descriptor, departed.colours)
            if score >= best:
                best, best_index = score, index
        return best_index

    def forget(self, track_ids: Iterable[int]) -> set[int]:
        """Settle the people gone for good; returns those recognised as returning visitors."""
        returning: set[int] = set()
        for track_id in track_ids:
            sighting = self._live.pop(track_id, None)
            if sighting is None or not self._qualifies(sighting):
                continue
            if sighting.kind is PersonKind.EMPLOYEE:
                self._finished_employees += 1
                continue
            match = self._returning_match(sighting)
            if match is None:
                self._finished_customers += 1
            else:
                self.returning += 1
                returning.add(track_id)
                del self._departed[match]
            descriptor = sighting.descriptor()
            if descriptor is not None:
                self._departed.append(_Departed(sighting.last_at, descriptor))
        return returning

    def _looks_new(self, sighting: _Sighting) -> bool:
        if sighting.samples == 0:
            return True  # nothing to recognise them by yet
        if sighting.looks_new is None:
            sighting.looks_new = self._returning_match(sighting) is None
        return sighting.looks_new

    def _live_new(self, kind: PersonKind) -> int:
        count = 0
        for sighting in self._live.values():
            if sighting.kind is not kind or not self._qualifies(sighting):
                continue
            if kind is PersonKind.CUSTOMER and not self._looks_new(sighting):
                continue
            count += 1
        return count

    @property
    def customers(self) -> int:
        """Distinct customers so far, including those in view now."""
        return self._finished_customers + self._live_new(PersonKind.CUSTOMER)

    @property
    def employees(self) -> int:
        return self._finished_employees + self._live_new(PersonKind.EMPLOYEE)

    def __len__(self) -> int:
        return len(self._live) + len(self._departed)
