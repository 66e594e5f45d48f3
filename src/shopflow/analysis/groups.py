"""Groups: people who stay close together shop as one party, so a family counts as one potential customer."""

from __future__ import annotations

import logging
from collections import deque
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt

from shopflow.domain.people import PersonKind, TrackedPerson

log = logging.getLogger(__name__)

# Stream times are sums of frame intervals, so "exactly two seconds later" can land a hair short.
_TIME_SLACK = 1e-9
# Velocities are measured over steps at least this long (the 5 fps the rules are tuned at), whatever the frame rate.
_VELOCITY_STEP_SECONDS = 0.2


@dataclass(frozen=True, slots=True)
class GroupSettings:
    # DBSCAN radius on the floor, in metres between feet.
    eps_metres: float = 1.5
    # As in scikit-learn, a point's own neighbourhood includes itself: 2 means "one companion is enough".
    min_samples: int = 2
    # Used to turn box heights into a pixels-per-metre scale that follows the camera's perspective.
    person_height_metres: float = 1.7
    # A pair must stay close, moving together, this long before it is a group: people brushing past each
    # other, or standing near a stranger in a queue, are not one (the "buying unit": close, same velocity and
    # heading, sustained).
    form_seconds: float = 2.0
    # Moving together: both walk at least this fast (metres per second) ...
    walking_speed: float = 0.25
    # ... and their velocities differ by at most this fraction of the faster one's speed (so also in heading:
    # 0.5 allows about 30 degrees apart at the same pace).
    velocity_tolerance: float = 0.5
    # Velocity is measured over this much of each person's recent path, which smooths out box jitter.
    velocity_window_seconds: float = 1.0
    # A group survives a short separation (one partner steps to another shelf) for this long.
    break_seconds: float = 3.0
    # Tracks seen for less than this (flicker ghosts) count towards no total.
    min_presence_seconds: float = 1.0
    # 2..small_group_max non-employees -> 1 potential customer.
    small_group_max: int = 4
    # More non-employees than small_group_max -> this many potential customers.
    large_group_potential_customers: int = 2

    def __post_init__(self) -> None:
        if self.eps_metres <= 0:
            raise ValueError(f"eps_metres must be positive, got {self.eps_metres:g}")
        if self.min_samples < 1:
            raise ValueError(f"min_samples must be at least 1, got {self.min_samples}")
        if self.person_height_metres <= 0:
            raise ValueError(f"person_height_metres must be positive, got {self.person_height_metres:g}")
        for name in (
            "form_seconds",
            "break_seconds",
            "min_presence_seconds",
            "walking_speed",
            "velocity_tolerance",
            "velocity_window_seconds",
        ):
            value = getattr(self, name)
            if value < 0:
                raise ValueError(f"{name} must not be negative, got {value:g}")
        if self.small_group_max < 1:
            raise ValueError(f"small_group_max must be at least 1, got {self.small_group_max}")
        if self.large_group_potential_customers < 1:
            raise ValueError(
                f"large_group_potential_customers must be at least 1, got {self.large_group_potential_customers}"
            )


def potential_customers_in_cluster(non_employees: int, settings: GroupSettings) -> int:
    """How many potential customers a cluster with this many non-employee members stands for."""
    if non_employees < 0:
        raise ValueError(f"non_employees must not be negative, got {non_employees}")
    if non_employees == 0:
        return 0
    if non_employees <= settings.small_group_max:
        return 1
    return settings.large_group_potential_customers


