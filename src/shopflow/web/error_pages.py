"""The dashboard's "page not found" and "server error" pages, in the reader's language.

NiceGUI's own are in English ("This page doesn't exist.", with the exception's class name): shown to a
Portuguese-speaking owner who mistyped an address, they read as a broken product. These replace them for page
addresses; anything else (an API path, a file) keeps its JSON or plain answer.
"""

from __future__ import annotations

import logging

from fastapi import Request, Response
from fastapi.exception_handlers import http_exception_handler
from nicegui import app as nicegui_app
from nicegui import ui
from nicegui.client import Client
from nicegui.page import page
from starlette.exceptions import HTTPException as StarletteHTTPException

from shopflow.web.i18n import t

log = logging.getLogger(__name__)


def _error_page(request: Request, status: int, title_key: str, text_key: str) -> Response:
    with (
        Client(page(""), request=request) as client,
        ui.column().classes("w-full items-center gap-4 py-20").props('role="main"'),
    ):
        ui.label(str(status)).classes("text-6xl text-slate-700")
        ui.label(t(title_key)).classes("text-xl font-semibold").mark("error-title")
        ui.label(t(text_key)).classes("text-slate-700")
        ui.link(t("back_to_overview"), "/").classes("text-blue-800 underline")
    return client.build_response(request, status)


async def _not_found(request: Request, exception: Exception) -> Response:
    page_address = request.scope.get("nicegui_page_path")
    endpoint = request.scope.get("endpoint")
    an_endpoints_own = endpoint is not None and endpoint is not nicegui_app and not page_address
    if an_endpoints_own and isinstance(exception, StarletteHTTPException):
        return await http_exception_handler(request, exception)  # its JSON, as the endpoint meant
    log.info("no page at %s", request.url.path)
    return _error_page(request, 404, "page_not_found", "page_not_found_help")


async def _server_error(request: Request, exception: Exception) -> Response:
    if not request.scope.get("nicegui_page_path"):
        raise exception
    log.error("a dashboard page failed: %s", request.url.path, exc_info=exception)
    return _error_page(request, 500, "page_failed", "page_failed_help")


def install_error_pages() -> None:
    """Replace NiceGUI's English error pages (call before ui.run_with)."""
    nicegui_app.add_exception_handler(404, _not_found)
    nicegui_app.add_exception_handler(Exception, _server_error)
