"""Store-wide series read two ways, alternating in one run on a database `bench/analytics_queries.py --keep` left:
summing every camera-hour (the read path before migration 0005) against reading the store-hour rows.

    .venv/bin/python bench/rollup_read_paths.py --url postgresql://postgres@127.0.0.1:5432/shopflow_bench [--runs 30]
"""

from __future__ import annotations

import argparse
import os
import statistics
import time
from datetime import UTC, datetime, timedelta

from sqlalchemy import func, select

from shopflow.storage.db import Database
from shopflow.storage.models import HourlyRollupRow, StoreHourlyRollupRow, StoreRow
from shopflow.storage.repositories.rollups import COUNT_FIELDS


def camera_sum(store_id: int, start: datetime, end: datetime):  # type: ignore[no-untyped-def]
    table = HourlyRollupRow
    return (
        select(table.hour_start, *[func.sum(getattr(table, name)) for name in COUNT_FIELDS])
        .where(table.store_id == store_id, table.hour_start >= start, table.hour_start < end)
        .group_by(table.hour_start)
    )


def store_rows(store_id: int, start: datetime, end: datetime):  # type: ignore[no-untyped-def]
    table = StoreHourlyRollupRow
    return select(table.hour_start, *[getattr(table, name) for name in COUNT_FIELDS]).where(
        table.store_id == store_id, table.hour_start >= start, table.hour_start < end
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--url", required=True)
    parser.add_argument("--runs", type=int, default=30)
    args = parser.parse_args()
    database = Database.from_url(args.url)
    with database.read_session() as session:
        store_id = session.scalar(select(StoreRow.id).order_by(StoreRow.id))
    assert store_id is not None
    end = datetime.now(UTC).replace(minute=0, second=0, microsecond=0) + timedelta(hours=1)
    print(f"load average {os.getloadavg()[0]:.1f}; {args.runs} alternating runs, a new read session each\n")
    print("| range | camera-hours summed p50 / p95 ms | store-hour rows p50 / p95 ms | p95 ratio | rows equal |")
    print("| --- | ---: | ---: | ---: | --- |")
    for days in (90, 365):
        start = end - timedelta(days=days)
        times: dict[str, list[float]] = {"camera": [], "store": []}
        results = {}
        for _ in range(args.runs):
            for name, build in (("camera", camera_sum), ("store", store_rows)):
                tick = time.perf_counter()
                with database.read_session() as session:
                    rows = session.execute(build(store_id, start, end)).all()
                times[name].append(1000 * (time.perf_counter() - tick))
                results[name] = {row[0]: tuple(round(float(v), 6) for v in row[1:]) for row in rows}
        p = {name: (statistics.median(v), statistics.quantiles(v, n=20)[18]) for name, v in times.items()}
        equal = "yes" if results["camera"] == results["store"] else "NO"
        print(
            f"| {days} days | {p['camera'][0]:.1f} / {p['camera'][1]:.1f} | {p['store'][0]:.1f} / {p['store'][1]:.1f} "
            f"| {p['camera'][1] / p['store'][1]:.1f}x | {equal} ({len(results['store'])} hours) |"
        )
    database.dispose()


if __name__ == "__main__":
    main()
