"""The pipeline's EventSink: buffers events in memory and writes them in batches from a background thread.

Each flush is one transaction: the new events and the hourly rollups they change. Keys make it idempotent:
an event whose (camera, key) is already stored is skipped and does not touch the rollups.

- ZoneEntry events are dropped on arrival: a stay is stored once, as a Visit, when it closes.
- Heatmap tallies are added to the camera's hourly heatmap grid; only their keys are kept besides.
- When the buffer is full, `write` blocks for up to `block_seconds`; then the oldest snapshots are dropped to
  make room (a snapshot is a periodic sample, the next one replaces it). Crossings, visits, party and heatmap
  tallies are never dropped: beyond the bound they are spilled to a local SQLite file, in order, and read back
  as the database catches up, so a long outage costs disk, not memory.
- A failed flush is retried with exponential backoff, keeping its events. An event that the database rejects
  outright (a constraint) is isolated by retrying the batch one event per transaction, and only it is dropped;
  events of a camera that no longer exists are dropped too.
"""

from __future__ import annotations

import logging
import threading
import time
from collections import deque
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.exc import DataError, IntegrityError

from shopflow.domain.backoff import Backoff
from shopflow.domain.events import CountSnapshot, ZoneEntry
from shopflow.domain.stamped import StampedEvent
from shopflow.storage.columns import utcnow
from shopflow.storage.db import Database
from shopflow.storage.event_records import NewCrossing, NewVisit
from shopflow.storage.event_rows import EventRows, add_row, check_event
from shopflow.storage.repositories.cameras import CameraRepository, CameraRouting
from shopflow.storage.repositories.events import EventRepository
from shopflow.storage.repositories.heatmaps import HeatmapRepository
from shopflow.storage.repositories.rollups import RollupRepository, rollup_deltas
from shopflow.storage.repositories.staff_tracks import StaffTrackRepository
from shopflow.storage.spill import QueuedEvent, SpillFile

log = logging.getLogger(__name__)

# Errors that will not go away by retrying the same batch: split it to find the events at fault.
PERMANENT_ERRORS = (IntegrityError, DataError)
PERMANENT_ATTEMPTS_BEFORE_SPLIT = 2

BeforeCommitHook = Callable[[int], None]


@dataclass(frozen=True, slots=True)
class CommittedEvents:
    """The crossings and visits one flush stored for the first time (replayed duplicates are left out)."""

    crossings: tuple[NewCrossing, ...]
    visits: tuple[NewVisit, ...]


CommittedHook = Callable[[CommittedEvents], None]


@dataclass(frozen=True, slots=True)
class WriterStats:
    pending: int  # buffered, not yet in a flush
    in_flight: int  # in the flush being written or retried
    written: int  # rows inserted
    duplicates: int  # events skipped because their key was already stored
    dropped_snapshots: int  # to keep the buffer bounded
    dropped_events: int  # unknown camera or rejected by the database
    failed_flushes: int
    spilled: int = 0  # of the pending events, those waiting in the spill file rather than in memory


