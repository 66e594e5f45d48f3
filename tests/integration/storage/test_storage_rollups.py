"""Hourly rollups agree with the raw rows, and days are the store's local days."""

from __future__ import annotations

import random
from collections import defaultdict
from datetime import UTC, date, datetime, timedelta

import pytest

from shopflow.domain.events import Direction
from shopflow.domain.people import PersonKind
from shopflow.domain.stamped import PartyTally, StampedEvent
from shopflow.storage.db import Database
from shopflow.storage.repositories import EventRepository, RollupRepository
from shopflow.storage.rollup_records import Counts, DailyTotals, HourlyTotals
from shopflow.storage.writer import EventWriter

from .factories import T0, crossing, minutes, snapshot, store_with_cameras, tally, visit

KINDS = (PersonKind.CUSTOMER, PersonKind.EMPLOYEE)


def _floor(at: datetime) -> datetime:
    return at.replace(minute=0, second=0, microsecond=0)


def _random_events(rng: random.Random, hours: int, count: int) -> list[StampedEvent]:
    events: list[StampedEvent] = []
    for n in range(count):
        at = T0 + timedelta(seconds=rng.uniform(0, hours * 3600))
        roll = rng.random()
        if roll < 0.45:
            line = rng.choice(("door", "back door", "unknown line"))
            events.append(crossing(f"e{n}", at, rng.choice(list(Direction)), rng.choice(KINDS), line, track_id=n))
        elif roll < 0.7:
            events.append(visit(f"e{n}", at, dwell=round(rng.uniform(0, 1800), 3), kind=rng.choice(KINDS)))
        elif roll < 0.9:
            events.append(snapshot(f"e{n}", at, total=rng.randint(0, 40)))
        else:
            amounts = {
                "potential_customers": rng.randint(0, 4),
                "groups": rng.randint(0, 2),
                "visitors": rng.randint(0, 5),
            }
            events.append(tally(f"e{n}", at, **amounts))
    return events


def test_rollups_match_the_raw_rows(database: Database) -> None:
    store, cameras = store_with_cameras(database, cameras=2)
    rng = random.Random(20240310)
    sent: dict[int, list[StampedEvent]] = {camera.id: _random_events(rng, hours=5, count=300) for camera in cameras}
    with EventWriter(database, flush_seconds=0.02, batch_size=64) as sink:
        for camera_id, batch in sent.items():
            for first in range(0, len(batch), 25):
                sink.write(camera_id, batch[first : first + 25])
            sink.write(camera_id, rng.sample(batch, 60))  # replayed events must not count twice

    expected: dict[tuple[int, datetime], dict[str, float]] = defaultdict(lambda: defaultdict(float))
    with database.session() as session:
        repository = EventRepository(session)
        crossings = repository.crossings(store.id, limit=10_000).items
        visits = repository.visits(store.id, limit=10_000).items
        snapshots = repository.snapshots(store.id, limit=10_000).items
    assert len(crossings) + len(visits) + len(snapshots) == sum(
        1 for events in sent.values() for e in events if not isinstance(e.event, PartyTally)
    )
    for row in crossings:
        bucket = expected[(row.camera_id, _floor(row.at))]
        if row.is_entry is True:
            bucket["entries"] += 1
            bucket["customer_entries"] += row.person_kind == PersonKind.CUSTOMER
        elif row.is_entry is False:
            bucket["exits"] += 1
    for stay in visits:
        if stay.person_kind == PersonKind.CUSTOMER:
            bucket = expected[(stay.camera_id, _floor(stay.entered_at))]
            bucket["visits"] += 1
            bucket["dwell_seconds_sum"] += stay.dwell_seconds
    for sample in snapshots:
        bucket = expected[(sample.camera_id, _floor(sample.at))]
        bucket["peak_occupancy"] = max(bucket["peak_occupancy"], sample.total_people)
    for camera_id, stamped_events in sent.items():
        for stamped in stamped_events:
            if isinstance(stamped.event, PartyTally):
                bucket = expected[(camera_id, _floor(stamped.occurred_at))]
                bucket["potential_customers"] += stamped.event.potential_customers
                bucket["groups"] += stamped.event.groups
                bucket["visitors"] += stamped.event.visitors

    start, end = T0 - timedelta(hours=1), T0 + timedelta(hours=7)
    with database.session() as session:
        rollups = RollupRepository(session)
        per_camera = {camera.id: rollups.hourly(store.id, start, end, camera_id=camera.id) for camera in cameras}
        store_series = rollups.hourly(store.id, start, end)
    for camera_id, series in per_camera.items():
        for point in series:
            want = expected.get((camera_id, point.hour_start), {})
            got = point.counts
            assert point.camera_id == camera_id
            assert (got.entries, got.exits, got.customer_entries, got.visits) == (
                want.get("entries", 0),
                want.get("exits", 0),
                want.get("customer_entries", 0),
                want.get("visits", 0),
            ), point.hour_start
            assert got.dwell_seconds_sum == pytest.approx(want.get("dwell_seconds_sum", 0.0))
            assert (got.potential_customers, got.groups, got.visitors, got.peak_occupancy) == (
                want.get("potential_customers", 0),
                want.get("groups", 0),
                want.get("visitors", 0),
                want.get("peak_occupancy", 0),
            )
    assert sum(point.counts.entries for point in store_series) == sum(c.is_entry is True for c in crossings)
    for store_point, *camera_points in zip(store_series, *per_camera.values(), strict=True):
        assert store_point.counts.peak_occupancy == sum(p.counts.peak_occupancy for p in camera_points)


