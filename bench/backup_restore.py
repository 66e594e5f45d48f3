"""Backup and restore times at scale, against the production guide's RTO (4 h) and RPO (24 h). Prints figures.

    .venv/bin/python bench/backup_restore.py [--events 10000000] [--cameras 50] [--encrypt]
        [--pg-url postgresql://postgres@127.0.0.1:5432/test] [--sqlite-events 1000000]

Loads the events with bench/analytics_queries.py's generator (a year of a mall shop's crossings, visits, tallies
and snapshots), then runs the restore drill through the same functions as `shopflow backup`, `shopflow backup
verify` and `shopflow restore --yes`: back up, verify in a scratch database, destroy the database (DROP
DATABASE, or delete the SQLite file), restore, and compare every table's row count with the manifest.
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

sys.path.insert(0, str(Path(__file__).resolve().parent))

from analytics_queries import (
    PG_ADMIN_URLS,
    create_store,
    drop_database,
    find_admin_url,
    load_postgres,
    load_sqlite,
    make_plan,
    recreate_database,
)
from shopflow.ops.backup import BackupSources, create_backup
from shopflow.ops.crypto import load_key, new_key
from shopflow.ops.dumps import row_counts
from shopflow.ops.restore import restore_backup, verify_backup
from shopflow.storage import migrate
from shopflow.storage.db import Database

RTO_SECONDS = 4 * 3600
T = TypeVar("T")


def timed(label: str, action: Callable[[], T]) -> tuple[T, float]:
    started = time.perf_counter()
    result = action()
    seconds = time.perf_counter() - started
    print(f"  {label:<44} {seconds:8.1f} s", flush=True)
    return result, seconds


def drill(url: str, workdir: Path, destroy: Callable[[], None], key: bytes | None, server_url: str) -> None:
    sources = BackupSources(url, workdir / "data", workdir)
    before = row_counts(url)
    total = sum(before.values())
    print(f"  rows in the database: {total:,} ({before.get('crossings', 0):,} crossings)")
    backup, backup_s = timed(
        "backup (dump + manifest + archive)", lambda: create_backup("database", sources, workdir / "backups", key=key)
    )
    print(f"  archive: {backup.path.name}, {backup.path.stat().st_size / 1e6:,.1f} MB")
    _verified, verify_s = timed(
        "verify (checksums + scratch restore + counts)",
        lambda: verify_backup(backup.path, key=key, server_url=server_url),
    )
    timed("destroy the database", destroy)
    restored, restore_s = timed("restore (--yes)", lambda: restore_backup(backup.path, sources, key=key))
    after = row_counts(url)
    same = after == before == backup.manifest["database"]["row_counts"]
    print(f"  rows after restore: {sum(restored.row_counts.values()):,}; every table's count equal: {same}")
    recovery = restore_s + verify_s
    print(
        f"  backup {backup_s:.0f} s; recovery (verify + restore) {recovery:.0f} s = "
        f"{100 * recovery / RTO_SECONDS:.1f} % of the 4 h RTO"
    )
    if not same:
        raise SystemExit("row counts differ after the restore")


def run_postgres(args: argparse.Namespace, key: bytes | None) -> None:
    admin_url = find_admin_url((args.pg_url,) if args.pg_url else PG_ADMIN_URLS)
    print(f"## PostgreSQL: {args.events:,} crossings, {args.cameras} cameras, {args.days} days")
    url = recreate_database(admin_url, args.db_name)
    try:
        migrate.upgrade(url)
        database = Database.from_url(url)
        try:
            store_id, camera_ids = create_store(database, args.cameras)
            plan = make_plan(store_id, camera_ids, args.events, args.days, args.seed)
            timed("load (analytics_queries generator)", lambda: load_postgres(database, plan, args.seed))
        finally:
            database.dispose()
        with tempfile.TemporaryDirectory(prefix="shopflow-bench-backup-") as folder:
            drill(url, Path(folder), lambda: drop_database(admin_url, args.db_name), key, url)
    finally:
        drop_database(admin_url, args.db_name)


def run_sqlite(args: argparse.Namespace, key: bytes | None) -> None:
    print(f"\n## SQLite: {args.sqlite_events:,} crossings, {args.sqlite_cameras} cameras, {args.days} days")
    with tempfile.TemporaryDirectory(prefix="shopflow-bench-backup-") as folder:
        path = Path(folder) / "data" / "shopflow.db"
        path.parent.mkdir()
        url = f"sqlite:///{path}"
        migrate.upgrade(url)
        database = Database.from_url(url)
        try:
            store_id, camera_ids = create_store(database, args.sqlite_cameras)
        finally:
            database.dispose()
        plan = make_plan(store_id, camera_ids, args.sqlite_events, args.days, args.seed)
        timed("load (analytics_queries generator)", lambda: load_sqlite(path, plan, args.seed))

        def destroy() -> None:
            for suffix in ("", "-wal", "-shm"):
                Path(f"{path}{suffix}").unlink(missing_ok=True)

        drill(url, Path(folder), destroy, key, url)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--events", type=int, default=10_000_000, help="crossings to load into PostgreSQL")
    parser.add_argument("--cameras", type=int, default=50)
    parser.add_argument("--days", type=int, default=365)
    parser.add_argument("--pg-url", help="a PostgreSQL database to connect to for CREATE DATABASE")
    parser.add_argument("--db-name", default="shopflow_bench_backup", help="the database dropped and recreated")
    parser.add_argument("--sqlite-events", type=int, default=1_000_000, help="0 skips the SQLite run")
    parser.add_argument("--sqlite-cameras", type=int, default=10)
    parser.add_argument("--skip-postgres", action="store_true")
    parser.add_argument("--encrypt", action="store_true", help="encrypt the archive (AES-256-GCM) as in production")
    parser.add_argument("--seed", type=int, default=20241129)
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    key = load_key(new_key()) if args.encrypt else None
    print(f"load average {os.getloadavg()[0]:.1f}; encrypted archives: {'yes' if key else 'no'}")
    if not args.skip_postgres:
        run_postgres(args, key)
    if args.sqlite_events > 0:
        run_sqlite(args, key)


if __name__ == "__main__":
    main()
