"""What GET /api/health answers."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field


class DatabaseHealth(BaseModel):
    ok: bool
    latency_ms: float | None = None
    error: str | None = None


class CameraCounts(BaseModel):
    online: int
    total: int


class HealthOut(BaseModel):
    status: Literal["ok", "unavailable"] = Field(description="unavailable (HTTP 503) when the database does not answer")
    version: str
    database: DatabaseHealth
    detector_loaded: bool
    cameras: CameraCounts
