"""Analytics latency at scale: loads a year of people-counting events into a fresh database and times the
dashboard's reports (today, 90-day hourly and daily series) through the real services. Prints figures.

    .venv/bin/python bench/analytics_queries.py [--events 10000000] [--cameras 50] [--days 365] [--keep]
        [--pg-url postgresql://postgres@127.0.0.1:5432/test] [--sqlite-events 1000000] [--sqlite-cameras 10]

The PostgreSQL database (`--db-name`, default shopflow_bench) is dropped and recreated, migrated to head, and
filled with server-side SQL (generate_series), because the event writer would take hours for 10 million events.
The hourly rollups are then built from the raw rows with the writer's rules, and a sample of camera-hours is
checked against `rollup_deltas` (the writer's own code) so the rollups are exactly what the writer would keep.
"""

from __future__ import annotations

import argparse
import gc
import logging
import os
import re
import sqlite3
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import numpy as np
import numpy.typing as npt
from sqlalchemy import Connection, Engine, create_engine, event, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from shopflow.reports.periods import local_now
from shopflow.reports.series import daily_series, hourly_series
from shopflow.reports.today import today
from shopflow.storage import migrate
from shopflow.storage.db import Database, normalise_url
from shopflow.storage.event_records import NewCrossing, NewSnapshot, NewTally, NewVisit
from shopflow.storage.records import WEEKDAYS, InsideSide, LineConfig, ZoneConfig
from shopflow.storage.repositories import CameraRepository, EventRepository, RollupRepository, StoreRepository
from shopflow.storage.repositories.rollups import rollup_deltas
from shopflow.storage.rollup_records import Counts, RollupKey

PG_ADMIN_URLS = (
    "postgresql+psycopg://postgres@127.0.0.1:5432/test",
    "postgresql+psycopg://root@127.0.0.1:5432/test",
)
TIMEZONE = "America/Sao_Paulo"
HOUR = timedelta(hours=1)
HOUR_US = 3_600_000_000

# The store's week: a mall shop, open late on weekdays and shorter on Sunday.
OPENING_HOURS = {day: {"open": "09:00", "close": "22:00"} for day in WEEKDAYS[:6]} | {
    "sun": {"open": "12:00", "close": "20:00"}
}
WEEKDAY_TRAFFIC = (0.80, 0.85, 0.90, 0.95, 1.15, 1.50, 1.25)  # Monday .. Sunday: weekends are busier
MONTH_TRAFFIC = {1: 0.85, 2: 0.90, 5: 1.05, 6: 1.05, 11: 1.15, 12: 1.40}  # sales, Black Friday, Christmas
STAFF_HOUR_TRAFFIC = 0.04  # the hour before opening and after closing: staff only, a trickle
EMPLOYEE_SHARE = 0.06  # of the crossings while the store is open
UNKNOWN_LINE_SHARE = 0.01  # crossings of a line removed from the camera's config: is_entry NULL, not counted
VISITS_PER_CROSSING = 0.10
TALLIES_PER_CROSSING = 0.05
SNAPSHOTS_PER_HOUR = 4  # a real camera snapshots every few seconds; a few per hour are enough for the peaks

DOOR = LineConfig("door", (0.1, 0.6), (0.9, 0.6), InsideSide.POSITIVE)  # `in` is an entry
SHELF = ZoneConfig("shelf", ((0.2, 0.1), (0.8, 0.1), (0.8, 0.5), (0.2, 0.5)))
PARTY_SIZES = (1, 2, 3, 4, 5, 6)
PARTY_SHARES = (0.45, 0.30, 0.13, 0.08, 0.03, 0.01)


# --- the traffic plan -----------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Plan:
    """How many events each camera has in each UTC hour; one entry per camera-hour with any event."""

    store_id: int
    first_hour: datetime  # UTC; hours run first_hour + hour_index
    hour_index: npt.NDArray[np.int64]
    camera_id: npt.NDArray[np.int64]
    is_open: npt.NDArray[np.bool_]  # the store is open (staff-only hours have employees only)
    crossings: npt.NDArray[np.int64]
    visits: npt.NDArray[np.int64]
    tallies: npt.NDArray[np.int64]
    snapshots: npt.NDArray[np.int64]

    def __len__(self) -> int:
        return len(self.hour_index)

    def hour_starts(self) -> list[datetime]:
        return [self.first_hour + HOUR * int(index) for index in self.hour_index]


def _opening(day: str) -> tuple[int, int]:
    hours = OPENING_HOURS[day]
    return int(hours["open"][:2]), int(hours["close"][:2])


