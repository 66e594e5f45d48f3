"""Wiring into the FastAPI app: request ids, the API latency histogram, GET /metrics and Sentry."""

from __future__ import annotations

import hmac
import ipaddress
import logging
import re
import time
import uuid
from collections.abc import Callable
from typing import Any

from fastapi import FastAPI, Request, Response
from fastapi.responses import JSONResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from shopflow import __version__
from shopflow.config.settings import Settings
from shopflow.ops.logs import request_id
from shopflow.ops.metrics import Metrics, RuntimeView

log = logging.getLogger(__name__)

REQUEST_ID_HEADER = "x-request-id"
# A caller's id is reused only when it is short and plain, so it cannot forge log lines or blow up labels.
_GOOD_ID = re.compile(r"^[A-Za-z0-9._-]{1,64}$")


class RequestMiddleware:
    """Gives each HTTP request an id (the caller's X-Request-ID or a new one) and times it."""

    def __init__(self, app: ASGIApp, metrics: Metrics) -> None:
        self.app = app
        self.metrics = metrics

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        given = dict(scope["headers"]).get(REQUEST_ID_HEADER.encode(), b"").decode("latin-1")
        rid = given if _GOOD_ID.match(given) else uuid.uuid4().hex
        token = request_id.set(rid)
        status = 500
        started = time.perf_counter()

        async def send_with_id(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                message.setdefault("headers", [])
                message["headers"] = [*message["headers"], (REQUEST_ID_HEADER.encode(), rid.encode())]
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        finally:
            route = scope.get("route")
            # The route's template, never the raw path: /api/cameras/7 and /api/cameras/8 are one series.
            template = getattr(route, "path", None) or "unmatched"
            self.metrics.api_latency.labels(scope["method"], template, str(status)).observe(
                time.perf_counter() - started
            )
            request_id.reset(token)


def install_observability(
    app: FastAPI,
    runtime: Callable[[], RuntimeView | None],
    *,
    metrics: bool = True,
    metrics_token: str | None = None,
) -> None:
    collected = Metrics(runtime)
    app.state.metrics = collected
    app.add_middleware(RequestMiddleware, metrics=collected)
    if not metrics:
        return

    @app.get("/metrics", include_in_schema=False)
    def prometheus_metrics(request: Request) -> Response:
        if not _may_scrape(request, metrics_token):
            return JSONResponse(
                {"detail": "metrics need 'Authorization: Bearer <METRICS_TOKEN>' (or a scrape from this machine)"},
                status_code=401,
                headers={"WWW-Authenticate": "Bearer"},
            )
        body, content_type = collected.render()
        return Response(body, media_type=content_type)


def _may_scrape(request: Request, token: str | None) -> bool:
    """A scraper on this machine needs nothing; one elsewhere sends METRICS_TOKEN (camera names and rates are
    the store's business)."""
    if token:
        given = request.headers.get("authorization", "")
        return hmac.compare_digest(given.encode(), f"Bearer {token}".encode())
    host = request.client.host if request.client else ""
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def init_sentry(settings: Settings, **options: Any) -> bool:
    """Start reporting errors to Sentry when SENTRY_DSN is set; True when it did."""
    dsn = settings.sentry_dsn.get_secret_value().strip() if settings.sentry_dsn is not None else ""
    if not dsn:
        return False
    import sentry_sdk

    # The SDK's default sends no personal data (IPs, cookies, e-mails); camera URLs are only ever logged redacted.
    sentry_sdk.init(
        dsn=dsn,
        release=f"shopflow@{__version__}",
        traces_sample_rate=0.0,
        **options,
    )
    log.info("reporting errors to Sentry")
    return True
