"""Data retention removes exactly what is too old (per store), keeps the aggregates longer, and erases the
embeddings of employees who left, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from shopflow.domain.stamped import HeatmapTally, StampedEvent
from shopflow.ops import retention
from shopflow.ops.retention import (
    PurgeRule,
    aggregates_rule,
    audit_rule,
    embeddings_rule,
    raw_events_rule,
    run_retention,
)
from shopflow.ops.settings import OpsSettings
from shopflow.storage.db import Database
from shopflow.storage.models import AuditRow, CrossingRow, EmployeeFaceRow, EmployeeRow, HourlyRollupRow
from shopflow.storage.repositories import PrivacyRepository
from shopflow.storage.repositories.staff_registry import ConsentMethod, StaffRegistry
from shopflow.storage.writer import EventWriter

from ..storage.factories import crossing, snapshot, store_with_cameras, tally, visit
from .helpers import add_employee, all_rows, has_legacy_embedding

NOW = datetime(2026, 6, 1, 12, 30, tzinfo=UTC)
RAW = ("camera_events", "crossings", "visits", "party_tallies", "heatmap_tallies")


def events_at(prefix: str, at: datetime) -> list[StampedEvent]:
    """Two crossings, a visit, a snapshot, a tally and a heatmap tally: a bit of every raw table, in one hour."""
    heat = HeatmapTally(at=0.0, columns=2, rows=1, cells=(1.0, 2.0), frame_width=640, frame_height=480)
    return [
        StampedEvent(heat, at + timedelta(minutes=5), f"{prefix}-h"),
        crossing(f"{prefix}-c1", at, track_id=1),
        crossing(f"{prefix}-c2", at + timedelta(minutes=1), track_id=2),
        visit(f"{prefix}-v", at + timedelta(minutes=2), 30.0),
        snapshot(f"{prefix}-s", at + timedelta(minutes=3), 2),
        tally(f"{prefix}-t", at + timedelta(minutes=4), 1, 0, 2),
    ]


@pytest.fixture
def aged(database: Database) -> tuple[Database, int, int]:
    """Store A keeps events 30 days, store B the default 90; each has events just inside and just outside."""
    store_a, (camera_a,) = store_with_cameras(database)
    store_b, (camera_b,) = store_with_cameras(database)
    with database.session() as session:
        PrivacyRepository(session).update(store_a.id, retention_days=30)
    with EventWriter(database) as writer:
        writer.write(
            camera_a.id, events_at("a-old", NOW - timedelta(days=31)) + events_at("a-new", NOW - timedelta(days=29))
        )
        writer.write(
            camera_b.id, events_at("b-old", NOW - timedelta(days=91)) + events_at("b-new", NOW - timedelta(days=89))
        )
    return database, store_a.id, store_b.id


def keys(database: Database) -> set[str]:
    with database.session() as session:
        return set(session.scalars(select(CrossingRow.event_key)))


def rollup_hours(database: Database) -> list[datetime]:
    with database.session() as session:
        return sorted(session.scalars(select(HourlyRollupRow.hour_start)))


def test_raw_events_go_after_each_stores_retention_and_rollups_stay(
    aged: tuple[Database, int, int], db_url: str
) -> None:
    database, _a, _b = aged
    before = all_rows(db_url)
    hours = rollup_hours(database)
    assert len(hours) == 4

    # A batch of 2 makes every rule loop, as it does over millions of rows with the real batch size.
    report = run_retention(database, [raw_events_rule(batch=2), aggregates_rule(100, batch=2)], now=NOW)

    assert report.removed == {
        "crossings": 4,
        "visits": 2,
        "camera_events": 2,
        "party_tallies": 2,
        "heatmap_tallies": 2,
    }
    assert report.failed == []
    assert keys(database) == {"a-new-c1", "a-new-c2", "b-new-c1", "b-new-c2"}
    after = all_rows(db_url)
    for table in RAW:
        assert len(after[table]) == len(before[table]) // 2, table
    # Everything else, the hourly rollups of the deleted events included, is untouched.
    for table in set(before) - set(RAW):
        assert after[table] == before[table], table

    # A second run finds nothing more to do.
    assert run_retention(database, [raw_events_rule(), aggregates_rule(100)], now=NOW).removed == {}


def test_aggregates_have_their_own_longer_retention(aged: tuple[Database, int, int]) -> None:
    database, _a, _b = aged
    hours = rollup_hours(database)
    report = run_retention(database, [aggregates_rule(90, batch=1)], now=NOW)
    assert report.removed == {"hourly_rollups": 1, "heatmap_hourly": 1}
    assert rollup_hours(database) == hours[1:]  # only B's 91-day-old hour went
    assert len(keys(database)) == 8  # raw events are another rule's business


def test_embeddings_of_employees_who_left_are_erased(database: Database) -> None:
    store, _cameras = store_with_cameras(database)
    staying = add_employee(database, store.id, "Ana", active=True)
    leaving = add_employee(database, store.id, "Bia", active=False)
    report = run_retention(database, [embeddings_rule()], now=NOW)
    assert report.removed == {"employees.embedding": 1}
    assert has_legacy_embedding(database, staying)
    assert not has_legacy_embedding(database, leaving)
    with database.session() as session:
        assert StaffRegistry(session).get(leaving).name == "Bia"  # the person's record stays; only the biometric goes


def test_rules_plug_in_and_a_failing_rule_does_not_stop_the_others(
    aged: tuple[Database, int, int], monkeypatch: pytest.MonkeyPatch
) -> None:
    database, _a, _b = aged
    monkeypatch.setattr(retention, "_extra_rules", [])
    calls: list[datetime] = []

    @retention.register
    def outbox(ops: OpsSettings) -> PurgeRule:
        def step(_database: Database, now: datetime) -> dict[str, int]:
            calls.append(now - timedelta(days=ops.audit_retention_days))
            raise RuntimeError("no outbox table yet")

        return PurgeRule("bridge outbox", step)

    rules = retention.default_rules(OpsSettings(_env_file=None, audit_retention_days=180))  # type: ignore[call-arg]
    names = [rule.name for rule in rules]
    assert names == [
        "raw events",
        "aggregates",
        "employee embeddings",
        "audit log",
        "expired sessions",
        "bridge outbox",
    ]
    report = run_retention(database, rules, now=NOW)
    assert report.failed == ["bridge outbox"]
    assert calls == [NOW - timedelta(days=180)]
    assert report.removed["crossings"] == 4


def test_enrolled_faces_go_when_the_employee_leaves_or_withdraws_consent(database: Database) -> None:
    store, _cameras = store_with_cameras(database)
    with database.session() as session:
        registry = StaffRegistry(session)
        ids = []
        for code in ("E1", "E2", "E3"):
            profile = registry.create(store.id, f"Employee {code}", code)
            registry.record_consent(profile.id, recorded_by="owner", text_version="v1", method=ConsentMethod.FACE)
            registry.add_face(profile.id, b"\x01" * 512, "dlib", actor="owner")
            ids.append(profile.id)
        staying, leaving, withdrawing = ids
        registry.set_active(leaving, False)
        # Bypasses withdraw_consent (which drops faces itself) to show the purge catches what a bug could leave.
        session.get(EmployeeRow, withdrawing).consent_method = str(ConsentMethod.NO_BIOMETRICS)  # type: ignore[union-attr]
    report = run_retention(database, [embeddings_rule()], now=NOW)
    assert report.removed == {"employee_faces": 2}
    with database.session() as session:
        owners = sorted(session.scalars(select(EmployeeFaceRow.employee_id)))
    assert owners == [staying]


def test_the_audit_log_keeps_its_own_retention(database: Database) -> None:
    store, _cameras = store_with_cameras(database)
    with database.session() as session:
        for days in (400, 366, 364, 1):
            session.add(
                AuditRow(store_id=store.id, at=NOW - timedelta(days=days), actor="owner", action="x", subject=f"{days}")
            )
    report = run_retention(database, [audit_rule(365, batch=1)], now=NOW)
    assert report.removed == {"audit_log": 2}
    with database.session() as session:
        kept = sorted(session.scalars(select(AuditRow.subject)))
    assert kept == ["1", "364"]
