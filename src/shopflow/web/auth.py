"""Signing in to the dashboard: who is signed in (kept in NiceGUI's per-browser user storage), the first-run
administrator, and the middleware that sends anyone not signed in to the login page."""

from __future__ import annotations

import logging
from functools import cache
from urllib.parse import quote

import anyio
from fastapi import Request, Response
from fastapi.responses import JSONResponse, RedirectResponse
from nicegui import app
from starlette.middleware.base import BaseHTTPMiddleware, RequestResponseEndpoint

from shopflow.config.credentials import check_password_rules, hash_password, verify_password
from shopflow.storage.db import Database
from shopflow.storage.errors import NotFoundError
from shopflow.storage.records import Language, UserRecord, UserRole
from shopflow.storage.repositories import UserRepository
from shopflow.web.context import DashboardNotReadyError, runtime
from shopflow.web.i18n import LANG_KEY
from shopflow.web.redirects import safe_next as safe_next  # noqa: PLC0414 -- re-exported: login.py imports it here

log = logging.getLogger(__name__)

USER_KEY = "user_id"

STORE_KEY = "store_id"
PUBLIC_PAGES = ("/login", "/setup")
PUBLIC_PREFIXES = ("/_nicegui", "/favicon.ico")


@cache
def _dummy_hash() -> str:
    # Checked against when the e-mail is unknown, so a wrong e-mail takes as long as a wrong password.
    return hash_password("not-a-real-password")


def has_users(database: Database) -> bool:
    with database.session() as session:
        return UserRepository(session).count() > 0


def authenticate(database: Database, email: str, password: str) -> UserRecord | None:
    """The user with this e-mail and password, or None (the same answer for an unknown e-mail)."""
    with database.session() as session:
        found = UserRepository(session).credentials(email)
    if found is None:
        verify_password(password, _dummy_hash())
        return None
    user, stored = found
    return user if verify_password(password, stored) else None


class FirstRunDoneError(Exception):
    """Somebody created the administrator in the meantime: sign in instead."""


def create_first_owner(database: Database, email: str, password: str, language: Language) -> UserRecord:
    """The administrator (owner) of a server without users; FirstRunDoneError once there is one."""
    check_password_rules(password)
    password_hash = hash_password(password)
    with database.session() as session:
        users = UserRepository(session)
        # Checked in the same transaction as the insert (SQLite takes the write lock up front; on PostgreSQL a
        # race leaves two owners at worst, which the security issue's user management can tidy).
        if users.count():
            raise FirstRunDoneError("an administrator already exists; sign in")
        return users.create(email, password_hash, role=UserRole.OWNER, language=language)


def sign_in(user: UserRecord) -> None:
    app.storage.user[USER_KEY] = user.id
    app.storage.user[LANG_KEY] = user.language.value


def sign_out() -> None:
    app.storage.user.pop(USER_KEY, None)


def signed_in_user() -> UserRecord | None:
    """The user of this browser session, or None (also when the account was deleted since)."""
    user_id = app.storage.user.get(USER_KEY)
    if not isinstance(user_id, int):
        return None
    try:
        with runtime().database.session() as session:
            return UserRepository(session).get(user_id)
    except NotFoundError:
        sign_out()
        return None


def can_manage(user: UserRecord) -> bool:
    """Owners and managers change cameras and the store; viewers only look."""
    return user.role in (UserRole.OWNER, UserRole.MANAGER)


def _is_public(path: str) -> bool:
    return path in PUBLIC_PAGES or path.startswith(PUBLIC_PREFIXES)


class AuthMiddleware(BaseHTTPMiddleware):
    """Sends page requests without a signed-in user to /login (or /setup on a server with no user yet).

    It sits on NiceGUI's app, so the API's own routes never pass through it; an /api path that reaches it matched
    no endpoint and gets the API's JSON 404 rather than a dashboard page.
    """

    async def dispatch(self, request: Request, call_next: RequestResponseEndpoint) -> Response:
        path = request.url.path
        if path.startswith("/api/") or path == "/api":
            return JSONResponse({"detail": f"no API endpoint at {path}"}, status_code=404)
        if _is_public(path) or isinstance(app.storage.user.get(USER_KEY), int):
            return await call_next(request)
        try:
            database = runtime().database
        except DashboardNotReadyError:
            return JSONResponse({"detail": "the server is starting; try again in a moment"}, status_code=503)
        if not await anyio.to_thread.run_sync(has_users, database):
            return RedirectResponse("/setup")
        target = path + (f"?{request.url.query}" if request.url.query else "")
        return RedirectResponse(f"/login?next={quote(target, safe='')}")
