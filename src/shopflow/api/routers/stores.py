"""/api/stores: the stores the caller may see; create (owners) and update (owners, managers) a store."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Annotated

from fastapi import APIRouter, Depends, status

from shopflow.api.deps import RuntimeDep
from shopflow.api.params import StoreIdPath
from shopflow.api.schemas.stores import DayHours, StoreCreate, StoreOut, StoreUpdate, Weekday
from shopflow.api.security import CallerDep, get_caller
from shopflow.services.stores import StoreService

router = APIRouter(prefix="/api/stores", tags=["stores"], dependencies=[Depends(get_caller)])


def get_store_service(runtime: RuntimeDep, caller: CallerDep) -> StoreService:
    return StoreService(runtime.database, caller)


StoresDep = Annotated[StoreService, Depends(get_store_service)]


def _out(record: object) -> StoreOut:
    return StoreOut.model_validate(record, from_attributes=True)


def _hours(value: Mapping[Weekday, DayHours]) -> dict[str, dict[str, str]]:
    return {day: {"open": hours.open, "close": hours.close} for day, hours in value.items()}


@router.get("", response_model=list[StoreOut])
def list_stores(stores: StoresDep) -> list[StoreOut]:
    return [_out(store) for store in stores.list()]


@router.post("", response_model=StoreOut, status_code=status.HTTP_201_CREATED)
def create_store(body: StoreCreate, stores: StoresDep) -> StoreOut:
    record = stores.create(
        body.name,
        timezone=body.timezone,
        opening_hours=_hours(body.opening_hours),
        organisation_id=body.organisation_id,
    )
    return _out(record)


@router.get("/{store_id}", response_model=StoreOut)
def get_store(store_id: StoreIdPath, stores: StoresDep) -> StoreOut:
    return _out(stores.get(store_id))


@router.patch("/{store_id}", response_model=StoreOut)
def update_store(store_id: StoreIdPath, body: StoreUpdate, stores: StoresDep) -> StoreOut:
    hours = None if body.opening_hours is None else _hours(body.opening_hours)
    return _out(stores.update(store_id, name=body.name, timezone=body.timezone, opening_hours=hours))
