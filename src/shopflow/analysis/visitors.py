"""Unique visitors: distinct people the camera saw long enough to be sure they were real, recognising those
who leave the view and come back by their clothing colours (a descriptor kept in memory for a while only), with
their height where the camera shows it to tell apart strangers in the same clothes (analysis/stature.py)."""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np

from shopflow.analysis.lookalikes import Lookalikes, LookalikeSettings
from shopflow.analysis.stature import Heights, StatureModel, StatureSettings
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
    # A customer is settled (a new visitor or a returning one) once and for all, so the tally of visitors never
    # goes down: when they leave, with every clear view of their clothes, or, when this is set, as soon as this
    # many clear views are in. Settling in view gives figures sooner but judges on less: on the sample clip at
    # 5 fps, 3 views gave 17 unique visitors for its 12 people.
    decide_after_views: int | None = None
    # Two people in the same clothes are told apart by how tall they are, where the camera's view allows it
    # (analysis/stature.py).
    stature: StatureSettings = field(default_factory=StatureSettings)
    # With many remembered, the threshold rises to keep a newcomer's chance of being taken for one of them
    # (analysis/lookalikes.py).
    lookalikes: LookalikeSettings = field(default_factory=LookalikeSettings)


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
    # Settled once: a new visitor (True), a returning one (False), or not yet (None).
    new_visitor: bool | None = None
    claimed: bool = False  # recognised in someone who came back: not to be remembered as departed
    heights: Heights = field(default_factory=Heights)  # of the clear views, by depth

    def descriptor(self) -> Descriptor | None:
        return None if self.colours is None else (self.colours / self.samples).astype(np.float32)


@dataclass(slots=True, eq=False)  # an identity: removed from the memory by itself
class _Departed:
    last_at: float
    colours: Descriptor
    heights: Heights


