"""Accounts, whichever door they come through: signing in and out, sessions and bearer tokens, the first owner,
users and their stores, API keys, and the audit entries each of these leaves.

Session tokens are random 256-bit values; only their SHA-256 is stored. A browser signs in by trading a
one-minute ticket for a fresh cookie (`/auth/session`, web/auth.py), so every sign-in starts a new session and a
session id planted before sign-in is worth nothing (no fixation). The first-run setup token is in
services/setup_token.py.

About 400 lines, one class: every operation here runs on the same database, throttle and audit trail and goes
through the same caller checks (`_user_for`, `_organisation_of`, `_audit`), so splitting sign-in from user and
key management would spread those private helpers across modules for no reader's gain.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import math
import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import timedelta
from functools import cache

from sqlalchemy.orm import Session

from shopflow.config.credentials import (
    API_KEY_PREFIX,
    PasswordError,
    hash_api_key,
    hash_password,
    new_api_key,
    password_needs_rehash,
    verify_password,
)
from shopflow.domain.problems import InputError
from shopflow.services.access import AccessDeniedError, Caller, Permission, require_store
from shopflow.services.context import ServerContext
from shopflow.services.throttle import SignInThrottle
from shopflow.storage.db import Database
from shopflow.storage.errors import NotFoundError
from shopflow.storage.records import ApiKeyRecord, ApiKeyScope, Language, SessionKind, UserRecord, UserRole
from shopflow.storage.repositories import (
    ApiKeyRepository,
    AuditRepository,
    SessionRepository,
    StoreRepository,
    UserRepository,
)
from shopflow.storage.repositories.sessions import TOUCH_EVERY

log = logging.getLogger(__name__)

SESSION_TOKEN_PREFIX = "sfs_"
TICKET_LIFETIME = timedelta(minutes=1)
DEFAULT_ORGANISATION = "Minha empresa"


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def _new_token() -> str:
    return SESSION_TOKEN_PREFIX + secrets.token_urlsafe(32)


@cache
def _dummy_hash() -> str:
    # Checked against when the e-mail is unknown, so a wrong e-mail takes as long as a wrong password.
    return hash_password(secrets.token_urlsafe(16), check=False)


class FirstRunDoneError(Exception):
    """Somebody created the owner in the meantime: sign in instead."""


class TooManyAttemptsError(Exception):
    """Too many failed sign-ins for this e-mail or from this address; `retry_after` is in seconds."""

    def __init__(self, retry_after: float) -> None:
        super().__init__(f"too many failed sign-ins; try again in {math.ceil(retry_after)} seconds")
        self.retry_after = retry_after


@dataclass(frozen=True, slots=True)
class NewSession:
    token: str  # given to the client once; only its hash is kept
    user: UserRecord
    session_id: int


class Accounts:
    """Account operations on one database; `session_lifetime` bounds browser sessions and bearer tokens."""

    def __init__(
        self,
        database: Database,
        *,
        session_lifetime: timedelta,
        bridge_key: str | None = None,
        throttle: SignInThrottle | None = None,
    ) -> None:
        self._database = database
        self._lifetime = session_lifetime
        self._bridge_key = bridge_key or None
        self._throttle = throttle

    @property
    def session_lifetime(self) -> timedelta:
        return self._lifetime

    # --- signing in -------------------------------------------------------------------------------------------

    def authenticate(self, email: str, password: str, address: str | None = None) -> UserRecord | None:
        """The active user with this e-mail and password, or None (the same answer, in the same time, for an
        unknown e-mail). TooManyAttemptsError, before any password is checked, after too many failures for the
        e-mail or from the client's `address`. Every outcome goes to the audit log."""
        if self._throttle is not None:
            wait = self._throttle.check(email, address)
            if wait is not None:
                self._audit_sign_in(None, email, ok=False, action="sign_in_throttled", detail=f"from {address}")
                raise TooManyAttemptsError(wait)
        with self._database.session() as session:
            found = UserRepository(session).credentials(email)
        if found is None:
            verify_password(password, _dummy_hash())
            user, ok = None, False
        else:
            user, stored = found
            ok = verify_password(password, stored)
            if ok and password_needs_rehash(stored):
                self._rehash(user.id, password)
        if self._throttle is not None:
            (self._throttle.succeeded if ok else self._throttle.failed)(email, address)
        self._audit_sign_in(user, email, ok=ok, detail=f"from {address}" if address else "")
        return user if ok else None

    def _rehash(self, user_id: int, password: str) -> None:
        # A hash made with an older, cheaper cost is replaced while the password is at hand.
        password_hash = hash_password(password, check=False)
        with self._database.session() as session:
            UserRepository(session).update(user_id, password_hash=password_hash)

    def _audit_sign_in(
        self, user: UserRecord | None, email: str, *, ok: bool, action: str = "", detail: str = ""
    ) -> None:
        with self._database.session() as session:
            AuditRepository(session).add(
                actor=(user.email if user else email.strip().lower()[:200]) or "?",
                action=action or ("sign_in" if ok else "sign_in_failed"),
                subject=f"user {user.id}" if user else "",
                detail=detail,
                organisation_id=user.organisation_id if user else None,
            )

    def start_session(self, user: UserRecord, kind: SessionKind) -> NewSession:
        token = _new_token()
        lifetime = TICKET_LIFETIME if kind is SessionKind.TICKET else self._lifetime
        with self._database.session() as session:
            session_id = SessionRepository(session).create(user.id, kind, token_hash(token), lifetime)
        return NewSession(token=token, user=user, session_id=session_id)

    def redeem_ticket(self, ticket: str) -> NewSession | None:
        """A fresh browser session for a live ticket (used up here), or None."""
        with self._database.session() as session:
            user_id = SessionRepository(session).take_ticket(token_hash(ticket))
            user = None if user_id is None else UserRepository(session).get(user_id)
        return None if user is None else self.start_session(user, SessionKind.BROWSER)

    def session_caller(self, token: str, kinds: tuple[SessionKind, ...]) -> Caller | None:
        if not token.startswith(SESSION_TOKEN_PREFIX):
            return None
        # Read-only: checking who calls must not queue behind the event writer for SQLite's write lock. The last
        # use is written at most once a minute, in a transaction of its own.
        with self._database.read_session() as session:
            found = SessionRepository(session).find_user(token_hash(token), kinds)
            if found is None:
                return None
            session_id, user_id, due = found
            user = UserRepository(session).get(user_id)
        if due:
            with self._database.session() as session:
                SessionRepository(session).touch(session_id)
        return Caller.of_user(user, session_id)

    def bearer_caller(self, token: str) -> Caller | None:
        """The caller a bearer token stands for: a store's API key, a user's token, or the bridge's key."""
        if token.startswith(API_KEY_PREFIX):
            return self._api_key_caller(token)
        if token.startswith(SESSION_TOKEN_PREFIX):
            return self.session_caller(token, (SessionKind.TOKEN, SessionKind.BROWSER))
        if self._bridge_key is not None and hmac.compare_digest(token.encode(), self._bridge_key.encode()):
            return Caller.bridge()
        return None

    def _api_key_caller(self, token: str) -> Caller | None:
        with self._database.read_session() as session:
            keys = ApiKeyRepository(session)
            key = keys.find_active_by_hash(hash_api_key(token))
            if key is None:
                return None
            due = keys.due_touch(key, TOUCH_EVERY)
            store = StoreRepository(session).get(key.store_id)
        if due:
            with self._database.session() as session:
                ApiKeyRepository(session).touch(key.id)
        return Caller.of_api_key(key, store.organisation_id)

    def end_session(self, token: str) -> None:
        with self._database.session() as session:
            SessionRepository(session).end(token_hash(token))

    def end_all_sessions(self, caller: Caller, user_id: int, *, keep_current: bool = False) -> int:
        """Sign a user out everywhere: themselves, or (an owner) anyone of their organisation."""
        with self._database.session() as session:
            user = self._user_for(session, caller, user_id, own_ok=True)
            keep = caller.session_id if keep_current and caller.user_id == user.id else None
            ended = SessionRepository(session).end_all(user.id, keep_id=keep)
            self._audit(session, caller, "signed_out_everywhere", f"user {user.id}", f"{ended} sessions")
        return ended

    # --- the first owner --------------------------------------------------------------------------------------

    def has_users(self) -> bool:
        with self._database.read_session() as session:
            return UserRepository(session).count() > 0

    def create_first_owner(self, email: str, password: str, language: Language = Language.PT_BR) -> UserRecord:
        """The owner of a server without users (FirstRunDoneError once there is one). The owner's organisation is
        the one already there (the demo's, on a new install), or a new one."""
        password_hash = hash_password(password, email)
        with self._database.session() as session:
            users = UserRepository(session)
            # Checked in the same transaction as the insert (SQLite takes the write lock up front).
            if users.count():
                raise FirstRunDoneError("an owner already exists; sign in")
            organisation_id = StoreRepository(session).server_organisation(DEFAULT_ORGANISATION)
            user = users.create(
                email, password_hash, organisation_id=organisation_id, role=UserRole.OWNER, language=language
            )
            AuditRepository(session).add(
                actor=user.email, action="owner_created", subject=f"user {user.id}", organisation_id=organisation_id
            )
        return user

    # --- users ------------------------------------------------------------------------------------------------

    def first_organisation(self) -> int:
        """The server's organisation (the first; a single business's server has one), made if there is none."""
        with self._database.session() as session:
            return StoreRepository(session).server_organisation(DEFAULT_ORGANISATION)

    def find_user(self, email: str) -> UserRecord | None:
        with self._database.read_session() as session:
            return UserRepository(session).find_by_email(email)

    def list_users(self, caller: Caller) -> list[UserRecord]:
        caller.require(Permission.ADMIN)
        with self._database.read_session() as session:
            return UserRepository(session).list_all(caller.organisation_id)

    def create_user(
        self,
        caller: Caller,
        email: str,
        password: str,
        role: UserRole,
        *,
        language: Language = Language.PT_BR,
        store_ids: Iterable[int] = (),
    ) -> UserRecord:
        """PasswordError or ValueError for bad input, AlreadyExistsError for a taken e-mail."""
        caller.require(Permission.ADMIN)
        organisation_id = self._organisation_of(caller)
        password_hash = hash_password(password, email)
        with self._database.session() as session:
            user = UserRepository(session).create(
                email,
                password_hash,
                organisation_id=organisation_id,
                role=role,
                language=language,
                store_ids=() if role is UserRole.OWNER else store_ids,
            )
            self._audit(session, caller, "user_created", f"user {user.id}", f"{user.email} as {role.value}")
        return user

    def update_user(
        self,
        caller: Caller,
        user_id: int,
        *,
        role: UserRole | None = None,
        store_ids: Iterable[int] | None = None,
        active: bool | None = None,
        language: Language | None = None,
    ) -> UserRecord:
        changes_access = role is not None or store_ids is not None or active is not None
        with self._database.session() as session:
            user = self._user_for(session, caller, user_id, own_ok=not changes_access)
            users = UserRepository(session)
            demoted = role not in (None, UserRole.OWNER) or active is False
            if demoted and user.role is UserRole.OWNER and users.count_owners(user.organisation_id) <= 1:
                raise InputError(
                    "the organisation needs at least one active owner; make someone else owner first", "last_owner"
                )
            updated = users.update(user.id, role=role, store_ids=store_ids, active=active, language=language)
            if active is False or role is not None or store_ids is not None:
                # Access changed: sessions made under the old access end now rather than when they expire.
                SessionRepository(session).end_all(user.id)
            if changes_access:
                granted = ",".join(str(s) for s in sorted(updated.store_ids)) or "all"
                detail = f"role {updated.role.value}, stores {granted}, active {updated.active}"
                self._audit(session, caller, "user_changed", f"user {user.id}", detail)
        return updated

    def delete_user(self, caller: Caller, user_id: int) -> None:
        with self._database.session() as session:
            user = self._user_for(session, caller, user_id, own_ok=False)
            users = UserRepository(session)
            if user.role is UserRole.OWNER and users.count_owners(user.organisation_id) <= 1:
                raise InputError(
                    "the organisation needs at least one active owner; make someone else owner first", "last_owner"
                )
            users.delete(user.id)
            self._audit(session, caller, "user_deleted", f"user {user.id}", user.email)

    def change_password(self, caller: Caller, current: str, new: str) -> None:
        """A user's own password; every other session of theirs ends."""
        if caller.user_id is None:
            raise AccessDeniedError("only a signed-in user has a password to change")
        with self._database.session() as session:
            users = UserRepository(session)
            user = users.get(caller.user_id)
            if not verify_password(current, users.password_hash(user.id)):
                raise PasswordError("the current password is not right", "password_current_wrong")
        password_hash = hash_password(new, user.email)
        with self._database.session() as session:
            UserRepository(session).update(user.id, password_hash=password_hash)
            SessionRepository(session).end_all(user.id, keep_id=caller.session_id)
            self._audit(session, caller, "password_changed", f"user {user.id}")

    def reset_password(self, caller: Caller, user_id: int, new: str) -> None:
        """An owner sets a new password for someone of their organisation; all that user's sessions end."""
        caller.require(Permission.ADMIN)
        with self._database.session() as session:
            user = self._user_for(session, caller, user_id, own_ok=False)
        password_hash = hash_password(new, user.email)
        with self._database.session() as session:
            UserRepository(session).update(user.id, password_hash=password_hash)
            SessionRepository(session).end_all(user.id)
            self._audit(session, caller, "password_reset", f"user {user.id}")

    # --- API keys ---------------------------------------------------------------------------------------------

    def list_api_keys(self, caller: Caller, store_id: int) -> list[ApiKeyRecord]:
        with self._database.read_session() as session:
            require_store(session, caller, store_id, Permission.ADMIN)
            return ApiKeyRepository(session).list_by_store(store_id, include_revoked=True)

    def create_api_key(
        self, caller: Caller, store_id: int, name: str, scope: ApiKeyScope = ApiKeyScope.READ
    ) -> tuple[ApiKeyRecord, str]:
        """The new key's record and the key itself, which is shown once and never stored."""
        made = new_api_key()
        with self._database.session() as session:
            require_store(session, caller, store_id, Permission.ADMIN)
            record = ApiKeyRepository(session).create(store_id, name, made.key_hash, made.prefix, scope)
            self._audit(
                session, caller, "api_key_created", f"key {record.id}", f"{record.name} ({scope.value})", store_id
            )
        return record, made.key

    def revoke_api_key(self, caller: Caller, api_key_id: int) -> ApiKeyRecord:
        with self._database.session() as session:
            keys = ApiKeyRepository(session)
            key = keys.get(api_key_id)
            try:
                require_store(session, caller, key.store_id, Permission.ADMIN)
            except NotFoundError:
                raise NotFoundError("API key", api_key_id) from None
            record = keys.revoke(api_key_id)
            self._audit(session, caller, "api_key_revoked", f"key {record.id}", record.name, record.store_id)
        return record

    # --- helpers ----------------------------------------------------------------------------------------------

    def _organisation_of(self, caller: Caller) -> int:
        if caller.organisation_id is None:
            raise AccessDeniedError("this caller belongs to no organisation")
        return caller.organisation_id

    def _user_for(self, session: Session, caller: Caller, user_id: int, *, own_ok: bool) -> UserRecord:
        """The user, if the caller may act on them: themselves (when `own_ok`) or, for an owner, anyone of the
        organisation; someone of another organisation is answered as not existing."""
        user = UserRepository(session).get(user_id)
        if not caller.is_system and user.organisation_id != caller.organisation_id:
            raise NotFoundError("user", user_id)
        if own_ok and caller.user_id == user.id:
            return user
        caller.require(Permission.ADMIN)
        return user

    def _audit(
        self, session: Session, caller: Caller, action: str, subject: str, detail: str = "", store_id: int | None = None
    ) -> None:
        AuditRepository(session).add(
            actor=caller.label,
            action=action,
            subject=subject,
            detail=detail,
            organisation_id=None if store_id is not None else caller.organisation_id,
            store_id=store_id,
        )


SESSION_COOKIE = "shopflow_session"


def accounts_for(context: ServerContext) -> Accounts:
    """The account operations of a running server (its database, session length and bridge key)."""
    settings = context.settings
    bridge = settings.bridge_api_key.get_secret_value().strip() if settings.bridge_api_key else None
    return Accounts(
        context.database,
        session_lifetime=timedelta(hours=settings.session_hours),
        bridge_key=bridge,
        throttle=context.sign_in_throttle,
    )