def dbscan(neighbours: npt.NDArray[np.bool_], min_samples: int) -> npt.NDArray[np.int_]:
    """Cluster labels (0, 1, ... in order of each cluster's first core point; -1 = noise).

    `neighbours[i, j]` says i and j are within eps; it must be symmetric. The diagonal is ignored: every point
    is its own neighbour, as in scikit-learn. A non-core point reachable from several clusters joins the first.
    """
    matrix = np.asarray(neighbours, dtype=np.bool_)
    if matrix.ndim != 2 or matrix.shape[0] != matrix.shape[1]:
        raise ValueError(f"neighbours must be a square matrix, got shape {matrix.shape}")
    if not np.array_equal(matrix, matrix.T):
        raise ValueError("neighbours must be symmetric: closeness goes both ways")
    if min_samples < 1:
        raise ValueError(f"min_samples must be at least 1, got {min_samples}")
    n = matrix.shape[0]
    adjacency = matrix.copy()
    np.fill_diagonal(adjacency, True)
    core = adjacency.sum(axis=1) >= min_samples
    labels = np.full(n, -1, dtype=np.int_)
    cluster = 0
    for start in range(n):
        if not core[start] or labels[start] != -1:
            continue
        labels[start] = cluster
        queue = deque([start])
        while queue:
            point = queue.popleft()
            for found in np.flatnonzero(adjacency[point]):
                other = int(found)
                if labels[other] != -1:
                    continue
                labels[other] = cluster
                # Only core points spread the cluster; border points join it but stop there.
                if core[other]:
                    queue.append(other)
        cluster += 1
    return labels


def metric_distances(people: Sequence[TrackedPerson], person_height_metres: float) -> npt.NDArray[np.float64]:
    """Pairwise feet distances in metres, each pair scaled by its own mean box height (follows perspective).

    A pair whose boxes have no height has no usable scale and is infinitely far apart.
    """
    if person_height_metres <= 0:
        raise ValueError(f"person_height_metres must be positive, got {person_height_metres:g}")
    n = len(people)
    if n == 0:
        return np.zeros((0, 0), dtype=np.float64)
    feet = np.array([person.feet for person in people], dtype=np.float64).reshape(n, 2)
    heights = np.array([person.height for person in people], dtype=np.float64)
    pixels = np.hypot(feet[:, None, 0] - feet[None, :, 0], feet[:, None, 1] - feet[None, :, 1])
    pixels_per_metre = (heights[:, None] + heights[None, :]) / 2.0 / person_height_metres
    with np.errstate(divide="ignore", invalid="ignore"):
        metres = np.where(pixels_per_metre > 0, pixels / pixels_per_metre, np.inf)
    np.fill_diagonal(metres, 0.0)
    return metres


@dataclass(frozen=True, slots=True)
class GroupsNow:
    groups: tuple[frozenset[int], ...]  # track ids of each current cluster (size >= min_samples)
    potential_customers: int  # in view now


@dataclass(slots=True)
class _Pair:
    close_since: float  # start of the current close streak
    last_close_frame: int
    together: bool = False
    apart_since: float | None = None


# eq=False: parties and people are identities (hashable, and never compared field by field through the cycle).
@dataclass(eq=False, slots=True)
class _Party:
    # Live members only; the party is final when the last one is forgotten. Forgotten members are kept as
    # counts, so a party's memory is its people in view, however long it lasts.
    members: list[_Person] = field(default_factory=list)
    customers: int = 0  # forgotten members counted as customers
    new_customers: int = 0  # of those, the ones not recognised as returning visitors


@dataclass(eq=False, slots=True)
class _Person:
    first_seen: float
    last_seen: float
    kind: PersonKind
    party: _Party
    # Recent feet positions in metres (at, x, y), spanning velocity_window_seconds at most.
    path: deque[tuple[float, float, float]] = field(default_factory=deque)


