"""The server's scheduled operations: what `ServerRuntime` starts beside the cameras (see server/runtime.py)."""

from __future__ import annotations

import logging
from pathlib import Path

from shopflow.config.settings import Settings
from shopflow.ops.backup import BackupSources, create_backup, prune_backups
from shopflow.ops.retention import default_rules, run_retention
from shopflow.ops.scheduling import Scheduler
from shopflow.ops.settings import OpsSettings, parse_schedule
from shopflow.storage.db import Database

log = logging.getLogger(__name__)


def build_scheduler(settings: Settings, database: Database, ops: OpsSettings | None = None) -> Scheduler:
    ops = ops or OpsSettings()
    scheduler = Scheduler(ops.tz)
    backup_dir = ops.resolved_backup_dir(settings.data_dir)

    def backup() -> None:
        sources = BackupSources(settings.resolved_database_url, settings.data_dir, Path.cwd())
        create_backup(ops.backup_scheduled_type, sources, backup_dir, key=ops.encryption_key())
        prune_backups(backup_dir, ops.backup_keep_days)

    def retention() -> None:
        run_retention(database, default_rules(ops))

    scheduler.add("backup", parse_schedule(ops.backup_schedule), backup)
    scheduler.add("retention", parse_schedule(ops.retention_schedule), retention)
    return scheduler