def hour_weights(first_hour: datetime, hours: int, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """Relative traffic of each UTC hour on the store's clock, and whether the store is open then."""
    zone = ZoneInfo(TIMEZONE)
    weights = np.zeros(hours)
    is_open = np.zeros(hours, dtype=bool)
    day_factor: dict[date, float] = {}  # weather, paydays: some days are just busier
    for index in range(hours):
        local = (first_hour + HOUR * index).astimezone(zone)
        opens, closes = _opening(WEEKDAYS[local.weekday()])
        factor = day_factor.setdefault(local.date(), float(rng.uniform(0.85, 1.15)))
        middle = local.hour + 0.5
        if opens <= local.hour < closes:
            # A lunch peak and a bigger after-work peak over a steady base.
            shape = (
                0.35 + 0.55 * np.exp(-(((middle - 12.75) / 1.3) ** 2)) + 0.9 * np.exp(-(((middle - 18.5) / 1.8) ** 2))
            )
            weights[index] = shape * WEEKDAY_TRAFFIC[local.weekday()] * MONTH_TRAFFIC.get(local.month, 1.0) * factor
            is_open[index] = True
        elif local.hour in (opens - 1, closes):
            weights[index] = STAFF_HOUR_TRAFFIC
    return weights, is_open


def make_plan(store_id: int, camera_ids: Sequence[int], events: int, days: int, seed: int) -> Plan:
    """`events` crossings over the `days` before the current hour, shaped by hour, weekday and season."""
    rng = np.random.default_rng(seed)
    current_hour = datetime.now(UTC).replace(minute=0, second=0, microsecond=0)
    hours = days * 24
    first_hour = current_hour - HOUR * hours
    by_hour, open_hours = hour_weights(first_hour, hours, rng)
    by_camera = rng.lognormal(0.0, 0.6, len(camera_ids))  # the entrance cameras see far more than the back ones
    weights = np.outer(by_hour, by_camera) * rng.uniform(0.8, 1.2, (hours, len(camera_ids)))
    # Cumulative rounding: every camera-hour gets its share and the total is exactly `events`.
    cumulative = np.rint(np.cumsum(weights.ravel()) / weights.sum() * events).astype(np.int64)
    crossings = np.diff(cumulative, prepend=0)
    hour_index = np.repeat(np.arange(hours, dtype=np.int64), len(camera_ids))
    cameras = np.tile(np.asarray(camera_ids, dtype=np.int64), hours)
    visits = rng.binomial(crossings, VISITS_PER_CROSSING)
    # A visit lasts up to 30 minutes; none in the last hour, so no stay ends in the future.
    visits[hour_index == hours - 1] = 0
    tallies = rng.binomial(crossings, TALLIES_PER_CROSSING)
    snapshots = np.where(crossings > 0, SNAPSHOTS_PER_HOUR, 0)
    keep = (crossings + visits + tallies + snapshots) > 0
    return Plan(
        store_id=store_id,
        first_hour=first_hour,
        hour_index=hour_index[keep],
        camera_id=cameras[keep],
        is_open=open_hours[hour_index][keep],
        crossings=crossings[keep],
        visits=visits[keep],
        tallies=tallies[keep],
        snapshots=snapshots[keep],
    )


def _first_seq(counts: npt.NDArray[np.int64]) -> npt.NDArray[np.int64]:
    """Where each camera-hour's numbering starts, so every event key is unique."""
    return np.cumsum(counts) - counts


# --- databases ------------------------------------------------------------------------------------------------


def find_admin_url(candidates: Sequence[str]) -> str:
    reasons = []
    for url in candidates:
        engine = create_engine(normalise_url(url), connect_args={"connect_timeout": 5})
        try:
            with engine.connect() as connection:
                connection.execute(text("SELECT 1"))
            return normalise_url(url)
        except OperationalError as error:
            reasons.append(f"{url}: {str(error.orig or error).strip().splitlines()[0]}")
        finally:
            engine.dispose()
    raise SystemExit("PostgreSQL is not reachable:\n  " + "\n  ".join(reasons))


def _admin(admin_url: str) -> Engine:
    return create_engine(admin_url, isolation_level="AUTOCOMMIT")


def recreate_database(admin_url: str, name: str) -> str:
    """Drop and create database `name` on the admin URL's server; returns its URL."""
    admin = _admin(admin_url)
    try:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            connection.execute(text(f'CREATE DATABASE "{name}"'))
    finally:
        admin.dispose()
    return make_url(admin_url).set(database=name).render_as_string(hide_password=False)


def drop_database(admin_url: str, name: str) -> None:
    admin = _admin(admin_url)
    try:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    finally:
        admin.dispose()


def create_store(database: Database, cameras: int) -> tuple[int, list[int]]:
    with database.session() as session:
        store = StoreRepository(session).create_with_organisation(
            "Bench Retail", "Shopping Centro", timezone=TIMEZONE, opening_hours=OPENING_HOURS
        )
        repository = CameraRepository(session)
        ids = [
            repository.create(
                store.id, f"camera {n:02d}", f"rtsp://10.0.0.{n}/stream", lines=(DOOR,), zones=(SHELF,)
            ).id
            for n in range(1, cameras + 1)
        ]
    return store.id, ids


@contextmanager
def stopwatch(label: str, timings: list[tuple[str, float]]) -> Iterator[None]:
    started = time.perf_counter()
    yield
    seconds = time.perf_counter() - started
    timings.append((label, seconds))
    print(f"  {label:<34} {seconds:8.1f} s", flush=True)


# The store-hour rows, as migration 0005 builds them from the camera rows (the writer keeps both in step).
STORE_ROLLUP_SQL = """
    INSERT INTO store_hourly_rollups (store_id, hour_start, entries, exits, customer_entries, visits,
                                      dwell_seconds_sum, potential_customers, groups, visitors, peak_occupancy,
                                      updated_at)
    SELECT store_id, hour_start, SUM(entries), SUM(exits), SUM(customer_entries), SUM(visits),
           SUM(dwell_seconds_sum), SUM(potential_customers), SUM(groups), SUM(visitors), SUM(peak_occupancy),
           MAX(updated_at)
    FROM hourly_rollups GROUP BY store_id, hour_start
"""


def rollup_sql(hour: Callable[[str], str]) -> str:
    """The hourly rollups from the raw rows, by the rules of `rollup_deltas`: crossings of a known line (entries
    include employees), customers' visits in the hour they began, the highest snapshot, and the tallies' sums.
    `hour` truncates a timestamp column to its UTC hour in the dialect's own way."""
    return f"""
        INSERT INTO hourly_rollups (store_id, camera_id, hour_start, entries, exits, customer_entries, visits,
                                    dwell_seconds_sum, potential_customers, groups, visitors, peak_occupancy,
                                    updated_at)
        SELECT store_id, camera_id, hour_start, SUM(entries), SUM(exits), SUM(customer_entries), SUM(visits),
               SUM(dwell_seconds_sum), SUM(potential_customers), SUM(groups), SUM(visitors), MAX(peak_occupancy),
               MAX(last_at)
        FROM (
            SELECT store_id, camera_id, {hour("at")} AS hour_start,
                   COUNT(*) FILTER (WHERE is_entry) AS entries, COUNT(*) FILTER (WHERE NOT is_entry) AS exits,
                   COUNT(*) FILTER (WHERE is_entry AND person_kind = 'customer') AS customer_entries,
                   0 AS visits, 0.0 AS dwell_seconds_sum, 0 AS potential_customers, 0 AS groups, 0 AS visitors,
                   0 AS peak_occupancy, MAX(at) AS last_at
            FROM crossings WHERE is_entry IS NOT NULL GROUP BY store_id, camera_id, {hour("at")}
            UNION ALL
            SELECT store_id, camera_id, {hour("entered_at")}, 0, 0, 0, COUNT(*), SUM(dwell_seconds), 0, 0, 0, 0,
                   MAX(exited_at)
            FROM visits WHERE person_kind = 'customer' GROUP BY store_id, camera_id, {hour("entered_at")}
            UNION ALL
            SELECT store_id, camera_id, {hour("at")}, 0, 0, 0, 0, 0.0, 0, 0, 0, MAX(total_people), MAX(at)
            FROM camera_events GROUP BY store_id, camera_id, {hour("at")}
            UNION ALL
            SELECT store_id, camera_id, {hour("at")}, 0, 0, 0, 0, 0.0, SUM(potential_customers), SUM(groups),
                   SUM(visitors), 0, MAX(at)
            FROM party_tallies GROUP BY store_id, camera_id, {hour("at")}
        ) AS deltas
        GROUP BY store_id, camera_id, hour_start
        ORDER BY hour_start, camera_id
    """


# --- PostgreSQL load: server-side generate_series -------------------------------------------------------------

# Each random() sits in a subquery fenced by OFFSET 0, so it is drawn once per row and columns that depend on
# the same draw (direction and is_entry) agree. Keys are zero-padded so each camera's keys grow in order and the
# unique index is appended to rather than split at random, as with a live writer's increasing stream times.
PG_CROSSINGS = """
    INSERT INTO crossings (camera_id, store_id, line, direction, is_entry, track_id, person_kind, at, event_key)
    SELECT camera_id, :store_id, line, direction, CASE WHEN line = 'door' THEN direction = 'in' END, seq, kind, at,
           'bench:' || camera_id || ':crossing:' || line || ':' || lpad(seq::text, 12, '0')
    FROM (
        SELECT p.camera_id, p.crossing_seq + g AS seq,
               CASE WHEN random() < :unknown_line THEN 'service door' ELSE 'door' END AS line,
               CASE WHEN random() < 0.5 THEN 'in' ELSE 'out' END AS direction,
               CASE WHEN p.is_open AND random() >= :employee_share THEN 'customer' ELSE 'employee' END AS kind,
               p.hour_start + floor(random() * 3600000000) * interval '1 microsecond' AS at
        FROM bench_plan p CROSS JOIN LATERAL generate_series(1, p.crossings) AS g
        OFFSET 0
    ) AS c
"""
PG_VISITS = """
    INSERT INTO visits (camera_id, store_id, zone, track_id, person_kind, entered_at, exited_at, dwell_seconds,
                        event_key)
    SELECT camera_id, :store_id, 'shelf', seq, kind, entered_at, entered_at + dwell * interval '1 second', dwell,
           'bench:' || camera_id || ':visit:shelf:' || lpad(seq::text, 12, '0')
    FROM (
        SELECT p.camera_id, p.visit_seq + g AS seq,
               CASE WHEN p.is_open AND random() >= :employee_share THEN 'customer' ELSE 'employee' END AS kind,
               p.hour_start + floor(random() * 3600000000) * interval '1 microsecond' AS entered_at,
               -- whole half-seconds: sums are exact in any order, so the check can demand equality
               floor(power(random(), 2) * 3600) / 2 AS dwell
        FROM bench_plan p CROSS JOIN LATERAL generate_series(1, p.visits) AS g
        OFFSET 0
    ) AS v
"""
PG_TALLIES = """
    INSERT INTO party_tallies (camera_id, store_id, at, potential_customers, groups, visitors, event_key)
    SELECT camera_id, :store_id, at, CASE WHEN size >= 5 THEN 2 ELSE 1 END, CASE WHEN size >= 2 THEN 1 ELSE 0 END,
           size, 'bench:' || camera_id || ':party:' || lpad(seq::text, 12, '0')
    FROM (
        SELECT camera_id, seq, at,
               CASE WHEN r < 0.45 THEN 1 WHEN r < 0.75 THEN 2 WHEN r < 0.88 THEN 3 WHEN r < 0.96 THEN 4
                    WHEN r < 0.99 THEN 5 ELSE 6 END AS size
        FROM (
            SELECT p.camera_id, p.tally_seq + g AS seq, random() AS r,
                   p.hour_start + floor(random() * 3600000000) * interval '1 microsecond' AS at
            FROM bench_plan p CROSS JOIN LATERAL generate_series(1, p.tallies) AS g
            OFFSET 0
        ) AS drawn
    ) AS t
"""
PG_SNAPSHOTS = """
    INSERT INTO camera_events (camera_id, store_id, at, total_people, customers, employees, groups,
                               potential_customers, processing_time_ms, event_key)
    SELECT camera_id, :store_id, at, total, total - staff, staff, total / 6, GREATEST(total - staff - total / 6, 0),
           ms, 'bench:' || camera_id || ':snapshot:' || lpad(seq::text, 12, '0')
    FROM (
        SELECT camera_id, seq, at, total, LEAST(total, staff) AS staff, ms
        FROM (
            SELECT p.camera_id, p.snapshot_seq + g AS seq,
                   p.hour_start + (g - 1) * (interval '1 hour' / p.snapshots)
                       + floor(random() * (3600000000 / p.snapshots)) * interval '1 microsecond' AS at,
                   floor(random() * (p.crossings / 8.0 + 1))::int AS total,
                   floor(random() * 2)::int AS staff,
                   8 + random() * 10 AS ms
            FROM bench_plan p CROSS JOIN LATERAL generate_series(1, p.snapshots) AS g
            OFFSET 0
        ) AS drawn
    ) AS s
"""
PLAN_COLUMNS = (
    "camera_id",
    "hour_start",
    "is_open",
    "crossings",
    "visits",
    "tallies",
    "snapshots",
    "crossing_seq",
    "visit_seq",
    "tally_seq",
    "snapshot_seq",
)


def _copy_plan(connection: Connection, plan: Plan) -> None:
    connection.exec_driver_sql(
        "CREATE TEMPORARY TABLE bench_plan (camera_id int, hour_start timestamptz, is_open boolean, crossings int,"
        " visits int, tallies int, snapshots int, crossing_seq bigint, visit_seq bigint, tally_seq bigint,"
        " snapshot_seq bigint) ON COMMIT PRESERVE ROWS"
    )
    columns = (
        plan.camera_id.tolist(),
        plan.hour_starts(),
        plan.is_open.tolist(),
        plan.crossings.tolist(),
        plan.visits.tolist(),
        plan.tallies.tolist(),
        plan.snapshots.tolist(),
        _first_seq(plan.crossings).tolist(),
        _first_seq(plan.visits).tolist(),
        _first_seq(plan.tallies).tolist(),
        _first_seq(plan.snapshots).tolist(),
    )
    driver = connection.connection.driver_connection
    assert driver is not None
    with driver.cursor() as cursor, cursor.copy(f"COPY bench_plan ({', '.join(PLAN_COLUMNS)}) FROM STDIN") as copy:
        for row in zip(*columns, strict=True):
            copy.write_row(row)
    connection.exec_driver_sql("ANALYZE bench_plan")


def load_postgres(database: Database, plan: Plan, seed: int) -> list[tuple[str, float]]:
    timings: list[tuple[str, float]] = []
    params = {"store_id": plan.store_id, "unknown_line": UNKNOWN_LINE_SHARE, "employee_share": EMPLOYEE_SHARE}
    with database.engine.connect() as connection:
        # Bulk-load settings for this session only: big sorts and hashes in memory, no fsync wait per commit.
        connection.exec_driver_sql("SET work_mem = '256MB'")
        connection.exec_driver_sql("SET synchronous_commit = off")
        connection.execute(text("SELECT setseed(:seed)"), {"seed": (seed % 1000) / 1000})
        with stopwatch(f"plan ({len(plan):,} camera-hours)", timings):
            _copy_plan(connection, plan)
            connection.commit()
        for label, statement in (
            (f"crossings ({int(plan.crossings.sum()):,})", PG_CROSSINGS),
            (f"visits ({int(plan.visits.sum()):,})", PG_VISITS),
            (f"party tallies ({int(plan.tallies.sum()):,})", PG_TALLIES),
            (f"snapshots ({int(plan.snapshots.sum()):,})", PG_SNAPSHOTS),
        ):
            with stopwatch(label, timings):
                connection.execute(text(statement), params)
                connection.commit()
        with stopwatch("hourly rollups", timings):
            connection.exec_driver_sql(rollup_sql(lambda column: f"date_trunc('hour', {column}, 'UTC')"))
            connection.commit()
        with stopwatch("store-hour rollups", timings):
            connection.exec_driver_sql(STORE_ROLLUP_SQL)
            connection.commit()
        connection.exec_driver_sql("DROP TABLE bench_plan")
        connection.commit()
    # What autovacuum would have done by now on a live database: statistics, and the visibility map that
    # index-only scans rely on.
    with (
        stopwatch("VACUUM ANALYZE", timings),
        database.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection,
    ):
        connection.exec_driver_sql("VACUUM (ANALYZE)")
    return timings


# --- SQLite load: rows made with numpy, inserted with executemany ----------------------------------------------


def _expand(
    plan: Plan, counts: npt.NDArray[np.int64]
) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64], npt.NDArray[np.int64]]:
    """Per event: its camera-hour (plan index), its number within the camera-hour (1-based), its key number."""
    owner = np.repeat(np.arange(len(plan)), counts)
    within = np.arange(len(owner)) - np.repeat(_first_seq(counts), counts) + 1
    return owner, within, _first_seq(counts)[owner] + within


