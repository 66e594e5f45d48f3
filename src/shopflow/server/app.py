"""The store server's FastAPI app: `create_app(settings)` builds it; the lifespan starts and stops the pipeline."""

from __future__ import annotations

import asyncio
import gc
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import anyio
from fastapi import FastAPI
from fastapi_offline import FastAPIOffline

from shopflow import __version__
from shopflow.api import add_api
from shopflow.api.body_limit import BodySizeLimit
from shopflow.config.files import private_dir
from shopflow.config.settings import Settings
from shopflow.ops.observability import init_sentry, install_observability
from shopflow.ops.settings import OpsSettings
from shopflow.server.hardening import install_hardening
from shopflow.server.runtime import ServerRuntime
from shopflow.services.accounts import accounts_for
from shopflow.services.context import ServerContext
from shopflow.services.demo import ensure_demo
from shopflow.services.setup_token import setup_token
from shopflow.storage import migrate
from shopflow.storage.db import Database
from shopflow.web import mount_dashboard

log = logging.getLogger(__name__)

DESCRIPTION = """People-flow analytics for physical stores, from the IP cameras they already have.

Errors answer `{"detail": "what is wrong and how to fix it"}`. Times are UTC (ISO 8601). Camera source URLs
are only ever shown with their credentials replaced by `***`. The demo store and camera (`is_demo: true`)
play the bundled sample video and are not a real store's figures.
"""


DOCS_ASSETS_URL = "/docs-assets"


def _engine_options(url: str) -> dict[str, Any]:
    # Without a connect timeout an unreachable PostgreSQL would hang requests and the health check.
    return {"connect_args": {"connect_timeout": 5}} if url.startswith(("postgres", "postgresql")) else {}


def _announce_setup(runtime: ServerContext, settings: Settings) -> None:
    """On a server without users, print where to create the first owner (the link holds a one-time token)."""
    token = setup_token(accounts_for(runtime), settings.data_dir)
    if token is None:
        return
    host = "localhost" if settings.api_host in ("0.0.0.0", "::", "") else settings.api_host
    log.warning(
        "No owner yet. Create one at http://%s:%s/setup?token=%s (or run `shopflow user create`)",
        host,
        settings.api_port,
        token,
    )


def create_app(settings: Settings, *, start_pipeline: bool = True, demo: bool = False) -> FastAPI:
    """A new app for `settings`. `start_pipeline=False` serves the API without camera workers (tests, a
    second API process); `demo` seeds the demo store even when other cameras exist (`shopflow serve --demo`)."""

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        private_dir(settings.data_dir)  # whatever lives under it is then out of other users' reach
        url = settings.resolved_database_url
        await anyio.to_thread.run_sync(migrate.upgrade, url)
        database = Database.from_url(url, **_engine_options(url))
        runtime = ServerRuntime(settings, database, start_pipeline=start_pipeline)
        try:
            await anyio.to_thread.run_sync(lambda: ensure_demo(database, force=demo, imgsz=settings.yolo_imgsz))
            runtime.broker.bind(asyncio.get_running_loop())
            context: ServerContext = runtime  # what the API and the dashboard may use of it (checked here)
            app.state.runtime = context
            await anyio.to_thread.run_sync(runtime.start)
            await anyio.to_thread.run_sync(_announce_setup, runtime, settings)
            # Everything loaded so far (modules, the model session, NiceGUI) lives as long as the process: moved out
            # of the collector's sight, a full collection no longer walks it, which cut the 95th percentile of the
            # 90-day series from 47 to 31 ms at 10 million events (docs/benchmarks.md).
            gc.freeze()
            log.info("ShopFlow %s serving; camera pipeline %s", __version__, "on" if start_pipeline else "off")
            yield
        finally:
            await anyio.to_thread.run_sync(runtime.stop)
            database.dispose()

    # /docs with Swagger UI served from the installed package: nothing from a CDN. No ReDoc: its bundle loads its
    # logo from the vendor's CDN.
    app = FastAPIOffline(
        title="ShopFlow",
        version=__version__,
        description=DESCRIPTION,
        lifespan=lifespan,
        debug=False,  # never a traceback in an answer, whatever API_DEBUG says
        static_url=DOCS_ASSETS_URL,
        redoc_url=None,
        # Swagger UI would otherwise send the schema to an online validator for its badge.
        swagger_ui_parameters={"validatorUrl": None},
    )
    init_sentry(settings)
    app.add_middleware(BodySizeLimit, max_bytes=settings.max_request_bytes)
    ops = OpsSettings()
    token = ops.metrics_token.get_secret_value().strip() if ops.metrics_token else None
    install_observability(
        app, lambda: getattr(app.state, "runtime", None), metrics=ops.metrics_enabled, metrics_token=token or None
    )
    add_api(app)
    install_hardening(app, settings)
    mount_dashboard(app, settings)
    return app
