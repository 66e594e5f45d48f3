"""Signing in, and the first-run page that creates the administrator on a server without users."""

from __future__ import annotations

import asyncio

from nicegui import app, ui

from shopflow.config.credentials import PasswordError
from shopflow.services.accounts import FirstRunDoneError
from shopflow.services.setup_token import SETUP_TOKEN_FILE, SetupTokenError, check_setup_token
from shopflow.storage.errors import AlreadyExistsError
from shopflow.storage.records import Language
from shopflow.web.auth import accounts, sign_in
from shopflow.web.context import runtime
from shopflow.web.i18n import LANG_KEY, current_lang, render_in_reader_language, t
from shopflow.web.problems import failed


def _language_switch() -> None:
    def switch(lang: str) -> None:
        app.storage.user[LANG_KEY] = lang
        ui.navigate.reload()

    ui.toggle(
        {"pt-BR": "Português", "en": "English"}, value=current_lang(), on_change=lambda e: switch(str(e.value))
    ).props('no-caps dense aria-label="Idioma / Language"').mark("language")


def _shell(title: str) -> ui.card:
    render_in_reader_language()
    ui.query("body").classes("bg-slate-100")
    with ui.column().classes("w-full items-center p-4 mt-8 gap-4"):
        ui.label("ShopFlow").classes("text-3xl font-bold text-slate-900").props('role="heading" aria-level="1"')
        card = ui.card().classes("w-full max-w-sm gap-3 p-6")
        with card:
            ui.label(title).classes("text-xl font-semibold").props('role="heading" aria-level="2"')
        _language_switch()
    return card


def _credentials(password_autocomplete: str) -> tuple[ui.input, ui.input]:
    """The e-mail and password inputs; the autocomplete hint tells password managers to fill in or to save."""
    email = ui.input(t("email")).props("outlined type=email autocomplete=username").classes("w-full").mark("email")
    password = (
        ui.input(t("password"), password=True)
        .props(f"outlined autocomplete={password_autocomplete}")
        .classes("w-full")
        .mark("password")
    )
    return email, password


def add_pages() -> None:
    @ui.page("/login", title="ShopFlow")
    async def login_page(next: str | None = None) -> None:
        service = accounts()
        if not await asyncio.to_thread(service.has_users):
            ui.navigate.to("/setup")
            return
        with _shell(t("sign_in_title")):
            email, password = _credentials("current-password")
            message = ui.label("").classes("text-red-800").mark("login-error").props('role="alert"')

            async def submit() -> None:
                user = await asyncio.to_thread(service.authenticate, str(email.value or ""), str(password.value or ""))
                if user is None:
                    message.set_text(t("wrong_credentials"))
                    return
                sign_in(user, next)

            password.on("keydown.enter", submit)
            ui.button(t("sign_in"), on_click=submit).props("no-caps").classes("w-full").mark("sign-in")

    @ui.page("/setup", title="ShopFlow")
    async def setup_page(token: str | None = None) -> None:
        service = accounts()
        data_dir = runtime().settings.data_dir
        if await asyncio.to_thread(service.has_users):
            ui.navigate.to("/login")
            return
        try:
            check_setup_token(data_dir, token)
        except SetupTokenError:
            with _shell(t("setup_title")):
                ui.label(t("setup_needs_token")).classes("text-slate-700").mark("setup-needs-token")
            return
        with _shell(t("setup_title")):
            ui.label(t("setup_text")).classes("text-slate-700")
            email, password = _credentials("new-password")
            repeat = (
                ui.input(t("repeat_password"), password=True)
                .props("outlined autocomplete=new-password")
                .classes("w-full")
                .mark("repeat-password")
            )
            message = ui.label("").classes("text-red-800").mark("setup-error").props('role="alert"')

            async def submit() -> None:
                if password.value != repeat.value:
                    message.set_text(t("passwords_differ"))
                    return
                try:
                    check_setup_token(data_dir, token)  # again: it is gone once somebody created the owner
                    user = await asyncio.to_thread(
                        service.create_first_owner,
                        str(email.value or ""),
                        str(password.value or ""),
                        Language(current_lang()),
                    )
                except (FirstRunDoneError, SetupTokenError):
                    ui.navigate.to("/login")
                    return
                except (PasswordError, AlreadyExistsError, ValueError) as error:
                    message.set_text(failed(t("create_admin"), error))
                    return
                (data_dir / SETUP_TOKEN_FILE).unlink(missing_ok=True)
                sign_in(user, "/")

            ui.button(t("create_admin"), on_click=submit).props("no-caps").classes("w-full").mark("create-admin")
