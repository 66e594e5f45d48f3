"""The audit log keeps whatever a stranger typed (the e-mail of a refused sign-in), on both dialects: PostgreSQL
refuses a NUL in text outright, which once turned a throttled sign-in with a NUL in its e-mail into a 500."""

from __future__ import annotations

from shopflow.storage.db import Database
from shopflow.storage.repositories import AuditRepository, StoreRepository


def test_control_characters_are_kept_visible_not_refused(database: Database) -> None:
    with database.session() as session:
        organisation = StoreRepository(session).server_organisation("Acme")
        AuditRepository(session).add(
            actor="intruso\x00@loja.com.br",
            action="sign_in_throttled",
            subject="e-mail\x07",
            detail="from 127.0.0.1\n",
            organisation_id=organisation,
        )
    with database.read_session() as session:
        [entry] = AuditRepository(session).list(organisation, action="sign_in_throttled")
    assert (entry.actor, entry.subject, entry.detail) == (
        "intruso\ufffd@loja.com.br",
        "e-mail\ufffd",
        "from 127.0.0.1\ufffd",
    )
