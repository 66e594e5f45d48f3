"""/api/stores/{store_id}/api-keys (owners): keys for machines (a bridge, a BI tool), scoped read, ingest or admin."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Depends, status
from pydantic import BaseModel, ConfigDict, Field

from shopflow.api.errors import InvalidInputError
from shopflow.api.security import AccountsDep, CallerDep, get_caller
from shopflow.storage.records import ApiKeyRecord, ApiKeyScope

router = APIRouter(tags=["api keys"], dependencies=[Depends(get_caller)])

Id = Annotated[int, Field(ge=1, le=2**31 - 1)]


class ApiKeyIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1, max_length=200, description="what uses it, e.g. 'bridge at the entrance'")
    scope: ApiKeyScope = Field(ApiKeyScope.READ, description="read figures, ingest events, or admin the store")


class ApiKeyOut(BaseModel):
    id: int
    store_id: int
    name: str
    prefix: str
    scope: ApiKeyScope
    created_at: datetime
    last_used_at: datetime | None
    revoked_at: datetime | None

    @classmethod
    def of(cls, key: ApiKeyRecord) -> ApiKeyOut:
        return cls(**{field: getattr(key, field) for field in cls.model_fields})


class NewApiKeyOut(ApiKeyOut):
    key: str = Field(description="the key itself, shown this once: send it as 'Authorization: Bearer <key>'")


@router.get("/api/stores/{store_id}/api-keys", response_model=list[ApiKeyOut])
def list_keys(store_id: Id, caller: CallerDep, accounts: AccountsDep) -> list[ApiKeyOut]:
    return [ApiKeyOut.of(key) for key in accounts.list_api_keys(caller, store_id)]


@router.post("/api/stores/{store_id}/api-keys", response_model=NewApiKeyOut, status_code=status.HTTP_201_CREATED)
def create_key(store_id: Id, body: ApiKeyIn, caller: CallerDep, accounts: AccountsDep) -> NewApiKeyOut:
    try:
        record, key = accounts.create_api_key(caller, store_id, body.name, body.scope)
    except ValueError as error:
        raise InvalidInputError(str(error)) from None
    return NewApiKeyOut(**ApiKeyOut.of(record).model_dump(), key=key)


@router.delete("/api/api-keys/{api_key_id}", response_model=ApiKeyOut)
def revoke_key(api_key_id: Id, caller: CallerDep, accounts: AccountsDep) -> ApiKeyOut:
    return ApiKeyOut.of(accounts.revoke_api_key(caller, api_key_id))
