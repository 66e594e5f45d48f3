"""HTTP hardening around the whole app (API, docs and dashboard): security headers, trusted hosts, CORS, and
405 for a method an API path does not serve.

Each is a pure ASGI middleware, so streaming answers (MJPEG) and the websockets pass through untouched.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Sequence
from typing import Any

from fastapi import FastAPI
from starlette.datastructures import Headers, MutableHeaders
from starlette.middleware.cors import CORSMiddleware
from starlette.middleware.trustedhost import TrustedHostMiddleware
from starlette.routing import compile_path
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from shopflow.config.settings import Settings

# What the NiceGUI dashboard needs, and no more: Vue compiles its templates in the page ('unsafe-eval'), NiceGUI
# writes inline scripts and styles, pictures come as data:/blob: URLs, and the websocket goes to the same origin
# ('self' covers ws:/wss: of the page's own host in CSP 3). Nothing is loaded from another host.
CONTENT_SECURITY_POLICY = "; ".join(
    (
        "default-src 'self'",
        "script-src 'self' 'unsafe-inline' 'unsafe-eval'",
        "style-src 'self' 'unsafe-inline'",
        "img-src 'self' data: blob:",
        "font-src 'self' data:",
        "connect-src 'self'",
        "frame-ancestors 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "object-src 'none'",
    )
)
SECURITY_HEADERS: tuple[tuple[str, str], ...] = (
    ("Content-Security-Policy", CONTENT_SECURITY_POLICY),
    ("X-Content-Type-Options", "nosniff"),
    ("X-Frame-Options", "DENY"),
    ("Referrer-Policy", "same-origin"),
    ("Cross-Origin-Opener-Policy", "same-origin"),
    ("Permissions-Policy", "camera=(), microphone=(), geolocation=()"),
)
# One year; browsers only honour it over HTTPS, and it is only sent there.
HSTS = ("Strict-Transport-Security", "max-age=31536000")
CORS_METHODS = ("GET", "POST", "PATCH", "DELETE")
CORS_HEADERS = ("Authorization", "Content-Type", "X-Request-ID", "X-API-Key")
API_PREFIX = "/api"


class SecurityHeaders:
    """Adds the security headers to every HTTP answer that does not set its own; HSTS only over HTTPS."""

    def __init__(self, app: ASGIApp, *, https: bool = False) -> None:
        self.app = app
        self.https = https

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        # uvicorn sets the scheme to https behind a trusted proxy that says so (X-Forwarded-Proto).
        over_https = self.https or scope.get("scheme") == "https"

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                for name, value in (*SECURITY_HEADERS, HSTS) if over_https else SECURITY_HEADERS:
                    headers.setdefault(name, value)
            await send(message)

        await self.app(scope, receive, send_with_headers)


_ADMITTED = "shopflow.host_admitted"


class TrustedHosts:
    """Starlette's TrustedHostMiddleware decides; a refusal is answered in our JSON shape with what to fix."""

    def __init__(self, app: ASGIApp, *, allowed_hosts: Sequence[str]) -> None:
        self.app = app
        self.check = TrustedHostMiddleware(self._admitted, allowed_hosts=list(allowed_hosts), www_redirect=False)

    async def _admitted(self, scope: Scope, receive: Receive, send: Send) -> None:
        scope[_ADMITTED] = True
        await self.app(scope, receive, send)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        host = Headers(scope=scope).get("host", "")[:100]
        body = json.dumps(
            {
                "detail": f"this server does not answer to the host name {host!r}: "
                "open it by one of its names, or add this one to the ALLOWED_HOSTS setting"
            }
        ).encode()

        async def send_refusal(message: Message) -> None:
            if scope.get(_ADMITTED):
                await send(message)
                return
            # The refusal Starlette sends is plain text: only its words and type change.
            if message["type"].endswith("http.response.start"):
                message = {
                    **message,
                    "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())],
                }
            elif message["type"].endswith("http.response.body"):
                message = {**message, "body": body, "more_body": False}
            await send(message)

        await self.check(scope, receive, send_refusal)


class MethodNotAllowed:
    """405 with `Allow` for a method an API path does not serve (TRACE, PUT...).

    The dashboard is mounted at "/", so without this every such request fell through to it and got a 404. The
    paths and their methods are the OpenAPI schema's: what the API documents is what it serves.
    """

    def __init__(self, app: ASGIApp, *, schema: Callable[[], dict[str, Any]]) -> None:
        self.app = app
        self.schema = schema
        self._paths: list[tuple[re.Pattern[str], frozenset[str]]] | None = None

    def _methods_of(self, path: str) -> frozenset[str] | None:
        if self._paths is None:
            self._paths = [
                (compile_path(template)[0], frozenset(method.upper() for method in operations))
                for template, operations in self.schema().get("paths", {}).items()
            ]
        for pattern, methods in self._paths:
            if pattern.match(path):
                return methods
        return None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path = str(scope.get("path", ""))
        methods = self._methods_of(path) if scope["type"] == "http" and path.startswith(API_PREFIX) else None
        if methods is None or scope["method"] in methods:
            await self.app(scope, receive, send)
            return
        allow = ", ".join(sorted(methods))
        body = json.dumps({"detail": f"{scope['method']} is not allowed here; use {allow}"}).encode()
        await send(
            {
                "type": "http.response.start",
                "status": 405,
                "headers": [
                    (b"content-type", b"application/json"),
                    (b"content-length", str(len(body)).encode()),
                    (b"allow", allow.encode()),
                ],
            }
        )
        await send({"type": "http.response.body", "body": body})


def install_hardening(app: FastAPI, settings: Settings) -> None:
    """The middlewares on `app`, after its routes are added. The last added runs first: security headers wrap
    everything (refusals included), then the host check, then CORS."""
    app.add_middleware(MethodNotAllowed, schema=app.openapi)
    if settings.cors_origins:
        app.add_middleware(
            CORSMiddleware,
            allow_origins=settings.cors_origins,
            allow_methods=CORS_METHODS,
            allow_headers=CORS_HEADERS,
            expose_headers=("X-Request-ID",),
        )
    app.add_middleware(TrustedHosts, allowed_hosts=settings.allowed_hosts)
    app.add_middleware(SecurityHeaders, https=settings.serves_https)