def _sqlite_times(plan: Plan, owner: npt.NDArray[np.int64], offset_us: npt.NDArray[np.int64]) -> list[str]:
    first_us = int(plan.first_hour.timestamp()) * 1_000_000
    instants = (first_us + plan.hour_index[owner] * HOUR_US + offset_us).astype("datetime64[us]")
    # UTCDateTime's SQLite form: the UTC wall time as 'YYYY-MM-DD HH:MM:SS.ffffff'.
    return [value.replace("T", " ") for value in np.datetime_as_string(instants, unit="us").tolist()]


def load_sqlite(path: Path, plan: Plan, seed: int) -> list[tuple[str, float]]:
    rng = np.random.default_rng(seed)
    timings: list[tuple[str, float]] = []
    store = plan.store_id
    connection = sqlite3.connect(path, isolation_level=None)
    try:
        connection.execute("BEGIN")
        with stopwatch(f"crossings ({int(plan.crossings.sum()):,})", timings):
            owner, _, seq = _expand(plan, plan.crossings)
            size = len(owner)
            unknown = rng.random(size) < UNKNOWN_LINE_SHARE
            inward = rng.random(size) < 0.5
            customer = plan.is_open[owner] & (rng.random(size) >= EMPLOYEE_SHARE)
            at = _sqlite_times(plan, owner, rng.integers(0, HOUR_US, size))
            connection.executemany(
                "INSERT INTO crossings (camera_id, store_id, line, direction, is_entry, track_id, person_kind, at,"
                " event_key) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    (
                        camera,
                        store,
                        line := "service door" if gone else "door",
                        "in" if into else "out",
                        None if gone else int(into),
                        number,
                        "customer" if buyer else "employee",
                        when,
                        f"bench:{camera}:crossing:{line}:{number:012d}",
                    )
                    for camera, number, gone, into, buyer, when in zip(
                        plan.camera_id[owner].tolist(),
                        seq.tolist(),
                        unknown.tolist(),
                        inward.tolist(),
                        customer.tolist(),
                        at,
                        strict=True,
                    )
                ),
            )
        with stopwatch(f"visits ({int(plan.visits.sum()):,})", timings):
            owner, _, seq = _expand(plan, plan.visits)
            size = len(owner)
            customer = plan.is_open[owner] & (rng.random(size) >= EMPLOYEE_SHARE)
            entered_us = rng.integers(0, HOUR_US, size)
            dwell = np.floor(rng.random(size) ** 2 * 3600) / 2
            entered = _sqlite_times(plan, owner, entered_us)
            exited = _sqlite_times(plan, owner, entered_us + (dwell * 1_000_000).astype(np.int64))
            connection.executemany(
                "INSERT INTO visits (camera_id, store_id, zone, track_id, person_kind, entered_at, exited_at,"
                " dwell_seconds, event_key) VALUES (?, ?, 'shelf', ?, ?, ?, ?, ?, ?)",
                (
                    (
                        camera,
                        store,
                        number,
                        "customer" if buyer else "employee",
                        start,
                        end,
                        seconds,
                        f"bench:{camera}:visit:shelf:{number:012d}",
                    )
                    for camera, number, buyer, start, end, seconds in zip(
                        plan.camera_id[owner].tolist(),
                        seq.tolist(),
                        customer.tolist(),
                        entered,
                        exited,
                        dwell.tolist(),
                        strict=True,
                    )
                ),
            )
        with stopwatch(f"party tallies ({int(plan.tallies.sum()):,})", timings):
            owner, _, seq = _expand(plan, plan.tallies)
            sizes = rng.choice(PARTY_SIZES, size=len(owner), p=PARTY_SHARES)
            at = _sqlite_times(plan, owner, rng.integers(0, HOUR_US, len(owner)))
            connection.executemany(
                "INSERT INTO party_tallies (camera_id, store_id, at, potential_customers, groups, visitors, event_key)"
                " VALUES (?, ?, ?, ?, ?, ?, ?)",
                (
                    (
                        camera,
                        store,
                        when,
                        2 if party >= 5 else 1,
                        int(party >= 2),
                        party,
                        f"bench:{camera}:party:{number:012d}",
                    )
                    for camera, number, party, when in zip(
                        plan.camera_id[owner].tolist(), seq.tolist(), sizes.tolist(), at, strict=True
                    )
                ),
            )
        with stopwatch(f"snapshots ({int(plan.snapshots.sum()):,})", timings):
            owner, within, seq = _expand(plan, plan.snapshots)
            slot = HOUR_US // np.maximum(plan.snapshots[owner], 1)
            at = _sqlite_times(plan, owner, (within - 1) * slot + rng.integers(0, slot))
            totals = np.floor(rng.random(len(owner)) * (plan.crossings[owner] / 8.0 + 1)).astype(np.int64)
            staff = np.minimum(totals, rng.integers(0, 2, len(owner)))
            connection.executemany(
                "INSERT INTO camera_events (camera_id, store_id, at, total_people, customers, employees, groups,"
                " potential_customers, processing_time_ms, event_key) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    (
                        camera,
                        store,
                        when,
                        total,
                        total - workers,
                        workers,
                        total // 6,
                        max(total - workers - total // 6, 0),
                        8 + 10 * float(draw),
                        f"bench:{camera}:snapshot:{number:012d}",
                    )
                    for camera, number, when, total, workers, draw in zip(
                        plan.camera_id[owner].tolist(),
                        seq.tolist(),
                        at,
                        totals.tolist(),
                        staff.tolist(),
                        rng.random(len(owner)).tolist(),
                        strict=True,
                    )
                ),
            )
        with stopwatch("hourly rollups", timings):
            connection.execute(rollup_sql(lambda column: f"(substr({column}, 1, 13) || ':00:00.000000')"))
        with stopwatch("store-hour rollups", timings):
            connection.execute(STORE_ROLLUP_SQL)
        connection.execute("COMMIT")
        with stopwatch("ANALYZE", timings):
            connection.execute("ANALYZE")
            connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")  # so the file size is the database's
    finally:
        connection.close()
    return timings


