"""Data retention (LGPD): a small registry of purge rules, run daily by the server and by `shopflow retention run`.

Each rule deletes in short batches until nothing is left to delete, and reports rows removed per table. Rules for
data that other features add (the bridge's outbox, say) register themselves with `register`.
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from shopflow.ops.settings import OpsSettings
from shopflow.storage.db import Database
from shopflow.storage.repositories.maintenance import DELETE_BATCH, MaintenanceRepository
from shopflow.storage.repositories.sessions import SessionRepository

log = logging.getLogger(__name__)

# A rule removes one batch and says how many rows per table; it is called again until it removes nothing.
PurgeStep = Callable[[Database, datetime], dict[str, int]]


@dataclass(frozen=True, slots=True)
class PurgeRule:
    name: str
    step: PurgeStep


@dataclass(slots=True)
class RetentionReport:
    started_at: datetime
    removed: dict[str, int] = field(default_factory=dict)  # rows per table
    failed: list[str] = field(default_factory=list)  # names of rules that raised

    @property
    def total(self) -> int:
        return sum(self.removed.values())


_extra_rules: list[Callable[[OpsSettings], PurgeRule]] = []


def register(make_rule: Callable[[OpsSettings], PurgeRule]) -> Callable[[OpsSettings], PurgeRule]:
    """Add a rule to every run, e.g. the audit log's: `@register def audit(ops): return PurgeRule(...)`."""
    _extra_rules.append(make_rule)
    return make_rule


def raw_events_rule(batch: int = DELETE_BATCH) -> PurgeRule:
    """Raw events (snapshots, crossings, visits, tallies) older than each store's own retention setting."""

    def step(database: Database, now: datetime) -> dict[str, int]:
        with database.session() as session:
            retention = MaintenanceRepository(session).store_retention_days()
        removed: Counter[str] = Counter()
        for store_id, days in retention.items():
            with database.session() as session:
                removed.update(
                    MaintenanceRepository(session).delete_raw_events(store_id, now - timedelta(days=days), batch=batch)
                )
        return dict(removed)

    return PurgeRule("raw events", step)


def aggregates_rule(days: int, batch: int = DELETE_BATCH) -> PurgeRule:
    """Hourly rollups and heatmap grids, kept longer than the events they summarise."""

    def step(database: Database, now: datetime) -> dict[str, int]:
        with database.session() as session:
            return MaintenanceRepository(session).delete_aggregates(now - timedelta(days=days), batch=batch)

    return PurgeRule("aggregates", step)


def embeddings_rule() -> PurgeRule:
    """Face embeddings of employees who were deactivated or withdrew consent."""

    def step(database: Database, _now: datetime) -> dict[str, int]:
        with database.session() as session:
            return MaintenanceRepository(session).clear_unconsented_embeddings()

    return PurgeRule("employee embeddings", step)


def audit_rule(days: int, batch: int = DELETE_BATCH) -> PurgeRule:
    """Audit log entries older than AUDIT_RETENTION_DAYS: kept apart from events, since they prove who did what."""

    def step(database: Database, now: datetime) -> dict[str, int]:
        with database.session() as session:
            removed = MaintenanceRepository(session).delete_audit_entries(now - timedelta(days=days), batch=batch)
        return {"audit_log": removed}

    return PurgeRule("audit log", step)


def sessions_rule() -> PurgeRule:
    """Expired sign-in sessions, tokens and tickets: they sign nobody in, and each sign-in adds one."""

    def step(database: Database, now: datetime) -> dict[str, int]:
        with database.session() as session:
            return {"user_sessions": SessionRepository(session).purge_expired(now)}

    return PurgeRule("expired sessions", step)


def default_rules(ops: OpsSettings) -> list[PurgeRule]:
    rules = [
        raw_events_rule(),
        aggregates_rule(ops.aggregate_retention_days),
        embeddings_rule(),
        audit_rule(ops.audit_retention_days),
        sessions_rule(),
    ]
    return rules + [make(ops) for make in _extra_rules]


def run_retention(database: Database, rules: list[PurgeRule], *, now: datetime | None = None) -> RetentionReport:
    """Run every rule to completion; a failing rule is logged and reported, and the others still run."""
    report = RetentionReport(now or datetime.now(UTC))
    for rule in rules:
        try:
            while True:
                removed = rule.step(database, report.started_at)
                for table, count in removed.items():
                    if count:
                        report.removed[table] = report.removed.get(table, 0) + count
                if not any(removed.values()):
                    break
        except Exception:  # one broken rule must not keep the others from deleting what the law says to delete
            log.exception("retention rule %r failed", rule.name)
            report.failed.append(rule.name)
    log.info("retention removed %d rows: %s", report.total, report.removed or "nothing")
    return report
