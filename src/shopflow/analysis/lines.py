"""Counting lines: who crosses a line, in which direction, counted once per real crossing."""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from shopflow.analysis.feet import ground_point, standing_height
from shopflow.domain.events import Crossing, Direction
from shopflow.domain.geometry import CountingLine
from shopflow.domain.people import PersonKind, TrackedPerson

# Stream timestamps are decimal fractions (0.1 s steps) that do not add up exactly in binary.
_CLOCK_SLACK = 1e-6


@dataclass(frozen=True, slots=True)
class LineSettings:
    # Dead band either side of the line, as a fraction of the person's box height: feet wobbling on the
    # line never leave it, so hovering is not counted (debounce by distance). It stays narrow because people
    # really do cross by a few centimetres (a shallow step over a line and back); detector jitter larger
    # than the band is absorbed by the time rule below.
    band_height_fraction: float = 0.05
    # The feet must stay clear of the band on the new side, frame after frame, this long before the crossing
    # counts (debounce by time). A frame back in the band restarts the wait: jitter that pokes out of the
    # band now and then, as a detector's box does around someone standing on the line, never holds it.
    confirm_seconds: float = 0.3
    # How far beyond the segment's ends (fraction of its length) a crossing still counts, for feet that
    # clip a line's end.
    end_margin: float = 0.02
    # A line end this close to the frame's edge (fraction of the frame) is taken to reach the edge and beyond:
    # people there are cut off by the frame, their feet below it, and a user drawing "to the edge" stops short.
    edge_snap: float = 0.03
    # A track born within this many box heights of where another track of this line vanished, within
    # handover_seconds, is taken to be that person under a new id (the tracker lost and replaced them): it
    # inherits their side, so a crossing made across the switch still counts once.
    handover_heights: float = 1.0
    handover_seconds: float = 2.0


@dataclass(slots=True)
class _TrackSide:
    settled: int  # -1 / +1: the side the person was last confirmed on; 0: not known yet
    last_seen: float
    last_feet: tuple[float, float]
    last_height: float
    last_side: int  # -1 / 0 / +1 where they were last seen
    kind: PersonKind
    pending: int = 0  # the other side, while it awaits confirmation
    pending_since: float = 0.0


class LineCounter:
    """Counts crossings of one line from the feet point of each tracked person."""

    def __init__(
        self,
        line: CountingLine,
        frame_width: int,
        frame_height: int,
        settings: LineSettings | None = None,
    ) -> None:
        self.line = line
        self.settings = settings or LineSettings()
        self.frame_width, self.frame_height = frame_width, frame_height
        self._ax, self._ay = line.a[0] * frame_width, line.a[1] * frame_height
        bx, by = line.b[0] * frame_width, line.b[1] * frame_height
        self._dx, self._dy = bx - self._ax, by - self._ay
        self._length = math.hypot(self._dx, self._dy)
        if self._length < 1.0:
            raise ValueError(f"line {line.name!r} is shorter than one pixel at {frame_width}x{frame_height}")
        self._open_start = _at_edge(line.a, self.settings.edge_snap)
        self._open_end = _at_edge(line.b, self.settings.edge_snap)
        self._sides: dict[int, _TrackSide] = {}
        self.entries = 0
        self.exits = 0

    def _locate(self, person: TrackedPerson) -> tuple[int, bool]:
        """(-1 / +1 for a clear side of the line or 0 inside the dead band, whether the feet are within the
        segment's extent)."""
        px, py = ground_point(person, self.frame_height)
        rx, ry = px - self._ax, py - self._ay
        along = (rx * self._dx + ry * self._dy) / (self._length * self._length)
        margin = self.settings.end_margin
        within = (self._open_start or along >= -margin) and (self._open_end or along <= 1.0 + margin)
        signed_distance = (self._dx * ry - self._dy * rx) / self._length
        band = max(standing_height(person, self.frame_height), 1.0) * self.settings.band_height_fraction
        if abs(signed_distance) <= band:
            return 0, within
        return (1 if signed_distance > 0 else -1), within

    def update(self, people: Sequence[TrackedPerson], at: float) -> list[Crossing]:
        crossings: list[Crossing] = []
        in_view = {person.track_id for person in people}
        for person in people:
            side, within = self._locate(person)
            state = self._sides.get(person.track_id)
            if state is None:
                state = self._hand_over(person, at, in_view)
            if state is None:
                self._sides[person.track_id] = _TrackSide(
                    settled=side if within else 0,
                    last_seen=at,
                    last_feet=person.feet,
                    last_height=person.height,
                    last_side=side,
                    kind=person.kind,
                )
                continue
            state.last_seen, state.last_feet, state.last_height = at, person.feet, person.height
            state.last_side, state.kind = side, person.kind
            crossing = self._advance(state, person.track_id, side, within, at)
            if crossing is not None:
                crossings.append(crossing)
        return crossings

    def _advance(self, state: _TrackSide, track_id: int, side: int, within: bool, at: float) -> Crossing | None:
        if not within and not state.pending:
            # Walking round the end of a line is not a crossing: forget which side they were on.
            state.settled = 0
            return None
        # Beyond the end, a crossing that began on the segment may still be confirmed (people cut corners).
        if side == 0:
            state.pending = 0  # back in the band: the new side was not held
            return None
        if state.settled == 0:
            state.settled, state.pending = side, 0
            return None
        if side == state.settled:
            state.pending = 0  # stepped back before confirming
            return None
        if state.pending != side:
            if not within:
                state.settled = 0
                return None
            state.pending, state.pending_since = side, at
        if at - state.pending_since >= self.settings.confirm_seconds - _CLOCK_SLACK:
            state.settled, state.pending = side, 0
            return self._count(track_id, state.kind, side, at)
        return None

    def _hand_over(self, person: TrackedPerson, at: float, in_view: set[int]) -> _TrackSide | None:
        """The state of the vanished track this newborn one most likely continues, moved to the new id."""
        best: tuple[float, int] | None = None
        fx, fy = person.feet
        for track_id, state in self._sides.items():
            if track_id in in_view or at - state.last_seen > self.settings.handover_seconds:
                continue
            reach = self.settings.handover_heights * max(person.height, state.last_height, 1.0)
            distance = math.hypot(fx - state.last_feet[0], fy - state.last_feet[1])
            if distance <= reach and (best is None or distance < best[0]):
                best = (distance, track_id)
        if best is None:
            return None
        state = self._sides.pop(best[1])
        self._sides[person.track_id] = state
        return state

    def _count(self, track_id: int, kind: PersonKind, side: int, at: float) -> Crossing:
        direction = Direction.IN if side > 0 else Direction.OUT
        if direction is Direction.IN:
            self.entries += 1
        else:
            self.exits += 1
        return Crossing(self.line.name, direction, track_id, kind, at)

    def forget(self, track_ids: Iterable[int]) -> list[Crossing]:
        """Drop tracks gone for good. A crossing still awaiting confirmation is decided by where the person was
        last seen: someone who stepped over and then left the view (or was lost) on the new side crossed."""
        crossings: list[Crossing] = []
        for track_id in track_ids:
            state = self._sides.pop(track_id, None)
            if state is not None and state.pending and state.last_side == state.pending:
                state.settled = state.pending
                crossings.append(self._count(track_id, state.kind, state.pending, state.last_seen))
        return crossings

    def __len__(self) -> int:
        return len(self._sides)


def _at_edge(point: tuple[float, float], snap: float) -> bool:
    return min(point[0], point[1], 1.0 - point[0], 1.0 - point[1]) <= snap