class GroupTracker:
    """Frame-driven: call update() once per frame with stream seconds, forget() when a track is gone for good."""

    def __init__(self, settings: GroupSettings = GroupSettings()) -> None:
        self._settings = settings
        self._frame = 0
        self._last_at: float | None = None
        self._people: dict[int, _Person] = {}  # live tracks only
        self._pairs: dict[tuple[int, int], _Pair] = {}  # (lower id, higher id), only close or together pairs
        self._parties: set[_Party] = set()  # open parties
        self._groups_total = 0
        self._potential_customers_total = 0

    @property
    def groups_total(self) -> int:
        return self._groups_total

    @property
    def potential_customers_total(self) -> int:
        return self._potential_customers_total

    def __len__(self) -> int:
        return len(self._people) + len(self._pairs) + len(self._parties)

    def update(self, people: Sequence[TrackedPerson], at: float) -> GroupsNow:
        if self._last_at is not None and at < self._last_at:
            raise ValueError(f"stream time went backwards: {at:g} after {self._last_at:g}")
        ids = [person.track_id for person in people]
        if len(set(ids)) != len(ids):
            raise ValueError(f"a track id appears twice in one frame: {sorted(ids)}")
        self._last_at = at
        self._frame += 1
        for person in people:
            self._see(person, at)

        settings = self._settings
        distances = metric_distances(people, settings.person_height_metres)
        close_index = np.argwhere(np.triu(distances <= settings.eps_metres, k=1))
        velocities = [self._velocity(person) for person in people]
        close_pairs: set[tuple[int, int]] = set()
        for i, j in close_index:
            key = _key(ids[int(i)], ids[int(j)])
            formed = self._pairs.get(key)
            # Once together they may stand side by side; until then only walking together builds the streak.
            if (formed is not None and formed.together) or self._moving_together(velocities[i], velocities[j]):
                close_pairs.add(key)
        self._advance_pairs(close_pairs, set(ids), at)

        position = {track_id: index for index, track_id in enumerate(ids)}
        together = np.zeros((len(ids), len(ids)), dtype=np.bool_)
        for (a, b), pair in self._pairs.items():
            if pair.together and a in position and b in position:
                together[position[a], position[b]] = together[position[b], position[a]] = True
        labels = dbscan(together, settings.min_samples)

        groups: list[frozenset[int]] = []
        potential_customers = 0
        for label in range(int(labels.max(initial=-1)) + 1):
            members = [people[int(i)] for i in np.flatnonzero(labels == label)]
            groups.append(frozenset(member.track_id for member in members))
            non_employees = sum(member.kind != PersonKind.EMPLOYEE for member in members)
            potential_customers += potential_customers_in_cluster(non_employees, settings)
            first = self._people[members[0].track_id].party
            for member in members[1:]:
                first = self._merge(first, self._people[member.track_id].party)
        for i in np.flatnonzero(labels == -1):
            if people[int(i)].kind != PersonKind.EMPLOYEE:
                potential_customers += 1
        return GroupsNow(groups=tuple(groups), potential_customers=potential_customers)

    def forget(self, track_id: int, *, returning: bool = False) -> None:
        """A person gone for good; `returning` when they were recognised as a visitor already counted."""
        person = self._people.pop(track_id, None)
        if person is None:
            return
        for key in [key for key in self._pairs if track_id in key]:
            del self._pairs[key]
        party = person.party
        party.members.remove(person)
        self._settle(party, person, returning=returning)
        if not party.members:
            self._finalise(party)

    def finish(self) -> None:
        """Finalise every open party (end of a video); the tracker is empty afterwards but keeps its totals."""
        for party in list(self._parties):
            self._finalise(party)
        self._people.clear()
        self._pairs.clear()

    def _see(self, person: TrackedPerson, at: float) -> None:
        known = self._people.get(person.track_id)
        if known is None:
            party = _Party()
            known = _Person(first_seen=at, last_seen=at, kind=person.kind, party=party)
            party.members.append(known)
            self._people[person.track_id] = known
            self._parties.add(party)
        known.last_seen = at
        known.kind = person.kind  # the employee classifier may change its mind; the latest word wins
        scale = max(person.height, 1.0) / self._settings.person_height_metres
        x, y = person.feet
        known.path.append((at, x / scale, y / scale))
        while known.path and at - known.path[0][0] > self._settings.velocity_window_seconds + _TIME_SLACK:
            known.path.popleft()

    def _velocity(self, person: TrackedPerson) -> tuple[float, float] | None:
        """Metres per second along the person's recent path; None on their first frame (nothing to judge by).

        The median of the velocities between points of the path at least _VELOCITY_STEP_SECONDS apart: steps that
        long keep box jitter from growing with the frame rate, and one glitched box (a jump to a neighbour and back)
        is a vote or two among several, so it does not make a standing person walk.
        """
        path = np.array(self._people[person.track_id].path, dtype=np.float64)
        if len(path) < 2:
            return None
        times = path[:, 0]
        step = min(_VELOCITY_STEP_SECONDS, float(times[-1] - times[0]))
        if step <= _TIME_SLACK:
            return None
        ends = np.searchsorted(times, times + step - _TIME_SLACK)
        starts = np.flatnonzero(ends < len(path))
        ends = ends[starts]
        moves = (path[ends, 1:] - path[starts, 1:]) / (times[ends] - times[starts])[:, None]
        return float(np.median(moves[:, 0])), float(np.median(moves[:, 1]))

    def _moving_together(self, a: tuple[float, float] | None, b: tuple[float, float] | None) -> bool:
        if a is None or b is None:
            return True  # someone just appeared: no evidence either way, and a streak needs frames after this
        settings = self._settings
        speed_a, speed_b = float(np.hypot(*a)), float(np.hypot(*b))
        if min(speed_a, speed_b) < settings.walking_speed:
            return False
        difference = float(np.hypot(a[0] - b[0], a[1] - b[1]))
        return difference <= settings.velocity_tolerance * max(speed_a, speed_b)

    def _advance_pairs(self, close_pairs: set[tuple[int, int]], visible: set[int], at: float) -> None:
        settings = self._settings
        for key in close_pairs:
            pair = self._pairs.get(key)
            if pair is None:
                pair = self._pairs[key] = _Pair(close_since=at, last_close_frame=self._frame)
            pair.last_close_frame = self._frame
            pair.apart_since = None
            if not pair.together and at - pair.close_since >= settings.form_seconds - _TIME_SLACK:
                pair.together = True
        for key, pair in list(self._pairs.items()):
            if key in close_pairs:
                continue
            if pair.together:
                # Only seeing both far apart breaks a pair: a partner hidden behind a shelf is not proof of it.
                if key[0] in visible and key[1] in visible:
                    if pair.apart_since is None:
                        pair.apart_since = at
                    if at - pair.apart_since >= settings.break_seconds - _TIME_SLACK:
                        del self._pairs[key]
            elif self._frame - pair.last_close_frame >= 2:
                # One missed frame (a detector blink) keeps the streak; two in a row end it.
                del self._pairs[key]

    def _merge(self, a: _Party, b: _Party) -> _Party:
        if a is b:
            return a
        if len(a.members) < len(b.members):
            a, b = b, a
        for member in b.members:
            member.party = a
        a.members.extend(b.members)
        a.customers += b.customers
        a.new_customers += b.new_customers
        self._parties.discard(b)
        return a

    def _settle(self, party: _Party, person: _Person, *, returning: bool) -> None:
        """Fold a member who is gone into their party's counts."""
        present = person.last_seen - person.first_seen >= self._settings.min_presence_seconds - _TIME_SLACK
        if present and person.kind != PersonKind.EMPLOYEE:
            party.customers += 1
            party.new_customers += not returning

    def _finalise(self, party: _Party) -> None:
        settings = self._settings
        for member in party.members:  # still in view at the end of the stream
            self._settle(party, member, returning=False)
        party.members.clear()
        # A group of customers, counted once: staff standing together are not a group, and a family coming
        # back into view is the same family.
        if party.customers >= settings.min_samples and party.new_customers:
            self._groups_total += 1
        added = potential_customers_in_cluster(party.new_customers, settings)
        self._potential_customers_total += added
        self._parties.discard(party)
        log.debug("party of %d customers closed: %d potential customers", party.customers, added)


def _key(a: int, b: int) -> tuple[int, int]:
    return (a, b) if a < b else (b, a)
