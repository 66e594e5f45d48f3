"""Where the pipeline hands its events: a protocol, so the pipeline never imports storage."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from shopflow.domain.stamped import StampedEvent


class EventSink(Protocol):
    def write(self, camera_id: int, events: Sequence[StampedEvent]) -> None: ...

    def close(self) -> None: ...
