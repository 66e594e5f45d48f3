"""Daily jobs inside the server (the backup at 02:00 store time, the retention purge), on one thread.

Store time means wall-clock time in STORE_TIMEZONE: a job at 02:00 runs at 02:00 local time across DST changes.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

log = logging.getLogger(__name__)

Clock = Callable[[], datetime]


def next_run(after: datetime, at: time, tz: ZoneInfo) -> datetime:
    """The first moment strictly after `after` (aware) when the store's clock shows `at`, in UTC."""
    local = after.astimezone(tz)
    candidate = datetime.combine(local.date(), at, tzinfo=tz)
    while candidate.astimezone(UTC) <= after.astimezone(UTC):
        candidate = datetime.combine(candidate.date() + timedelta(days=1), at, tzinfo=tz)
    return candidate.astimezone(UTC)


@dataclass(slots=True)
class DailyJob:
    name: str
    at: time
    run: Callable[[], object]
    due: datetime | None = None
    runs: int = 0
    last_error: str | None = field(default=None)


class Scheduler:
    """Runs each job once a day at its time; a job that fails is logged and tried again the next day."""

    def __init__(self, tz: ZoneInfo, *, clock: Clock | None = None) -> None:
        self.tz = tz
        self._clock = clock or (lambda: datetime.now(UTC))
        self.jobs: list[DailyJob] = []
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def add(self, name: str, at: time | None, run: Callable[[], object]) -> None:
        if at is None:
            log.info("scheduled job %r is turned off", name)
            return
        job = DailyJob(name, at, run)
        job.due = next_run(self._clock(), at, self.tz)
        self.jobs.append(job)
        log.info("scheduled job %r daily at %s %s; next at %s", name, at.strftime("%H:%M"), self.tz.key, job.due)

    def run_due(self) -> list[str]:
        """Run the jobs whose time has come; the names of those that ran."""
        ran = []
        for job in self.jobs:
            now = self._clock()
            if job.due is None or now < job.due:
                continue
            try:
                job.run()
                job.last_error = None
            except Exception as error:  # the server keeps serving; the next day's run may succeed
                log.exception("scheduled job %r failed", job.name)
                job.last_error = str(error)
            job.runs += 1
            job.due = next_run(self._clock(), job.at, self.tz)
            ran.append(job.name)
        return ran

    def seconds_to_next(self) -> float:
        dues = [job.due for job in self.jobs if job.due is not None]
        if not dues:
            return 3600.0
        return max(0.0, (min(dues) - self._clock()).total_seconds())

    def start(self) -> None:
        if not self.jobs or self._thread is not None:
            return
        self._thread = threading.Thread(target=self._loop, name="shopflow-scheduler", daemon=True)
        self._thread.start()

    def _loop(self) -> None:
        # Wake at least once a minute: a suspended machine or a clock change must not delay a job by hours.
        while not self._stop.wait(min(60.0, self.seconds_to_next())):
            self.run_due()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=10)
            self._thread = None
