"""Settings: the store, users, API keys (shown once, kept hashed), privacy, system status, and the language."""

from __future__ import annotations

import json
import re
from datetime import timedelta

from nicegui import ui
from nicegui.testing import User

from shopflow.config.credentials import hash_api_key, verify_password
from shopflow.services.accounts import Accounts, token_hash
from shopflow.storage.db import Database
from shopflow.storage.records import Language, SessionKind, UserRole
from shopflow.storage.repositories import (
    ApiKeyRepository,
    PrivacyRepository,
    SessionRepository,
    StoreRepository,
    UserRepository,
)

from .conftest import PASSWORD, RETRIES, add_store, add_user, grant, sign_in


def _element(user: User, marker: str) -> ui.element:
    [element] = user.find(marker=marker).elements
    return element


async def test_store_name_timezone_and_opening_hours_are_saved(user: User, database: Database) -> None:
    add_user(database)
    store = add_store(database)
    await sign_in(user)
    await user.open("/settings")
    name = _element(user, "store-name")
    assert isinstance(name, ui.input)
    name.set_value("Loja Centro 2")
    zone = _element(user, "store-timezone")
    assert isinstance(zone, ui.select)
    zone.set_value("America/Manaus")
    monday = _element(user, "open-mon")
    assert isinstance(monday, ui.checkbox)
    monday.set_value(True)
    for day in ("tue", "wed", "thu", "fri", "sat", "sun"):  # hours never set start with every day ticked
        closed = _element(user, f"open-{day}")
        assert isinstance(closed, ui.checkbox)
        closed.set_value(False)
    user.find(marker="save-store").click()
    await user.should_see("Salvo.", retries=RETRIES)
    with database.session() as session:
        saved = StoreRepository(session).get(store.id)
    assert (saved.name, saved.timezone, saved.opening_hours) == (
        "Loja Centro 2",
        "America/Manaus",
        {"mon": {"open": "09:00", "close": "18:00"}},
    )


async def test_any_zone_the_api_accepts_can_be_shown_and_kept(user: User, database: Database) -> None:
    add_user(database)
    store = add_store(database, timezone="UTC")
    with database.session() as session:  # a zone outside the list the page offers, as the API may store
        StoreRepository(session).update(store.id, timezone="Etc/GMT+3")
    await sign_in(user)
    await user.open("/settings")
    zone = _element(user, "store-timezone")
    assert isinstance(zone, ui.select)
    assert zone.value == "Etc/GMT+3"
    zone.set_value("UTC")
    user.find(marker="save-store").click()
    await user.should_see("Salvo.", retries=RETRIES)
    with database.session() as session:
        assert StoreRepository(session).get(store.id).timezone == "UTC"


async def test_the_owner_creates_a_user_with_a_role(user: User, database: Database) -> None:
    add_user(database)
    add_store(database)
    await sign_in(user)
    await user.open("/settings")
    user.find(marker="tab-users").click()
    user.find(marker="new-user-email").type("gerente@loja.com.br")
    user.find(marker="new-user-password").type("outra-senha-456")
    role = _element(user, "new-user-role")
    assert isinstance(role, ui.select)
    role.set_value("manager")
    user.find(marker="create-user").click()
    await user.should_see("Usuário gerente@loja.com.br criado.", retries=RETRIES)
    with database.session() as session:
        found = UserRepository(session).credentials("gerente@loja.com.br")
    assert found is not None
    assert found[0].role is UserRole.MANAGER
    assert verify_password("outra-senha-456", found[1])


async def test_an_api_key_is_shown_once_kept_hashed_and_can_be_revoked(user: User, database: Database) -> None:
    add_user(database)
    store = add_store(database)
    await sign_in(user)
    await user.open("/settings")
    user.find(marker="tab-api-keys").click()
    await user.should_see("Nenhuma chave criada.", retries=RETRIES)
    user.find(marker="key-name").type("ponte do caixa")
    user.find(marker="create-key").click()
    await user.should_see("Copie a chave agora: ela não será mostrada de novo.", retries=RETRIES)
    shown = _element(user, "new-key")
    assert isinstance(shown, ui.input)
    key = str(shown.value)
    assert key.startswith("sf_") and len(key) > 40
    with database.session() as session:
        keys = ApiKeyRepository(session)
        [record] = keys.list_by_store(store.id)
        assert keys.find_active_by_hash(hash_api_key(key)) == record
    assert record.name == "ponte do caixa" and key.startswith(record.prefix)
    user.find(marker=f"revoke-{record.id}").click()
    user.find(marker="confirm-revoke").click()  # revoking asks first (issue 10, item 10)
    await user.should_see("Chave “ponte do caixa” revogada.", retries=RETRIES)
    with database.session() as session:
        assert ApiKeyRepository(session).find_active_by_hash(hash_api_key(key)) is None


async def test_privacy_settings_are_saved(user: User, database: Database) -> None:
    add_user(database)
    store = add_store(database)
    await sign_in(user)
    await user.open("/settings")
    user.find(marker="tab-privacy").click()
    retention = _element(user, "retention-days")
    assert isinstance(retention, ui.number)
    retention.set_value(30)
    faces = _element(user, "face-recognition")
    assert isinstance(faces, ui.switch)
    faces.set_value(True)
    photos = _element(user, "keep-face-photos")
    assert isinstance(photos, ui.switch) and photos.value is False  # photos are dropped unless the owner says so
    photos.set_value(True)
    user.find(marker="consent-text").type("Autorizo o uso da minha imagem.")
    user.find(marker="save-privacy").click()
    await user.should_see("Salvo.", retries=RETRIES)
    with database.session() as session:
        saved = PrivacyRepository(session).get(store.id)
    assert (saved.retention_days, saved.face_recognition, saved.consent_text, saved.keep_face_photos) == (
        30,
        True,
        "Autorizo o uso da minha imagem.",
        True,
    )


