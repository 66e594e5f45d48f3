"""Zones: who is inside a polygon now, entries, and one visit per stay with its dwell time."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from shopflow.domain.events import Visit, ZoneEntry
from shopflow.domain.geometry import Zone
from shopflow.domain.people import PersonKind, TrackedPerson


@dataclass(frozen=True, slots=True)
class ZoneSettings:
    # A person unseen or outside for less than this is still on the same visit: a short occlusion or a
    # foot wobbling over the edge does not split one stay into two.
    exit_grace_seconds: float = 2.0
    # A stay shorter than this (someone brushing a corner) is not a visit.
    min_visit_seconds: float = 1.0


@dataclass(slots=True)
class _Stay:
    kind: PersonKind
    entered_at: float
    last_inside_at: float
    confirmed: bool = False


def point_in_polygon(x: float, y: float, polygon: Sequence[tuple[float, float]]) -> bool:
    """Even-odd rule; the polygon is in the same units as the point."""
    inside = False
    n = len(polygon)
    j = n - 1
    for i in range(n):
        xi, yi = polygon[i]
        xj, yj = polygon[j]
        if (yi > y) != (yj > y) and x < (xj - xi) * (y - yi) / (yj - yi) + xi:
            inside = not inside
        j = i
    return inside


class ZoneMonitor:
    """Tracks stays in one zone from the feet point of each tracked person."""

    def __init__(
        self,
        zone: Zone,
        frame_width: int,
        frame_height: int,
        settings: ZoneSettings | None = None,
    ) -> None:
        self.zone = zone
        self.settings = settings or ZoneSettings()
        self._polygon = [(x * frame_width, y * frame_height) for x, y in zone.polygon]
        self._stays: dict[int, _Stay] = {}
        self.entries = 0
        self.peak_occupancy = 0

    @property
    def occupancy(self) -> int:
        """People on a confirmed visit right now (including those briefly hidden within the grace period)."""
        return sum(1 for stay in self._stays.values() if stay.confirmed)

    def update(self, people: Sequence[TrackedPerson], at: float) -> list[ZoneEntry | Visit]:
        events: list[ZoneEntry | Visit] = []
        for person in people:
            if not point_in_polygon(*person.feet, self._polygon):
                continue
            stay = self._stays.get(person.track_id)
            if stay is None:
                stay = self._stays[person.track_id] = _Stay(person.kind, entered_at=at, last_inside_at=at)
            stay.last_inside_at = at
            stay.kind = person.kind
            if not stay.confirmed and at - stay.entered_at >= self.settings.min_visit_seconds:
                stay.confirmed = True
                self.entries += 1
                events.append(ZoneEntry(self.zone.name, person.track_id, person.kind, stay.entered_at))
        grace = self.settings.exit_grace_seconds
        for track_id in [t for t, stay in self._stays.items() if at - stay.last_inside_at > grace]:
            events.extend(self._close(track_id))
        self.peak_occupancy = max(self.peak_occupancy, self.occupancy)
        return events

    def _close(self, track_id: int) -> list[Visit]:
        stay = self._stays.pop(track_id)
        if not stay.confirmed:
            return []
        return [Visit(self.zone.name, track_id, stay.kind, stay.entered_at, stay.last_inside_at)]

    def forget(self, track_ids: Iterable[int]) -> list[Visit]:
        """Close the stays of people gone for good."""
        events: list[Visit] = []
        for track_id in track_ids:
            if track_id in self._stays:
                events.extend(self._close(track_id))
        return events

    def finish(self) -> list[Visit]:
        """Close every open stay (end of a video): a person still inside at the end made one visit."""
        return self.forget(list(self._stays))

    def __len__(self) -> int:
        return len(self._stays)
