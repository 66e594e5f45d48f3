"""Turns the engine's events (stream time) into stamped events (wall time + idempotency key) for a sink."""

from __future__ import annotations

from datetime import timedelta

from shopflow.analysis.scene import SceneAnalyzer
from shopflow.domain.events import CountSnapshot, Crossing, Event, Visit, ZoneEntry
from shopflow.pipeline.sink import PartyTally, SinkEvent, StampedEvent
from shopflow.pipeline.sources import Frame


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
        case PartyTally():
            return f"{session}:p:{event.at:.3f}"
    raise TypeError(f"not an event: {event!r}")


def event_time(event: SinkEvent) -> float:
    return event.exited_at if isinstance(event, Visit) else event.at


class EventStamper:
    """Stamps one stream session's events. `session` must be stable for a replayable source (a file played
    once) and unique otherwise (a live stream, each pass of a looping demo)."""

    def __init__(self, session: str, scene: SceneAnalyzer) -> None:
        self.session = session
        self._scene = scene
        self._potential_customers = 0
        self._groups = 0
        self._visitors = 0

    def _tally(self, at: float) -> list[SinkEvent]:
        groups = self._scene.groups
        visitors = self._scene.visitors.customers
        delta = PartyTally(
            at=at,
            potential_customers=groups.potential_customers_total - self._potential_customers,
            groups=groups.groups_total - self._groups,
            visitors=visitors - self._visitors,
        )
        if not (delta.potential_customers or delta.groups or delta.visitors):
            return []
        self._potential_customers = groups.potential_customers_total
        self._groups = groups.groups_total
        self._visitors = visitors
        return [delta]

    def stamp(self, events: list[Event], frame: Frame, processing_ms: float | None = None) -> list[StampedEvent]:
        stamped: list[StampedEvent] = []
        for event in [*events, *self._tally(frame.timestamp)]:
            at = event_time(event)
            occurred = frame.captured_at - timedelta(seconds=frame.timestamp - at)
            timing = processing_ms if isinstance(event, CountSnapshot) else None
            stamped.append(StampedEvent(event, occurred, event_key(self.session, event), timing))
        return stamped
