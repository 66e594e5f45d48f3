"""The employee registry on SQLite and PostgreSQL: unique employee ids, the consent record, 1 to 5 face
embeddings only under face consent, erasure that blanks personal fields and deletes faces, and the audit log."""

from __future__ import annotations

import numpy as np
import pytest

from shopflow.storage.db import Database
from shopflow.storage.errors import AlreadyExistsError, ConsentRequiredError, NotFoundError
from shopflow.storage.repositories.staff_registry import MAX_FACES, ConsentMethod, StaffRegistry

from .factories import store_with_cameras

EMBEDDING = np.linspace(-0.2, 0.2, 128, dtype=np.float32).tobytes()


def test_an_employee_is_registered_with_their_fields(database: Database) -> None:
    store, _ = store_with_cameras(database, cameras=0)
    with database.session() as session:
        created = StaffRegistry(session).create(
            store.id, " Ana Souza ", "F-001", department="Caixa", position="Operadora de caixa"
        )
    with database.session() as session:
        [saved] = StaffRegistry(session).list_by_store(store.id)
    assert saved == created
    assert (saved.name, saved.code, saved.department, saved.position, saved.active) == (
        "Ana Souza",
        "F-001",
        "Caixa",
        "Operadora de caixa",
        True,
    )
    assert (saved.consent, saved.faces, saved.erased_at) == (None, 0, None)


def test_the_employee_id_is_unique_per_store(database: Database) -> None:
    store, _ = store_with_cameras(database, cameras=0)
    other, _ = store_with_cameras(database, cameras=0)
    with database.session() as session:
        registry = StaffRegistry(session)
        registry.create(store.id, "Ana", "F-001")
        registry.create(other.id, "Bia", "F-001")  # another store may use the same id
        with pytest.raises(AlreadyExistsError, match="F-001"):
            registry.create(store.id, "Carla", "F-001")
        # The refused row leaves the session usable.
        registry.create(store.id, "Carla", "F-002")
    with database.session() as session:
        assert [e.code for e in StaffRegistry(session).list_by_store(store.id)] == ["F-001", "F-002"]


@pytest.mark.parametrize(
    ("fields", "message"),
    [({"name": " "}, "needs a name"), ({"code": ""}, "needs an employee id"), ({"code": "x" * 65}, "at most 64")],
)
def test_missing_or_oversized_fields_are_refused(database: Database, fields: dict[str, str], message: str) -> None:
    store, _ = store_with_cameras(database, cameras=0)
    values = {"name": "Ana", "code": "F-1", **fields}
    with database.session() as session, pytest.raises(ValueError, match=message):
        StaffRegistry(session).create(store.id, values["name"], values["code"])


def test_faces_need_face_consent_and_at_most_five(database: Database) -> None:
    store, _ = store_with_cameras(database, cameras=0)
    with database.session() as session:
        registry = StaffRegistry(session)
        ana = registry.create(store.id, "Ana", "F-001")
        with pytest.raises(ConsentRequiredError, match="record their consent first"):
            registry.add_face(ana.id, EMBEDDING, "dlib-resnet-v1", actor="gerente@loja")
        registry.record_consent(
            ana.id, recorded_by="gerente@loja", text_version="2026-12", method=ConsentMethod.NO_BIOMETRICS
        )
        with pytest.raises(ConsentRequiredError):
            registry.add_face(ana.id, EMBEDDING, "dlib-resnet-v1", actor="gerente@loja")
        consented = registry.record_consent(
            ana.id, recorded_by="gerente@loja", text_version="2026-12", method=ConsentMethod.FACE
        )
        assert consented.consent is not None
        assert (consented.consent.recorded_by, consented.consent.text_version, consented.consent.method) == (
            "gerente@loja",
            "2026-12",
            ConsentMethod.FACE,
        )
        for _ in range(MAX_FACES):
            registry.add_face(ana.id, EMBEDDING, "dlib-resnet-v1", actor="gerente@loja")
        with pytest.raises(ValueError, match="already has 5 photos"):
            registry.add_face(ana.id, EMBEDDING, "dlib-resnet-v1", actor="gerente@loja")
    with database.session() as session:
        registry = StaffRegistry(session)
        assert registry.get(ana.id).faces == MAX_FACES
        gallery = registry.gallery(store.id, "dlib-resnet-v1")
        assert list(gallery) == [ana.id]
        assert [np.frombuffer(e, dtype=np.float32).shape for e in gallery[ana.id]] == [(128,)] * MAX_FACES
        assert registry.gallery(store.id, "another-embedder") == {}


def test_inactive_employees_and_withdrawn_consent_leave_the_gallery(database: Database) -> None:
    store, _ = store_with_cameras(database, cameras=0)
    with database.session() as session:
        registry = StaffRegistry(session)
        ana = registry.create(store.id, "Ana", "F-001")
        bia = registry.create(store.id, "Bia", "F-002")
        for employee in (ana, bia):
            registry.record_consent(employee.id, recorded_by="gerente", text_version="v1", method=ConsentMethod.FACE)
            registry.add_face(employee.id, EMBEDDING, "dlib-resnet-v1", actor="gerente")
        registry.set_active(ana.id, False)
        withdrawn = registry.withdraw_consent(bia.id, actor="gerente")
        assert withdrawn.faces == 0
        assert withdrawn.consent is not None and withdrawn.consent.method is ConsentMethod.NO_BIOMETRICS
        assert registry.gallery(store.id, "dlib-resnet-v1") == {}


def test_erasure_removes_faces_and_personal_fields_and_is_audited(database: Database) -> None:
    store, _ = store_with_cameras(database, cameras=0)
    with database.session() as session:
        registry = StaffRegistry(session)
        ana = registry.create(store.id, "Ana Souza", "F-001", department="Caixa", position="Operadora")
        registry.record_consent(ana.id, recorded_by="gerente", text_version="v1", method=ConsentMethod.FACE)
        registry.add_face(ana.id, EMBEDDING, "dlib-resnet-v1", actor="gerente")
    with database.session() as session:
        erased = StaffRegistry(session).erase(ana.id, actor="dono@loja")
    with database.session() as session:
        registry = StaffRegistry(session)
        saved = registry.get(ana.id)
        assert saved == erased
        assert (saved.name, saved.code, saved.department, saved.position, saved.active) == (
            "(erased)",
            None,
            "",
            "",
            False,
        )
        assert (saved.consent, saved.faces) == (None, 0)
        assert saved.erased_at is not None
        assert registry.gallery(store.id, "dlib-resnet-v1") == {}
        # The id can be given to someone else, and an erased employee cannot be enrolled again.
        registry.create(store.id, "Carla", "F-001")
        with pytest.raises(NotFoundError):
            registry.record_consent(ana.id, recorded_by="x", text_version="v1", method=ConsentMethod.FACE)
        log = registry.audit(store.id)
    assert [(entry.action, entry.actor) for entry in log] == [
        ("consent", "gerente"),
        ("face_enrolled", "gerente"),
        ("erased", "dono@loja"),
    ]
    assert all(entry.subject == f"employee {ana.id}" for entry in log)
    assert not any("Ana" in entry.detail or "Ana" in entry.subject for entry in log)


def test_unknown_employee_or_store_is_not_found(database: Database) -> None:
    with database.session() as session:
        registry = StaffRegistry(session)
        with pytest.raises(NotFoundError):
            registry.get(999)
        with pytest.raises(NotFoundError):
            registry.create(999, "Ana", "F-1")
