"""Who is staff: per-track decisions from place, time, uniform and face evidence, and once made, for the whole track.

Pure and frame-driven like the rest of analysis/: the pipeline measures (is the clothing the uniform? whose face
is this?) and this module only weighs that evidence over frames. A track nobody decided on is a customer. A
decision is final for the track and is reported once, with the track's first sighting, so whoever keeps counts
can move everything the track did before (its entry through the front door included) from customers to staff.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from enum import StrEnum

from shopflow.analysis.zones import point_in_polygon
from shopflow.domain.events import Crossing
from shopflow.domain.geometry import Zone
from shopflow.domain.people import PersonKind, TrackedPerson

# Stream timestamps are decimal fractions (0.1 s steps) that do not add up exactly in binary.
_CLOCK_SLACK = 1e-6


class StaffRule(StrEnum):
    """Which rule decided a track was staff (recorded with the track's crossings and visits)."""

    FACE = "face"
    UNIFORM = "uniform"
    ZONE = "staff_zone"
    LONG_STAY = "long_stay"


@dataclass(frozen=True, slots=True)
class FaceSighting:
    """One face seen in one frame inside a track's box, already matched against the enrolled employees.

    `employee` is the closest enrolled employee within the matcher's threshold, or None for a face that
    matches nobody; `weight` grows with the face's size and sharpness (a big sharp face says more).
    """

    employee: str | None
    weight: float

    def __post_init__(self) -> None:
        if not self.weight >= 0:
            raise ValueError(f"a face sighting's weight must be zero or more, got {self.weight!r}")


@dataclass(frozen=True, slots=True)
class StaffSettings:
    # Staff-only places (behind the counter, the stock-room door), in fractions of the frame.
    zones: tuple[Zone, ...] = ()
    # Feet must stay inside a staff zone this long: a customer leaning over the counter's corner for one
    # frame is not staff.
    zone_confirm_seconds: float = 1.0
    # A track in view longer than this is staff; None turns the rule off.
    stay_seconds: float | None = None
    # Uniform: at least this many frames with a clear view of the clothing, of which at least this share
    # matched the uniform. A passer-by in a similar colour matches some frames, not most of them.
    uniform_min_frames: int = 5
    uniform_min_share: float = 0.7
    # Faces: a vote weighted by face size and quality. An employee wins once their weight reaches
    # `face_min_weight`, spread over at least `face_min_frames` frames, and is this share of all the weight
    # the track's faces carried (faces that matched nobody vote against).
    face_min_weight: float = 2.0
    face_min_frames: int = 3
    face_min_share: float = 0.6
    # Per-track evidence is dropped this long after a track was last seen (bounded memory on a 24/7 camera).
    forget_after_seconds: float = 10.0

    def __post_init__(self) -> None:
        names = [zone.name for zone in self.zones]
        if len(set(names)) != len(names):
            raise ValueError(f"two staff zones share a name: {sorted(names)}")
        if self.stay_seconds is not None and not self.stay_seconds > 0:
            raise ValueError(f"stay_seconds must be positive, got {self.stay_seconds:g}")
        if self.uniform_min_frames < 1:
            raise ValueError(f"uniform_min_frames must be at least 1, got {self.uniform_min_frames}")
        if self.face_min_frames < 2:
            raise ValueError(
                f"face_min_frames must be at least 2 (one frame never decides), got {self.face_min_frames}"
            )
        for name in ("uniform_min_share", "face_min_share"):
            value = getattr(self, name)
            if not 0.5 < value <= 1.0:
                raise ValueError(f"{name} must be above 0.5 and at most 1, got {value:g}")
        for name in ("zone_confirm_seconds", "forget_after_seconds", "face_min_weight"):
            value = getattr(self, name)
            if not value >= 0:
                raise ValueError(f"{name} must not be negative, got {value:g}")

    @property
    def any_rule(self) -> bool:
        """Whether anything here can decide without faces or a uniform."""
        return bool(self.zones) or self.stay_seconds is not None


@dataclass(frozen=True, slots=True)
class StaffDecision:
    """A track is staff from its first sighting on; `detail` names the zone or the employee."""

    track_id: int
    rule: StaffRule
    first_seen: float
    decided_at: float
    detail: str = ""


@dataclass(frozen=True, slots=True)
class StaffPresence:
    """A track decided to be staff, from its first to its last sighting (reported when the track is forgotten)."""

    decision: StaffDecision
    last_seen: float


@dataclass(slots=True)
class _Evidence:
    first_seen: float
    last_seen: float
    zone_since: dict[str, float] = field(default_factory=dict)
    uniform_frames: int = 0
    uniform_matches: int = 0
    face_weight: dict[str | None, float] = field(default_factory=dict)
    face_frames: dict[str | None, int] = field(default_factory=dict)
    decision: StaffDecision | None = None


class StaffClassifier:
    """Feed it each analysed frame's tracked people; it returns them with their kind and reports new decisions."""

    def __init__(self, frame_width: int, frame_height: int, settings: StaffSettings | None = None) -> None:
        self.settings = settings or StaffSettings()
        self._zones = [
            (zone.name, [(x * frame_width, y * frame_height) for x, y in zone.polygon]) for zone in self.settings.zones
        ]
        self._tracks: dict[int, _Evidence] = {}
        self.decisions_total: dict[StaffRule, int] = dict.fromkeys(StaffRule, 0)
        # Bounded like every per-track state: a 24/7 camera whose departures nobody collects drops the oldest.
        self._departures: deque[StaffPresence] = deque(maxlen=10_000)

    def undecided(self, track_id: int) -> bool:
        """True for a track still worth measuring (faces are embedded only for these)."""
        evidence = self._tracks.get(track_id)
        return evidence is None or evidence.decision is None

    def decision(self, track_id: int) -> StaffDecision | None:
        evidence = self._tracks.get(track_id)
        return None if evidence is None else evidence.decision

    def update(
        self,
        people: Sequence[TrackedPerson],
        at: float,
        *,
        uniform: Mapping[int, bool] | None = None,
        faces: Mapping[int, FaceSighting] | None = None,
    ) -> tuple[list[TrackedPerson], list[StaffDecision]]:
        """`uniform`: per track seen clearly this frame, whether its clothing matched the uniform.
        `faces`: per track whose face was measured this frame, what the face matched."""
        decided: list[StaffDecision] = []
        labelled: list[TrackedPerson] = []
        for person in people:
            evidence = self._tracks.get(person.track_id)
            if evidence is None:
                evidence = self._tracks[person.track_id] = _Evidence(first_seen=at, last_seen=at)
            evidence.last_seen = at
            if evidence.decision is None:
                found = self._decide(person, evidence, at, uniform, faces)
                if found is not None:
                    rule, detail = found
                    evidence.decision = StaffDecision(person.track_id, rule, evidence.first_seen, at, detail)
                    self.decisions_total[rule] += 1
                    decided.append(evidence.decision)
            kind = PersonKind.CUSTOMER if evidence.decision is None else PersonKind.EMPLOYEE
            labelled.append(person if person.kind is kind else replace(person, kind=kind))
        limit = self.settings.forget_after_seconds
        self.forget([t for t, e in self._tracks.items() if at - e.last_seen > limit])
        return labelled, decided

    def take_departures(self) -> list[StaffPresence]:
        """The staff tracks forgotten since the previous call, with when each was last seen."""
        departures = list(self._departures)
        self._departures.clear()
        return departures

    def finish(self) -> list[StaffPresence]:
        """End of the stream: every staff track still known has departed."""
        self.forget(list(self._tracks))
        return self.take_departures()

    def _decide(
        self,
        person: TrackedPerson,
        evidence: _Evidence,
        at: float,
        uniform: Mapping[int, bool] | None,
        faces: Mapping[int, FaceSighting] | None,
    ) -> tuple[StaffRule, str] | None:
        settings = self.settings
        feet = person.feet
        for name, polygon in self._zones:
            if not point_in_polygon(*feet, polygon):
                evidence.zone_since.pop(name, None)
                continue
            since = evidence.zone_since.setdefault(name, at)
            if at - since >= settings.zone_confirm_seconds - _CLOCK_SLACK:
                return StaffRule.ZONE, name
        if settings.stay_seconds is not None and at - evidence.first_seen >= settings.stay_seconds - _CLOCK_SLACK:
            return StaffRule.LONG_STAY, ""
        if uniform is not None and person.track_id in uniform:
            evidence.uniform_frames += 1
            evidence.uniform_matches += bool(uniform[person.track_id])
            if (
                evidence.uniform_frames >= settings.uniform_min_frames
                and evidence.uniform_matches >= settings.uniform_min_share * evidence.uniform_frames
            ):
                return StaffRule.UNIFORM, ""
        if faces is not None and person.track_id in faces:
            sighting = faces[person.track_id]
            evidence.face_weight[sighting.employee] = evidence.face_weight.get(sighting.employee, 0.0) + sighting.weight
            evidence.face_frames[sighting.employee] = evidence.face_frames.get(sighting.employee, 0) + 1
            winner = _face_winner(evidence, settings)
            if winner is not None:
                return StaffRule.FACE, winner
        return None

    def forget(self, track_ids: Iterable[int]) -> None:
        for track_id in track_ids:
            evidence = self._tracks.pop(track_id, None)
            if evidence is not None and evidence.decision is not None:
                self._departures.append(StaffPresence(evidence.decision, evidence.last_seen))

    def __len__(self) -> int:
        return len(self._tracks)


def _face_winner(evidence: _Evidence, settings: StaffSettings) -> str | None:
    total = sum(evidence.face_weight.values())
    best: str | None = None
    best_weight = 0.0
    for employee, weight in evidence.face_weight.items():
        if employee is not None and weight > best_weight:
            best, best_weight = employee, weight
    if best is None or total <= 0:
        return None
    if evidence.face_frames[best] < settings.face_min_frames or best_weight < settings.face_min_weight:
        return None
    return best if best_weight >= settings.face_min_share * total else None


class StaffTally:
    """For a finite stream (`shopflow analyze`): which crossings were staff's, decided whenever in the track's life.

    It keeps every crossing's track until the end, which a file allows; a 24/7 camera corrects its stored events
    instead (a correction event per decided track).
    """

    def __init__(self) -> None:
        self._crossings: dict[int, list[tuple[str, str]]] = {}
        self.decisions: dict[int, StaffDecision] = {}

    def add(self, events: Iterable[object]) -> None:
        for event in events:
            if isinstance(event, Crossing):
                self._crossings.setdefault(event.track_id, []).append((event.line, str(event.direction)))

    def decide(self, decisions: Iterable[StaffDecision]) -> None:
        for decision in decisions:
            self.decisions.setdefault(decision.track_id, decision)

    def crossings(self, line: str, direction: str) -> int:
        """Crossings of `line` in `direction` made by tracks decided to be staff (before or after the decision)."""
        return sum(
            crossing == (line, direction)
            for track_id in self.decisions
            for crossing in self._crossings.get(track_id, ())
        )

    def by_rule(self) -> dict[str, int]:
        counts = dict.fromkeys((str(rule) for rule in StaffRule), 0)
        for decision in self.decisions.values():
            counts[str(decision.rule)] += 1
        return counts

    def to_json(self) -> dict[str, object]:
        # Each decision with when the track was first seen and when it was decided, so a report shows whether
        # staff were told apart before they crossed a line (their crossings count as staff either way).
        decisions = [
            {
                "track_id": d.track_id,
                "rule": d.rule.value,
                "first_seen": round(d.first_seen, 2),
                "decided_at": round(d.decided_at, 2),
            }
            for d in sorted(self.decisions.values(), key=lambda d: d.first_seen)
        ]
        return {"tracks": len(self.decisions), "by_rule": self.by_rule(), "decisions": decisions}
