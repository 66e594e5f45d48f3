"""Stores as the API reads and writes them: name, IANA time zone and weekly opening hours."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from shopflow.api.params import Id
from shopflow.api.schemas.text import Name, stripped_name
from shopflow.storage.records import DEFAULT_TIMEZONE, validate_opening_hours
from shopflow.storage.repositories.stores import validate_timezone

Weekday = Literal["mon", "tue", "wed", "thu", "fri", "sat", "sun"]


class DayHours(BaseModel):
    """One day's hours; a close earlier than the open means the store closes after midnight."""

    model_config = ConfigDict(extra="forbid")

    open: str = Field(examples=["09:00"])
    close: str = Field(examples=["18:00"])


def _hours(value: dict[Weekday, DayHours] | None) -> dict[Weekday, DayHours] | None:
    if value is None:
        return None
    # The storage rule is the one source of truth (HH:MM, open != close); its message says what to fix.
    validate_opening_hours({day: hours.model_dump() for day, hours in value.items()})
    return value


def _timezone(value: str | None) -> str | None:
    return None if value is None else validate_timezone(value.strip())


class StoreCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: Name
    timezone: str = Field(DEFAULT_TIMEZONE, examples=["America/Sao_Paulo"], description="IANA time zone name")
    opening_hours: dict[Weekday, DayHours] = Field(
        default_factory=dict,
        description='e.g. {"mon": {"open": "09:00", "close": "18:00"}}; a missing weekday is a closed day',
    )
    organisation_id: Id | None = Field(
        None, description="your organisation (the default); another organisation is a 404"
    )

    _check_name = field_validator("name")(stripped_name)
    _check_timezone = field_validator("timezone")(_timezone)
    _check_hours = field_validator("opening_hours")(_hours)


class StoreUpdate(BaseModel):
    """Only the fields given change; `opening_hours: {}` clears the hours."""

    model_config = ConfigDict(extra="forbid")

    name: Name | None = None
    timezone: str | None = None
    opening_hours: dict[Weekday, DayHours] | None = None

    _check_name = field_validator("name")(stripped_name)
    _check_timezone = field_validator("timezone")(_timezone)
    _check_hours = field_validator("opening_hours")(_hours)


class StoreOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    organisation_id: int
    name: str
    timezone: str
    opening_hours: dict[str, DayHours]
    is_demo: bool = Field(description="the demo store that plays the bundled sample video")
    created_at: datetime
