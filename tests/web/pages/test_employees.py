"""Employees ("Funcionários"): an owner adds one, records their consent and erases them; a viewer is refused;
a real face photo enrols and a photo with no face is refused with its reason in Portuguese."""

from __future__ import annotations

from pathlib import Path

import cv2
from nicegui import ui
from nicegui.testing import User

from shopflow.storage.db import Database
from shopflow.storage.records import UserRole
from shopflow.storage.repositories.staff_registry import ConsentMethod, StaffRegistry

from .conftest import RETRIES, add_store, add_user, grant, sign_in

PHOTOS = Path(__file__).resolve().parents[2] / "fixtures" / "faces"
# The first photo loads the face models (a few seconds, more on a busy machine).
FACE_RETRIES = 600


def _element(user: User, marker: str) -> ui.element:
    [element] = user.find(marker=marker).elements
    return element


def _type(user: User, marker: str, text: str) -> None:
    field = _element(user, marker)
    assert isinstance(field, ui.input)
    field.set_value(text)


async def _upload(user: User, name: str, data: bytes) -> None:
    upload = _element(user, "employee-photo")
    assert isinstance(upload, ui.upload)
    await upload.handle_uploads([ui.upload.SmallFileUpload(name, "image/jpeg", data)])


async def test_an_owner_adds_an_employee_records_consent_and_erases_them(user: User, database: Database) -> None:
    owner = add_user(database)
    store = add_store(database)
    await sign_in(user)
    await user.open("/employees")
    await user.should_see(marker="no-employees", retries=RETRIES)
    user.find(marker="add-employee").click()
    await user.should_see("Informe o nome do funcionário.", retries=RETRIES)
    _type(user, "employee-name", "Ana Souza")
    _type(user, "employee-code", "F-001")
    _type(user, "employee-department", "Caixa")
    _type(user, "employee-position", "Operadora")
    user.find(marker="add-employee").click()
    await user.should_see("Funcionário “Ana Souza” cadastrado.", retries=RETRIES)
    await user.should_see("sem consentimento", retries=RETRIES)
    await user.should_see("Fotos do rosto: 0 de 5", retries=RETRIES)
    # The same employee id again is refused, in words.
    _type(user, "employee-name", "Bia")
    _type(user, "employee-code", "F-001")
    user.find(marker="add-employee").click()
    await user.should_see("A matrícula “F-001” já é usada nesta loja.", retries=RETRIES)

    user.find(marker="employee-consent").click()
    await user.should_see(marker="consent-dialog", retries=RETRIES)
    recorded_by = _element(user, "consent-recorded-by")
    assert isinstance(recorded_by, ui.input)
    assert recorded_by.value == owner.email  # the signed-in user, unless someone else recorded it
    method = _element(user, "consent-method")
    assert isinstance(method, ui.select)
    method.set_value("no_biometrics")
    _type(user, "consent-version", "2026-12")
    user.find(marker="save-consent").click()
    await user.should_see("Consentimento registrado.", retries=RETRIES)
    await user.should_see("Consentimento: sem biometria (uniforme e zonas) (termo 2026-12", retries=RETRIES)

    user.find(marker="employee-erase").click()
    await user.should_see("Apagar os dados de “Ana Souza”?", retries=RETRIES)
    await user.should_see("Não dá para desfazer.", retries=RETRIES)  # the dialog says what goes
    user.find(marker="confirm-erase").click()
    await user.should_see("Dados de “Ana Souza” apagados.", retries=RETRIES)
    await user.should_see(marker="employee-erased", retries=RETRIES)
    with database.session() as session:
        [saved] = StaffRegistry(session).list_by_store(store.id)
        actions = [entry.action for entry in StaffRegistry(session).audit(store.id)]
    assert (saved.name, saved.code, saved.department, saved.position, saved.active, saved.consent) == (
        "(erased)",
        None,
        "",
        "",
        False,
        None,
    )
    assert saved.erased_at is not None
    assert {"employees_read", "consent", "erased"} <= set(actions)


async def test_deactivating_and_reactivating_an_employee(user: User, database: Database) -> None:
    add_user(database)
    store = add_store(database)
    with database.session() as session:
        ana = StaffRegistry(session).create(store.id, "Ana", "F-001")
    await sign_in(user)
    await user.open("/employees")
    await user.should_see("Ana", retries=RETRIES)
    switch = _element(user, "employee-active")
    assert isinstance(switch, ui.switch)
    switch.set_value(False)
    await user.should_see("Funcionário desativado", retries=RETRIES)
    with database.session() as session:
        assert not StaffRegistry(session).get(ana.id).active
    _element(user, "employee-active").set_value(True)  # type: ignore[attr-defined]
    await user.should_see("Funcionário reativado.", retries=RETRIES)
    with database.session() as session:
        assert StaffRegistry(session).get(ana.id).active


