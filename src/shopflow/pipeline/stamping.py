"""Turns the engine's events (stream time) into stamped events (wall time + idempotency key) for a sink."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta

import numpy as np

from shopflow.analysis.scene import SceneAnalyzer
from shopflow.domain.events import CountSnapshot, Crossing, Visit, ZoneEntry
from shopflow.domain.stamped import (
    HeatmapTally,
    PartyTally,
    SinkEvent,
    StaffCorrection,
    StaffDeparture,
    StampedEvent,
    staff_key,
)
from shopflow.pipeline.sources import Frame

# How often (stream seconds) the heatmap's growth is sent: each tally is a whole grid, so not every frame.
HEATMAP_EVERY_SECONDS = 60.0


def event_key(session: str, event: SinkEvent) -> str:
    """A key that names the real-world moment, so replaying the same stream session stores nothing twice."""
    match event:
        case Crossing():
            return f"{session}:c:{event.line}:{event.track_id}:{event.at:.3f}"
        case Visit():
            return f"{session}:v:{event.zone}:{event.track_id}:{event.entered_at:.3f}"
        case ZoneEntry():
            return f"{session}:e:{event.zone}:{event.track_id}:{event.at:.3f}"
        case CountSnapshot():
            return f"{session}:s:{event.at:.3f}"
        case PartyTally() if event.visitors and not (event.potential_customers or event.groups):
            return f"{session}:a:{event.at:.3f}"  # a visitor's arrival
        case PartyTally():
            return f"{session}:p:{event.at:.3f}"
        case HeatmapTally():
            return f"{session}:h:{event.at:.3f}"
        case StaffCorrection():
            # One per track: storage finds the track's earlier events by this session prefix and the track id.
            return staff_key(session, event.track_id, event.first_seen)
        case StaffDeparture():
            return f"{staff_key(session, event.track_id, event.first_seen)}:end"
    raise TypeError(f"not an event: {event!r}")


def event_time(event: SinkEvent) -> float:
    return event.exited_at if isinstance(event, Visit) else event.at


class EventStamper:
    """Stamps one stream session's events. `session` must be stable for a replayable source (a file played
    once) and unique otherwise (a live stream, each pass of a looping demo)."""

    def __init__(
        self, session: str, scene: SceneAnalyzer, heatmap_every_seconds: float = HEATMAP_EVERY_SECONDS
    ) -> None:
        if heatmap_every_seconds <= 0:
            raise ValueError(f"heatmap_every_seconds must be positive, got {heatmap_every_seconds:g}")
        self.session = session
        self._scene = scene
        self._potential_customers = 0
        self._groups = 0
        self._visitors = 0
        self._heatmap_every = heatmap_every_seconds
        self._heatmap_sent = scene.heatmap.grid  # what earlier heatmap tallies already carried
        self._next_heatmap_at: float | None = None

    def _tally(self, at: float) -> list[SinkEvent]:
        groups = self._scene.groups
        tallies: list[SinkEvent] = []
        delta = PartyTally(
            at=at,
            potential_customers=groups.potential_customers_total - self._potential_customers,
            groups=groups.groups_total - self._groups,
        )
        if delta.potential_customers or delta.groups:
            self._potential_customers = groups.potential_customers_total
            self._groups = groups.groups_total
            tallies.append(delta)
        return tallies

    def _heatmap(self, at: float, final: bool) -> list[SinkEvent]:
        if self._next_heatmap_at is None:
            self._next_heatmap_at = at + self._heatmap_every
        if at < self._next_heatmap_at and not final:
            return []
        self._next_heatmap_at = at + self._heatmap_every
        grid = self._scene.heatmap.grid
        delta = grid - self._heatmap_sent
        if not np.any(delta > 0):
            return []
        self._heatmap_sent = grid
        rows, columns = delta.shape
        return [
            HeatmapTally(
                at=at,
                columns=columns,
                rows=rows,
                cells=tuple(float(value) for value in delta.ravel()),
                frame_width=self._scene.frame_width,
                frame_height=self._scene.frame_height,
            )
        ]

    def stamp(
        self, events: Sequence[SinkEvent], frame: Frame, processing_ms: float | None = None, *, final: bool = False
    ) -> list[StampedEvent]:
        """Stamp one frame's events, adding the tallies that are due.

        `final` marks the end of a stream (the events of `engine.finish()`, stamped with the last frame): the
        heatmap's growth since its last tally is sent at once, so the last minute is not lost.
        """
        stamped: list[StampedEvent] = []
        # Each visitor lands in the hour they arrived in, not at the (later) moment they were settled as new.
        # Several may share an arrival time yet be settled at different frames, so each key also carries the
        # running count of visitors, which a replay of the session reproduces.
        for arrived_at in self._scene.visitors.take_arrivals():
            self._visitors += 1
            arrival = PartyTally(at=arrived_at, potential_customers=0, groups=0, visitors=1)
            occurred = frame.captured_at - timedelta(seconds=frame.timestamp - arrived_at)
            key = f"{event_key(self.session, arrival)}:{self._visitors}"
            stamped.append(StampedEvent(arrival, occurred, key))
        for event in [*events, *self._tally(frame.timestamp), *self._heatmap(frame.timestamp, final)]:
            at = event_time(event)
            occurred = frame.captured_at - timedelta(seconds=frame.timestamp - at)
            timing = processing_ms if isinstance(event, CountSnapshot) else None
            key = event_key(self.session, event)
            if final and isinstance(event, PartyTally | HeatmapTally):
                # The last frame may already have sent a tally at this very stream time; without a suffix the
                # closing tally would share its key and be dropped as a replay.
                key += ":end"
            stamped.append(StampedEvent(event, occurred, key, timing))
        return stamped
