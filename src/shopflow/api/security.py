"""Who is calling the API: every route but health and sign-in depends on `get_caller`.

A caller proves who they are with `Authorization: Bearer <token>` (a store's API key, a user's token from
POST /api/auth/token, or the bridge's key) or with the dashboard's session cookie. Cookie-authenticated changes
must come from this server's own pages (the Origin check below): the cookie is SameSite=Lax as well, but an
old browser or a same-site sibling should not be able to drive the API with an owner's cookie.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from typing import Annotated
from urllib.parse import urlsplit

import anyio
from fastapi import BackgroundTasks, Depends
from sqlalchemy.orm import Session
from starlette.requests import HTTPConnection

from shopflow.api import deps
from shopflow.api.deps import DatabaseDep, RuntimeDep
from shopflow.api.errors import ShopFlowError, TooManyRequestsError
from shopflow.services.access import Caller
from shopflow.services.accounts import SESSION_COOKIE, Accounts, accounts_for
from shopflow.services.cameras import CameraService
from shopflow.services.context import ServerContext
from shopflow.services.source_policy import SourcePolicy
from shopflow.storage import tenancy
from shopflow.storage.records import SessionKind

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


class NotSignedInError(ShopFlowError):
    status_code = 401


class ForbiddenError(ShopFlowError):
    status_code = 403


def get_accounts(runtime: RuntimeDep) -> Accounts:
    return accounts_for(runtime)


AccountsDep = Annotated[Accounts, Depends(get_accounts)]


def same_origin(connection: HTTPConnection) -> bool:
    """True when the request says it comes from a page of this server (Origin, else Referer, matches Host)."""
    source = connection.headers.get("origin") or connection.headers.get("referer")
    if not source:
        return False
    return urlsplit(source).netloc.lower() == connection.headers.get("host", "").lower()


def bearer_token(connection: HTTPConnection) -> str | None:
    header = connection.headers.get("authorization")
    if header is None:
        return None
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise NotSignedInError("send the token as 'Authorization: Bearer <token>'")
    return token.strip()


async def identify(connection: HTTPConnection, runtime: ServerContext) -> Caller:
    """The caller of this request or WebSocket; NotSignedInError (401) or ForbiddenError (403) otherwise."""
    accounts = accounts_for(runtime)
    token = bearer_token(connection)
    if token is not None:
        caller = await anyio.to_thread.run_sync(accounts.bearer_caller, token)
        if caller is None:
            raise NotSignedInError("the token is not valid: unknown, revoked or expired")
    else:
        cookie = connection.cookies.get(SESSION_COOKIE)
        if not cookie:
            raise NotSignedInError(
                "sign in first: send 'Authorization: Bearer <API key or token>' (POST /api/auth/token gives a token)"
            )
        caller = await anyio.to_thread.run_sync(accounts.session_caller, cookie, (SessionKind.BROWSER,))
        if caller is None:
            raise NotSignedInError("your session has ended; sign in again")
        method = connection.scope.get("method", "GET")
        is_websocket = connection.scope["type"] == "websocket"
        if (is_websocket or method not in SAFE_METHODS) and not same_origin(connection):
            raise ForbiddenError("a change made with the dashboard's cookie must come from the dashboard's own pages")
    key = f"user:{caller.user_id}" if caller.user_id is not None else f"key:{caller.api_key_id or caller.label}"
    wait = runtime.api_rate_limit.hit(key)
    if wait is not None:
        raise TooManyRequestsError(f"too many requests; slow down and retry in {math.ceil(wait)} s", wait)
    # From here on, in this request, PostgreSQL shows only this organisation's rows (storage/tenancy.py). Set in
    # this coroutine, it reaches the threads the endpoint runs in.
    tenancy.act_for(caller.organisation_id)
    connection.state.caller = caller
    return caller


async def get_caller(connection: HTTPConnection, runtime: RuntimeDep) -> Caller:
    return await identify(connection, runtime)


CallerDep = Annotated[Caller, Depends(get_caller)]


def get_session(connection: HTTPConnection, database: DatabaseDep, _caller: CallerDep) -> Iterator[Session]:
    """The request's transaction, begun only once the caller is known (so it carries their organisation)."""
    yield from deps.get_session(connection, database)


SessionDep = Annotated[Session, Depends(get_session, scope="function")]


def get_camera_service(runtime: RuntimeDep, caller: CallerDep, tasks: BackgroundTasks) -> CameraService:
    # The workers are re-synced after the answer is sent: a request never waits for cameras to restart.
    return CameraService(
        runtime.database,
        caller=caller,
        default_imgsz=runtime.settings.yolo_imgsz,
        after_change=lambda: tasks.add_task(runtime.resync),
        policy=SourcePolicy.from_settings(runtime.settings),
    )


CameraServiceDep = Annotated[CameraService, Depends(get_camera_service)]
