"""Users who sign in to the store server, and the stores they are granted (password hashes are made elsewhere)."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import delete, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from shopflow.domain.problems import InputError
from shopflow.storage.errors import AlreadyExistsError, NotFoundError
from shopflow.storage.models import StoreRow, UserRow, UserStoreRow
from shopflow.storage.records import Language, UserRecord, UserRole


def normalise_email(email: str) -> str:
    email = email.strip().lower()
    if "@" not in email or email.startswith("@") or email.endswith("@") or any(c.isspace() for c in email):
        raise InputError(f"not an e-mail address: {email!r}", "email_invalid")
    return email


class UserRepository:
    def __init__(self, session: Session) -> None:
        self._session = session

    def create(
        self,
        email: str,
        password_hash: str,
        *,
        organisation_id: int,
        role: UserRole = UserRole.VIEWER,
        language: Language = Language.PT_BR,
        store_ids: Iterable[int] = (),
    ) -> UserRecord:
        if not password_hash:
            raise ValueError("a user needs a password hash")
        row = UserRow(
            organisation_id=organisation_id,
            email=normalise_email(email),
            password_hash=password_hash,
            role=UserRole(role).value,
            language=Language(language).value,
            active=True,
        )
        try:
            # A savepoint, so a taken e-mail leaves the caller's transaction usable (PostgreSQL aborts it).
            with self._session.begin_nested():
                self._session.add(row)
        except IntegrityError as error:
            raise AlreadyExistsError(
                f"a user with e-mail {row.email!r} already exists", "email_taken", email=row.email
            ) from error
        self._grant(row, store_ids)
        return self._record(row)

    def get(self, user_id: int) -> UserRecord:
        return self._record(self._row(user_id))

    def find_by_email(self, email: str) -> UserRecord | None:
        row = self._by_email(email)
        return None if row is None else self._record(row)

    def credentials(self, email: str) -> tuple[UserRecord, str] | None:
        """The active user and their password hash, for signing in; None when nobody active has that e-mail."""
        row = self._by_email(email)
        if row is None or not row.active:
            return None
        return self._record(row), row.password_hash

    def password_hash(self, user_id: int) -> str:
        return self._row(user_id).password_hash

    def list_all(self, organisation_id: int | None = None) -> list[UserRecord]:
        query = select(UserRow).order_by(UserRow.id)
        if organisation_id is not None:
            query = query.where(UserRow.organisation_id == organisation_id)
        return [self._record(row) for row in self._session.scalars(query)]

    def count(self) -> int:
        return self._session.scalar(select(func.count()).select_from(UserRow)) or 0

    def count_owners(self, organisation_id: int) -> int:
        query = select(func.count()).where(
            UserRow.organisation_id == organisation_id, UserRow.role == UserRole.OWNER.value, UserRow.active
        )
        return self._session.scalar(query) or 0

    def update(
        self,
        user_id: int,
        *,
        role: UserRole | None = None,
        language: Language | None = None,
        password_hash: str | None = None,
        active: bool | None = None,
        store_ids: Iterable[int] | None = None,
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
        if active is not None:
            row.active = active
        if store_ids is not None:
            self._session.execute(delete(UserStoreRow).where(UserStoreRow.user_id == row.id))
            self._grant(row, store_ids)
        self._session.flush()
        return self._record(row)

    def delete(self, user_id: int) -> None:
        self._session.delete(self._row(user_id))
        self._session.flush()

    def _grant(self, row: UserRow, store_ids: Iterable[int]) -> None:
        wanted = sorted(set(store_ids))
        if not wanted:
            return
        found = set(
            self._session.scalars(
                select(StoreRow.id).where(StoreRow.id.in_(wanted), StoreRow.organisation_id == row.organisation_id)
            )
        )
        missing = [store_id for store_id in wanted if store_id not in found]
        if missing:
            raise NotFoundError("store", missing[0])
        self._session.add_all(UserStoreRow(user_id=row.id, store_id=store_id) for store_id in wanted)
        self._session.flush()

    def _record(self, row: UserRow) -> UserRecord:
        granted = self._session.scalars(select(UserStoreRow.store_id).where(UserStoreRow.user_id == row.id))
        return UserRecord(
            id=row.id,
            email=row.email,
            role=UserRole(row.role),
            language=Language(row.language),
            created_at=row.created_at,
            organisation_id=row.organisation_id,
            active=row.active,
            store_ids=frozenset(granted),
        )

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