async def test_a_manager_cannot_change_users_keys_or_privacy(user: User, database: Database) -> None:
    manager = add_user(database, role=UserRole.MANAGER)
    grant(database, manager, add_store(database))
    await sign_in(user)
    await user.open("/settings")
    await user.should_see(marker="save-store", retries=RETRIES)
    await user.should_not_see(marker="create-user")
    await user.should_not_see(marker="create-key")
    await user.should_not_see(marker="save-privacy")


async def test_system_status_reports_the_server(user: User, database: Database) -> None:
    add_user(database)
    add_store(database)
    await sign_in(user)
    await user.open("/settings")
    user.find(marker="tab-system").click()
    await user.should_see("0.1.0", retries=RETRIES)
    await user.should_see("desligada neste servidor")  # the page tests run without camera workers
    await user.should_see("respondendo", retries=RETRIES)


async def test_switching_the_language_is_remembered_for_the_user(user: User, database: Database) -> None:
    account = add_user(database)
    add_store(database)
    await sign_in(user)
    await user.should_see("Visão geral", retries=RETRIES)
    toggle = _element(user, "language")
    assert isinstance(toggle, ui.toggle)
    toggle.set_value("en")
    await user.should_see("Overview", retries=RETRIES)
    await user.should_see("Start by adding a camera", retries=RETRIES)
    with database.session() as session:
        assert UserRepository(session).get(account.id).language is Language.EN


async def test_a_user_changes_their_password_and_signs_out_everywhere(user: User, database: Database) -> None:
    account = add_user(database)
    add_store(database)
    other = Accounts(database, session_lifetime=timedelta(hours=1)).start_session(account, SessionKind.TOKEN)
    await sign_in(user)
    await user.open("/settings")
    user.find(marker="tab-account").click()
    user.find(marker="current-password").type("senha-errada-000")
    user.find(marker="new-password").type("Pitanga-Cinza-Mamao-77")
    user.find(marker="repeat-new-password").type("Pitanga-Cinza-Mamao-77")
    user.find(marker="change-password").click()
    await user.should_see("A senha atual não confere.", retries=RETRIES)  # in Portuguese, never the API's English
    user.find(marker="current-password").clear().type(PASSWORD)
    user.find(marker="change-password").click()
    await user.should_see("Senha alterada", retries=RETRIES)
    with database.session() as session:
        assert verify_password("Pitanga-Cinza-Mamao-77", UserRepository(session).password_hash(account.id))
        # The other session (a phone, say) ended with the change; this browser's goes on.
        assert SessionRepository(session).find_user(token_hash(other.token), (SessionKind.TOKEN,)) is None
    user.find(marker="sign-out-everywhere").click()
    await user.should_see(marker="sign-in", retries=RETRIES)
    await user.open("/settings")
    await user.should_see(marker="sign-in", retries=RETRIES)


async def test_opening_hours_never_set_start_ticked_and_editable(user: User, database: Database) -> None:
    """Issue 10, item 10: every day started unticked with its hours greyed out."""
    add_user(database)
    store = add_store(database)
    await sign_in(user)
    await user.open("/settings")
    for day in ("mon", "tue", "wed", "thu", "fri", "sat", "sun"):
        box = _element(user, f"open-{day}")
        assert isinstance(box, ui.checkbox) and box.value is True
    hours = [e for e in user.find(kind=ui.input).elements if e.props.get("mask") == "##:##"]
    assert len(hours) == 14 and all(field.enabled for field in hours)
    user.find(marker="save-store").click()
    await user.should_see("Salvo.", retries=RETRIES)
    with database.session() as session:
        saved = StoreRepository(session).get(store.id).opening_hours
    assert saved["sun"] == {"open": "09:00", "close": "18:00"} and len(saved) == 7


async def test_revoking_a_key_asks_first_and_a_new_key_can_be_copied_whole(user: User, database: Database) -> None:
    add_user(database)
    store = add_store(database)
    await sign_in(user)
    await user.open("/settings")
    user.find(marker="tab-api-keys").click()
    user.find(marker="key-name").type("ponte do caixa")
    user.find(marker="create-key").click()
    await user.should_see(marker="new-key-dialog", retries=RETRIES)
    shown = _element(user, "new-key")
    assert isinstance(shown, ui.textarea)  # wraps the whole key instead of cutting it at the field's width
    assert shown.props.get("autogrow") is True
    copied: list[str] = []

    def clipboard(match: re.Match[str]) -> bool:
        copied.append(json.loads(match.group(1)))
        return True

    user.javascript_rules[re.compile(r"\(async \(\) => \{\s+const text = (\"[^\"]*\");", re.S)] = clipboard
    user.find(marker="copy-key").click()
    await user.should_see("Copiado.", retries=RETRIES)
    assert copied == [shown.value]
    with database.session() as session:
        [record] = ApiKeyRepository(session).list_by_store(store.id)
    user.find(marker=f"revoke-{record.id}").click()
    await user.should_see("Revogar a chave “ponte do caixa”?", retries=RETRIES)
    user.find(marker="cancel-revoke").click()
    with database.session() as session:
        assert ApiKeyRepository(session).find_active_by_hash(hash_api_key(str(shown.value))) == record
    user.find(marker=f"revoke-{record.id}").click()
    user.find(marker="confirm-revoke").click()
    await user.should_see("Chave “ponte do caixa” revogada.", retries=RETRIES)
    with database.session() as session:
        assert ApiKeyRepository(session).find_active_by_hash(hash_api_key(str(shown.value))) is None
