"""What every error answer holds (see shopflow.api.errors): the OpenAPI schema documents exactly this."""

from __future__ import annotations

from pydantic import BaseModel, Field


class FieldErrorOut(BaseModel):
    field: str = Field(description="where: `name`, `lines[0].a`, `store_id`; `request` for the whole request")
    message: str = Field(description="what is wrong with it and how to fix it")


class ErrorOut(BaseModel):
    detail: str = Field(description="what is wrong and how to fix it, in a plain sentence")
    errors: list[FieldErrorOut] | None = Field(None, description="validation errors only: one entry per field")
    problem: str | None = Field(None, description="face photos only: a code for what is wrong with the photo")
