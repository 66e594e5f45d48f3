"""Sign-in sessions and bearer tokens, found by the SHA-256 of their random token."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from shopflow.storage.columns import utcnow
from shopflow.storage.models import UserRow, UserSessionRow
from shopflow.storage.records import SessionKind

# last_seen_at is written at most this often per session: a page full of pictures must not write per request.
TOUCH_EVERY = timedelta(minutes=1)


class SessionRepository:
    def __init__(self, session: Session) -> None:
        self._session = session

    def create(self, user_id: int, kind: SessionKind, token_hash: str, lifetime: timedelta) -> int:
        now = utcnow()
        row = UserSessionRow(
            user_id=user_id,
            kind=SessionKind(kind).value,
            token_hash=token_hash,
            created_at=now,
            expires_at=now + lifetime,
        )
        self._session.add(row)
        self._session.flush()
        return row.id

    def find_user(self, token_hash: str, kinds: tuple[SessionKind, ...]) -> tuple[int, int, bool] | None:
        """(session id, user id, whether last_seen_at is due a `touch`) of a live session of one of `kinds` whose
        user is active; None otherwise. Only reads: a request's sign-in check never takes SQLite's write lock."""
        now = utcnow()
        query = (
            select(UserSessionRow.id, UserSessionRow.user_id, UserSessionRow.last_seen_at)
            .join(UserRow, UserRow.id == UserSessionRow.user_id)
            .where(
                UserSessionRow.token_hash == token_hash,
                UserSessionRow.kind.in_([kind.value for kind in kinds]),
                UserSessionRow.expires_at > now,
                UserRow.active,
            )
        )
        found = self._session.execute(query).first()
        if found is None:
            return None
        session_id, user_id, last_seen = found
        return session_id, user_id, last_seen is None or now - last_seen > TOUCH_EVERY

    def touch(self, session_id: int) -> None:
        self._session.execute(
            update(UserSessionRow).where(UserSessionRow.id == session_id).values(last_seen_at=utcnow())
        )

    def take_ticket(self, token_hash: str) -> int | None:
        """The user of a live sign-in ticket, which is used up: a ticket works once."""
        found = self.find_user(token_hash, (SessionKind.TICKET,))
        if found is None:
            return None
        session_id, user_id, _ = found
        self._session.execute(delete(UserSessionRow).where(UserSessionRow.id == session_id))
        return user_id

    def end(self, token_hash: str) -> None:
        self._session.execute(delete(UserSessionRow).where(UserSessionRow.token_hash == token_hash))

    def end_all(self, user_id: int, *, keep_id: int | None = None) -> int:
        """Sign the user out everywhere (but for `keep_id`, the session asking); how many sessions ended."""
        query = delete(UserSessionRow).where(UserSessionRow.user_id == user_id)
        if keep_id is not None:
            query = query.where(UserSessionRow.id != keep_id)
        return self._session.execute(query).rowcount or 0  # type: ignore[attr-defined]

    def purge_expired(self, before: datetime | None = None) -> int:
        query = delete(UserSessionRow).where(UserSessionRow.expires_at <= (before or utcnow()))
        return self._session.execute(query).rowcount or 0  # type: ignore[attr-defined]