# --- checks -----------------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class RollupCheck:
    sampled: int
    matched: int
    mismatches: list[str]


def check_rollups(database: Database, plan: Plan, samples: int, seed: int) -> RollupCheck:
    """Recompute sampled camera-hours with `rollup_deltas` (the writer's code) from the raw rows and compare."""
    rng = np.random.default_rng(seed + 1)
    busy = rng.choice(len(plan), size=min(samples, len(plan)), replace=False)
    store = plan.store_id
    mismatches: list[str] = []
    picks = [(plan.first_hour + HOUR * int(plan.hour_index[i]), int(plan.camera_id[i])) for i in busy]
    # The last hours (today's) and the busiest camera-hour are where mistakes would show first.
    picks.append((plan.first_hour + HOUR * int(plan.hour_index[-1]), int(plan.camera_id[-1])))
    top = int(np.argmax(plan.crossings))
    picks.append((plan.first_hour + HOUR * int(plan.hour_index[top]), int(plan.camera_id[top])))
    for hour, camera in picks:
        with database.session() as session:
            events = EventRepository(session)
            window: dict[str, Any] = {"camera_id": camera, "since": hour, "until": hour + HOUR, "limit": 1_000_000}
            crossings = [
                NewCrossing(
                    row.camera_id,
                    row.store_id,
                    row.line,
                    row.direction,
                    row.is_entry,
                    row.track_id,
                    row.person_kind,
                    row.at,
                    row.event_key,
                )
                for row in events.crossings(store, **window).items
            ]
            visits = [
                NewVisit(
                    row.camera_id,
                    row.store_id,
                    row.zone,
                    row.track_id,
                    row.person_kind,
                    row.entered_at,
                    row.exited_at,
                    row.dwell_seconds,
                    row.event_key,
                )
                for row in events.visits(store, **window).items
            ]
            snapshots = [
                NewSnapshot(
                    row.camera_id,
                    row.store_id,
                    row.at,
                    row.total_people,
                    row.customers,
                    row.employees,
                    row.groups,
                    row.potential_customers,
                    row.processing_time_ms,
                    "",
                )
                for row in events.snapshots(store, **window).items
            ]
            # EventRepository has no reader for tallies (nothing in the app needs one); the bench may use SQL.
            tallies = [
                NewTally(camera, store, _read_time(at), potential, groups, visitors, "")
                for at, potential, groups, visitors in session.execute(
                    text(
                        "SELECT at, potential_customers, groups, visitors FROM party_tallies"
                        " WHERE camera_id = :camera AND at >= :start AND at < :end"
                    ),
                    {"camera": camera, "start": _bind_time(session, hour), "end": _bind_time(session, hour + HOUR)},
                )
            ]
            expected = rollup_deltas(crossings, visits, snapshots, tallies).get(
                RollupKey(store_id=store, camera_id=camera, hour_start=hour), Counts()
            )
            (stored,) = RollupRepository(session).hourly(store, hour, hour + HOUR, camera_id=camera)
        if stored.counts != expected:
            mismatches.append(f"camera {camera} {hour:%Y-%m-%d %H:00}Z: stored {stored.counts}, raw rows {expected}")
    return RollupCheck(sampled=len(picks), matched=len(picks) - len(mismatches), mismatches=mismatches)