class EventWriter:
    """Batched, idempotent EventSink backed by the database. Thread-safe; `close()` writes what is left."""

    def __init__(
        self,
        database: Database,
        *,
        flush_seconds: float = 1.0,
        batch_size: int = 500,
        max_pending: int = 10_000,
        block_seconds: float = 0.5,
        retry_initial_seconds: float = 0.2,
        retry_max_seconds: float = 10.0,
        close_timeout_seconds: float = 30.0,
        camera_cache_seconds: float = 30.0,
        before_commit: BeforeCommitHook | None = None,
        on_committed: CommittedHook | None = None,
        spill_path: Path | None = None,
    ) -> None:
        if flush_seconds <= 0 or batch_size < 1 or max_pending < batch_size:
            raise ValueError("need flush_seconds > 0, batch_size >= 1 and max_pending >= batch_size")
        self._database = database
        self._flush_seconds = flush_seconds
        self._batch_size = batch_size
        self._max_pending = max_pending
        self._block_seconds = block_seconds
        self._retry_initial = retry_initial_seconds
        self._retry_max = retry_max_seconds
        self._close_timeout = close_timeout_seconds
        self._camera_cache_seconds = camera_cache_seconds
        # Called inside each flush transaction just before commit, with the attempt number (1 = first try).
        # Lets tests make a flush fail on purpose; raising rolls the flush back and it is retried.
        self._before_commit = before_commit
        # Called on the writer thread after each commit that stored crossings or visits (the server pushes them
        # to live dashboards). It must be quick; what it raises is logged and never undoes the commit.
        self._on_committed = on_committed

        self._lock = threading.Condition()
        self._counting: deque[QueuedEvent] = deque()  # crossings, visits, tallies: never dropped
        self._snapshots: deque[QueuedEvent] = deque()  # dropped oldest-first when the buffer is full
        self._in_flight: list[QueuedEvent] = []
        self._seq = 0
        self._flush_requested = False
        self._closing = False
        self._abandon = False
        self._routing: dict[int, tuple[float, CameraRouting]] = {}
        # Counting events beyond max_pending; opened on first use (a temporary file unless spill_path is given).
        self._spill_path = spill_path
        self._spill: SpillFile | None = None

        self._written = 0
        self._duplicates = 0
        self._dropped_snapshots = 0
        self._dropped_events = 0
        self._failed_flushes = 0

        self._thread = threading.Thread(target=self._run, name="shopflow-event-writer", daemon=True)
        self._thread.start()

    # --- producer side ----------------------------------------------------------------------------------------

    def write(self, camera_id: int, events: Sequence[StampedEvent]) -> None:
        for stamped in events:
            check_event(stamped)
        kept = [stamped for stamped in events if not isinstance(stamped.event, ZoneEntry)]
        if not kept:
            return
        with self._lock:
            if self._closing:
                raise RuntimeError("the event writer is closed")
            deadline = time.monotonic() + self._block_seconds
            for stamped in kept:
                self._make_room(deadline)
                self._seq += 1
                item = QueuedEvent(self._seq, camera_id, stamped)
                if isinstance(stamped.event, CountSnapshot):
                    self._snapshots.append(item)
                elif self._spilled() or self._in_memory() >= self._max_pending:
                    # Once spilling, keep spilling until the file is read back, so events stay in order.
                    self._spill_item(item)
                else:
                    self._counting.append(item)
            if self._pending() >= self._batch_size:
                self._lock.notify_all()

    def _spill_item(self, item: QueuedEvent) -> None:
        if self._spill is None:
            self._spill = SpillFile(self._spill_path)
            log.warning("event buffer full of crossings and visits; spilling them to %s", self._spill.path)
        self._spill.add(item)

    def _spilled(self) -> int:
        return 0 if self._spill is None else self._spill.count

    def _in_memory(self) -> int:
        return len(self._counting) + len(self._snapshots)

    def _make_room(self, deadline: float) -> None:
        """Called with the lock held, before adding one event."""
        while self._in_memory() >= self._max_pending and not self._abandon:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                break
            self._lock.notify_all()
            self._lock.wait(remaining)
        if self._in_memory() < self._max_pending:
            return
        if self._snapshots:
            self._snapshots.popleft()
            self._dropped_snapshots += 1
            if self._dropped_snapshots % 1000 == 1:
                log.warning("event buffer full: dropped %d snapshots so far", self._dropped_snapshots)

    def flush(self, timeout: float | None = 30.0) -> bool:
        """Write everything buffered so far; True when it is all stored (or dropped), False on timeout."""
        with self._lock:
            target = self._seq
            self._flush_requested = True
            self._lock.notify_all()
            return self._lock.wait_for(lambda: self._done_through(target), timeout)

    def close(self) -> None:
        """Write what is left (retrying up to close_timeout_seconds), then stop the thread."""
        with self._lock:
            if self._closing:
                return
            self._closing = True
            self._lock.notify_all()
        self._thread.join(self._close_timeout)
        if self._thread.is_alive():
            with self._lock:
                self._abandon = True
                lost = self._pending() + len(self._in_flight)
                self._lock.notify_all()
            log.error("event writer closed with %d events not written: the database kept failing", lost)
        with self._lock:
            if self._spill is not None:
                self._spill.close()
                self._spill = None

    def __enter__(self) -> EventWriter:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()

    def stats(self) -> WriterStats:
        with self._lock:
            return WriterStats(
                pending=self._pending(),
                in_flight=len(self._in_flight),
                written=self._written,
                duplicates=self._duplicates,
                dropped_snapshots=self._dropped_snapshots,
                dropped_events=self._dropped_events,
                failed_flushes=self._failed_flushes,
                spilled=self._spilled(),
            )

    def _pending(self) -> int:
        return self._in_memory() + self._spilled()

    def _done_through(self, seq: int) -> bool:
        # The queues and the spill file are each in arrival order, so only their heads need checking.
        first_spilled = None if self._spill is None else self._spill.first_seq
        return (
            (not self._counting or self._counting[0].seq > seq)
            and (not self._snapshots or self._snapshots[0].seq > seq)
            and (first_spilled is None or first_spilled > seq)
            and all(item.seq > seq for item in self._in_flight)
        )

    # --- background thread ----------------------------------------------------------------------------------

    def _run(self) -> None:
        next_due = time.monotonic() + self._flush_seconds
        while True:
            with self._lock:
                while not self._should_flush(next_due):
                    now = time.monotonic()
                    if now >= next_due:
                        next_due = now + self._flush_seconds
                    self._lock.wait(next_due - now)
                if self._abandon or (self._closing and not self._pending()):
                    return
            self._drain()
            next_due = time.monotonic() + self._flush_seconds

    def _should_flush(self, next_due: float) -> bool:
        if self._abandon or self._closing or self._flush_requested:
            return True
        pending = self._pending()
        return pending >= self._batch_size or (pending > 0 and time.monotonic() >= next_due)

    def _drain(self) -> None:
        """Write batches until the buffer is empty, retrying each with backoff until it is stored."""
        while True:
            with self._lock:
                if self._abandon:
                    return
                if not self._pending():
                    self._flush_requested = False
                    self._lock.notify_all()
                    return
                self._in_flight = self._take_batch()
                self._lock.notify_all()  # producers waiting for room
            self._write_with_retry(self._in_flight)
            with self._lock:
                self._in_flight = []
                self._lock.notify_all()

    def _take_batch(self) -> list[QueuedEvent]:
        if not self._counting and self._spilled():
            # Spilled events are newer than any counting event in memory: read them back once those are out.
            self._counting.extend(self._spill.take(self._batch_size) if self._spill is not None else [])
        batch: list[QueuedEvent] = []
        while len(batch) < self._batch_size and (self._counting or self._snapshots):
            # Oldest first across both queues, so a flush waiter's events go out in order.
            if self._snapshots and (not self._counting or self._snapshots[0].seq < self._counting[0].seq):
                batch.append(self._snapshots.popleft())
            else:
                batch.append(self._counting.popleft())
        return batch

    def _write_with_retry(self, batch: list[QueuedEvent]) -> None:
        backoff = Backoff(first_seconds=self._retry_initial, max_seconds=self._retry_max, jitter_fraction=0.0)
        attempt = 0
        permanent_failures = 0
        while True:
            delay = backoff.delay(attempt)
            attempt += 1
            try:
                rows = self._rows(batch)
                if permanent_failures >= PERMANENT_ATTEMPTS_BEFORE_SPLIT:
                    self._commit_one_by_one(rows, attempt)
                else:
                    self._commit(rows, attempt)
                return
            except Exception as error:
                with self._lock:
                    self._failed_flushes += 1
                    abandon = self._abandon
                if isinstance(error, PERMANENT_ERRORS):
                    permanent_failures += 1
                    self._routing.clear()  # a camera may have been deleted under us
                log.warning(
                    "flush of %d events failed (attempt %d), retrying in %.1fs: %s", len(batch), attempt, delay, error
                )
                if abandon:
                    return
                time.sleep(delay)

    def _commit_one_by_one(self, rows: EventRows, attempt: int) -> None:
        for single in rows.one_by_one():
            try:
                self._commit(single, attempt)
            except PERMANENT_ERRORS as error:
                with self._lock:
                    self._dropped_events += 1
                log.error("dropped an event the database rejects: %s", error)

    def _commit(self, rows: EventRows, attempt: int) -> None:
        if not len(rows):
            return
        with self._database.session() as session:
            events = EventRepository(session)
            crossings = events.insert_crossings(rows.crossings)
            visits = events.insert_visits(rows.visits)
            snapshots = events.insert_snapshots(rows.snapshots)
            tallies = events.insert_tallies(rows.tallies)
            now = utcnow()
            rollups = RollupRepository(session)
            rollups.add(rollup_deltas(crossings, visits, snapshots, tallies), now=now)
            heatmaps = HeatmapRepository(session).add(rows.heatmaps, now=now)
            # After this flush's crossings and visits are in: a correction relabels the track's earlier events.
            staff = StaffTrackRepository(session)
            rollups.add(staff.correct(rows.staff), now=now)
            staff.depart(rows.departures)
            if self._before_commit is not None:
                self._before_commit(attempt)
        inserted = len(crossings) + len(visits) + len(snapshots) + len(tallies) + len(heatmaps)
        inserted += len(rows.staff) + len(rows.departures)
        with self._lock:
            self._written += inserted
            self._duplicates += len(rows) - inserted
        log.debug("stored %d events (%d already stored)", inserted, len(rows) - inserted)
        if self._on_committed is not None and (crossings or visits):
            try:
                self._on_committed(CommittedEvents(tuple(crossings), tuple(visits)))
            except Exception:  # a listener's failure must not make the stored batch look failed and retried
                log.exception("on_committed hook failed")

    def _rows(self, batch: list[QueuedEvent]) -> EventRows:
        routing = self._camera_routing({item.camera_id for item in batch})
        rows = EventRows()
        unknown = 0
        for item in batch:
            camera = routing.get(item.camera_id)
            if camera is None:
                unknown += 1
                continue
            add_row(rows, camera, item.stamped)
        if unknown:
            with self._lock:
                self._dropped_events += unknown
            log.error("dropped %d events of cameras that do not exist", unknown)
        return rows

    def _camera_routing(self, camera_ids: set[int]) -> dict[int, CameraRouting]:
        now = time.monotonic()
        fresh: dict[int, CameraRouting] = {}
        for camera_id in camera_ids:
            entry = self._routing.get(camera_id)
            if entry is not None and now - entry[0] < self._camera_cache_seconds:
                fresh[camera_id] = entry[1]
        missing = camera_ids - fresh.keys()
        if missing:
            with self._database.session() as session:
                loaded = CameraRepository(session).routing(missing)
            for camera_id, camera in loaded.items():
                self._routing[camera_id] = (now, camera)
                fresh[camera_id] = camera
        return fresh
