"""The frame every signed-in page shares: header with navigation, store picker, language switch and sign-out."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from weakref import WeakKeyDictionary

from nicegui import Client, app, ui

from shopflow.domain.cameras import CameraStatus
from shopflow.services.stores import StoreService
from shopflow.storage.records import Language, StoreRecord, UserRecord
from shopflow.storage.repositories import UserRepository
from shopflow.web.auth import STORE_KEY, can_handle_staff, current_caller, sign_out
from shopflow.web.camera_reasons import reason_text
from shopflow.web.context import runtime
from shopflow.web.i18n import LANG_KEY, current_lang, render_in_reader_language, status_text, t

NAV = (
    ("/", "nav_overview", "insights"),
    ("/cameras", "nav_cameras", "videocam"),
    ("/employees", "nav_employees", "badge"),
    ("/analytics", "nav_analytics", "bar_chart"),
    ("/settings", "nav_settings", "settings"),
)
# Links shown only to the roles that may use the page (the page itself still refuses anyone else).
NAV_ALLOW: dict[str, Callable[[UserRecord], bool]] = {"/employees": can_handle_staff}


def _stores() -> list[StoreRecord]:
    """The stores the signed-in user may see (none when the session ended meanwhile)."""
    caller = current_caller()
    if caller is None:
        return []
    return StoreService(runtime().database, caller).list()


def pick_store(stores: list[StoreRecord]) -> StoreRecord | None:
    """The store this browser looks at: the one chosen before if it still exists, else the first real store,
    else the demo store."""
    if not stores:
        return None
    chosen = app.storage.user.get(STORE_KEY)
    for store in stores:
        if store.id == chosen:
            return store
    store = next((s for s in stores if not s.is_demo), stores[0])
    app.storage.user[STORE_KEY] = store.id
    return store


def _set_language(user: UserRecord, lang: str) -> None:
    with runtime().database.session() as session:
        UserRepository(session).update(user.id, language=Language(lang))


async def _switch_language(user: UserRecord, lang: str) -> None:
    if lang == current_lang():
        return
    app.storage.user[LANG_KEY] = lang
    await asyncio.to_thread(_set_language, user, lang)
    ui.navigate.reload()


def _choose_store(store_id: int) -> None:
    app.storage.user[STORE_KEY] = store_id
    ui.navigate.reload()


# Quasar's brand colours, darkened so that white text on them meets WCAG AA (4.5:1): its defaults give 3.06:1 on
# a primary button and 2.57:1 on a positive badge. Warning stays light: Quasar writes dark text on it.
THEME = {
    "primary": "#1d4ed8",  # 6.7:1 with white
    "secondary": "#475569",  # 7.6:1
    "accent": "#6d28d9",  # 7.1:1
    "positive": "#15803d",  # 5.0:1
    "negative": "#b91c1c",  # 6.5:1
    "info": "#0369a1",  # 5.9:1
    "warning": "#fbbf24",  # 11:1 with Quasar's dark text
}


def apply_theme() -> None:
    """The colours of every page NiceGUI serves (sign-in, first run and error pages included), set once in Quasar's
    configuration rather than page by page."""
    config = app.config.quasar_config
    config["brand"] = {**config.get("brand", {}), **THEME}
    # Quasar's page-loading bar is a progressbar without a name; it only shows that a request is under way, which
    # the page's own content says to a screen reader: hidden from them rather than announced nameless.
    config["loadingBar"] = {**config.get("loadingBar", {}), "aria-hidden": "true"}


def frame(user: UserRecord, active: str) -> StoreRecord | None:
    """Draw the header for `active` (a NAV path) and return the store to show (None: there is no store)."""
    ui.query("body").classes("bg-slate-50")
    render_in_reader_language()
    stores = _stores()
    store = pick_store(stores)
    # On a phone (under 640 px) the header stays one row: the links show only their icons (their names stay
    # their accessible names) and the brand and store name step aside.
    with ui.header(elevated=True).classes(
        "items-center gap-2 px-4 max-sm:px-2 max-sm:gap-1 py-2 bg-slate-900 text-white flex-wrap"
    ):
        ui.link("ShopFlow", "/").classes("text-xl font-bold text-white no-underline mr-4 max-sm:hidden")
        with ui.element("nav").classes("flex gap-1 flex-wrap").props(f'aria-label="{t("navigation")}"'):
            for path, key, icon in NAV:
                if path in NAV_ALLOW and not NAV_ALLOW[path](user):
                    continue
                button = ui.button(icon=icon, on_click=_go(path)).props(f'flat no-caps aria-label="{t(key)}"')
                with button:
                    ui.label(t(key)).classes("ml-2 max-sm:hidden")
                button.classes("text-white max-sm:px-2" + (" bg-blue-800" if path == active else ""))
                if path == active:
                    button.props('aria-current="page"')
        ui.space()
        if len(stores) > 1 and store is not None:
            ui.select(
                {s.id: s.name + (f" ({t('demo')})" if s.is_demo else "") for s in stores},
                value=store.id,
                label=t("store"),
                on_change=lambda event: _choose_store(int(event.value)),
            ).props("dense dark outlined options-dense").classes("min-w-[12rem] max-sm:min-w-[6rem]").mark(
                "store-picker"
            )
        elif store is not None:
            ui.label(store.name + (f" ({t('demo')})" if store.is_demo else "")).classes("text-sm max-sm:hidden")
        ui.toggle(
            {"pt-BR": "PT", "en": "EN"},
            value=current_lang(),
            on_change=lambda event: _switch_language(user, str(event.value)),
        ).props(
            'dense no-caps toggle-color=white toggle-text-color=black text-color=white aria-label="Idioma / Language"'
        ).mark("language")
        ui.label(user.email).classes("text-sm max-md:hidden")
        ui.button(icon="logout", on_click=_sign_out).props(f'flat round aria-label="{t("sign_out")}"').classes(
            "text-white"
        ).tooltip(t("sign_out")).mark("sign-out")
    return store


def _go(path: str) -> Callable[[], None]:
    return lambda: ui.navigate.to(path)


def _sign_out() -> None:
    sign_out()
    ui.navigate.to("/login")


def banner(text: str, *, kind: str = "warning") -> ui.element:
    """A coloured strip with a message (offline cameras, errors), readable without colour too."""
    colours = {
        "warning": "bg-amber-100 text-amber-950 border-amber-400",
        "error": "bg-red-100 text-red-950 border-red-400",
        "info": "bg-blue-50 text-blue-950 border-blue-300",
    }
    icons = {"warning": "warning", "error": "error", "info": "info"}
    with (
        ui.row().classes(f"w-full items-center gap-2 border rounded p-3 {colours[kind]}").props('role="status"') as row
    ):
        ui.icon(icons[kind]).classes("text-xl")
        ui.label(text)
    return row


ERROR_TOAST_SECONDS = 8.0
# Each browser page's error toast: a new error replaces its text, so failed attempts do not pile up toasts.
_error_toasts: WeakKeyDictionary[Client, ui.notification] = WeakKeyDictionary()


def error_toast(text: str) -> ui.notification:
    """Show `text` as the page's one error toast (replacing the one shown, if any)."""
    client = ui.context.client
    toast = _error_toasts.get(client)
    if toast is not None and not toast.is_deleted:
        toast.message = text
        toast.timeout = ERROR_TOAST_SECONDS  # the new message gets its full time to be read
        toast.update()
        return toast
    # On the page's layout rather than where the failed action was: a list redrawn after it must not take the
    # toast with it.
    with client.layout:
        toast = ui.notification(
            text, type="negative", multi_line=True, timeout=ERROR_TOAST_SECONDS, close_button=t("close")
        ).mark("error-toast")
    _error_toasts[client] = toast
    return toast


def named_dialog(name: str) -> ui.dialog:
    """A dialog that screen readers announce by `name` (its question or title), as WCAG asks of every dialog."""
    dialog = ui.dialog()
    dialog.props["aria-label"] = name  # a dict entry: the name is free text
    return dialog


def page_title(text: str) -> None:
    ui.label(text).classes("text-2xl font-semibold text-slate-900").props('role="heading" aria-level="1"')


def offline_banner(name: str, status: CameraStatus, reason: str | None) -> ui.element:
    """Says that a camera is not counting, and why, on every page that uses it."""
    text = t("camera_offline_banner", name=name, status=status_text(status))
    if reason:
        text += f": {reason_text(reason)}"
    return banner(text, kind="error" if status is CameraStatus.ERROR else "warning").mark("offline-banner")