async def test_a_viewer_is_refused(user: User, database: Database) -> None:
    viewer = add_user(database, role=UserRole.VIEWER)
    store = add_store(database)
    grant(database, viewer, store)
    with database.session() as session:
        StaffRegistry(session).create(store.id, "Ana Souza", "F-001")
    await sign_in(user)
    await user.open("/employees")
    await user.should_see("Você não tem permissão para fazer isto.", retries=RETRIES)
    await user.should_not_see("Ana Souza")
    await user.should_not_see(marker="add-employee")
    await user.should_not_see("Funcionários")  # nor is the page in the header's links
    with database.session() as session:  # nothing was read: the refusal comes before the list
        assert StaffRegistry(session).audit(store.id) == []


async def test_a_real_face_enrols_and_a_photo_with_no_face_is_refused_in_portuguese(
    user: User, database: Database
) -> None:
    add_user(database)
    store = add_store(database)
    with database.session() as session:
        registry = StaffRegistry(session)
        ana = registry.create(store.id, "Ana Souza", "F-001")
        registry.record_consent(ana.id, recorded_by="dona", text_version="2026-12", method=ConsentMethod.FACE)
    await sign_in(user)
    await user.open("/employees")
    await user.should_see(marker="employee-photo", retries=RETRIES)
    await _upload(user, "obama.jpg", (PHOTOS / "obama.jpg").read_bytes())
    await user.should_see("Foto cadastrada: 1 de 5.", retries=FACE_RETRIES)
    await user.should_see("Fotos do rosto: 1 de 5", retries=RETRIES)
    bus = cv2.imread(str(PHOTOS / "bus.jpg"))
    ok, street = cv2.imencode(".jpg", bus[700:, :])  # the street and the bus's lower half: nobody's face
    assert ok
    await _upload(user, "rua.jpg", street.tobytes())
    await user.should_see(
        "Foto recusada: nenhum rosto encontrado. Use uma foto do funcionário de frente para a câmera.",
        retries=FACE_RETRIES,
    )
    await _upload(user, "planilha.jpg", b"nome;matricula\nAna;F-001\n")
    await user.should_see("Foto recusada: o arquivo não é uma imagem.", retries=FACE_RETRIES)
    with database.session() as session:
        assert StaffRegistry(session).get(ana.id).faces == 1


async def test_withdrawing_face_consent_asks_first_and_deletes_the_faces(user: User, database: Database) -> None:
    add_user(database)
    store = add_store(database)
    with database.session() as session:
        registry = StaffRegistry(session)
        ana = registry.create(store.id, "Ana Souza", "F-001")
        registry.record_consent(ana.id, recorded_by="dona", text_version="2026-12", method=ConsentMethod.FACE)
        registry.add_face(ana.id, bytes(128 * 8), "dlib", actor="dona")
        bia = registry.create(store.id, "Bia Lima", "F-002")
        registry.record_consent(bia.id, recorded_by="dona", text_version="2026-12", method=ConsentMethod.NO_BIOMETRICS)
    await sign_in(user)
    await user.open("/employees")
    await user.should_see("Fotos do rosto: 1 de 5", retries=RETRIES)
    # Only someone who consented to faces has a consent to withdraw.
    [withdraw] = user.find(marker="employee-withdraw").elements
    user.find(marker="employee-withdraw").click()
    await user.should_see("Retirar o consentimento de “Ana Souza” ao reconhecimento facial?", retries=RETRIES)
    await user.should_see("ainda é reconhecido pelo uniforme e pelas zonas de funcionários", retries=RETRIES)
    user.find("Cancelar").click()  # asking changes nothing
    with database.session() as session:
        assert StaffRegistry(session).get(ana.id).faces == 1
    assert not withdraw.is_deleted
    user.find(marker="employee-withdraw").click()
    await user.should_see(marker="withdraw-dialog", retries=RETRIES)
    user.find(marker="confirm-withdraw").click()
    await user.should_see(
        "Consentimento de “Ana Souza” ao reconhecimento facial retirado; as fotos do rosto foram apagadas.",
        retries=RETRIES,
    )
    await user.should_see("Consentimento: sem biometria (uniforme e zonas)", retries=RETRIES)
    await user.should_see("Fotos do rosto: 0 de 5", retries=RETRIES)
    await user.should_not_see(marker="employee-withdraw")
    with database.session() as session:
        registry = StaffRegistry(session)
        profile = registry.get(ana.id)
        actions = [entry.action for entry in registry.audit(store.id)]
    assert profile.consent is not None and profile.consent.method is ConsentMethod.NO_BIOMETRICS
    assert (profile.faces, profile.active, profile.name) == (0, True, "Ana Souza")  # still registered
    assert "consent_withdrawn" in actions
