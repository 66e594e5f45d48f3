"""How the dashboard's pages reach the running server: a `ServerContext` (services/context.py), never the server.

NiceGUI keeps its pages in module globals, so there is one dashboard per process and the pages ask this module
for the context of the app being served: `mount_dashboard` points the provider at the app's `state.runtime`,
and the page tests point it at a runtime of their own.
"""

from __future__ import annotations

from collections.abc import Callable

from shopflow.services.context import ServerContext

ContextProvider = Callable[[], ServerContext]

_provider: ContextProvider | None = None


class DashboardNotReadyError(RuntimeError):
    """The dashboard was asked for the runtime before the server started (or after it stopped)."""


def set_runtime_provider(provider: ContextProvider | None) -> None:
    global _provider  # noqa: PLW0603 - one dashboard per process (NiceGUI's UI state is per process)
    _provider = provider


def runtime() -> ServerContext:
    if _provider is None:
        raise DashboardNotReadyError("the dashboard is not attached to a running server")
    return _provider()
