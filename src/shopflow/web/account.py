"""The signed-in user's own account, a tab of the settings page: change the password, sign out everywhere."""

from __future__ import annotations

import asyncio

from nicegui import ui

from shopflow.config.credentials import PasswordError
from shopflow.services.access import AccessDeniedError
from shopflow.storage.records import UserRecord
from shopflow.web.auth import accounts, require_caller, sign_out
from shopflow.web.i18n import t
from shopflow.web.problems import failed


def _password_input(key: str, marker: str) -> ui.input:
    return (
        ui.input(t(key), password=True, password_toggle_button=True)
        .props("outlined dense autocomplete=new-password")
        .classes("w-72")
        .mark(marker)
    )


def account_tab(user: UserRecord) -> None:
    ui.label(t("account_signed_in_as", email=user.email)).classes("text-slate-700")
    ui.label(t("change_password")).classes("text-lg font-semibold mt-2")
    current = (
        ui.input(t("current_password"), password=True)
        .props("outlined dense autocomplete=current-password")
        .classes("w-72")
        .mark("current-password")
    )
    new = _password_input("new_password", "new-password")
    repeat = _password_input("repeat_password", "repeat-new-password")
    message = ui.label("").classes("text-red-800").props('role="alert"').mark("account-error")

    async def change() -> None:
        if new.value != repeat.value:
            message.set_text(t("passwords_differ"))
            return
        caller = require_caller()
        service = accounts()
        try:
            await asyncio.to_thread(service.change_password, caller, str(current.value or ""), str(new.value or ""))
        except (PasswordError, AccessDeniedError) as error:
            message.set_text(failed(t("change_password"), error))
            return
        message.set_text("")
        for field in (current, new, repeat):
            field.set_value("")
        ui.notify(t("password_changed"), type="positive")

    ui.button(t("change_password"), icon="key", on_click=change).props("no-caps").mark("change-password")

    ui.label(t("sign_out_everywhere")).classes("text-lg font-semibold mt-4")
    ui.label(t("sign_out_everywhere_help")).classes("text-sm text-slate-700")

    async def everywhere() -> None:
        caller = require_caller()
        service = accounts()
        if caller.user_id is not None:
            await asyncio.to_thread(service.end_all_sessions, caller, caller.user_id)
        sign_out()

    ui.button(t("sign_out_everywhere"), icon="logout", on_click=everywhere).props("no-caps outline").mark(
        "sign-out-everywhere"
    )