class VisitorCounter:
    """Counts customers (not employees) seen for at least `min_presence_seconds`, once each.

    A person's kind is decided by the latest sighting, since an employee may be recognised after the first
    frames. A person whose colours match someone who left earlier is that visitor returning, not a new one.
    """

    def __init__(self, settings: VisitorSettings | None = None, frame_height: int | None = None) -> None:
        """`frame_height`: the picture's, in pixels; without it people are told apart by colour alone."""
        self.settings = settings or VisitorSettings()
        self._live: dict[int, _Sighting] = {}
        self._departed: deque[_Departed] = deque(maxlen=self.settings.remember_at_most)
        self._stature = None if frame_height is None else StatureModel(frame_height, self.settings.stature)
        self._lookalikes = Lookalikes(self.settings.lookalikes)
        self._customers = 0  # new visitors settled so far, in view or gone
        self._withdrawn = 0  # of those, the ones decided to be staff afterwards
        self._finished_employees = 0
        self.returning = 0
        # Arrival times (stream seconds) of visitors settled since the last take_arrivals(); bounded, as nobody
        # may be collecting them (the analyse command reads the totals only).
        self._arrivals: deque[float] = deque(maxlen=10_000)

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
                # Only clear views: a box cut by the frame or by someone in front is not the person's height.
                if self._stature is not None:
                    self._stature.add(sighting.heights, person.y2, person.y2 - person.y1)
            if (
                sighting.new_visitor is None
                and sighting.kind is PersonKind.CUSTOMER
                and self.settings.decide_after_views is not None
                and sighting.samples >= self.settings.decide_after_views
                and self._qualifies(sighting)
            ):
                self._settle(sighting)
        while self._departed and at - self._departed[0].last_at > self.settings.remember_seconds:
            self._departed.popleft()

    def _qualifies(self, sighting: _Sighting) -> bool:
        return sighting.last_at - sighting.first_at >= self.settings.min_presence_seconds

    def _returning_match(self, sighting: _Sighting) -> _Departed | _Sighting | None:
        """The visitor this person is, if any: someone who left before they appeared, either remembered as
        departed or a track not forgotten yet (the scene keeps a vanished track a few seconds)."""
        descriptor = sighting.descriptor()
        if descriptor is None:
            return None
        earlier: list[tuple[_Departed | _Sighting, Descriptor]] = [
            (departed, departed.colours) for departed in self._departed if departed.last_at < sighting.first_at
        ]
        earlier += [
            (other, colours)
            for other in self._live.values()
            if other is not sighting
            and not other.claimed
            and other.kind is PersonKind.CUSTOMER
            and other.last_at < sighting.first_at
            and (colours := other.descriptor()) is not None
        ]
        best = self._lookalikes.threshold(self.settings.same_person_similarity, len(earlier))
        match: _Departed | _Sighting | None = None
        for candidate, colours in earlier:
            score = similarity(descriptor, colours)
            if score >= best and self._could_be_one(sighting.heights, candidate.heights):
                best, match = score, candidate
        return match

    def _could_be_one(self, a: Heights, b: Heights) -> bool:
        return self._stature is None or self._stature.could_be_one(a, b)

    def forget(self, track_ids: Iterable[int]) -> set[int]:
        """Settle the people gone for good; returns those recognised as returning visitors."""
        returning: set[int] = set()
        for track_id in track_ids:
            sighting = self._live.pop(track_id, None)
            if sighting is not None:
                self._note_strangers(sighting)
            if sighting is None or not self._qualifies(sighting):
                continue
            if sighting.new_visitor is None:
                if sighting.kind is PersonKind.EMPLOYEE:
                    self._finished_employees += 1
                    continue
                self._settle(sighting)
            if not sighting.new_visitor:
                returning.add(track_id)
            descriptor = sighting.descriptor()
            if descriptor is not None and not sighting.claimed:
                self._departed.append(_Departed(sighting.last_at, descriptor, sighting.heights))
        return returning

    def _note_strangers(self, sighting: _Sighting) -> None:
        """How alike this person looked to each one in view at the same time: different people for certain."""
        descriptor = sighting.descriptor()
        # A box seen for less than the presence needed to count is as likely a ghost or a second box on someone
        # as a person: it would teach that strangers look identical.
        if descriptor is None or not self._qualifies(sighting):
            return
        for other in self._live.values():
            if other.first_at > sighting.last_at or other.last_at < sighting.first_at or not self._qualifies(other):
                continue
            colours = other.descriptor()
            if colours is None:
                continue
            alike = self._could_be_one(sighting.heights, other.heights)
            self._lookalikes.add(similarity(descriptor, colours) if alike else 0.0)

    def _settle(self, sighting: _Sighting) -> None:
        """Decide once whether this customer is a new visitor or one who came back."""
        match = self._returning_match(sighting)
        sighting.new_visitor = match is None
        if match is None:
            self._customers += 1
            self._arrivals.append(sighting.first_at)
        else:
            self.returning += 1
            if isinstance(match, _Departed):
                self._departed.remove(match)
            else:
                match.claimed = True

    def withdraw(self, track_id: int) -> float | None:
        """A person decided to be staff after they were counted a new visitor: they were not one. Returns when
        they had arrived (so the stored tally can be corrected in that hour), or None if they were not counted."""
        sighting = self._live.get(track_id)
        if sighting is None:
            return None
        sighting.kind = PersonKind.EMPLOYEE
        if not sighting.new_visitor:
            return None
        # Unsettled again, so forgetting them counts a finished employee and keeps their colours out of the
        # departed visitors a newcomer could be mistaken for.
        sighting.new_visitor = None
        self._withdrawn += 1
        return sighting.first_at

    def take_arrivals(self) -> list[float]:
        """When the visitors settled since the previous call arrived (stream seconds): a visitor is counted in
        the hour they came in, even when they were recognised as new a little later."""
        arrivals = list(self._arrivals)
        self._arrivals.clear()
        return arrivals

    @property
    def customers(self) -> int:
        """Distinct customers settled so far; someone in view counts once they are settled. It only goes down when
        someone already counted is decided to be staff (`withdraw`)."""
        return self._customers - self._withdrawn

    @property
    def employees(self) -> int:
        live = sum(
            1 for sighting in self._live.values() if sighting.kind is PersonKind.EMPLOYEE and self._qualifies(sighting)
        )
        return self._finished_employees + live

    @property
    def tells_heights_apart(self) -> bool:
        """Whether the stature test is in force: the camera shows people taller further down its picture."""
        return self._stature is not None and self._stature.reliable

    @property
    def strangers_compared(self) -> int:
        """Pairs of people in view together whose likeness is kept (analysis/lookalikes.py)."""
        return len(self._lookalikes)

    def __len__(self) -> int:
        return len(self._live) + len(self._departed)
