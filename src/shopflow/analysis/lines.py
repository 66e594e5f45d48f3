"""Counting lines: who crosses a line, in which direction, counted once per real crossing."""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from shopflow.domain.events import Crossing, Direction
from shopflow.domain.geometry import CountingLine
from shopflow.domain.people import TrackedPerson

# Stream timestamps are decimal fractions (0.1 s steps) that do not add up exactly in binary.
_CLOCK_SLACK = 1e-6


@dataclass(frozen=True, slots=True)
class LineSettings:
    # Dead band either side of the line, as a fraction of the person's box height: feet wobbling on the
    # line never leave it, so hovering is not counted (debounce by distance).
    band_height_fraction: float = 0.05
    # The new side must be held this long before the crossing counts (debounce by time): a box that
    # flickers across for one frame, or a step over and straight back, never counts.
    confirm_seconds: float = 0.3
    # How far beyond the segment's ends (fraction of its length) a crossing still counts, for feet that
    # clip a line's end.
    end_margin: float = 0.02


@dataclass(slots=True)
class _TrackSide:
    settled: int  # -1 / +1: the side the person was last confirmed on; 0: not known yet
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
        self._ax, self._ay = line.a[0] * frame_width, line.a[1] * frame_height
        bx, by = line.b[0] * frame_width, line.b[1] * frame_height
        self._dx, self._dy = bx - self._ax, by - self._ay
        self._length = math.hypot(self._dx, self._dy)
        if self._length < 1.0:
            raise ValueError(f"line {line.name!r} is shorter than one pixel at {frame_width}x{frame_height}")
        self._sides: dict[int, _TrackSide] = {}
        self.entries = 0
        self.exits = 0

    def _locate(self, person: TrackedPerson) -> tuple[int, bool]:
        """(-1 / +1 for a clear side of the line or 0 inside the dead band, whether the feet are within the
        segment's extent)."""
        px, py = person.feet
        rx, ry = px - self._ax, py - self._ay
        along = (rx * self._dx + ry * self._dy) / (self._length * self._length)
        margin = self.settings.end_margin
        within = -margin <= along <= 1.0 + margin
        signed_distance = (self._dx * ry - self._dy * rx) / self._length
        band = max(person.height, 1.0) * self.settings.band_height_fraction
        if abs(signed_distance) <= band:
            return 0, within
        return (1 if signed_distance > 0 else -1), within

    def update(self, people: Sequence[TrackedPerson], at: float) -> list[Crossing]:
        crossings: list[Crossing] = []
        for person in people:
            side, within = self._locate(person)
            state = self._sides.get(person.track_id)
            if state is None:
                self._sides[person.track_id] = _TrackSide(settled=side if within else 0)
                continue
            if not within and not state.pending:
                # Walking round the end of a line is not a crossing: forget which side they were on.
                state.settled = 0
                continue
            # Beyond the end, a crossing that began on the segment may still be confirmed (people cut corners).
            if side == 0:
                continue  # in the dead band: neither confirms nor cancels
            if state.settled == 0:
                state.settled, state.pending = side, 0
                continue
            if side == state.settled:
                state.pending = 0  # stepped back before confirming
                continue
            if state.pending != side:
                if not within:
                    state.settled = 0
                    continue
                state.pending, state.pending_since = side, at
            if at - state.pending_since >= self.settings.confirm_seconds - _CLOCK_SLACK:
                crossings.append(self._count(person, side, at))
                state.settled, state.pending = side, 0
        return crossings

    def _count(self, person: TrackedPerson, side: int, at: float) -> Crossing:
        direction = Direction.IN if side > 0 else Direction.OUT
        if direction is Direction.IN:
            self.entries += 1
        else:
            self.exits += 1
        return Crossing(self.line.name, direction, person.track_id, person.kind, at)

    def forget(self, track_ids: Iterable[int]) -> None:
        for track_id in track_ids:
            self._sides.pop(track_id, None)

    def __len__(self) -> int:
        return len(self._sides)