def test_hourly_series_is_zero_filled_and_hour_aligned(database: Database) -> None:
    store, (camera,) = store_with_cameras(database)
    with EventWriter(database, flush_seconds=0.02) as sink:
        sink.write(camera.id, [crossing("a", T0 + minutes(150))])
    with database.session() as session:
        series = RollupRepository(session).hourly(store.id, T0 + minutes(10), T0 + minutes(180))
    assert [point.hour_start for point in series] == [T0, T0 + minutes(60), T0 + minutes(120)]
    assert [point.counts.entries for point in series] == [0, 0, 1]


def test_day_buckets_follow_the_store_timezone(database: Database) -> None:
    store, (camera,) = store_with_cameras(database)  # America/Sao_Paulo, UTC-3
    night = datetime(2024, 3, 10, 2, 30, tzinfo=UTC)  # 23:30 on the 9th in São Paulo
    morning = datetime(2024, 3, 10, 3, 30, tzinfo=UTC)  # 00:30 on the 10th
    with EventWriter(database, flush_seconds=0.02) as sink:
        sink.write(
            camera.id,
            [
                crossing("night", night),
                snapshot("night-peak", night, total=9),
                crossing("morning", morning),
                crossing("morning-2", morning + minutes(5)),
                snapshot("morning-peak", morning, total=4),
            ],
        )
    with database.session() as session:
        rollups = RollupRepository(session)
        local = rollups.daily(store.id, date(2024, 3, 8), date(2024, 3, 10))
        in_utc = rollups.daily(store.id, date(2024, 3, 9), date(2024, 3, 10), timezone="UTC")
        one_camera = rollups.daily(store.id, date(2024, 3, 9), date(2024, 3, 9), camera_id=camera.id)
    assert local == [
        DailyTotals(date(2024, 3, 8), Counts()),
        DailyTotals(date(2024, 3, 9), Counts(entries=1, customer_entries=1, peak_occupancy=9)),
        DailyTotals(date(2024, 3, 10), Counts(entries=2, customer_entries=2, peak_occupancy=4)),
    ]
    assert [(day.day, day.counts.entries) for day in in_utc] == [(date(2024, 3, 9), 0), (date(2024, 3, 10), 3)]
    assert one_camera == [
        DailyTotals(date(2024, 3, 9), Counts(entries=1, customer_entries=1, peak_occupancy=9), camera.id)
    ]


def test_daily_checks_its_range(database: Database) -> None:
    store, _ = store_with_cameras(database)
    with database.session() as session, pytest.raises(ValueError, match="before first_day"):
        RollupRepository(session).daily(store.id, date(2024, 3, 10), date(2024, 3, 9))


def test_last_updated(database: Database) -> None:
    store, (one, two) = store_with_cameras(database, cameras=2)
    with database.session() as session:
        assert RollupRepository(session).last_updated(store.id) is None
    before = datetime.now(UTC)
    with EventWriter(database, flush_seconds=0.02) as sink:
        sink.write(one.id, [crossing("a", T0)])
    after = datetime.now(UTC)
    with database.session() as session:
        rollups = RollupRepository(session)
        updated = rollups.last_updated(store.id)
        assert rollups.last_updated(store.id, camera_id=two.id) is None
    assert updated is not None
    assert updated.tzinfo == UTC
    assert before <= updated <= after


def test_peak_keeps_the_highest_snapshot_across_flushes(database: Database) -> None:
    store, (camera,) = store_with_cameras(database)
    with EventWriter(database, flush_seconds=0.02) as sink:
        for n, total in enumerate((3, 8, 5)):
            sink.write(camera.id, [snapshot(f"s{n}", T0 + minutes(n), total)])
            assert sink.flush()
    with database.session() as session:
        (point,) = RollupRepository(session).hourly(store.id, T0, T0 + minutes(60))
    assert point == HourlyTotals(T0, Counts(peak_occupancy=8))
