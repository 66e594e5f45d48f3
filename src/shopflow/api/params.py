"""Path and query parameters shared by the routers, with the bounds that keep bad input a 422.

Ids are PostgreSQL `integer`s (SQLite's are wider): a larger number cannot name anything, and sent to the
database it failed there with a 500. Dates outside 2000..2100 cannot hold events, and the far ones (year 1,
9999) overflowed the time-zone arithmetic.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from typing import Annotated

from fastapi import Path
from pydantic import AfterValidator, AwareDatetime, BeforeValidator, Field

MAX_ID = 2**31 - 1
FIRST_DAY = date(2000, 1, 1)
LAST_DAY = date(2100, 12, 31)
DATE_RANGE = f"from {FIRST_DAY.isoformat()} to {LAST_DAY.isoformat()}"

# An id inside a request body.
Id = Annotated[int, Field(ge=1, le=MAX_ID)]


def _day_in_range(value: date) -> date:
    if not FIRST_DAY <= value <= LAST_DAY:
        raise ValueError(f"must be a day {DATE_RANGE}, got {value.isoformat()}")
    return value


def _instant_in_range(value: datetime) -> datetime:
    day = value.astimezone(UTC).date() if FIRST_DAY.year < value.year < LAST_DAY.year else value.date()
    _day_in_range(day)
    return value


_NUMBER = re.compile(r"\s*[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?\s*")


def _written_out(value: object) -> object:
    # Pydantic reads a bare number as seconds since 1970 (so "1733011200" was a day); the schema documents ISO 8601
    # text only, and a number sent for a day or a time is far more often a mistake than a Unix time.
    if isinstance(value, int | float) or (isinstance(value, str) and _NUMBER.fullmatch(value)):
        raise ValueError("must be written out in ISO 8601 (2026-11-25, or 2026-11-25T14:30:00-03:00 for a time)")
    return value


Day = Annotated[date, BeforeValidator(_written_out), AfterValidator(_day_in_range)]
Instant = Annotated[AwareDatetime, BeforeValidator(_written_out), AfterValidator(_instant_in_range)]

StoreIdPath = Annotated[int, Path(ge=1, le=MAX_ID, description="the store's id")]
CameraIdPath = Annotated[int, Path(ge=1, le=MAX_ID, description="the camera's id")]
EmployeeIdPath = Annotated[int, Path(ge=1, le=MAX_ID, description="the employee's id (not the store's own code)")]
FaceIdPath = Annotated[int, Path(ge=1, le=MAX_ID, description="an enrolled face's id")]
