"""Cameras: the list with each camera's health, and the editor (source, connection test, lines and zones)."""

from __future__ import annotations

import asyncio
from typing import Any

from nicegui import ui

from shopflow.domain.cameras import ROTATIONS, check_rotation
from shopflow.domain.geometry import GeometryError
from shopflow.pipeline.probe import ProbeResult
from shopflow.services.cameras import CameraChanges, CameraInputError, NewCamera, is_file_source
from shopflow.storage.errors import StorageError
from shopflow.storage.records import CameraRecord, StoreRecord, UserRecord
from shopflow.web import staff_rules
from shopflow.web.auth import can_manage
from shopflow.web.camera_reasons import reason_text
from shopflow.web.cameras import camera_service, snapshot_of
from shopflow.web.context import runtime
from shopflow.web.figures import store_cameras
from shopflow.web.geometry_editor import GeometryEditor
from shopflow.web.guard import member_page
from shopflow.web.i18n import fmt_datetime, fmt_number, status_text, t
from shopflow.web.layout import banner, error_toast, named_dialog, page_title
from shopflow.web.problems import explain, failed

STATUS_EVERY_SECONDS = 2.0
STATUS_COLOURS = {
    "online": "positive",
    "starting": "info",
    "offline": "warning",
    "error": "negative",
    "disabled": "grey-7",
    "finished": "grey-7",
}
# The light backgrounds among them, which take dark text to stay readable (WCAG AA); the others take white.
DARK_TEXT_ON = {"warning"}


def _verdict(result: ProbeResult) -> str:
    """A connection test's verdict in the reader's language: by its code, or (a reason the camera's stream gave,
    like "connection refused") as the cameras' status reasons are worded."""
    return explain(result) if result.code else reason_text(result.message)


def failure(action: str, error: Exception) -> None:
    """A failed action says so, and what to fix, in the reader's language, in the page's one error toast."""
    error_toast(failed(action, error))


# --- the list -------------------------------------------------------------------------------------------------


class CameraRow:
    def __init__(self, camera: CameraRecord, store: StoreRecord, manage: bool, reload: Any) -> None:
        self.camera = camera
        self.store = store
        with ui.card().classes("w-full").mark(f"camera-{camera.id}") as self.card:
            with ui.row().classes("w-full items-center gap-3 flex-wrap"):
                ui.label(camera.name).classes("text-lg font-semibold")
                if camera.is_demo:
                    ui.badge(t("demo"), color="blue-grey-7")
                self.chip = ui.badge("", color="grey-7").classes("text-sm").mark("camera-status")
                ui.space()
                if manage:
                    ui.switch(
                        t("enabled"), value=camera.enabled, on_change=lambda e: self._toggle(bool(e.value), reload)
                    ).mark("camera-enabled")
                    ui.button(t("edit"), icon="edit", on_click=lambda: ui.navigate.to(f"/cameras/{camera.id}")).props(
                        "flat no-caps"
                    ).mark("camera-edit")
                    ui.button(t("delete"), icon="delete", on_click=lambda: self._confirm_delete(reload)).props(
                        "flat no-caps color=negative"
                    ).mark("camera-delete")
            with ui.row().classes("w-full gap-6 text-sm text-slate-700 flex-wrap"):
                ui.label(camera.source_url).classes("font-mono break-all")
                self.last_frame = ui.label("")
                self.fps = ui.label("")
                self.geometry = ui.label(t("geometry_count", lines=len(camera.lines), zones=len(camera.zones)))
                ui.label(staff_rules.staff_rules_summary(camera)).mark("camera-staff-rules")
            self.reason = ui.label("").classes("text-sm").mark("camera-reason")
            # A camera without a line counts nobody in or out: said where it is listed, not only when saved.
            self.no_line = banner(t("no_line_warning"), kind="warning").mark("no-line-warning")
            self.no_line.set_visibility(not camera.lines)
        self.show(camera)

    def show(self, camera: CameraRecord) -> None:
        self.camera = camera
        self.chip.set_text(status_text(camera.status))
        colour = STATUS_COLOURS.get(camera.status.value, "grey-7")
        self.chip.props(f"color={colour} text-color={'black' if colour in DARK_TEXT_ON else 'white'}")
        last = fmt_datetime(camera.last_frame_at, self.store.timezone) if camera.last_frame_at else t("never")
        self.last_frame.set_text(t("last_frame", when=last))
        fps = fmt_number(camera.measured_fps, 1) if camera.measured_fps is not None else "—"
        self.fps.set_text(t("fps_measured", fps=fps))
        if camera.enabled:
            self.card.classes(remove="bg-slate-100 border-2 border-dashed border-slate-400")
            self.reason.set_text(reason_text(camera.status_reason))
        else:
            # A disabled camera looks it: greyed out, and it says what being disabled means.
            self.card.classes(add="bg-slate-100 border-2 border-dashed border-slate-400")
            self.reason.set_text(t("camera_off_note"))
        self.card.props(f'data-enabled="{str(camera.enabled).lower()}"')
        self.reason.set_visibility(bool(self.reason.text))

    async def _toggle(self, enabled: bool, reload: Any) -> None:
        if enabled == self.camera.enabled:
            return
        try:
            camera = await asyncio.to_thread(camera_service(runtime()).set_enabled, self.camera.id, enabled)
        except (StorageError, ValueError) as error:
            failure(t("save"), error)
            return
        self.show(camera)
        ui.notify(t("camera_enabled") if enabled else t("camera_disabled"), type="positive")

    def _confirm_delete(self, reload: Any) -> None:
        with (
            named_dialog(t("delete_camera_question", name=self.camera.name)) as dialog,
            ui.card().mark("delete-dialog"),
        ):
            ui.label(t("delete_camera_question", name=self.camera.name)).classes("text-lg")
            ui.label(t("delete_camera_warning")).classes("text-slate-700")
            with ui.row().classes("w-full justify-end"):
                ui.button(t("cancel"), on_click=dialog.close).props("flat no-caps")

                async def confirm() -> None:
                    dialog.close()
                    try:
                        await asyncio.to_thread(camera_service(runtime()).delete, self.camera.id)
                    except (StorageError, ValueError) as error:
                        failure(t("delete"), error)
                        return
                    ui.notify(t("camera_deleted", name=self.camera.name), type="positive")
                    await reload()

                ui.button(t("delete"), on_click=confirm).props("no-caps color=negative").mark("confirm-delete")
        dialog.open()


