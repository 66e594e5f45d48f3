"""Text fields shared by the request schemas: plain text only, so a name never breaks a database, an export or
a report."""

from __future__ import annotations

from typing import Annotated

from pydantic import AfterValidator, Field

from shopflow.domain.text import check_plain_text

PlainText = Annotated[str, AfterValidator(check_plain_text)]
Name = Annotated[PlainText, Field(min_length=1, max_length=200)]
ShortName = Annotated[PlainText, Field(min_length=1, max_length=100)]


def stripped_name(value: str | None) -> str | None:
    """A store's or camera's name without its surrounding spaces; one of spaces only is refused."""
    if value is None:
        return None
    value = value.strip()
    if not value:
        raise ValueError("must not be blank")
    return value