def _bind_time(session: Session, at: datetime) -> Any:
    # Raw SQL skips UTCDateTime, so give each dialect what the column holds.
    if session.get_bind().dialect.name == "sqlite":
        return at.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S.%f")
    return at


def _read_time(value: Any) -> datetime:
    if isinstance(value, str):
        return datetime.fromisoformat(value).replace(tzinfo=UTC)
    assert isinstance(value, datetime)
    return value.astimezone(UTC)


def check_totals(database: Database) -> list[tuple[str, int, int]]:
    """Whole-table totals: rollups against the raw rows they summarise."""
    with database.session() as session:
        rolled = session.execute(
            text("SELECT SUM(entries), SUM(exits), SUM(customer_entries), SUM(visits) FROM hourly_rollups")
        ).one()
        crossings = session.execute(
            text(
                "SELECT COUNT(*) FILTER (WHERE is_entry), COUNT(*) FILTER (WHERE NOT is_entry),"
                " COUNT(*) FILTER (WHERE is_entry AND person_kind = 'customer') FROM crossings"
            )
        ).one()
        visits = session.scalar(text("SELECT COUNT(*) FROM visits WHERE person_kind = 'customer'"))
        store_entries = session.scalar(text("SELECT SUM(entries) FROM store_hourly_rollups"))
    raw = (*crossings, visits)
    names = ("entries", "exits", "customer_entries", "visits")
    totals = [(name, int(a or 0), int(b or 0)) for name, a, b in zip(names, rolled, raw, strict=True)]
    return [*totals, ("store-hour entries", int(store_entries or 0), int(crossings[0] or 0))]


