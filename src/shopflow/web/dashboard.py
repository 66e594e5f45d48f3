"""Puts the NiceGUI dashboard on the server's FastAPI app, at "/" beside the API under /api.

NiceGUI keeps its app and pages in module globals, so there is one dashboard per process. `mount_dashboard`
may still be called for several apps in one process (the API tests build many): the pages and middleware are
set up the first time, and each later app gets NiceGUI mounted and started with its own lifespan; the pages
read the runtime of whichever app is running.
"""

from __future__ import annotations

import logging
import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from fastapi import FastAPI
from nicegui import app as nicegui_app
from nicegui import core, ui
from nicegui.storage import Storage

from shopflow.config.settings import Settings
from shopflow.services.context import ServerContext
from shopflow.web.auth import AuthMiddleware, add_session_routes
from shopflow.web.context import set_runtime_provider
from shopflow.web.error_pages import install_error_pages
from shopflow.web.layout import apply_theme
from shopflow.web.pages import analytics, attendance, cameras, employees, login, overview, settings

log = logging.getLogger(__name__)

TITLE = "ShopFlow"
# A tablet on Wi-Fi drops the connection now and then; NiceGUI reloads the page after this long without it,
# and a reload loses a half-drawn line.
RECONNECT_SECONDS = 15.0
SESSIONS_DIR = "dashboard"

_configured = False


def register_pages() -> None:
    """Every dashboard page and the sign-in middleware, on NiceGUI's app (before ui.run / ui.run_with)."""
    # Before run_with: NiceGUI's request tracking must wrap it, or app.storage.user is not usable in it.
    nicegui_app.add_middleware(AuthMiddleware)
    apply_theme()
    install_error_pages()
    add_session_routes()
    login.add_pages()
    overview.add_page()
    cameras.add_pages()
    employees.add_page()
    attendance.add_page()
    analytics.add_page()
    settings.add_page()


def _runtime_of(app: FastAPI) -> ServerContext:
    rt: ServerContext = app.state.runtime
    return rt


def _serve_runtime_of(app: FastAPI) -> None:
    """From now on the pages use this app's runtime (it is set by the app's lifespan)."""
    set_runtime_provider(lambda: _runtime_of(app))


def mount_dashboard(app: FastAPI, settings: Settings) -> None:
    """Serve the dashboard on `app` (call after the API routers are included: routes match in order)."""
    global _configured  # noqa: PLW0603 - NiceGUI's own state is per process
    if not _configured:
        if "PYTEST_CURRENT_TEST" not in os.environ:
            # Keep browser sessions beside the database rather than in the working folder.
            Storage.path = (Path(settings.data_dir) / SESSIONS_DIR).resolve()
            nicegui_app.storage = Storage()
        register_pages()
        ui.run_with(
            app,
            title=TITLE,
            language="pt-BR",
            favicon=Path(__file__).parent / "favicon.svg",
            storage_secret=settings.resolved_session_secret(),
            reconnect_timeout=RECONNECT_SECONDS,
            show_welcome_message=False,
        )
        _configured = True
        _wrap_lifespan(app, start_nicegui=False)
        return
    app.mount("/", core.app)
    _wrap_lifespan(app, start_nicegui=True)


def _wrap_lifespan(app: FastAPI, *, start_nicegui: bool) -> None:
    inner = app.router.lifespan_context

    @asynccontextmanager
    async def lifespan(parent: Any) -> AsyncIterator[Any]:
        _serve_runtime_of(app)
        if start_nicegui:
            from nicegui.nicegui import _shutdown, _startup

            await _startup()
        try:
            async with inner(parent) as state:
                yield state
        finally:
            if start_nicegui:
                await _shutdown()
            set_runtime_provider(None)

    app.router.lifespan_context = lifespan
