"""Realtime fan-out: new crossings and visits to the websockets of this process, from any process.

How an event reaches a dashboard:
- The event writer commits a flush and calls `EventRelay.committed` on its thread.
- SQLite (one process): the relay publishes the messages straight to this process's `RealtimeBroker`.
- PostgreSQL (any number of processes): the relay sends one NOTIFY per event on `shopflow_events`; every
  process, this one included, LISTENs on its own connection (`NotificationListener`) and publishes what it
  hears to its broker. So a websocket on process B sees an event that process A wrote.
- The broker hands each message to the queues of the websockets watching that store; a dashboard that does
  not keep up loses messages rather than growing a queue without bound.
"""

from __future__ import annotations

import asyncio
import json
import logging
import threading
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from shopflow.pipeline.live_hub import LiveCounts
from shopflow.storage.db import Database
from shopflow.storage.event_records import NewCrossing, NewVisit
from shopflow.storage.repositories.notifications import EVENTS_CHANNEL, NotificationRepository
from shopflow.storage.writer import CommittedEvents

log = logging.getLogger(__name__)

Message = dict[str, Any]
QUEUE_SIZE = 256


def _iso(value: datetime) -> str:
    return value.isoformat().replace("+00:00", "Z")


def crossing_message(crossing: NewCrossing) -> Message:
    return {
        "type": "event",
        "event": "crossing",
        "store_id": crossing.store_id,
        "camera_id": crossing.camera_id,
        "line": crossing.line,
        "direction": crossing.direction.value,
        "is_entry": crossing.is_entry,
        "person_kind": crossing.person_kind.value,
        "track_id": crossing.track_id,
        "at": _iso(crossing.at),
    }


def visit_message(visit: NewVisit) -> Message:
    return {
        "type": "event",
        "event": "visit",
        "store_id": visit.store_id,
        "camera_id": visit.camera_id,
        "zone": visit.zone,
        "person_kind": visit.person_kind.value,
        "track_id": visit.track_id,
        "entered_at": _iso(visit.entered_at),
        "exited_at": _iso(visit.exited_at),
        "dwell_seconds": round(visit.dwell_seconds, 3),
    }


def counts_message(counts: LiveCounts) -> Message:
    return {
        "people": counts.people,
        "customers": counts.customers,
        "employees": counts.employees,
        "groups": counts.groups,
        "potential_customers": counts.potential_customers,
        "zones": dict(counts.zones),
        "lines": {name: {"in": tally.entries, "out": tally.exits} for name, tally in counts.lines.items()},
        "at": _iso(counts.at),
    }


@dataclass(eq=False)
class Subscription:
    store_id: int
    queue: asyncio.Queue[Message] = field(default_factory=lambda: asyncio.Queue(QUEUE_SIZE))
    dropped: int = 0


class RealtimeBroker:
    """Per-process publish/subscribe of realtime messages; `publish` may be called from any thread."""

    def __init__(self) -> None:
        self._loop: asyncio.AbstractEventLoop | None = None
        self._subscriptions: set[Subscription] = set()
        self._lock = threading.Lock()
        self.published = 0

    def bind(self, loop: asyncio.AbstractEventLoop) -> None:
        """The event loop the websockets run on (set when the app starts)."""
        self._loop = loop

    def subscribe(self, store_id: int) -> Subscription:
        subscription = Subscription(store_id)
        with self._lock:
            self._subscriptions.add(subscription)
        return subscription

    def unsubscribe(self, subscription: Subscription) -> None:
        with self._lock:
            self._subscriptions.discard(subscription)

    @property
    def subscribers(self) -> int:
        with self._lock:
            return len(self._subscriptions)

    def publish(self, message: Message) -> None:
        loop = self._loop
        if loop is None or loop.is_closed():
            return
        try:
            loop.call_soon_threadsafe(self._deliver, message)
        except RuntimeError:  # the loop closed between the check and the call: the app is stopping
            return

    def _deliver(self, message: Message) -> None:
        self.published += 1
        store_id = message.get("store_id")
        with self._lock:
            targets = [s for s in self._subscriptions if s.store_id == store_id]
        for subscription in targets:
            try:
                subscription.queue.put_nowait(message)
            except asyncio.QueueFull:
                subscription.dropped += 1
                if subscription.dropped % 100 == 1:
                    log.warning("realtime client of store %s too slow: %d dropped", store_id, subscription.dropped)


class EventRelay:
    """The event writer's `on_committed` hook: hands stored events on, in-process or through NOTIFY."""

    def __init__(self, database: Database, broker: RealtimeBroker, *, use_notify: bool) -> None:
        self._database = database
        self._broker = broker
        self._use_notify = use_notify

    def committed(self, events: CommittedEvents) -> None:
        messages = [crossing_message(c) for c in events.crossings] + [visit_message(v) for v in events.visits]
        if not messages:
            return
        if not self._use_notify:
            for message in messages:
                self._broker.publish(message)
            return
        payloads = [json.dumps(message, separators=(",", ":")) for message in messages]
        with self._database.session() as session:
            NotificationRepository(session).notify(EVENTS_CHANNEL, payloads)

    def heard(self, payload: str) -> None:
        """A NOTIFY payload from any process (the listener thread calls this)."""
        try:
            message = json.loads(payload)
        except ValueError:
            log.warning("ignored a %s notification that is not JSON", EVENTS_CHANNEL)
            return
        if isinstance(message, dict) and message.get("type") == "event":
            self._broker.publish(message)
