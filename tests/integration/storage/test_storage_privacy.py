"""A store's privacy settings: defaults until saved, partial updates, limits, and cascade with the store."""

from __future__ import annotations

import pytest
from sqlalchemy import delete

from shopflow.storage.db import Database
from shopflow.storage.errors import NotFoundError
from shopflow.storage.models import StoreRow
from shopflow.storage.records import DEFAULT_RETENTION_DAYS, PrivacySettings
from shopflow.storage.repositories import PrivacyRepository, StoreRepository

from .factories import store_with_cameras


def test_a_store_never_saved_has_the_defaults(database: Database) -> None:
    store, _ = store_with_cameras(database, cameras=0)
    with database.session() as session:
        settings = PrivacyRepository(session).get(store.id)
    assert settings == PrivacySettings(store_id=store.id)
    assert (settings.retention_days, settings.face_recognition, settings.consent_text) == (
        DEFAULT_RETENTION_DAYS,
        False,
        "",
    )


def test_updates_change_only_the_fields_given_and_persist(database: Database) -> None:
    store, _ = store_with_cameras(database, cameras=0)
    with database.session() as session:
        first = PrivacyRepository(session).update(store.id, retention_days=30)
    assert (first.retention_days, first.face_recognition, first.consent_text) == (30, False, "")
    assert first.updated_at is not None
    with database.session() as session:
        PrivacyRepository(session).update(store.id, face_recognition=True, consent_text="  Autorizo o uso.  ")
    with database.session() as session:
        saved = PrivacyRepository(session).get(store.id)
    assert (saved.retention_days, saved.face_recognition, saved.consent_text) == (30, True, "Autorizo o uso.")


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"retention_days": 0}, "retention must be from 1 to 3650 days, got 0"),
        ({"retention_days": 3651}, "retention must be from 1 to 3650 days, got 3651"),
        ({"consent_text": "x" * 10_001}, "the consent text may have at most 10000 characters"),
    ],
)
def test_out_of_range_values_are_refused(database: Database, fields: dict[str, object], message: str) -> None:
    store, _ = store_with_cameras(database, cameras=0)
    with database.session() as session, pytest.raises(ValueError, match=message):
        PrivacyRepository(session).update(store.id, **fields)  # type: ignore[arg-type]


@pytest.mark.parametrize("method", ["get", "update"])
def test_unknown_store_is_not_found(database: Database, method: str) -> None:
    with database.session() as session, pytest.raises(NotFoundError):
        getattr(PrivacyRepository(session), method)(999)


def test_settings_go_with_their_store(database: Database) -> None:
    store, _ = store_with_cameras(database, cameras=0)
    with database.session() as session:
        PrivacyRepository(session).update(store.id, retention_days=10)
        other = StoreRepository(session).create_with_organisation("Outra", "Outra loja")
        PrivacyRepository(session).update(other.id, retention_days=20)
    with database.session() as session:
        session.execute(delete(StoreRow).where(StoreRow.id == store.id))
    with database.session() as session:
        assert PrivacyRepository(session).get(other.id).retention_days == 20
        with pytest.raises(NotFoundError):
            PrivacyRepository(session).get(store.id)