EVENT_TABLES = ("crossings", "visits", "camera_events", "party_tallies", "hourly_rollups", "store_hourly_rollups")


def print_postgres_tables(database: Database) -> None:
    print("\n| table | rows | heap | indexes | total |\n| --- | ---: | ---: | ---: | ---: |")
    with database.session() as session:
        for table in EVENT_TABLES:
            rows = session.scalar(text(f"SELECT COUNT(*) FROM {table}"))
            heap, indexes, total = session.execute(
                text("SELECT pg_relation_size(:t), pg_indexes_size(:t), pg_total_relation_size(:t)"),
                {"t": table},
            ).one()
            print(f"| {table} | {rows:,} | {_mb(heap)} | {_mb(indexes)} | {_mb(total)} |")
        size = session.scalar(text("SELECT pg_database_size(current_database())"))
    print(f"\ndatabase size: {_mb(size)}")


def print_sqlite_tables(database: Database, path: Path) -> None:
    print("\n| table | rows |\n| --- | ---: |")
    with database.session() as session:
        for table in EVENT_TABLES:
            print(f"| {table} | {session.scalar(text(f'SELECT COUNT(*) FROM {table}')):,} |")
    size = sum(candidate.stat().st_size for candidate in path.parent.glob(path.name + "*"))
    print(f"\ndatabase file size: {_mb(size)}")


def _mb(size: int) -> str:
    return f"{size / 1024 / 1024:,.0f} MB" if size >= 10 * 1024 * 1024 else f"{size / 1024 / 1024:,.1f} MB"


