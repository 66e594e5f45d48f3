"""Stored events as the API pages through them: crossings, visits and the periodic count snapshots."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, Field

from shopflow.domain.events import Direction
from shopflow.domain.people import PersonKind

EventKind = Literal["crossing", "visit", "snapshot"]


class CrossingOut(BaseModel):
    kind: Literal["crossing"] = "crossing"
    id: int
    store_id: int
    camera_id: int
    line: str
    direction: Direction = Field(description="the line's own sense: `in` towards its positive side")
    is_entry: bool | None = Field(description="walking into the store; null when the line is no longer configured")
    track_id: int
    person_kind: PersonKind
    at: datetime


class VisitOut(BaseModel):
    kind: Literal["visit"] = "visit"
    id: int
    store_id: int
    camera_id: int
    zone: str
    track_id: int
    person_kind: PersonKind
    entered_at: datetime
    exited_at: datetime
    dwell_seconds: float


class SnapshotOut(BaseModel):
    kind: Literal["snapshot"] = "snapshot"
    id: int
    store_id: int
    camera_id: int
    at: datetime
    total_people: int
    customers: int
    employees: int
    groups: int
    potential_customers: int
    processing_time_ms: float | None


class EventPage(BaseModel):
    kind: EventKind
    items: list[CrossingOut | VisitOut | SnapshotOut]
    next_cursor: str | None = Field(description="pass it as `cursor` for the next page; null on the last page")