def _list_page() -> None:
    @member_page("/cameras", nav="/cameras")
    async def cameras_page(user: UserRecord, store: StoreRecord | None) -> None:
        manage = can_manage(user)
        with ui.column().classes("w-full max-w-6xl mx-auto p-4 gap-4"):
            with ui.row().classes("w-full items-center"):
                page_title(t("nav_cameras"))
                ui.space()
                if manage and store is not None:
                    ui.button(t("add_camera"), icon="add", on_click=lambda: ui.navigate.to("/cameras/new")).props(
                        "no-caps"
                    ).mark("add-camera")
            if store is None:
                ui.label(t("no_store"))
                return
            listing = ui.column().classes("w-full gap-3")
            rows: dict[int, CameraRow] = {}

            async def build() -> None:
                cameras = await asyncio.to_thread(store_cameras, runtime(), store.id)
                listing.clear()
                rows.clear()
                with listing:
                    if not cameras:
                        banner(t("no_cameras_yet"), kind="info").mark("no-cameras")
                    for camera in cameras:
                        rows[camera.id] = CameraRow(camera, store, manage, build)

            async def refresh() -> None:
                cameras = await asyncio.to_thread(store_cameras, runtime(), store.id)
                if {c.id for c in cameras} != set(rows):
                    await build()
                    return
                for camera in cameras:
                    rows[camera.id].show(camera)

            await build()
            ui.timer(STATUS_EVERY_SECONDS, refresh)


# --- the editor -----------------------------------------------------------------------------------------------


class _TestPicture:
    """The last connection test's picture as the camera sent it, shown turned by the chosen rotation on both
    editors; a new turn turns what is drawn with it and needs no new test."""

    def __init__(
        self, rotation: int, waiting: ui.label, editor: GeometryEditor, staff: staff_rules.StaffRulesEditor
    ) -> None:
        self.rotation = rotation
        self.result: ProbeResult | None = None
        self._waiting, self._editor, self._staff = waiting, editor, staff

    def show(self, result: ProbeResult) -> None:
        self.result = result
        snapshot = snapshot_of(result, self.rotation)
        if snapshot is not None:
            self._waiting.set_visibility(False)
            self._editor.show_snapshot(snapshot)
            self._staff.show_snapshot(snapshot)

    def turn_to(self, rotation: int) -> None:
        turn = (rotation - self.rotation) % 360
        self.rotation = rotation
        self._editor.turn(turn)
        self._staff.turn(turn)
        if self.result is not None:
            self.show(self.result)


