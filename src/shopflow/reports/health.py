"""Whether the analytics store answers, how fast, and how fresh its rollups are."""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from shopflow.reports.errors import AnalyticsUnavailableError
from shopflow.storage.repositories import RollupRepository

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class AnalyticsHealth:
    ok: bool
    latency_ms: float  # the round trip of the rollup query
    rollups_last_update: datetime | None  # None before the first event


def check(session: Session, store_id: int | None = None) -> AnalyticsHealth:
    """Ask the rollups when they last changed (the store's, or any store's); AnalyticsUnavailableError when the
    database does not answer. An unknown store simply has no last update."""
    started = time.perf_counter()
    try:
        rollups = RollupRepository(session)
        last = rollups.last_updated_any() if store_id is None else rollups.last_updated(store_id)
    except SQLAlchemyError as error:
        log.warning("analytics health check failed: %s", error)
        raise AnalyticsUnavailableError(f"the analytics database did not answer: {type(error).__name__}") from error
    return AnalyticsHealth(ok=True, latency_ms=(time.perf_counter() - started) * 1000.0, rollups_last_update=last)
