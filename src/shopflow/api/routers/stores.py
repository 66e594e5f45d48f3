"""/api/stores: list, read, create and update stores (name, time zone, opening hours)."""

from __future__ import annotations

from collections.abc import Mapping

from fastapi import APIRouter, status

from shopflow.api.deps import SessionDep
from shopflow.api.params import StoreIdPath
from shopflow.api.schemas.stores import DayHours, StoreCreate, StoreOut, StoreUpdate, Weekday
from shopflow.storage.repositories import StoreRepository

router = APIRouter(prefix="/api/stores", tags=["stores"])


def _out(record: object) -> StoreOut:
    return StoreOut.model_validate(record, from_attributes=True)


def _hours(value: Mapping[Weekday, DayHours]) -> dict[str, dict[str, str]]:
    return {day: {"open": hours.open, "close": hours.close} for day, hours in value.items()}


@router.get("", response_model=list[StoreOut])
def list_stores(session: SessionDep) -> list[StoreOut]:
    return [_out(store) for store in StoreRepository(session).list_all()]


@router.post("", response_model=StoreOut, status_code=status.HTTP_201_CREATED)
def create_store(body: StoreCreate, session: SessionDep) -> StoreOut:
    stores = StoreRepository(session)
    hours = _hours(body.opening_hours)
    if body.organisation_id is None:
        record = stores.create_with_organisation(body.name, body.name, timezone=body.timezone, opening_hours=hours)
    else:
        record = stores.create(body.organisation_id, body.name, timezone=body.timezone, opening_hours=hours)
    return _out(record)


@router.get("/{store_id}", response_model=StoreOut)
def get_store(store_id: StoreIdPath, session: SessionDep) -> StoreOut:
    return _out(StoreRepository(session).get(store_id))


@router.patch("/{store_id}", response_model=StoreOut)
def update_store(store_id: StoreIdPath, body: StoreUpdate, session: SessionDep) -> StoreOut:
    hours = None if body.opening_hours is None else _hours(body.opening_hours)
    record = StoreRepository(session).update(store_id, name=body.name, timezone=body.timezone, opening_hours=hours)
    return _out(record)