# --- timing ---------------------------------------------------------------------------------------------------


@dataclass(slots=True)
class SqlClock:
    """Time spent in cursor.execute (server work and the wire), to tell database time from Python time."""

    seconds: float = 0.0
    statements: list[tuple[str, Any]] = field(default_factory=list)
    _started: float = 0.0

    def attach(self, engine: Engine) -> None:
        event.listen(engine, "before_cursor_execute", self._before)
        event.listen(engine, "after_cursor_execute", self._after)

    def reset(self) -> None:
        self.seconds = 0.0
        self.statements = []

    def _before(self, _conn: Any, _cursor: Any, statement: str, parameters: Any, *_args: Any) -> None:
        self.statements.append((statement, parameters))
        self._started = time.perf_counter()

    def _after(self, *_args: Any) -> None:
        self.seconds += time.perf_counter() - self._started


@dataclass(frozen=True, slots=True)
class Timing:
    name: str
    total_ms: list[float]
    sql_ms: list[float]
    statements: int

    def percentile(self, q: float) -> float:
        return float(np.percentile(self.total_ms, q))

    def row(self, *, sql_time: bool) -> str:
        sql = "n/a"
        if sql_time:
            sql_share = float(np.median(self.sql_ms)) / max(float(np.median(self.total_ms)), 1e-9)
            sql = f"{float(np.median(self.sql_ms)):.1f} ({sql_share:.0%})"
        return (
            f"| {self.name} | {self.percentile(50):.1f} | {self.percentile(95):.1f} | {max(self.total_ms):.1f} "
            f"| {sql} | {self.statements} |"
        )


Report = Callable[[Session], object]


def busy_evening() -> datetime:
    """The latest 21:30 on the store's clock that the loaded data covers (UTC). today() is timed as of then, so
    "today" is a full trading day whatever time the bench runs (before opening, today would have no rows)."""
    local = local_now(TIMEZONE) - HOUR  # the data ends at the start of the current hour
    evening = local.replace(hour=21, minute=30, second=0, microsecond=0)
    if evening > local:
        evening -= timedelta(days=1)
    # Same wall-clock time the day before even across a DST change: rebuild it on that day.
    return datetime.combine(evening.date(), evening.timetz().replace(tzinfo=None), ZoneInfo(TIMEZONE)).astimezone(UTC)


def reports(store_id: int, series_days: int) -> list[tuple[str, Report]]:
    as_of = busy_evening()
    until = as_of.astimezone(ZoneInfo(TIMEZONE)).date()
    since = until - timedelta(days=series_days - 1)
    year = until - timedelta(days=364)
    return [
        ("today()", lambda session: today(session, store_id, as_of)),
        (f"hourly_series() {series_days} days", lambda session: hourly_series(session, store_id, since, until)),
        (f"daily_series() {series_days} days", lambda session: daily_series(session, store_id, since, until)),
        ("daily_series() 365 days", lambda session: daily_series(session, store_id, year, until)),
    ]


def time_reports(database: Database, store_id: int, runs: int, warmups: int, series_days: int) -> list[Timing]:
    clock = SqlClock()
    clock.attach(database.engine)
    timings = []
    for name, report in reports(store_id, series_days):
        for _ in range(warmups):
            with database.session() as session:
                report(session)
        total_ms, sql_ms = [], []
        for _ in range(runs):
            clock.reset()
            started = time.perf_counter()
            # A session per run, as an API request has: checkout, BEGIN, the queries, COMMIT.
            with database.session() as session:
                report(session)
            total_ms.append((time.perf_counter() - started) * 1000)
            sql_ms.append(clock.seconds * 1000)
        timings.append(Timing(name, total_ms, sql_ms, len(clock.statements)))
    event.remove(database.engine, "before_cursor_execute", clock._before)
    event.remove(database.engine, "after_cursor_execute", clock._after)
    return timings


def print_timings(
    timings: Sequence[Timing], runs: int, warmups: int, target_ms: float | None, *, sql_time: bool, load: float
) -> None:
    """`sql_time`: whether time in cursor.execute means anything (SQLite computes rows as they are fetched)."""
    as_of = busy_evening().astimezone(ZoneInfo(TIMEZONE))
    print(
        f"\n{runs} runs each after {warmups} warm-ups, a new session per run; today() as of {as_of:%Y-%m-%d %H:%M} "
        f"local, the series end that day; 1-minute load average {load:.1f} before timing (times in ms):\n"
    )
    print("| report | p50 | p95 | max | in SQL (p50) | statements |\n| --- | ---: | ---: | ---: | ---: | ---: |")
    for timing in timings:
        print(timing.row(sql_time=sql_time))
    if target_ms is not None:
        for timing in timings[:3]:
            verdict = "meets" if timing.percentile(95) < target_ms else "MISSES"
            print(f"  {timing.name}: p95 {timing.percentile(95):.1f} ms {verdict} the {target_ms:g} ms target")


def explain(database: Database, store_id: int, series_days: int) -> None:
    """EXPLAIN (ANALYZE, BUFFERS) of the first rollup query each report sends, with the parameters it sent."""
    clock = SqlClock()
    clock.attach(database.engine)
    for name, report in reports(store_id, series_days):
        clock.reset()
        with database.session() as session:
            report(session)
        statement, parameters = next((s, p) for s, p in clock.statements if "hourly_rollups" in s)
        with database.engine.connect() as connection:
            plan = connection.exec_driver_sql("EXPLAIN (ANALYZE, BUFFERS) " + statement, parameters).scalars()
            print(f"\n{name}:\n{statement.strip()}\n  " + "\n  ".join(plan))
    event.remove(database.engine, "before_cursor_execute", clock._before)
    event.remove(database.engine, "after_cursor_execute", clock._after)


