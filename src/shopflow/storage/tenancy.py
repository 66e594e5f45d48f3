"""Which organisation the current request acts for, and PostgreSQL's row-level security that enforces it.

The services scope every query to the caller's stores; this is the second line of defence. An API request sets
the organisation (api/security.py) before any database work; every transaction begun in that request's context
then tells PostgreSQL, whose policies (migration 0007) hide other organisations' rows even from a query that
forgot its filter. Work outside a request (camera workers, the event writer, the CLI) sets nothing and sees all.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

from sqlalchemy import Engine, event

_organisation: ContextVar[int | None] = ContextVar("shopflow_organisation", default=None)

SETTING = "shopflow.organisation_id"


def act_for(organisation_id: int | None) -> None:
    """From now on, in this context (an asyncio task and the threads it starts), act for this organisation."""
    _organisation.set(organisation_id)


@contextmanager
def acting_for(organisation_id: int | None) -> Iterator[None]:
    token = _organisation.set(organisation_id)
    try:
        yield
    finally:
        _organisation.reset(token)


def enforce_on(engine: Engine) -> None:
    """Every transaction on this PostgreSQL engine carries the current organisation (local to the transaction)."""

    @event.listens_for(engine, "begin")
    def _tell_postgres(connection: Any) -> None:
        organisation = _organisation.get()
        if organisation is not None:
            connection.exec_driver_sql("SELECT set_config(%s, %s, true)", (SETTING, str(organisation)))
