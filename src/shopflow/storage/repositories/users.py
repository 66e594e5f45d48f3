"""Users who sign in to the store server (password hashes are made and checked elsewhere)."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from shopflow.storage.errors import AlreadyExistsError, NotFoundError
from shopflow.storage.models import UserRow
from shopflow.storage.records import Language, UserRecord, UserRole


def normalise_email(email: str) -> str:
    email = email.strip().lower()
    if "@" not in email or email.startswith("@") or email.endswith("@"):
        raise ValueError(f"not an e-mail address: {email!r}")
    return email


def _record(row: UserRow) -> UserRecord:
    return UserRecord(
        id=row.id, email=row.email, role=UserRole(row.role), language=Language(row.language), created_at=row.created_at
    )


class UserRepository:
    def __init__(self, session: Session) -> None:
        self._session = session

    def create(
        self,
        email: str,
        password_hash: str,
        *,
        role: UserRole = UserRole.VIEWER,
        language: Language = Language.PT_BR,
    ) -> UserRecord:
        if not password_hash:
            raise ValueError("a user needs a password hash")
        row = UserRow(
            email=normalise_email(email),
            password_hash=password_hash,
            role=UserRole(role).value,
            language=Language(language).value,
        )
        try:
            # A savepoint, so a taken e-mail leaves the caller's transaction usable (PostgreSQL aborts it).
            with self._session.begin_nested():
                self._session.add(row)
        except IntegrityError as error:
            raise AlreadyExistsError(f"a user with e-mail {row.email!r} already exists") from error
        return _record(row)

    def get(self, user_id: int) -> UserRecord:
        return _record(self._row(user_id))

    def find_by_email(self, email: str) -> UserRecord | None:
        row = self._by_email(email)
        return None if row is None else _record(row)

    def credentials(self, email: str) -> tuple[UserRecord, str] | None:
        """The user and their password hash, for signing in; None when nobody has that e-mail."""
        row = self._by_email(email)
        return None if row is None else (_record(row), row.password_hash)

    def list_all(self) -> list[UserRecord]:
        return [_record(row) for row in self._session.scalars(select(UserRow).order_by(UserRow.id))]

    def count(self) -> int:
        return self._session.scalar(select(func.count()).select_from(UserRow)) or 0

    def update(
        self,
        user_id: int,
        *,
        role: UserRole | None = None,
        language: Language | None = None,
        password_hash: str | None = None,
    ) -> UserRecord:
        row = self._row(user_id)
        if role is not None:
            row.role = UserRole(role).value
        if language is not None:
            row.language = Language(language).value
        if password_hash is not None:
            if not password_hash:
                raise ValueError("a user needs a password hash")
            row.password_hash = password_hash
        self._session.flush()
        return _record(row)

    def _by_email(self, email: str) -> UserRow | None:
        try:
            address = normalise_email(email)
        except ValueError:
            return None
        return self._session.scalars(select(UserRow).where(UserRow.email == address)).first()

    def _row(self, user_id: int) -> UserRow:
        row = self._session.get(UserRow, user_id)
        if row is None:
            raise NotFoundError("user", user_id)
        return row
