"""Repositories: the only place that talks SQL. Each takes an open Session; the caller owns the transaction."""

from shopflow.storage.repositories.api_keys import ApiKeyRepository
from shopflow.storage.repositories.audit import AuditRecord, AuditRepository
from shopflow.storage.repositories.cameras import CameraRepository
from shopflow.storage.repositories.events import EventRepository
from shopflow.storage.repositories.heatmaps import HeatmapRepository
from shopflow.storage.repositories.privacy import PrivacyRepository
from shopflow.storage.repositories.rollups import RollupRepository, rollup_deltas
from shopflow.storage.repositories.sessions import SessionRepository
from shopflow.storage.repositories.stores import StoreRepository
from shopflow.storage.repositories.users import UserRepository

__all__ = [
    "ApiKeyRepository",
    "AuditRecord",
    "AuditRepository",
    "CameraRepository",
    "EventRepository",
    "HeatmapRepository",
    "PrivacyRepository",
    "RollupRepository",
    "SessionRepository",
    "StoreRepository",
    "UserRepository",
    "rollup_deltas",
]
