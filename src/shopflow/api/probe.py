"""The connection test behind "test connection"; it lives in pipeline/ so the web dashboard can use it too."""

from __future__ import annotations

from shopflow.pipeline.probe import PREVIEW_MAX_WIDTH, ProbeResult, probe_source

__all__ = ["PREVIEW_MAX_WIDTH", "ProbeResult", "probe_source"]
