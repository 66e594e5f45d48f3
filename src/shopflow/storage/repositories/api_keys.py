"""API keys for machines talking to the store server; only a hash and a short prefix of each key are kept."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from shopflow.domain.problems import InputError
from shopflow.storage.columns import require_utc, utcnow
from shopflow.storage.errors import AlreadyExistsError, NotFoundError
from shopflow.storage.models import ApiKeyRow, StoreRow
from shopflow.storage.records import ApiKeyRecord, ApiKeyScope


def _record(row: ApiKeyRow) -> ApiKeyRecord:
    return ApiKeyRecord(
        id=row.id,
        store_id=row.store_id,
        name=row.name,
        prefix=row.prefix,
        created_at=row.created_at,
        last_used_at=row.last_used_at,
        revoked_at=row.revoked_at,
        scope=ApiKeyScope(row.scope),
    )


class ApiKeyRepository:
    def __init__(self, session: Session) -> None:
        self._session = session

    def create(
        self, store_id: int, name: str, key_hash: str, prefix: str, scope: ApiKeyScope = ApiKeyScope.READ
    ) -> ApiKeyRecord:
        if self._session.get(StoreRow, store_id) is None:
            raise NotFoundError("store", store_id)
        if not name.strip() or not key_hash or not prefix:
            raise InputError("an API key needs a name, a key hash and a prefix", "api_key_name_missing")
        row = ApiKeyRow(
            store_id=store_id, name=name.strip(), key_hash=key_hash, prefix=prefix, scope=ApiKeyScope(scope).value
        )
        try:
            with self._session.begin_nested():
                self._session.add(row)
        except IntegrityError as error:
            raise AlreadyExistsError("an API key with this hash already exists") from error
        return _record(row)

    def get(self, api_key_id: int) -> ApiKeyRecord:
        return _record(self._row(api_key_id))

    def list_by_store(self, store_id: int, *, include_revoked: bool = False) -> list[ApiKeyRecord]:
        query = select(ApiKeyRow).where(ApiKeyRow.store_id == store_id).order_by(ApiKeyRow.id)
        if not include_revoked:
            query = query.where(ApiKeyRow.revoked_at.is_(None))
        return [_record(row) for row in self._session.scalars(query)]

    def find_active_by_hash(self, key_hash: str) -> ApiKeyRecord | None:
        query = select(ApiKeyRow).where(ApiKeyRow.key_hash == key_hash, ApiKeyRow.revoked_at.is_(None))
        row = self._session.scalars(query).first()
        return None if row is None else _record(row)

    def active_candidates(self, prefix: str) -> list[tuple[ApiKeyRecord, str]]:
        """Unrevoked keys with this prefix and their hashes, for schemes whose hash needs a per-key salt."""
        query = select(ApiKeyRow).where(ApiKeyRow.prefix == prefix, ApiKeyRow.revoked_at.is_(None))
        return [(_record(row), row.key_hash) for row in self._session.scalars(query)]

    def due_touch(self, key: ApiKeyRecord, every: timedelta) -> bool:
        """Whether the key's last use is older than `every` (written at most that often, not per request)."""
        return key.last_used_at is None or utcnow() - key.last_used_at > every

    def touch(self, api_key_id: int, at: datetime | None = None) -> None:
        when = require_utc(at, "last use") if at is not None else utcnow()
        self._session.execute(update(ApiKeyRow).where(ApiKeyRow.id == api_key_id).values(last_used_at=when))

    def revoke(self, api_key_id: int, at: datetime | None = None) -> ApiKeyRecord:
        row = self._row(api_key_id)
        if row.revoked_at is None:
            row.revoked_at = require_utc(at, "revocation time") if at is not None else utcnow()
            self._session.flush()
        return _record(row)

    def _row(self, api_key_id: int) -> ApiKeyRow:
        row = self._session.get(ApiKeyRow, api_key_id)
        if row is None:
            raise NotFoundError("API key", api_key_id)
        return row
