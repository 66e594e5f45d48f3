"""A mistyped address gets a page in the reader's language, not NiceGUI's English "This page doesn't exist."."""

from __future__ import annotations

from nicegui.testing import User

from shopflow.storage.db import Database

from .conftest import add_store, add_user, sign_in


async def test_an_unknown_page_says_so_in_portuguese(user: User, database: Database) -> None:
    add_user(database)
    add_store(database)
    await sign_in(user)
    response = await user.http_client.get("/pagina-que-nao-existe")
    assert response.status_code == 404
    # The page's words travel in its element tree (JSON, non-ASCII escaped), read back as the browser would.
    page = response.text.encode().decode("unicode_escape").encode("latin-1").decode("utf-8")
    assert "Esta página não existe." in page and "Voltar à visão geral" in page
    assert "This page doesn't exist" not in page and "not found" not in page.lower()