def report_checks(database: Database, plan: Plan, seed: int) -> None:
    check = check_rollups(database, plan, samples=40, seed=seed)
    print(f"\nrollups against rollup_deltas() of the raw rows: {check.matched}/{check.sampled} camera-hours equal")
    for line in check.mismatches:
        print(f"  MISMATCH {line}")
    for name, rolled, raw in check_totals(database):
        print(f"  {name:<17} rollups {rolled:>12,}  raw rows {raw:>12,}  {'equal' if rolled == raw else 'DIFFER'}")


# --- runs -----------------------------------------------------------------------------------------------------


def prepare_timing(gc_freeze: bool) -> float:
    """The 1-minute load average (other work on the machine shows in the tail). With `gc_freeze`, what is in
    memory now is moved out of the collector's sight: a full collection then walks only new objects instead of
    the ~100,000 the imports leave, which otherwise lands 25-40 ms on one run in fifteen."""
    if gc_freeze:
        gc.collect()
        gc.freeze()
        print(f"\ngc.freeze(): {gc.get_freeze_count():,} objects frozen before timing")
    return os.getloadavg()[0]


def run_postgres(args: argparse.Namespace) -> None:
    if not re.fullmatch(r"[a-z_][a-z0-9_]*", args.db_name):
        raise SystemExit(f"--db-name must be a plain lower-case identifier, got {args.db_name!r}")
    admin_url = find_admin_url((args.pg_url,) if args.pg_url else PG_ADMIN_URLS)
    print(f"## PostgreSQL: {args.events:,} crossings, {args.cameras} cameras, {args.days} days")
    url = recreate_database(admin_url, args.db_name)
    try:
        migrate.upgrade(url)
        database = Database.from_url(url)
        try:
            with database.session() as session:
                server = session.scalar(text("SHOW server_version"))
                buffers = session.scalar(text("SHOW shared_buffers"))
            print(f"server {server}, shared_buffers {buffers}, schema at revision {migrate.current_revision(url)}")
            store_id, camera_ids = create_store(database, args.cameras)
            plan = make_plan(store_id, camera_ids, args.events, args.days, args.seed)
            print("\nload:")
            started = time.perf_counter()
            load_postgres(database, plan, args.seed)
            print(f"  {'total':<34} {time.perf_counter() - started:8.1f} s")
            print_postgres_tables(database)
            report_checks(database, plan, args.seed)
            load = prepare_timing(args.gc_freeze)
            timings = time_reports(database, store_id, args.runs, args.warmups, args.series_days)
            print_timings(timings, args.runs, args.warmups, args.target_ms, sql_time=True, load=load)
            if args.explain:
                explain(database, store_id, args.series_days)
        finally:
            database.dispose()
    finally:
        if args.keep:
            print(f"\nkept database {args.db_name}")
        else:
            drop_database(admin_url, args.db_name)


def run_sqlite(args: argparse.Namespace) -> None:
    print(f"\n## SQLite: {args.sqlite_events:,} crossings, {args.sqlite_cameras} cameras, {args.days} days")
    with tempfile.TemporaryDirectory(prefix="shopflow-bench-") as folder:
        path = Path(folder) / "bench.db"
        url = f"sqlite:///{path}"
        migrate.upgrade(url)
        database = Database.from_url(url)
        try:
            store_id, camera_ids = create_store(database, args.sqlite_cameras)
            plan = make_plan(store_id, camera_ids, args.sqlite_events, args.days, args.seed)
            print("\nload:")
            started = time.perf_counter()
            load_sqlite(path, plan, args.seed)
            print(f"  {'total':<34} {time.perf_counter() - started:8.1f} s")
            print_sqlite_tables(database, path)
            report_checks(database, plan, args.seed)
            load = prepare_timing(args.gc_freeze)
            timings = time_reports(database, store_id, args.runs, args.warmups, args.series_days)
            print_timings(timings, args.runs, args.warmups, None, sql_time=False, load=load)
        finally:
            database.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--events", type=int, default=10_000_000, help="crossings to load into PostgreSQL")
    parser.add_argument("--cameras", type=int, default=50)
    parser.add_argument("--days", type=int, default=365, help="the events cover this many days up to now")
    parser.add_argument("--keep", action="store_true", help="leave the PostgreSQL database in place afterwards")
    parser.add_argument("--pg-url", help="a PostgreSQL database to connect to for CREATE DATABASE")
    parser.add_argument("--db-name", default="shopflow_bench", help="the database dropped and recreated")
    parser.add_argument("--sqlite-events", type=int, default=1_000_000, help="0 skips the SQLite run")
    parser.add_argument("--sqlite-cameras", type=int, default=10)
    parser.add_argument("--skip-postgres", action="store_true")
    parser.add_argument("--runs", type=int, default=50)
    parser.add_argument("--warmups", type=int, default=3)
    parser.add_argument("--series-days", type=int, default=90)
    parser.add_argument("--target-ms", type=float, default=50.0, help="p95 target for today and the series")
    parser.add_argument("--explain", action="store_true", help="print EXPLAIN ANALYZE of the rollup queries")
    parser.add_argument(
        "--gc-freeze", action="store_true", help="gc.freeze() before timing, as a server could after start-up"
    )
    parser.add_argument("--seed", type=int, default=20241129)
    args = parser.parse_args()
    if args.events < 1 or args.cameras < 1 or args.days < 1 or args.runs < 1:
        parser.error("--events, --cameras, --days and --runs must be positive")
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    if not args.skip_postgres:
        run_postgres(args)
    if args.sqlite_events > 0:
        run_sqlite(args)


if __name__ == "__main__":
    main()
