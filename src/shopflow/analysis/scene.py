"""One camera's scene: feeds each frame's tracked people to every line, zone and counter, and forgets the departed."""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field

from shopflow.analysis.groups import GroupSettings, GroupsNow, GroupTracker
from shopflow.analysis.heatmap import Heatmap
from shopflow.analysis.lines import LineCounter, LineSettings
from shopflow.analysis.visitors import VisitorCounter, VisitorSettings
from shopflow.analysis.zones import ZoneMonitor, ZoneSettings
from shopflow.domain.events import CountSnapshot, Event
from shopflow.domain.geometry import CountingLine, Zone
from shopflow.domain.people import Descriptor, PersonKind, TrackedPerson


@dataclass(frozen=True, slots=True)
class SceneSettings:
    lines: LineSettings = field(default_factory=LineSettings)
    zones: ZoneSettings = field(default_factory=ZoneSettings)
    groups: GroupSettings = field(default_factory=GroupSettings)
    visitors: VisitorSettings = field(default_factory=VisitorSettings)
    # Per-person state is dropped this long after a person was last seen. It must outlast the tracker's
    # own lost buffer, so a person it re-acquires still has their line sides and open visit.
    forget_after_seconds: float = 10.0
    # How often a CountSnapshot (the `camera_events` row) is emitted.
    snapshot_every_seconds: float = 5.0
    heatmap_columns: int = 64
    heatmap_rows: int = 48
    # A longer gap between frames (a stalled stream) adds only this much to the heatmap.
    heatmap_max_step_seconds: float = 1.0


@dataclass(frozen=True, slots=True)
class SceneUpdate:
    """What one frame changed, and who is in view now."""

    events: list[Event]
    people: Sequence[TrackedPerson]
    groups: GroupsNow
    zone_occupancy: dict[str, int]


class SceneAnalyzer:
    """Pure and frame-driven: give it the tracked people of each analysed frame, in time order."""

    def __init__(
        self,
        frame_width: int,
        frame_height: int,
        lines: Sequence[CountingLine] = (),
        zones: Sequence[Zone] = (),
        settings: SceneSettings | None = None,
    ) -> None:
        self.settings = settings or SceneSettings()
        self.frame_width, self.frame_height = frame_width, frame_height
        self.lines = [LineCounter(line, frame_width, frame_height, self.settings.lines) for line in lines]
        self.zones = [ZoneMonitor(zone, frame_width, frame_height, self.settings.zones) for zone in zones]
        self.groups = GroupTracker(self.settings.groups)
        self.visitors = VisitorCounter(self.settings.visitors, frame_height)
        self.heatmap = Heatmap(self.settings.heatmap_columns, self.settings.heatmap_rows)
        self.peak_people = 0
        self._last_seen: dict[int, float] = {}
        self._last_at: float | None = None
        self._next_snapshot_at: float | None = None

    def update(
        self,
        people: Sequence[TrackedPerson],
        at: float,
        colours: Mapping[int, Descriptor] | None = None,
        ended: Collection[int] = (),
    ) -> SceneUpdate:
        """`colours`: clothing descriptors of the people seen clearly in this frame, to recognise returning visitors.
        `ended`: tracks the tracker has given up on since the previous frame; they are settled now rather than
        `forget_after_seconds` later, so a crossing they were making is decided while it is fresh."""
        events: list[Event] = []
        for person in people:
            self._last_seen[person.track_id] = at
        for line in self.lines:
            events.extend(line.update(people, at))
        for zone in self.zones:
            events.extend(zone.update(people, at))
        self.visitors.update(people, at, colours)
        groups_now = self.groups.update(people, at)
        if self._last_at is not None:
            step = min(at - self._last_at, self.settings.heatmap_max_step_seconds)
            self.heatmap.add(people, self.frame_width, self.frame_height, max(step, 0.0))
        self._last_at = at
        self.peak_people = max(self.peak_people, len(people))
        in_view = {person.track_id for person in people}
        departed = [
            t
            for t, seen in self._last_seen.items()
            if at - seen > self.settings.forget_after_seconds or (t in ended and t not in in_view)
        ]
        if departed:
            events.extend(self._forget(departed))
        if self._next_snapshot_at is None or at >= self._next_snapshot_at:
            events.append(self._snapshot(people, groups_now, at))
            self._next_snapshot_at = at + self.settings.snapshot_every_seconds
        occupancy = {zone.zone.name: zone.occupancy for zone in self.zones}
        return SceneUpdate(events, people, groups_now, occupancy)

    @staticmethod
    def _snapshot(people: Sequence[TrackedPerson], groups_now: GroupsNow, at: float) -> CountSnapshot:
        employees = sum(1 for p in people if p.kind is PersonKind.EMPLOYEE)
        return CountSnapshot(
            at=at,
            total_people=len(people),
            customers=len(people) - employees,
            employees=employees,
            groups=len(groups_now.groups),
            potential_customers=groups_now.potential_customers,
        )

    def _forget(self, track_ids: list[int]) -> list[Event]:
        events: list[Event] = []
        for line in self.lines:
            events.extend(line.forget(track_ids))
        for zone in self.zones:
            events.extend(zone.forget(track_ids))
        returning = self.visitors.forget(track_ids)
        for track_id in track_ids:
            self.groups.forget(track_id, returning=track_id in returning)
            del self._last_seen[track_id]
        return events

    def finish(self) -> list[Event]:
        """End of the stream: close every visit and party still open."""
        events = self._forget(list(self._last_seen))
        self.groups.finish()
        return events

    @property
    def tracked_state_size(self) -> int:
        """Per-person entries held across every component; stays bounded on a 24/7 camera."""
        return (
            len(self._last_seen)
            + sum(len(line) for line in self.lines)
            + sum(len(zone) for zone in self.zones)
            + len(self.visitors)
            + len(self.groups)
        )