async def _editor(user: UserRecord, store: StoreRecord, camera: CameraRecord | None) -> None:
    cameras = camera_service(runtime())
    with ui.card().classes("w-full gap-3"):
        name = (
            ui.input(t("camera_name"), value=camera.name if camera else "")
            .props("outlined")
            .classes("w-full max-w-xl")
            .mark("camera-name")
        )
        with ui.row().classes("w-full items-start gap-3 flex-wrap"):
            source = (
                ui.input(
                    t("source_url"),
                    value=camera.source_url if camera else "",
                    placeholder=t("source_placeholder"),
                )
                .props("outlined")
                .classes("flex-1 min-w-[min(20rem,100%)]")  # never wider than its card (a phone)
                .mark("camera-source")
            )
            test_button = (
                ui.button(t("test_connection"), icon="wifi_tethering").props("no-caps").mark("test-connection")
            )
        ui.label(t("source_help")).classes("text-sm text-slate-700")
        loop = ui.checkbox(t("loop_video"), value=camera.loop_video if camera else False).mark("camera-loop")
        loop.bind_visibility_from(source, "value", backward=lambda value: is_file_source(str(value or "")))
        rotation = (
            ui.select(
                {degrees: t(f"rotation_{degrees}") for degrees in ROTATIONS},
                label=t("rotation"),
                value=camera.rotation if camera else 0,
            )
            .props("outlined")
            .classes("w-full max-w-xs")
            .mark("camera-rotation")
        )
        ui.label(t("rotation_help")).classes("text-sm text-slate-700")
        verdict = ui.column().classes("w-full")
    with ui.card().classes("w-full gap-2"):
        ui.label(t("lines_and_zones")).classes("text-lg font-semibold")
        waiting = ui.label(t("test_first")).classes("text-sm text-slate-700")
        editor = GeometryEditor(camera.lines if camera else (), camera.zones if camera else ())
    staff = staff_rules.StaffRulesEditor(camera)
    picture = _TestPicture(camera.rotation if camera else 0, waiting, editor, staff)
    rotation.on_value_change(lambda event: picture.turn_to(int(event.value or 0)))

    async def test() -> None:
        test_button.props("loading")
        try:
            # The picture as the camera sends it: the editor turns it itself, so a new turn needs no new test.
            result = await asyncio.to_thread(
                cameras.test_connection, str(source.value or ""), camera.id if camera else None, 0
            )
        finally:
            test_button.props(remove="loading")
        verdict.clear()
        with verdict:
            if result.ok:
                banner(t("connection_ok", message=_verdict(result)), kind="info").mark("connection-ok")
            else:
                banner(t("connection_failed", message=_verdict(result)), kind="error").mark("connection-failed")
        picture.show(result)

    test_button.on_click(test)

    async def save() -> None:
        try:
            lines, zones = editor.configs()
            staff_zones, staff_after = staff.rules()  # checked before the camera is saved
            source_url = str(source.value or "")
            loop_video = bool(loop.value) and is_file_source(source_url)
            turned = check_rotation(int(rotation.value or 0))
            if camera is None:
                new = NewCamera(
                    store.id,
                    str(name.value or ""),
                    source_url,
                    lines=lines,
                    zones=zones,
                    loop_video=loop_video,
                    rotation=turned,
                )
                saved = await asyncio.to_thread(cameras.create, new)
            else:
                changes = CameraChanges(
                    name=str(name.value or ""),
                    source_url=source_url,
                    lines=lines,
                    zones=zones,
                    loop_video=loop_video,
                    rotation=turned,
                )
                saved = await asyncio.to_thread(cameras.update, camera.id, changes)
            saved = await staff.save(cameras, saved, staff_zones, staff_after)
        except (CameraInputError, GeometryError, StorageError, ValueError) as error:
            failure(t("save"), error)
            return
        ui.notify(t("camera_saved", name=saved.name), type="positive")
        if not saved.lines:
            ui.notify(t("no_line_warning"), type="warning", multi_line=True, timeout=10000)
        ui.navigate.to("/cameras")

    with ui.row().classes("w-full justify-end gap-2"):
        ui.button(t("cancel"), on_click=lambda: ui.navigate.to("/cameras")).props("flat no-caps")
        ui.button(t("save"), icon="save", on_click=save).props("no-caps").mark("save-camera")
    if camera is not None:
        # Once the page is shown: opening the source can take longer than NiceGUI waits for a page to be built (a
        # video file on a server busy counting, a camera far away), and the page would be an error instead.
        ui.timer(0, test, once=True)


def _editor_pages() -> None:
    @member_page("/cameras/new", nav="/cameras")
    async def new_camera_page(user: UserRecord, store: StoreRecord | None) -> None:
        with ui.column().classes("w-full max-w-6xl mx-auto p-4 gap-4"):
            page_title(t("new_camera"))
            if store is None or not can_manage(user):
                banner(t("not_allowed"), kind="error")
                return
            await _editor(user, store, None)

    @member_page("/cameras/{camera_id}", nav="/cameras")
    async def edit_camera_page(user: UserRecord, store: StoreRecord | None, camera_id: int) -> None:
        with ui.column().classes("w-full max-w-6xl mx-auto p-4 gap-4"):
            try:
                camera = await asyncio.to_thread(camera_service(runtime()).get, camera_id)
            except StorageError:
                page_title(t("edit_camera"))
                banner(t("camera_not_found", id=camera_id), kind="error")
                return
            page_title(t("edit_camera_named", name=camera.name))
            if store is None or camera.store_id != store.id or not can_manage(user):
                banner(t("not_allowed"), kind="error")
                return
            await _editor(user, store, camera)


def add_pages() -> None:
    _list_page()
    _editor_pages()
