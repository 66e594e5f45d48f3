"""INSERT statements with ON CONFLICT for whichever dialect the session is bound to."""

from __future__ import annotations

from typing import Any

from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session


def upsert_insert(session: Session, model: Any) -> postgresql.Insert | sqlite.Insert:
    """An INSERT for `model` that supports on_conflict_do_nothing / on_conflict_do_update on this dialect."""
    name = session.get_bind().dialect.name
    if name == "postgresql":
        return postgresql.insert(model)
    if name == "sqlite":
        return sqlite.insert(model)
    raise NotImplementedError(f"ShopFlow stores events on SQLite or PostgreSQL, not {name}")
