"""Organisations and their stores."""

from __future__ import annotations

from collections.abc import Mapping
from functools import cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from sqlalchemy import select
from sqlalchemy.orm import Session

from shopflow.domain.problems import InputError
from shopflow.domain.text import check_plain_text
from shopflow.storage.errors import NotFoundError
from shopflow.storage.models import OrganisationRow, StoreRow
from shopflow.storage.records import DEFAULT_TIMEZONE, OrganisationRecord, StoreRecord, validate_opening_hours


def validate_timezone(name: str) -> str:
    """`name` if it is an IANA zone (e.g. America/Sao_Paulo); local days and opening hours depend on it."""
    # Looked up in the list first: ZoneInfo opens a file named after any string (a 1000-character name failed with
    # "file name too long"), and the zone folder holds files that are not zones ("posixrules").
    if name not in _iana_zones():
        raise InputError(
            f"unknown time zone {name[:80]!r}; use an IANA name such as 'America/Sao_Paulo'", "timezone_unknown"
        )
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, OSError) as error:
        raise InputError(
            f"unknown time zone {name!r}; use an IANA name such as 'America/Sao_Paulo'", "timezone_unknown"
        ) from error
    return name


@cache
def _iana_zones() -> frozenset[str]:
    return frozenset(available_timezones())


def _name(value: str, what: str) -> str:
    value = value.strip()
    if not value:
        raise InputError(f"a {what} needs a name", "name_missing")
    try:
        return check_plain_text(value)  # the dashboard's door too: PostgreSQL refuses NUL, exports control codes
    except ValueError as error:
        raise InputError(f"a {what}'s name {error}", "control_characters") from None


def _organisation(row: OrganisationRow) -> OrganisationRecord:
    return OrganisationRecord(id=row.id, name=row.name, created_at=row.created_at)


def _store(row: StoreRow) -> StoreRecord:
    return StoreRecord(
        id=row.id,
        organisation_id=row.organisation_id,
        name=row.name,
        timezone=row.timezone,
        opening_hours=dict(row.opening_hours or {}),
        is_demo=row.is_demo,
        created_at=row.created_at,
    )


class StoreRepository:
    def __init__(self, session: Session) -> None:
        self._session = session

    def create_organisation(self, name: str) -> OrganisationRecord:
        row = OrganisationRow(name=_name(name, "organisation"))
        self._session.add(row)
        self._session.flush()
        return _organisation(row)

    def get_organisation(self, organisation_id: int) -> OrganisationRecord:
        row = self._session.get(OrganisationRow, organisation_id)
        if row is None:
            raise NotFoundError("organisation", organisation_id)
        return _organisation(row)

    def server_organisation(self, name_if_none: str) -> int:
        """The server's organisation: the first one (a single business's server has one), made if there is none.
        The first owner, the demo store and the CLI's users all join it."""
        first = self._session.scalars(select(OrganisationRow.id).order_by(OrganisationRow.id).limit(1)).first()
        return first if first is not None else self.create_organisation(name_if_none).id

    def create(
        self,
        organisation_id: int,
        name: str,
        *,
        timezone: str = DEFAULT_TIMEZONE,
        opening_hours: Mapping[str, Mapping[str, str]] | None = None,
        is_demo: bool = False,
    ) -> StoreRecord:
        self.get_organisation(organisation_id)
        row = StoreRow(
            organisation_id=organisation_id,
            name=_name(name, "store"),
            timezone=validate_timezone(timezone),
            opening_hours=validate_opening_hours(opening_hours or {}),
            is_demo=is_demo,
        )
        self._session.add(row)
        self._session.flush()
        return _store(row)

    def create_with_organisation(
        self,
        organisation_name: str,
        store_name: str,
        *,
        timezone: str = DEFAULT_TIMEZONE,
        opening_hours: Mapping[str, Mapping[str, str]] | None = None,
        is_demo: bool = False,
    ) -> StoreRecord:
        """A new organisation with its first store (a single-store business is both)."""
        organisation = self.create_organisation(organisation_name)
        return self.create(organisation.id, store_name, timezone=timezone, opening_hours=opening_hours, is_demo=is_demo)

    def get(self, store_id: int) -> StoreRecord:
        return _store(self._row(store_id))

    def list_all(self, organisation_id: int | None = None) -> list[StoreRecord]:
        query = select(StoreRow).order_by(StoreRow.id)
        if organisation_id is not None:
            query = query.where(StoreRow.organisation_id == organisation_id)
        return [_store(row) for row in self._session.scalars(query)]

    def update(
        self,
        store_id: int,
        *,
        name: str | None = None,
        timezone: str | None = None,
        opening_hours: Mapping[str, Mapping[str, str]] | None = None,
        is_demo: bool | None = None,
    ) -> StoreRecord:
        """Change the given fields; None leaves a field as it is (pass {} to clear the opening hours)."""
        row = self._row(store_id)
        if name is not None:
            row.name = _name(name, "store")
        if timezone is not None:
            row.timezone = validate_timezone(timezone)
        if opening_hours is not None:
            row.opening_hours = validate_opening_hours(opening_hours)
        if is_demo is not None:
            row.is_demo = is_demo
        self._session.flush()
        return _store(row)

    def _row(self, store_id: int) -> StoreRow:
        row = self._session.get(StoreRow, store_id)
        if row is None:
            raise NotFoundError("store", store_id)
        return row
