"""Signing in: the first-run administrator, the login page, and the guard on every other page."""

from __future__ import annotations

from pathlib import Path

import pytest
from nicegui.testing import User

from shopflow.config.credentials import verify_password
from shopflow.storage.db import Database
from shopflow.storage.records import UserRole
from shopflow.storage.repositories import UserRepository

from .conftest import PASSWORD, RETRIES, add_store, add_user, setup_link, sign_in


def data_dir(database: Database) -> Path:
    return Path(database.engine.url.database or "").parent


async def test_setup_without_the_servers_token_creates_nobody(user: User, database: Database) -> None:
    """Whoever opens /setup first on a new install does not become the owner: the link needs the token the
    server printed in its log."""
    add_store(database)
    link = setup_link(database, data_dir(database))
    for path in ("/", "/setup", "/setup?token=wrong-token", "/setup?token="):
        await user.open(path)
        await user.should_see(marker="setup-needs-token", retries=RETRIES)
        await user.should_not_see(marker="create-admin")
    await user.open(link)
    await user.should_see(marker="create-admin", retries=RETRIES)
    with database.session() as session:
        assert UserRepository(session).count() == 0


async def test_first_run_creates_the_owner_and_signs_them_in(user: User, database: Database) -> None:
    add_store(database)
    link = setup_link(database, data_dir(database))
    await user.open(link)
    await user.should_see("Primeiro acesso", retries=RETRIES)
    user.find(marker="email").type("Dona@Loja.com.br")
    user.find(marker="password").type(PASSWORD)
    user.find(marker="repeat-password").type(PASSWORD)
    user.find(marker="create-admin").click()
    await user.should_see("Visão geral", retries=RETRIES)
    with database.session() as session:
        users = UserRepository(session)
        [owner] = users.list_all()
        found = users.credentials("dona@loja.com.br")
    assert (owner.email, owner.role) == ("dona@loja.com.br", UserRole.OWNER)
    assert found is not None
    stored = found[1]
    assert stored.startswith("scrypt$") and PASSWORD not in stored
    assert verify_password(PASSWORD, stored)


@pytest.mark.parametrize(
    ("password", "repeat", "message"),
    [
        # In Portuguese, whole: never "Não foi possível Criar administrador: choose a longer password" (issue 10).
        (
            "curta",
            "curta",
            "Não foi possível criar administrador. Escolha uma senha mais longa, com pelo menos 10 caracteres.",
        ),
        (
            "qwertyuiop",
            "qwertyuiop",
            "Não foi possível criar administrador. Esta senha está entre as mais usadas; escolha outra.",
        ),
        (PASSWORD, PASSWORD + "x", "As duas senhas não são iguais."),
    ],
)
async def test_first_run_refuses_a_bad_password(
    user: User, database: Database, password: str, repeat: str, message: str
) -> None:
    await user.open(setup_link(database, data_dir(database)))
    user.find(marker="email").type("dona@loja.com.br")
    user.find(marker="password").type(password)
    user.find(marker="repeat-password").type(repeat)
    user.find(marker="create-admin").click()
    await user.should_see(message, retries=RETRIES)
    with database.session() as session:
        assert UserRepository(session).count() == 0


async def test_setup_is_closed_once_there_is_a_user(user: User, database: Database) -> None:
    add_user(database)
    await user.open("/setup")
    await user.should_see("Entrar", retries=RETRIES)
    await user.should_not_see("Primeiro acesso")


async def test_pages_need_a_signed_in_user(user: User, database: Database) -> None:
    add_user(database)
    add_store(database)
    for path in ("/", "/cameras", "/analytics", "/settings"):
        await user.open(path)
        await user.should_see(marker="sign-in", retries=RETRIES)


async def test_wrong_password_is_refused_and_the_right_one_opens_the_page_asked_for(
    user: User, database: Database
) -> None:
    add_user(database)
    add_store(database)
    await sign_in(user, password="senha-errada-000", expect_success=False)
    await user.should_see("E-mail ou senha incorretos.", retries=RETRIES)
    await user.open("/cameras")  # sent to /login?next=/cameras
    user.find(marker="email").type("dona@loja.com.br")
    user.find(marker="password").type(PASSWORD)
    user.find(marker="sign-in").click()
    await user.should_see("Adicionar câmera", retries=RETRIES)


async def test_signing_out_ends_the_session(user: User, database: Database) -> None:
    add_user(database)
    add_store(database)
    await sign_in(user)
    await user.should_see("Visão geral", retries=RETRIES)
    user.find(marker="sign-out").click()
    await user.should_see(marker="sign-in", retries=RETRIES)
    await user.open("/")
    await user.should_see(marker="sign-in", retries=RETRIES)
