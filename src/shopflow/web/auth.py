"""Signing in to the dashboard: who is signed in (the session cookie, checked against the database on every
page and action), the sign-in hand-over that sets a fresh cookie, sign-out, and the middleware that sends anyone
not signed in to the login page.

The cookie is HttpOnly (no script reads it), SameSite=Lax, Secure when the page came over HTTPS, and expires with
SESSION_HOURS. NiceGUI's own browser id (its per-browser storage) carries only preferences such as the language
and the chosen store, never who is signed in.
"""

from __future__ import annotations

import logging
from urllib.parse import quote

import anyio
from fastapi import Request, Response
from fastapi.responses import JSONResponse, RedirectResponse
from nicegui import app, context, ui
from starlette.middleware.base import BaseHTTPMiddleware, RequestResponseEndpoint

from shopflow.services.access import ROLE_PERMISSIONS, AccessDeniedError, Caller, Permission
from shopflow.services.accounts import SESSION_COOKIE, Accounts, accounts_for
from shopflow.storage.errors import NotFoundError
from shopflow.storage.records import SessionKind, UserRecord, UserRole
from shopflow.storage.repositories import UserRepository
from shopflow.web.context import DashboardNotReadyError, runtime
from shopflow.web.i18n import LANG_KEY
from shopflow.web.redirects import safe_next

log = logging.getLogger(__name__)

STORE_KEY = "store_id"
PUBLIC_PAGES = ("/login", "/setup")
PUBLIC_PREFIXES = ("/_nicegui", "/favicon.ico", "/auth/")
SESSION_ROUTE = "/auth/session"
SIGN_OUT_ROUTE = "/auth/sign-out"

__all__ = ["STORE_KEY", "safe_next"]


def accounts() -> Accounts:
    return accounts_for(runtime())


def _page_request() -> Request | None:
    try:
        return context.client.request
    except RuntimeError:  # outside a page (no client, or a client without its request)
        return None


def current_caller() -> Caller | None:
    """Who this page's browser is signed in as, or None (no cookie, or a session that ended or expired)."""
    request = _page_request()
    token = None if request is None else request.cookies.get(SESSION_COOKIE)
    if not token:
        return None
    return accounts().session_caller(token, (SessionKind.BROWSER,))


def require_caller() -> Caller:
    caller = current_caller()
    if caller is None:
        raise AccessDeniedError("your session has ended; sign in again")
    return caller


def signed_in_user() -> UserRecord | None:
    """The user of this browser session, or None (also when the account was deleted or deactivated since)."""
    caller = current_caller()
    if caller is None or caller.user_id is None:
        return None
    try:
        with runtime().database.read_session() as session:
            return UserRepository(session).get(caller.user_id)
    except NotFoundError:
        return None


def can_manage(user: UserRecord) -> bool:
    """Owners and managers change cameras and the store; viewers only look."""
    return user.role in (UserRole.OWNER, UserRole.MANAGER)


def can_handle_staff(user: UserRecord) -> bool:
    """Whether the user's role may see and change employees (personal data), as services/access.py says."""
    return Permission.STAFF in ROLE_PERMISSIONS[user.role]


def can_see_attendance(user: UserRecord) -> bool:
    """Whether the user's role may read when employees were on the floor (personal data, its own permission)."""
    return Permission.ATTENDANCE in ROLE_PERMISSIONS[user.role]


def sign_in(user: UserRecord, target: str | None) -> None:
    """Hand the browser a one-minute ticket it trades for a fresh session cookie (an HTTP answer is the only
    way to set an HttpOnly cookie), then go on to `target`."""
    ticket = accounts().start_session(user, SessionKind.TICKET)
    app.storage.user[LANG_KEY] = user.language.value
    ui_target = f"{SESSION_ROUTE}?ticket={quote(ticket.token, safe='')}&next={quote(safe_next(target), safe='')}"
    ui.navigate.to(ui_target)


def sign_out() -> None:
    ui.navigate.to(SIGN_OUT_ROUTE)


def _cookie(response: Response, request: Request, token: str, max_age: int) -> None:
    response.set_cookie(
        SESSION_COOKIE,
        token,
        max_age=max_age,
        path="/",
        httponly=True,
        samesite="lax",
        secure=request.url.scheme == "https",
    )


def add_session_routes() -> None:
    """The HTTP side of signing in and out (on NiceGUI's app, beside the pages)."""

    @app.get(SESSION_ROUTE, include_in_schema=False)
    async def start_session(request: Request, ticket: str = "", next: str = "/") -> Response:
        made = await anyio.to_thread.run_sync(accounts().redeem_ticket, ticket) if ticket else None
        if made is None:
            return RedirectResponse("/login", status_code=303)
        response = RedirectResponse(safe_next(next), status_code=303)
        _cookie(response, request, made.token, int(accounts().session_lifetime.total_seconds()))
        return response

    @app.get(SIGN_OUT_ROUTE, include_in_schema=False)
    async def end_session(request: Request) -> Response:
        token = request.cookies.get(SESSION_COOKIE)
        if token:
            await anyio.to_thread.run_sync(accounts().end_session, token)
        response = RedirectResponse("/login", status_code=303)
        response.delete_cookie(SESSION_COOKIE, path="/", httponly=True, samesite="lax")
        return response


def _is_public(path: str) -> bool:
    return path in PUBLIC_PAGES or path.startswith(PUBLIC_PREFIXES)


def _signed_in(request: Request) -> bool:
    token = request.cookies.get(SESSION_COOKIE)
    return token is not None and accounts().session_caller(token, (SessionKind.BROWSER,)) is not None


class AuthMiddleware(BaseHTTPMiddleware):
    """Sends page requests without a live session to /login (or /setup on a server with no user yet).

    It sits on NiceGUI's app, so the API's own routes never pass through it; an /api path that reaches it matched
    no endpoint and gets the API's JSON 404 rather than a dashboard page.
    """

    async def dispatch(self, request: Request, call_next: RequestResponseEndpoint) -> Response:
        path = request.url.path
        if path.startswith("/api/") or path == "/api":
            return JSONResponse({"detail": f"no API endpoint at {path}"}, status_code=404)
        if _is_public(path):
            return await call_next(request)
        try:
            if await anyio.to_thread.run_sync(_signed_in, request):
                return await call_next(request)
            has_users = await anyio.to_thread.run_sync(accounts().has_users)
        except DashboardNotReadyError:
            return JSONResponse({"detail": "the server is starting; try again in a moment"}, status_code=503)
        if not has_users:
            return RedirectResponse("/setup")
        target = path + (f"?{request.url.query}" if request.url.query else "")
        return RedirectResponse(f"/login?next={quote(target, safe='')}")
