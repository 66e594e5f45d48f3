"""The operations commands: `shopflow backup`, `shopflow restore`, `shopflow retention`, `shopflow config check`.

`shopflow.cli` mounts them; errors are one line on stderr and exit status 2, like the rest of the CLI.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer
from pydantic import ValidationError

from shopflow.config.settings import Settings
from shopflow.ops.backup import BackupSources
from shopflow.ops.settings import BACKUP_TYPES, OpsSettings
from shopflow.terminal import err, fail, out

backup_app = typer.Typer(help="Back up the database, configuration and media; verify an archive.", add_completion=False)
config_app = typer.Typer(help="Check the configuration.", no_args_is_help=True, add_completion=False)
retention_app = typer.Typer(help="Data retention (LGPD).", no_args_is_help=True, add_completion=False)


def _settings() -> tuple[Settings, OpsSettings]:
    try:
        return Settings(), OpsSettings()
    except ValidationError as error:
        first = error.errors()[0]
        key = ".".join(str(p) for p in first["loc"]).upper()
        fail(f"setting {key}: {first['msg']}")


def _sources(settings: Settings) -> BackupSources:
    return BackupSources(settings.resolved_database_url, settings.data_dir, Path.cwd())


@backup_app.callback(invoke_without_command=True)
def backup(
    ctx: typer.Context,
    kind: Annotated[str, typer.Option("--type", help=f"What to back up: {', '.join(BACKUP_TYPES)}.")] = "database",
    directory: Annotated[
        Path | None, typer.Option("--dir", help="Where to write the archive (default BACKUP_DIR or DATA_DIR/backups).")
    ] = None,
    keep_days: Annotated[
        int | None,
        typer.Option("--keep-days", min=1, help="Delete archives older than this (default BACKUP_KEEP_DAYS)."),
    ] = None,
) -> None:
    """Write a backup archive (encrypted when BACKUP_ENCRYPTION_KEY is set) and prune old ones."""
    if ctx.invoked_subcommand is not None:
        return
    from shopflow.ops.backup import BackupError, create_backup, prune_backups

    if kind not in BACKUP_TYPES:
        fail(f"--type must be one of {', '.join(BACKUP_TYPES)}, got {kind!r}")
    settings, ops = _settings()
    target = directory or ops.resolved_backup_dir(settings.data_dir)
    try:
        result = create_backup(kind, _sources(settings), target, key=ops.encryption_key())
    except BackupError as error:
        fail(str(error))
    except OSError as error:
        fail(f"cannot write the backup to {target}: {error.strerror}")
    removed = prune_backups(target, keep_days or ops.backup_keep_days)
    rows = sum((result.manifest.get("database") or {}).get("row_counts", {}).values())
    out.print(
        f"{result.path} ({result.path.stat().st_size / 1e6:.1f} MB, {len(result.manifest['files'])} files, "
        f"{rows} rows) in {result.seconds:.1f} s; {len(removed)} old backups deleted",
        highlight=False,
        soft_wrap=True,
    )


@backup_app.command("verify")
def backup_verify(
    archive: Annotated[Path, typer.Argument(help="The backup archive to check.")],
    server: Annotated[
        str | None,
        typer.Option("--server", help="PostgreSQL URL to create the scratch database on (default DATABASE_URL)."),
    ] = None,
) -> None:
    """Check the checksums, restore into a scratch database, and compare the row counts with the manifest."""
    from shopflow.ops.backup import BackupError
    from shopflow.ops.restore import verify_backup

    settings, ops = _settings()
    try:
        result = verify_backup(archive, key=ops.encryption_key(), server_url=server or settings.resolved_database_url)
    except BackupError as error:
        fail(str(error))
    rows = sum(result.row_counts.values())
    what = f"; {rows} rows in {len(result.row_counts)} tables restored and counted" if result.row_counts else ""
    out.print(
        f"{archive}: OK ({result.kind}, made {result.created_at}, {result.files} files checked{what}) "
        f"in {result.seconds:.1f} s",
        highlight=False,
        soft_wrap=True,
    )


@backup_app.command("key")
def backup_key() -> None:
    """Print a new random key for BACKUP_ENCRYPTION_KEY (keep it apart from the backups)."""
    from shopflow.ops.crypto import new_key

    out.print(new_key(), highlight=False, soft_wrap=True)


def restore(
    archive: Annotated[Path, typer.Argument(help="The backup archive to restore.")],
    yes: Annotated[bool, typer.Option("--yes", help="Really replace the current data with the archive's.")] = False,
) -> None:
    """Replace the database (and configuration, media) with a backup's. Stop the server first."""
    from shopflow.ops.backup import BackupError
    from shopflow.ops.restore import restore_backup

    if not yes:
        fail("restore replaces the current database with the archive's; add --yes to do it")
    settings, ops = _settings()
    try:
        result = restore_backup(archive, _sources(settings), key=ops.encryption_key())
    except BackupError as error:
        fail(str(error))
    rows = sum(result.row_counts.values())
    out.print(
        f"restored {archive} ({result.kind}, made {result.created_at}): {result.files} files, {rows} rows, "
        f"schema at {result.schema_revision or '-'}, in {result.seconds:.1f} s",
        highlight=False,
        soft_wrap=True,
    )


@retention_app.command("run")
def retention_run() -> None:
    """Delete what the retention rules say is too old now, and print what was removed."""
    from shopflow.ops.retention import default_rules, run_retention
    from shopflow.storage.db import Database

    settings, ops = _settings()
    database = Database.from_url(settings.resolved_database_url)
    try:
        report = run_retention(database, default_rules(ops))
    finally:
        database.dispose()
    out.print(json.dumps(report.removed, sort_keys=True), highlight=False, soft_wrap=True)


@config_app.command("check")
def config_check() -> None:
    """Validate every setting and name each wrong key; exit status 2 when any is wrong."""
    from shopflow.ops.config_check import check_configuration

    problems = check_configuration()
    if problems:
        for key, message in problems:
            err.print(f"[bold red]error:[/] {key}: {message}", highlight=False, soft_wrap=True)
        raise typer.Exit(2)
    out.print("configuration OK", highlight=False, soft_wrap=True)
