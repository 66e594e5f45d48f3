"""Settings of the operations jobs (backups, retention, logs, metrics), from the environment and `.env`.

Kept apart from `shopflow.config.settings` so the server's settings stay what the production guide names; each
field is documented in docs/environment.md.
"""

from __future__ import annotations

import re
from datetime import time
from pathlib import Path
from typing import Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from shopflow.storage.records import DEFAULT_TIMEZONE

BackupType = Literal["database", "config", "media", "full"]
BACKUP_TYPES: tuple[BackupType, ...] = ("database", "config", "media", "full")
_CLOCK = re.compile(r"^([01]\d|2[0-3]):([0-5]\d)$")


def parse_schedule(value: str) -> time | None:
    """`HH:MM` (24 h, store time) or `off`; None means the job does not run."""
    text = value.strip().lower()
    if text in {"off", "none", "disabled", ""}:
        return None
    match = _CLOCK.match(text)
    if match is None:
        raise ValueError(f"must be HH:MM (24-hour store time) or 'off', got {value!r}")
    return time(int(match.group(1)), int(match.group(2)))


class OpsSettings(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env", env_file_encoding="utf-8", extra="ignore")

    # Where archives go; empty means DATA_DIR/backups.
    backup_dir: Path | None = None
    backup_keep_days: int = Field(30, ge=1, le=3650)
    # A urlsafe-base64 32-byte key (`shopflow backup key` makes one); set, every archive is encrypted with it.
    backup_encryption_key: SecretStr | None = None
    backup_schedule: str = "02:00"
    backup_scheduled_type: BackupType = "database"
    store_timezone: str = DEFAULT_TIMEZONE
    retention_schedule: str = "03:30"
    # Hourly rollups and heatmap grids outlive the raw events (each store's own retention setting).
    aggregate_retention_days: int = Field(730, ge=1, le=36500)
    audit_retention_days: int = Field(365, ge=1, le=36500)
    log_format: Literal["text", "json"] = "text"
    metrics_enabled: bool = True
    # Unset: /metrics answers only scrapes from this machine. Set: a scraper elsewhere sends it as a bearer token.
    metrics_token: SecretStr | None = None

    @field_validator("backup_schedule", "retention_schedule")
    @classmethod
    def _schedule(cls, value: str) -> str:
        parse_schedule(value)
        return value

    @field_validator("store_timezone")
    @classmethod
    def _timezone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"not a time zone name (like America/Sao_Paulo): {value!r}") from None
        return value

    @field_validator("backup_encryption_key")
    @classmethod
    def _key(cls, value: SecretStr | None) -> SecretStr | None:
        if value is None or not value.get_secret_value().strip():
            return None
        from shopflow.ops.crypto import load_key

        load_key(value.get_secret_value())
        return value

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.store_timezone)

    def resolved_backup_dir(self, data_dir: Path) -> Path:
        return self.backup_dir or data_dir / "backups"

    def encryption_key(self) -> bytes | None:
        from shopflow.ops.crypto import load_key

        secret = self.backup_encryption_key
        return None if secret is None else load_key(secret.get_secret_value())
