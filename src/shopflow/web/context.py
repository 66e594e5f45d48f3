"""What the dashboard needs from the running server, typed as a Protocol so web/ never imports api/.

The server's runtime object (api's ServerRuntime) satisfies `DashboardRuntime`; `mount_dashboard` points the
provider at the app's `state.runtime`, and the page tests point it at a runtime of their own.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any, Protocol

from shopflow.config.settings import Settings
from shopflow.pipeline.live_hub import LiveCounts, LiveHub
from shopflow.storage.db import Database


class RealtimeSubscription(Protocol):
    queue: asyncio.Queue[dict[str, Any]]


class RealtimeFeed(Protocol):
    """The server's realtime channel (api's RealtimeBroker): every committed crossing and visit of a store,
    from this process or, on PostgreSQL, from any server process (LISTEN/NOTIFY)."""

    def subscribe(self, store_id: int) -> RealtimeSubscription: ...

    def unsubscribe(self, subscription: RealtimeSubscription) -> None: ...


def realtime_feed(rt: object) -> RealtimeFeed | None:
    """The runtime's realtime channel, when it has one (the page tests' runtime has none)."""
    broker = getattr(rt, "broker", None)
    return broker if broker is not None and hasattr(broker, "subscribe") else None


class DashboardRuntime(Protocol):
    settings: Settings
    database: Database
    hub: LiveHub
    start_pipeline: bool

    @property
    def detector_loaded(self) -> bool: ...

    def resync(self) -> None:
        """Start, restart or stop camera workers to match the enabled cameras in the database (blocks)."""

    def is_running(self, camera_id: int) -> bool: ...

    def live_counts(self, camera_id: int) -> LiveCounts | None: ...


RuntimeProvider = Callable[[], DashboardRuntime]

_provider: RuntimeProvider | None = None


class DashboardNotReadyError(RuntimeError):
    """The dashboard was asked for the runtime before the server started (or after it stopped)."""


def set_runtime_provider(provider: RuntimeProvider | None) -> None:
    global _provider  # noqa: PLW0603 - one dashboard per process (NiceGUI's UI state is per process)
    _provider = provider


def runtime() -> DashboardRuntime:
    if _provider is None:
        raise DashboardNotReadyError("the dashboard is not attached to a running server")
    return _provider()
