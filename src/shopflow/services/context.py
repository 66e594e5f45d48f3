"""What the API and the dashboard may use of the running server, so that neither imports the server (or the
other). The server's runtime (`shopflow.server.runtime.ServerRuntime`) is the one implementation; the
composition root hands it to both doors as a `ServerContext`, and mypy checks it fits.
"""

from __future__ import annotations

from typing import Protocol

from shopflow.config.settings import Settings
from shopflow.pipeline.live_hub import LiveCounts, LiveHub
from shopflow.services.realtime import RealtimeBroker
from shopflow.services.throttle import ApiRateLimit, SignInThrottle
from shopflow.storage.db import Database


class ServerContext(Protocol):
    settings: Settings
    database: Database
    hub: LiveHub  # the latest analysed frame and picture of each running camera
    broker: RealtimeBroker  # committed crossings and visits of a store, from any server process
    start_pipeline: bool  # False: this process serves without camera workers
    sign_in_throttle: SignInThrottle  # failed sign-ins per account and per address
    api_rate_limit: ApiRateLimit  # requests per API caller

    @property
    def detector_loaded(self) -> bool: ...

    def resync(self) -> None:
        """Start, restart or stop camera workers to match the enabled cameras in the database (blocks)."""

    def is_running(self, camera_id: int) -> bool: ...

    def live_counts(self, camera_id: int) -> LiveCounts | None: ...
