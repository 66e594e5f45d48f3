"""`shopflow retention run` and `shopflow config check` from the command line."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

from typer.testing import CliRunner

from shopflow.cli import app
from shopflow.ops.crypto import new_key
from shopflow.storage import migrate

from .helpers import populate

BASE = {"API_PORT": "8001", "YOLO_MODEL": "yolo11n", "SENTRY_DSN": "", "LOG_FORMAT": "text"}


def test_retention_run_reports_what_it_removed(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'shopflow.db'}"
    migrate.upgrade(url)
    populate(url, events=8, at=datetime.now(UTC) - timedelta(days=120))  # older than the default 90 days
    result = CliRunner().invoke(app, ["retention", "run"], env={"DATABASE_URL": url})
    assert result.exit_code == 0, result.output
    # populate: 3 cameras x (8 crossings, 2 visits, 1 snapshot, 1 tally); one store keeps events 45 days.
    assert json.loads(result.stdout) == {"camera_events": 3, "crossings": 24, "party_tallies": 3, "visits": 6}


def test_config_check_names_every_wrong_key(tmp_path: Path) -> None:
    env = BASE | {
        "DATA_DIR": str(tmp_path),
        "API_PORT": "80801",
        "YOLO_CONFIDENCE": "1.5",
        "YOLO_MODEL": str(tmp_path / "missing.onnx"),
        "SENTRY_DSN": "not a dsn",
        "BACKUP_SCHEDULE": "2am",
        "BACKUP_KEEP_DAYS": "0",
        "BACKUP_ENCRYPTION_KEY": "too-short",
        "STORE_TIMEZONE": "America/Nowhere",
        "LOG_FORMAT": "xml",
    }
    result = CliRunner().invoke(app, ["config", "check"], env=env)
    assert result.exit_code == 2
    named = [line.split(":")[1].strip() for line in result.stderr.strip().splitlines()]
    assert sorted(named) == sorted(
        [
            "API_PORT",
            "YOLO_CONFIDENCE",
            "BACKUP_SCHEDULE",
            "BACKUP_KEEP_DAYS",
            "BACKUP_ENCRYPTION_KEY",
            "STORE_TIMEZONE",
            "LOG_FORMAT",
        ]
    ), result.stderr
    assert "Traceback" not in result.output

    # Once the settings parse, the server-level checks (model file, Sentry DSN) name their keys too.
    env = BASE | {"DATA_DIR": str(tmp_path), "YOLO_MODEL": str(tmp_path / "missing.onnx"), "SENTRY_DSN": "not a dsn"}
    result = CliRunner().invoke(app, ["config", "check"], env=env)
    assert result.exit_code == 2
    assert sorted(line.split(":")[1].strip() for line in result.stderr.strip().splitlines()) == [
        "SENTRY_DSN",
        "YOLO_MODEL",
    ], result.stderr


def test_config_check_passes_a_good_configuration(tmp_path: Path) -> None:
    env = BASE | {
        "DATA_DIR": str(tmp_path),
        "BACKUP_ENCRYPTION_KEY": new_key(),
        "BACKUP_SCHEDULE": "off",
        "SENTRY_DSN": "https://public@sentry.example.com/1",
    }
    result = CliRunner().invoke(app, ["config", "check"], env=env)
    assert result.exit_code == 0, result.output
    assert result.stdout.strip() == "configuration OK"
