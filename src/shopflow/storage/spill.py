"""The event writer's overflow: counting events beyond its memory bound, oldest first, in a local SQLite file.

Standard-library `sqlite3` on a local file, not the store's database: that database is what is down when the
writer spills. Apart from storage/writer.py so the writer reads as buffering, batching and retrying only.
"""

from __future__ import annotations

import logging
import os
import pickle
import sqlite3
import tempfile
from dataclasses import dataclass
from pathlib import Path

from shopflow.domain.stamped import StampedEvent

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class QueuedEvent:
    """An event as the writer queues it: `seq` orders it among every event the writer was given."""

    seq: int
    camera_id: int
    stamped: StampedEvent


class SpillFile:
    """Counting events beyond the memory bound, oldest first, in a local SQLite file (stdlib `sqlite3`, not the
    store's database, which is the thing that is down). Used with the writer's lock held."""

    def __init__(self, path: Path | None) -> None:
        if path is None:
            handle, name = tempfile.mkstemp(prefix="shopflow-events-", suffix=".spill.sqlite")
            os.close(handle)
            path = Path(name)
        self.path = path
        self._connection = sqlite3.connect(path, check_same_thread=False, isolation_level=None)
        self._connection.execute("CREATE TABLE IF NOT EXISTS spill (seq INTEGER PRIMARY KEY, item BLOB NOT NULL)")
        (self.count,) = self._connection.execute("SELECT count(*) FROM spill").fetchone()
        self.first_seq: int | None = None

    def add(self, item: QueuedEvent) -> None:
        # pickle: the file is written and read by this process only, in a path it created.
        self._connection.execute("INSERT INTO spill (seq, item) VALUES (?, ?)", (item.seq, pickle.dumps(item)))
        self.count += 1
        if self.first_seq is None:
            self.first_seq = item.seq

    def take(self, limit: int) -> list[QueuedEvent]:
        rows = self._connection.execute("SELECT seq, item FROM spill ORDER BY seq LIMIT ?", (limit,)).fetchall()
        if rows:
            self._connection.execute("DELETE FROM spill WHERE seq <= ?", (rows[-1][0],))
        self.count -= len(rows)
        following = self._connection.execute("SELECT min(seq) FROM spill").fetchone()
        self.first_seq = following[0]
        return [pickle.loads(blob) for _, blob in rows]  # our own file, see add()

    def close(self) -> None:
        self._connection.close()
        if self.count == 0:
            self.path.unlink(missing_ok=True)
        else:
            log.error("%d events were not written; they are kept in %s", self.count, self.path)
