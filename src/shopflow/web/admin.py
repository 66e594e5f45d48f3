"""Settings done from the dashboard: the store, users, bridge API keys, privacy, and the system's status."""

from __future__ import annotations

import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

from shopflow import __version__
from shopflow.domain.cameras import CameraStatus
from shopflow.reports import health
from shopflow.services.access import Caller
from shopflow.services.accounts import accounts_for
from shopflow.services.context import ServerContext
from shopflow.services.stores import StoreService
from shopflow.storage.records import ApiKeyRecord, Language, PrivacySettings, StoreRecord, UserRecord, UserRole
from shopflow.storage.repositories import CameraRepository


def save_store(
    rt: ServerContext,
    caller: Caller,
    store_id: int,
    name: str,
    timezone: str,
    opening_hours: Mapping[str, Mapping[str, str]],
) -> StoreRecord:
    """ValueError (with what to fix) for a blank name, an unknown zone or malformed hours."""
    return StoreService(rt.database, caller).update(store_id, name=name, timezone=timezone, opening_hours=opening_hours)


def list_users(rt: ServerContext, caller: Caller) -> list[UserRecord]:
    return accounts_for(rt).list_users(caller)


def create_user(
    rt: ServerContext,
    caller: Caller,
    email: str,
    password: str,
    role: UserRole,
    language: Language,
    store_ids: Sequence[int] = (),
) -> UserRecord:
    """PasswordError or ValueError for bad input, AlreadyExistsError for a taken e-mail."""
    return accounts_for(rt).create_user(caller, email, password, role, language=language, store_ids=store_ids)


def list_api_keys(rt: ServerContext, caller: Caller, store_id: int) -> list[ApiKeyRecord]:
    return accounts_for(rt).list_api_keys(caller, store_id)


def create_api_key(rt: ServerContext, caller: Caller, store_id: int, name: str) -> tuple[ApiKeyRecord, str]:
    """The new key's record and the key itself, which is shown once and never stored."""
    return accounts_for(rt).create_api_key(caller, store_id, name)


def revoke_api_key(rt: ServerContext, caller: Caller, api_key_id: int) -> ApiKeyRecord:
    return accounts_for(rt).revoke_api_key(caller, api_key_id)


def get_privacy(rt: ServerContext, caller: Caller, store_id: int) -> PrivacySettings:
    return StoreService(rt.database, caller).privacy(store_id)


def save_privacy(
    rt: ServerContext,
    caller: Caller,
    store_id: int,
    retention_days: int,
    face_recognition: bool,
    consent_text: str,
    keep_face_photos: bool | None = None,
) -> PrivacySettings:
    return StoreService(rt.database, caller).save_privacy(
        store_id,
        retention_days=retention_days,
        face_recognition=face_recognition,
        consent_text=consent_text,
        keep_face_photos=keep_face_photos,
    )


@dataclass(frozen=True, slots=True)
class SystemStatus:
    version: str
    database_ok: bool
    database_latency_ms: float | None
    database_error: str | None
    pipeline_on: bool
    detector_loaded: bool
    cameras_online: int
    cameras_total: int
    cameras_by_status: dict[CameraStatus, int]
    rollups_last_update: datetime | None


def system_status(rt: ServerContext) -> SystemStatus:
    """What /api/health says, plus when the analytics last changed; a database that fails is reported, not raised."""
    started = time.perf_counter()
    try:
        with rt.database.session() as session:
            statuses = CameraRepository(session).status_counts()
            latency = round(1000 * (time.perf_counter() - started), 2)
            analytics = health.check(session)
    except Exception as error:  # any failure is what this screen reports, not a crash
        return SystemStatus(
            version=__version__,
            database_ok=False,
            database_latency_ms=None,
            database_error=f"the database did not answer ({type(error).__name__})",
            pipeline_on=rt.start_pipeline,
            detector_loaded=rt.detector_loaded,
            cameras_online=0,
            cameras_total=0,
            cameras_by_status={},
            rollups_last_update=None,
        )
    return SystemStatus(
        version=__version__,
        database_ok=True,
        database_latency_ms=latency,
        database_error=None,
        pipeline_on=rt.start_pipeline,
        detector_loaded=rt.detector_loaded,
        cameras_online=statuses.get(CameraStatus.ONLINE, 0),
        cameras_total=sum(statuses.values()),
        cameras_by_status=statuses,
        rollups_last_update=analytics.rollups_last_update,
    )
