"""Employees in the registry (embeddings only with consent), users and API keys."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from shopflow.storage.db import Database
from shopflow.storage.errors import AlreadyExistsError, ConsentRequiredError, NotFoundError
from shopflow.storage.records import Language, UserRole
from shopflow.storage.repositories import ApiKeyRepository, UserRepository
from shopflow.storage.repositories.staff_registry import ConsentMethod, StaffRegistry

from .factories import store_with_cameras

CONSENT = datetime(2024, 4, 1, 13, 0, tzinfo=UTC)
EMBEDDER = "dlib-resnet-v1"


def test_employee_crud(database: Database) -> None:
    store, _ = store_with_cameras(database, cameras=0)
    with database.session() as session:
        employees = StaffRegistry(session)
        ana = employees.create(store.id, "Ana", "E1", position="cashier")
        bruno = employees.create(store.id, "Bruno", "E2")
    with database.session() as session:
        employees = StaffRegistry(session)
        assert employees.get(ana.id) == ana
        assert (ana.active, ana.consent, ana.faces, ana.position) == (True, None, 0, "cashier")
        employees.set_active(bruno.id, False)
        assert [(e.name, e.active) for e in employees.list_by_store(store.id)] == [("Ana", True), ("Bruno", False)]
        # Nobody is deleted (stored counts still say "an employee"): erasure blanks them, and they are gone for
        # everything but the record of having been there.
        employees.erase(bruno.id, actor="dono@loja")
        assert employees.get(bruno.id).name == "(erased)"
        with pytest.raises(NotFoundError):
            employees.record_consent(bruno.id, recorded_by="x", text_version="v1", method=ConsentMethod.FACE)


def test_embeddings_need_consent_and_go_when_it_is_withdrawn(database: Database) -> None:
    store, _ = store_with_cameras(database, cameras=0)
    with database.session() as session:
        employees = StaffRegistry(session)
        ana = employees.create(store.id, "Ana", "E1")
        with pytest.raises(ConsentRequiredError):
            employees.add_face(ana.id, b"\x01\x02", EMBEDDER, actor="dono@loja")
        with pytest.raises(ValueError, match="timezone-aware"):
            employees.record_consent(
                ana.id,
                recorded_by="dono",
                text_version="v1",
                method=ConsentMethod.FACE,
                at=CONSENT.replace(tzinfo=None),
            )
        consented = employees.record_consent(
            ana.id, recorded_by="dono", text_version="v1", method=ConsentMethod.FACE, at=CONSENT
        )
        employees.add_face(ana.id, b"\x01\x02\x03", EMBEDDER, actor="dono@loja")
    assert consented.consent is not None and consented.consent.at == CONSENT
    with database.session() as session:
        employees = StaffRegistry(session)
        assert employees.get(ana.id).faces == 1
        assert employees.gallery(store.id, EMBEDDER) == {ana.id: [b"\x01\x02\x03"]}
        withdrawn = employees.withdraw_consent(ana.id, actor="dono@loja")
    assert withdrawn.consent is not None
    assert (withdrawn.consent.method, withdrawn.faces) == (ConsentMethod.NO_BIOMETRICS, 0)
    with database.session() as session:
        assert StaffRegistry(session).gallery(store.id, EMBEDDER) == {}


def test_users(database: Database) -> None:
    store, _ = store_with_cameras(database, cameras=0)
    org = store.organisation_id
    with database.session() as session:
        users = UserRepository(session)
        owner = users.create(
            "Owner@Example.com ", "hash-1", organisation_id=org, role=UserRole.OWNER, language=Language.EN
        )
        # A taken e-mail (in any case) is refused, and the transaction stays usable.
        with pytest.raises(AlreadyExistsError):
            users.create("owner@example.com", "hash-2", organisation_id=org)
        viewer = users.create("viewer@example.com", "hash-3", organisation_id=org, store_ids=[store.id])
    assert (owner.email, owner.role, owner.language) == ("owner@example.com", UserRole.OWNER, Language.EN)
    assert (viewer.role, viewer.language, viewer.store_ids) == (UserRole.VIEWER, Language.PT_BR, {store.id})
    with database.session() as session:
        users = UserRepository(session)
        assert users.count() == 2
        assert users.find_by_email("OWNER@example.com") == owner
        assert users.find_by_email("nobody@example.com") is None
        assert users.credentials("owner@example.com") == (owner, "hash-1")
        changed = users.update(viewer.id, role=UserRole.MANAGER, password_hash="hash-4")
        assert users.credentials("viewer@example.com") == (changed, "hash-4")
        assert [u.id for u in users.list_all()] == [owner.id, viewer.id]
        with pytest.raises(ValueError, match="e-mail"):
            users.create("not-an-address", "hash", organisation_id=org)
        # Grants only name stores of the user's own organisation; an inactive user has no credentials.
        with pytest.raises(NotFoundError):
            users.update(viewer.id, store_ids=[store.id + 1000])
        assert users.update(viewer.id, active=False, store_ids=[]).store_ids == frozenset()
        assert users.credentials("viewer@example.com") is None
        assert users.count_owners(org) == 1


def test_api_keys(database: Database) -> None:
    store, _ = store_with_cameras(database, cameras=0)
    used = datetime(2024, 5, 2, 8, 0, tzinfo=UTC)
    with database.session() as session:
        keys = ApiKeyRepository(session)
        bridge = keys.create(store.id, "bridge", "sha256:aaa", "sf_aaaa")
        old = keys.create(store.id, "old", "sha256:bbb", "sf_bbbb")
        with pytest.raises(AlreadyExistsError):
            keys.create(store.id, "copy", "sha256:aaa", "sf_aaaa")
    with database.session() as session:
        keys = ApiKeyRepository(session)
        keys.touch(bridge.id, used)
        revoked = keys.revoke(old.id)
        assert revoked.revoked_at is not None
        assert keys.find_active_by_hash("sha256:bbb") is None
        found = keys.find_active_by_hash("sha256:aaa")
        assert found is not None and found.last_used_at == used
        assert keys.active_candidates("sf_aaaa") == [(found, "sha256:aaa")]
        assert [k.name for k in keys.list_by_store(store.id)] == ["bridge"]
        assert [k.name for k in keys.list_by_store(store.id, include_revoked=True)] == ["bridge", "old"]
