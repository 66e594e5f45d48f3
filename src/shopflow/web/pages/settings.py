"""Settings: the store, users and roles, API keys for bridges, privacy, and the system's status."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Awaitable, Callable
from typing import Any
from zoneinfo import available_timezones

from nicegui import ui

from shopflow.config.credentials import PasswordError
from shopflow.services.access import AccessDeniedError
from shopflow.storage.errors import StorageError
from shopflow.storage.records import WEEKDAYS, Language, StoreRecord, UserRecord, UserRole
from shopflow.web.account import account_tab
from shopflow.web.admin import (
    change_user,
    create_api_key,
    create_user,
    get_privacy,
    list_api_keys,
    list_users,
    remove_user,
    reset_user_password,
    revoke_api_key,
    save_privacy,
    save_store,
    system_status,
)
from shopflow.web.auth import can_manage, require_caller
from shopflow.web.context import runtime
from shopflow.web.guard import member_page
from shopflow.web.i18n import fmt_datetime, fmt_number, status_text, t
from shopflow.web.layout import banner, named_dialog, page_title
from shopflow.web.pages.cameras import failure

ROLES = (UserRole.OWNER, UserRole.MANAGER, UserRole.VIEWER)
# The regional names a store owner picks from, and UTC; the API accepts any IANA zone, so a store's own zone is
# always offered too (a select whose value is not an option cannot be drawn).
TIMEZONES = sorted(
    {"UTC"} | {zone for zone in available_timezones() if "/" in zone and not zone.startswith(("Etc/", "SystemV/"))}
)


def timezone_options(current: str) -> list[str]:
    return TIMEZONES if current in TIMEZONES else sorted([*TIMEZONES, current])


def _store_tab(store: StoreRecord, manage: bool) -> None:
    name = ui.input(t("store_name"), value=store.name).props("outlined").classes("w-full max-w-md").mark("store-name")
    timezone = (
        ui.select(timezone_options(store.timezone), value=store.timezone, label=t("timezone"), with_input=True)
        .props("outlined")
        .classes("w-full max-w-md")
        .mark("store-timezone")
    )
    ui.label(t("opening_hours")).classes("text-lg font-semibold mt-2")
    ui.label(t("opening_hours_help")).classes("text-sm text-slate-700")
    rows: dict[str, tuple[ui.checkbox, ui.input, ui.input]] = {}
    # Hours never set: every day starts ticked and editable, so the owner unticks the closed days rather than
    # finding a greyed-out form to switch on day by day.
    never_set = not store.opening_hours
    for day in WEEKDAYS:
        hours = store.opening_hours.get(day)
        with ui.row().classes("items-center gap-3"):
            is_open = (
                ui.checkbox(t(f"weekday_{day}"), value=never_set or hours is not None)
                .classes("w-40")
                .mark(f"open-{day}")
            )
            opens = (
                ui.input(t("opens"), value=hours["open"] if hours else "09:00")
                .props('outlined dense mask="##:##"')
                .classes("w-28")
            )
            closes = (
                ui.input(t("closes"), value=hours["close"] if hours else "18:00")
                .props('outlined dense mask="##:##"')
                .classes("w-28")
            )
            opens.bind_enabled_from(is_open, "value")
            closes.bind_enabled_from(is_open, "value")
            rows[day] = (is_open, opens, closes)

    async def save() -> None:
        hours = {
            day: {"open": str(opens.value), "close": str(closes.value)}
            for day, (is_open, opens, closes) in rows.items()
            if is_open.value
        }
        try:
            await asyncio.to_thread(
                save_store,
                runtime(),
                require_caller(),
                store.id,
                str(name.value or ""),
                str(timezone.value or ""),
                hours,
            )
        except (StorageError, ValueError) as error:
            failure(t("save"), error)
            return
        ui.notify(t("saved"), type="positive")

    if manage:
        ui.button(t("save"), icon="save", on_click=save).props("no-caps").mark("save-store")


async def _users_tab(user: UserRecord, store: StoreRecord) -> None:
    if user.role is not UserRole.OWNER:
        ui.label(t("owner_only")).classes("text-sm text-slate-700")
        return
    listing = ui.column().classes("w-full")

    async def show() -> None:
        users = await asyncio.to_thread(list_users, runtime(), require_caller())
        listing.clear()
        with listing, ui.column().classes("w-full gap-2").mark("users"):
            for someone in users:
                _user_row(someone, user, show)

    await show()
    ui.label(t("new_user")).classes("text-lg font-semibold mt-2")
    with ui.row().classes("items-start gap-3 flex-wrap"):
        email = ui.input(t("email")).props("outlined dense type=email").classes("w-64").mark("new-user-email")
        password = (
            ui.input(t("password"), password=True, password_toggle_button=True)
            .props("outlined dense")
            .classes("w-56")
            .mark("new-user-password")
        )
        role = (
            ui.select({r.value: t(f"role_{r.value}") for r in ROLES}, value=UserRole.VIEWER.value, label=t("role"))
            .props("outlined dense")
            .classes("w-40")
            .mark("new-user-role")
        )
        language = (
            ui.select({"pt-BR": "Português (Brasil)", "en": "English"}, value="pt-BR", label=t("language"))
            .props("outlined dense")
            .classes("w-48")
        )

    async def add() -> None:
        try:
            await asyncio.to_thread(
                create_user,
                runtime(),
                require_caller(),
                str(email.value or ""),
                str(password.value or ""),
                UserRole(str(role.value)),
                Language(str(language.value)),
                [store.id],  # a manager or viewer made here sees the store this page is about
            )
        except (PasswordError, StorageError, ValueError, AccessDeniedError) as error:
            failure(t("create"), error)
            return
        ui.notify(t("user_created", email=email.value), type="positive")
        email.set_value("")
        password.set_value("")
        role.set_value(UserRole.VIEWER.value)  # the next user starts from the least access, not the last choice
        await show()

    ui.button(t("create_user"), icon="person_add", on_click=add).props("no-caps").mark("create-user")


def _user_row(someone: UserRecord, me: UserRecord, reload: Callable[[], Awaitable[None]]) -> None:
    """One user: their role and whether they may sign in, changed in place; a new password; removal (asked first).
    The service refuses what would leave the organisation without an active owner, and says so."""
    yourself = someone.id == me.id
    with ui.row().classes("w-full items-center gap-3 flex-wrap border-b py-1").mark(f"user-{someone.id}"):
        ui.label(someone.email).classes("min-w-[16rem] font-medium")
        if not someone.active:
            ui.badge(t("user_inactive"), color="grey-7")

        async def change(**changes: Any) -> None:
            try:
                await asyncio.to_thread(change_user, runtime(), require_caller(), someone.id, **changes)
            except (StorageError, ValueError, AccessDeniedError) as error:
                failure(t("save"), error)
                await reload()  # back to what is stored
                return
            ui.notify(t("user_changed", email=someone.email), type="positive")

        role = (
            ui.select({r.value: t(f"role_{r.value}") for r in ROLES}, value=someone.role.value, label=t("role"))
            .props("outlined dense")
            .classes("w-40")
            .mark(f"user-role-{someone.id}")
        )
        role.on_value_change(lambda e: change(role=UserRole(str(e.value))) if e.value != someone.role.value else None)
        active = ui.switch(t("user_may_sign_in"), value=someone.active).mark(f"user-active-{someone.id}")
        active.on_value_change(lambda e: change(active=bool(e.value)) if e.value != someone.active else None)
        role.set_enabled(not yourself)
        active.set_enabled(not yourself)
        if not yourself:
            ui.button(t("reset_password"), icon="password", on_click=lambda: _reset_dialog(someone)).props(
                "flat no-caps"
            ).mark(f"user-reset-{someone.id}")
            ui.button(t("remove_user"), icon="person_remove", on_click=lambda: _remove_dialog(someone, reload)).props(
                "flat no-caps color=negative"
            ).mark(f"user-remove-{someone.id}")


def _reset_dialog(someone: UserRecord) -> None:
    with ui.dialog() as dialog, ui.card().classes("gap-3").mark("reset-dialog"):
        ui.label(t("reset_password_for", email=someone.email)).classes("text-lg font-semibold")
        ui.label(t("reset_password_what")).classes("text-sm text-slate-700")
        new = (
            ui.input(t("new_password"), password=True, password_toggle_button=True)
            .props("outlined dense")
            .mark("reset-password")
        )

        async def save() -> None:
            try:
                await asyncio.to_thread(
                    reset_user_password, runtime(), require_caller(), someone.id, str(new.value or "")
                )
            except (PasswordError, StorageError, ValueError, AccessDeniedError) as error:
                failure(t("reset_password"), error)
                return
            dialog.close()
            ui.notify(t("password_reset_done", email=someone.email), type="positive")

        with ui.row().classes("w-full justify-end"):
            ui.button(t("cancel"), on_click=dialog.close).props("flat no-caps")
            ui.button(t("save"), icon="save", on_click=save).props("no-caps").mark("save-reset")
    dialog.open()


def _remove_dialog(someone: UserRecord, reload: Callable[[], Awaitable[None]]) -> None:
    with ui.dialog() as dialog, ui.card().classes("gap-3").mark("remove-dialog"):
        ui.label(t("remove_user_question", email=someone.email)).classes("text-lg font-semibold")
        ui.label(t("remove_user_what")).classes("text-sm text-slate-700")

        async def confirm() -> None:
            dialog.close()
            try:
                await asyncio.to_thread(remove_user, runtime(), require_caller(), someone.id)
            except (StorageError, ValueError, AccessDeniedError) as error:
                failure(t("remove_user"), error)
                return
            ui.notify(t("user_removed", email=someone.email), type="positive")
            await reload()

        with ui.row().classes("w-full justify-end"):
            ui.button(t("cancel"), on_click=dialog.close).props("flat no-caps")
            ui.button(t("remove_user"), icon="person_remove", on_click=confirm).props("no-caps color=negative").mark(
                "confirm-remove"
            )
    dialog.open()


async def _keys_tab(store: StoreRecord, user: UserRecord) -> None:
    ui.label(t("api_keys_help")).classes("text-sm text-slate-700")
    owner = user.role is UserRole.OWNER
    if not owner:
        ui.label(t("owner_only")).classes("text-sm text-slate-700")
        return
    listing = ui.column().classes("w-full gap-2").mark("api-keys")

    async def show() -> None:
        keys = await asyncio.to_thread(list_api_keys, runtime(), require_caller(), store.id)
        listing.clear()
        with listing:
            if not keys:
                ui.label(t("no_api_keys")).classes("text-slate-700")
            for key in keys:
                with ui.row().classes("w-full items-center gap-4 flex-wrap border-b py-1"):
                    ui.label(key.name).classes("font-medium")
                    ui.label(f"{key.prefix}…").classes("font-mono text-sm")
                    ui.label(t("created_at", when=fmt_datetime(key.created_at, store.timezone))).classes("text-sm")
                    used = fmt_datetime(key.last_used_at, store.timezone) if key.last_used_at else t("never")
                    ui.label(t("last_used", when=used)).classes("text-sm")
                    if key.revoked_at is not None:
                        ui.badge(t("revoked"), color="grey-7")
                    elif owner:
                        ui.button(t("revoke"), on_click=_revoker(key.id, key.name, show)).props(
                            "flat no-caps color=negative"
                        ).mark(f"revoke-{key.id}")

    await show()
    if not owner:
        ui.label(t("owner_only")).classes("text-sm text-slate-700")
        return
    with ui.row().classes("items-center gap-3"):
        name = (
            ui.input(t("key_name"), placeholder=t("key_name_example"))
            .props("outlined dense")
            .classes("w-64")
            .mark("key-name")
        )

        async def add() -> None:
            try:
                record, key = await asyncio.to_thread(
                    create_api_key, runtime(), require_caller(), store.id, str(name.value or "")
                )
            except (StorageError, ValueError) as error:
                failure(t("create"), error)
                return
            name.set_value("")
            with (
                named_dialog(t("key_created", name=record.name)) as dialog,
                ui.card().classes("gap-3").mark("new-key-dialog"),
            ):
                ui.label(t("key_created", name=record.name)).classes("text-lg font-semibold")
                ui.label(t("key_shown_once")).classes("text-slate-700")
                # The whole key, wrapped rather than cut by a field's width, and a button to copy it.
                ui.textarea(value=key).props("outlined readonly autogrow").classes("w-full font-mono").mark("new-key")
                with ui.row().classes("w-full justify-end gap-2"):

                    async def copy(text: str = key) -> None:
                        if await copy_to_clipboard(text):
                            ui.notify(t("copied"), type="positive")
                        else:
                            ui.notify(t("copy_failed"), type="warning", multi_line=True)

                    ui.button(t("copy"), icon="content_copy", on_click=copy).props("no-caps").mark("copy-key")
                    ui.button(t("close"), on_click=dialog.close).props("flat no-caps")
            # The list first: the new key's row (and its revoke button) is there when the dialog shows.
            await show()
            dialog.open()

        ui.button(t("create_key"), icon="key", on_click=add).props("no-caps").mark("create-key")


# The Clipboard API only exists on HTTPS or localhost; a store's server is often plain HTTP on the LAN, where
# copying a hidden selection still works. Answers whether the text was copied.
COPY_JS = """(async () => {
  const text = %s;
  if (navigator.clipboard && window.isSecureContext) {
    try { await navigator.clipboard.writeText(text); return true; } catch (error) { /* try the old way */ }
  }
  const area = document.createElement("textarea");
  area.value = text;
  area.setAttribute("readonly", "");
  area.style.position = "fixed";
  area.style.opacity = "0";
  document.body.appendChild(area);
  area.select();
  let copied = false;
  try { copied = document.execCommand("copy"); } catch (error) { copied = false; }
  area.remove();
  return copied;
})()"""


async def copy_to_clipboard(text: str) -> bool:
    try:
        return bool(await ui.run_javascript(COPY_JS % json.dumps(text), timeout=3.0))
    except TimeoutError:  # the browser did not answer: say it was not copied rather than pretend
        return False


def _revoker(key_id: int, key_name: str, show: Any) -> Any:
    """Asks first: a revoked key cannot be brought back, and the bridges using it stop at once."""

    async def revoke() -> None:
        try:
            await asyncio.to_thread(revoke_api_key, runtime(), require_caller(), key_id)
        except (StorageError, ValueError) as error:
            failure(t("revoke"), error)
            return
        ui.notify(t("key_revoked", name=key_name), type="positive")
        await show()

    def ask() -> None:
        with named_dialog(t("revoke_key_question", name=key_name)) as dialog, ui.card().mark("revoke-dialog"):
            ui.label(t("revoke_key_question", name=key_name)).classes("text-lg")
            ui.label(t("revoke_key_warning")).classes("text-slate-700")
            with ui.row().classes("w-full justify-end"):
                ui.button(t("cancel"), on_click=dialog.close).props("flat no-caps").mark("cancel-revoke")

                async def confirm() -> None:
                    dialog.close()
                    await revoke()

                ui.button(t("revoke"), on_click=confirm).props("no-caps color=negative").mark("confirm-revoke")
        dialog.open()

    return ask


async def _privacy_tab(store: StoreRecord, user: UserRecord) -> None:
    privacy = await asyncio.to_thread(get_privacy, runtime(), require_caller(), store.id)
    owner = user.role is UserRole.OWNER
    retention = (
        ui.number(t("retention_days"), value=privacy.retention_days, min=1, max=3650, precision=0)
        .props("outlined")
        .classes("w-56")
        .mark("retention-days")
    )
    ui.label(t("retention_help")).classes("text-sm text-slate-700 max-w-2xl").mark("retention-help")
    faces = ui.switch(t("face_recognition"), value=privacy.face_recognition).mark("face-recognition")
    ui.label(t("face_recognition_help")).classes("text-sm text-slate-700")
    photos = ui.switch(t("keep_face_photos"), value=privacy.keep_face_photos).mark("keep-face-photos")
    ui.label(t("keep_face_photos_help")).classes("text-sm text-slate-700")
    consent = (
        ui.textarea(t("consent_text"), value=privacy.consent_text)
        .props("outlined")
        .classes("w-full max-w-2xl")
        .mark("consent-text")
    )
    for field in (retention, faces, photos, consent):
        field.set_enabled(owner)

    async def save() -> None:
        try:
            days = int(retention.value) if retention.value is not None else 0
            await asyncio.to_thread(
                save_privacy,
                runtime(),
                require_caller(),
                store.id,
                days,
                bool(faces.value),
                str(consent.value or ""),
                bool(photos.value),
            )
        except (StorageError, ValueError, TypeError) as error:
            failure(t("save"), error)
            return
        ui.notify(t("saved"), type="positive")

    if owner:
        ui.button(t("save"), icon="save", on_click=save).props("no-caps").mark("save-privacy")
    else:
        ui.label(t("owner_only")).classes("text-sm text-slate-700")


async def _system_tab(store: StoreRecord) -> None:
    box = ui.column().classes("w-full gap-2").mark("system-status")

    async def show() -> None:
        status = await asyncio.to_thread(system_status, runtime())
        box.clear()
        with box:
            if not status.database_ok:
                banner(t("database_down", message=status.database_error or ""), kind="error")
            rows = [
                (t("version"), status.version),
                (
                    t("database"),
                    t("database_ok", ms=fmt_number(status.database_latency_ms, 1)) if status.database_ok else t("no"),
                ),
                (t("pipeline"), t("yes") if status.pipeline_on else t("pipeline_off")),
                (t("detector_loaded"), t("yes") if status.detector_loaded else t("no")),
                (t("cameras_online"), f"{status.cameras_online} / {status.cameras_total}"),
                (
                    t("cameras_by_status"),
                    ", ".join(f"{status_text(s)}: {n}" for s, n in sorted(status.cameras_by_status.items())) or "—",
                ),
                (
                    t("analytics_updated"),
                    fmt_datetime(status.rollups_last_update, store.timezone)
                    if status.rollups_last_update
                    else t("never"),
                ),
            ]
            for caption, value in rows:
                with ui.row().classes("w-full gap-4"):
                    ui.label(caption).classes("w-56 text-slate-700")
                    ui.label(value).classes("font-medium")

    await show()
    ui.button(t("refresh"), icon="refresh", on_click=show).props("flat no-caps")


def add_page() -> None:
    @member_page("/settings", nav="/settings")
    async def settings_page(user: UserRecord, store: StoreRecord | None) -> None:
        with ui.column().classes("w-full max-w-6xl mx-auto p-4 gap-4"):
            page_title(t("nav_settings"))
            if store is None:
                ui.label(t("no_store"))
                return
            with ui.tabs().classes("w-full").props("align=left no-caps") as tabs:
                store_tab = ui.tab(t("tab_store")).mark("tab-store")
                users_tab = ui.tab(t("tab_users")).mark("tab-users")
                keys_tab = ui.tab(t("tab_api_keys")).mark("tab-api-keys")
                privacy_tab = ui.tab(t("tab_privacy")).mark("tab-privacy")
                system_tab = ui.tab(t("tab_system")).mark("tab-system")
                account_tab_ = ui.tab(t("tab_account")).mark("tab-account")
            with ui.tab_panels(tabs, value=store_tab).classes("w-full rounded"):
                with ui.tab_panel(store_tab).classes("gap-3"):
                    _store_tab(store, can_manage(user))
                with ui.tab_panel(users_tab).classes("gap-3"):
                    await _users_tab(user, store)
                with ui.tab_panel(keys_tab).classes("gap-3"):
                    await _keys_tab(store, user)
                with ui.tab_panel(privacy_tab).classes("gap-3"):
                    await _privacy_tab(store, user)
                with ui.tab_panel(system_tab).classes("gap-3"):
                    await _system_tab(store)
                with ui.tab_panel(account_tab_).classes("gap-3"):
                    account_tab(user)
