"""Cameras: the list with each camera's health, and the editor (source, connection test, lines and zones)."""

from __future__ import annotations

import asyncio
import base64
from dataclasses import dataclass, field
from typing import Any

from nicegui import events, ui

from shopflow.domain.geometry import GeometryError
from shopflow.services.cameras import CameraChanges, CameraInputError, NewCamera, is_file_source
from shopflow.storage.errors import StorageError
from shopflow.storage.records import CameraRecord, InsideSide, LineConfig, StoreRecord, UserRecord, ZoneConfig
from shopflow.web.auth import can_manage
from shopflow.web.cameras import Snapshot, camera_service, snapshot_of
from shopflow.web.context import runtime
from shopflow.web.figures import store_cameras
from shopflow.web.guard import member_page
from shopflow.web.i18n import fmt_datetime, fmt_number, status_text, t
from shopflow.web.layout import banner, page_title

STATUS_EVERY_SECONDS = 2.0
STATUS_COLOURS = {
    "online": "positive",
    "starting": "info",
    "offline": "warning",
    "error": "negative",
    "disabled": "grey-7",
    "finished": "grey-7",
}
LINE_COLOUR = "#facc15"
ZONE_COLOUR = "#38bdf8"
DRAFT_COLOUR = "#f472b6"


def failure(action: str, error: Exception) -> None:
    """A failed action says so, with the server's own message."""
    ui.notify(t("action_failed", action=action, message=str(error)), type="negative", multi_line=True, timeout=8000)


# --- the list -------------------------------------------------------------------------------------------------


class CameraRow:
    def __init__(self, camera: CameraRecord, store: StoreRecord, manage: bool, reload: Any) -> None:
        self.camera = camera
        self.store = store
        with ui.card().classes("w-full").mark(f"camera-{camera.id}"):
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
            self.reason = ui.label("").classes("text-sm").mark("camera-reason")
        self.show(camera)

    def show(self, camera: CameraRecord) -> None:
        self.camera = camera
        self.chip.set_text(status_text(camera.status))
        self.chip.props(f"color={STATUS_COLOURS.get(camera.status.value, 'grey-7')}")
        last = fmt_datetime(camera.last_frame_at, self.store.timezone) if camera.last_frame_at else t("never")
        self.last_frame.set_text(t("last_frame", when=last))
        fps = fmt_number(camera.measured_fps, 1) if camera.measured_fps is not None else "—"
        self.fps.set_text(t("fps_measured", fps=fps))
        self.reason.set_text(camera.status_reason or "")
        self.reason.set_visibility(bool(camera.status_reason))

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
        with ui.dialog() as dialog, ui.card().mark("delete-dialog"):
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


@dataclass
class DraftLine:
    name: str
    a: tuple[float, float]
    b: tuple[float, float]
    inside: InsideSide = InsideSide.POSITIVE


@dataclass
class DraftZone:
    name: str
    polygon: list[tuple[float, float]] = field(default_factory=list)


class GeometryEditor:
    """Lines and zones drawn with mouse clicks on a snapshot; points are kept as fractions of the picture."""

    def __init__(self, lines: tuple[LineConfig, ...], zones: tuple[ZoneConfig, ...]) -> None:
        self.lines = [DraftLine(line.name, line.a, line.b, line.inside) for line in lines]
        self.zones = [DraftZone(zone.name, list(zone.polygon)) for zone in zones]
        self.pending: list[tuple[float, float]] = []
        self.snapshot: Snapshot | None = None
        self.mode = "line"
        with ui.column().classes("w-full gap-2") as self.area:
            with ui.row().classes("items-center gap-3 flex-wrap"):
                ui.toggle(
                    {"line": t("draw_line"), "zone": t("draw_zone")},
                    value="line",
                    on_change=lambda e: self._set_mode(str(e.value)),
                ).props("no-caps").mark("draw-mode")
                self.hint = ui.label(t("hint_line")).classes("text-sm text-slate-700").mark("draw-hint")
                self.finish = (
                    ui.button(t("finish_zone"), icon="check", on_click=self._finish_zone)
                    .props("no-caps")
                    .mark("finish-zone")
                )
                ui.button(t("undo_point"), icon="undo", on_click=self._undo).props("flat no-caps")
            self.image = (
                ui.interactive_image(events=["click"], on_mouse=self._click, cross=True)
                .classes("w-full max-w-[960px] rounded border")
                .props(f'alt="{t("snapshot_alt")}" data-testid="geometry-image"')
                .mark("geometry-image")
            )
            self.items = ui.column().classes("w-full gap-2").mark("geometry-list")
        self.finish.set_visibility(False)
        self.area.set_visibility(False)
        self._render()

    def show_snapshot(self, snapshot: Snapshot) -> None:
        self.snapshot = snapshot
        data = base64.b64encode(snapshot.jpeg).decode("ascii")
        self.image.set_source(f"data:image/jpeg;base64,{data}")
        self.area.set_visibility(True)
        self._render()

    def _set_mode(self, mode: str) -> None:
        self.mode = mode
        self.pending = []
        self.hint.set_text(t("hint_line") if mode == "line" else t("hint_zone"))
        self.finish.set_visibility(False)
        self._render()

    def _click(self, event: events.MouseEventArguments) -> None:
        if self.snapshot is None:
            return
        point = (
            min(1.0, max(0.0, round(event.image_x / self.snapshot.width, 4))),
            min(1.0, max(0.0, round(event.image_y / self.snapshot.height, 4))),
        )
        self.pending.append(point)
        if self.mode == "line" and len(self.pending) == 2:
            a, b = self.pending
            self.pending = []
            if a == b:
                ui.notify(t("line_needs_two_points"), type="warning")
            else:
                self.lines.append(DraftLine(self._free_name(t("line_default_name")), a, b))
                ui.notify(t("line_added"), type="positive")
        self.finish.set_visibility(self.mode == "zone" and len(self.pending) >= 3)
        self._render()

    def _finish_zone(self) -> None:
        if len(self.pending) < 3:
            ui.notify(t("zone_needs_three"), type="warning")
            return
        self.zones.append(DraftZone(self._free_name(t("zone_default_name")), self.pending))
        self.pending = []
        self.finish.set_visibility(False)
        self._render()

    def _undo(self) -> None:
        if self.pending:
            self.pending.pop()
            self.finish.set_visibility(self.mode == "zone" and len(self.pending) >= 3)
            self._render()

    def _free_name(self, base: str) -> str:
        taken = {line.name for line in self.lines} | {zone.name for zone in self.zones}
        number = 1
        while f"{base} {number}" in taken:
            number += 1
        return f"{base} {number}"

    def _px(self, point: tuple[float, float]) -> tuple[float, float]:
        assert self.snapshot is not None
        return point[0] * self.snapshot.width, point[1] * self.snapshot.height

    def _svg(self) -> str:
        if self.snapshot is None:
            return ""
        parts: list[str] = []
        for zone in self.zones:
            points = " ".join(f"{x:.1f},{y:.1f}" for x, y in map(self._px, zone.polygon))
            parts.append(
                f'<polygon points="{points}" fill="{ZONE_COLOUR}" fill-opacity="0.25" stroke="{ZONE_COLOUR}" '
                'stroke-width="3" />'
            )
            x, y = self._px(zone.polygon[0])
            parts.append(_text(x + 4, y + 16, zone.name, ZONE_COLOUR))
        for line in self.lines:
            (ax, ay), (bx, by) = self._px(line.a), self._px(line.b)
            # The positive side of A->B is where the cross product is positive: the normal (-dy, dx) on screen.
            dx, dy = bx - ax, by - ay
            length = max((dx * dx + dy * dy) ** 0.5, 1e-6)
            nx, ny = -dy / length, dx / length
            if line.inside is InsideSide.NEGATIVE:
                nx, ny = -nx, -ny
            mx, my = (ax + bx) / 2, (ay + by) / 2
            tip = (mx + nx * 40, my + ny * 40)
            parts.append(
                f'<line x1="{ax:.1f}" y1="{ay:.1f}" x2="{bx:.1f}" y2="{by:.1f}" '
                f'stroke="{LINE_COLOUR}" stroke-width="4" />'
            )
            parts.append(f'<circle cx="{ax:.1f}" cy="{ay:.1f}" r="5" fill="{LINE_COLOUR}" />')
            parts.append(
                f'<line x1="{mx:.1f}" y1="{my:.1f}" x2="{tip[0]:.1f}" y2="{tip[1]:.1f}" stroke="{LINE_COLOUR}" '
                'stroke-width="3" marker-end="url(#arrow)" />'
            )
            parts.append(_text(tip[0] + 4, tip[1] + 4, t("inside_label"), LINE_COLOUR))
            parts.append(_text(bx + 6, by, line.name, LINE_COLOUR))
        for x, y in map(self._px, self.pending):
            parts.append(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="6" fill="{DRAFT_COLOUR}" />')
        if len(self.pending) > 1:
            points = " ".join(f"{x:.1f},{y:.1f}" for x, y in map(self._px, self.pending))
            parts.append(f'<polyline points="{points}" fill="none" stroke="{DRAFT_COLOUR}" stroke-width="3" />')
        defs = (
            '<defs><marker id="arrow" viewBox="0 0 10 10" refX="8" refY="5" markerWidth="6" markerHeight="6" '
            f'orient="auto-start-reverse"><path d="M 0 0 L 10 5 L 0 10 z" fill="{LINE_COLOUR}" /></marker></defs>'
        )
        return defs + "".join(parts)

    def _render(self) -> None:
        self.image.set_content(self._svg())
        self.items.clear()
        with self.items:
            if not self.lines and not self.zones:
                ui.label(t("no_geometry")).classes("text-sm text-slate-700")
            for index, line in enumerate(self.lines):
                with ui.row().classes("w-full items-center gap-2 flex-wrap").mark(f"line-{index}"):
                    ui.icon("horizontal_rule").classes("text-yellow-600")
                    ui.input(t("line_name"), value=line.name, on_change=_setter(self, line, "name")).props(
                        "dense outlined"
                    ).mark(f"line-name-{index}")
                    ui.button(t("flip_inside"), icon="swap_vert", on_click=_flipper(self, line)).props(
                        "flat no-caps"
                    ).mark(f"line-flip-{index}")
                    ui.button(icon="delete", on_click=_remover(self, self.lines, line)).props(
                        f'flat round color=negative aria-label="{t("remove")}"'
                    )
            for index, zone in enumerate(self.zones):
                with ui.row().classes("w-full items-center gap-2 flex-wrap").mark(f"zone-{index}"):
                    ui.icon("pentagon").classes("text-sky-600")
                    ui.input(t("zone_name"), value=zone.name, on_change=_setter(self, zone, "name")).props(
                        "dense outlined"
                    ).mark(f"zone-name-{index}")
                    ui.label(t("zone_points", n=len(zone.polygon))).classes("text-sm text-slate-700")
                    ui.button(icon="delete", on_click=_remover(self, self.zones, zone)).props(
                        f'flat round color=negative aria-label="{t("remove")}"'
                    )

    def configs(self) -> tuple[list[LineConfig], list[ZoneConfig]]:
        """The drawn geometry as the camera keeps it; GeometryError says what is wrong."""
        lines = [LineConfig(line.name.strip(), line.a, line.b, line.inside) for line in self.lines]
        zones = [ZoneConfig(zone.name.strip(), tuple(zone.polygon)) for zone in self.zones]
        return lines, zones


def _text(x: float, y: float, text: str, colour: str) -> str:
    safe = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return (
        f'<text x="{x:.1f}" y="{y:.1f}" fill="{colour}" stroke="#000" stroke-width="3" paint-order="stroke" '
        f'font-size="16" font-family="sans-serif">{safe}</text>'
    )


def _setter(editor: GeometryEditor, item: DraftLine | DraftZone, attribute: str) -> Any:
    def apply(event: events.ValueChangeEventArguments[Any]) -> None:
        setattr(item, attribute, str(event.value or ""))
        editor.image.set_content(editor._svg())  # the name is drawn on the picture too

    return apply


def _flipper(editor: GeometryEditor, line: DraftLine) -> Any:
    def flip() -> None:
        line.inside = InsideSide.NEGATIVE if line.inside is InsideSide.POSITIVE else InsideSide.POSITIVE
        editor.image.set_content(editor._svg())

    return flip


def _remover(editor: GeometryEditor, items: list[Any], item: Any) -> Any:
    def remove() -> None:
        items.remove(item)
        editor._render()

    return remove


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
                    placeholder="rtsp://usuario:senha@192.168.1.20:554/stream1",
                )
                .props("outlined")
                .classes("flex-1 min-w-[20rem]")
                .mark("camera-source")
            )
            test_button = (
                ui.button(t("test_connection"), icon="wifi_tethering").props("no-caps").mark("test-connection")
            )
        ui.label(t("source_help")).classes("text-sm text-slate-700")
        loop = ui.checkbox(t("loop_video"), value=camera.loop_video if camera else False).mark("camera-loop")
        loop.bind_visibility_from(source, "value", backward=lambda value: is_file_source(str(value or "")))
        verdict = ui.column().classes("w-full")
    with ui.card().classes("w-full gap-2"):
        ui.label(t("lines_and_zones")).classes("text-lg font-semibold")
        waiting = ui.label(t("test_first")).classes("text-sm text-slate-700")
        editor = GeometryEditor(camera.lines if camera else (), camera.zones if camera else ())

    async def test() -> None:
        test_button.props("loading")
        try:
            result = await asyncio.to_thread(
                cameras.test_connection, str(source.value or ""), camera.id if camera else None
            )
        finally:
            test_button.props(remove="loading")
        verdict.clear()
        with verdict:
            if result.ok:
                banner(t("connection_ok", message=result.message), kind="info").mark("connection-ok")
            else:
                banner(t("connection_failed", message=result.message), kind="error").mark("connection-failed")
        snapshot = snapshot_of(result)
        if snapshot is not None:
            waiting.set_visibility(False)
            editor.show_snapshot(snapshot)

    test_button.on_click(test)

    async def save() -> None:
        try:
            lines, zones = editor.configs()
            source_url = str(source.value or "")
            loop_video = bool(loop.value) and is_file_source(source_url)
            if camera is None:
                new = NewCamera(
                    store.id, str(name.value or ""), source_url, lines=lines, zones=zones, loop_video=loop_video
                )
                saved = await asyncio.to_thread(cameras.create, new)
            else:
                changes = CameraChanges(
                    name=str(name.value or ""), source_url=source_url, lines=lines, zones=zones, loop_video=loop_video
                )
                saved = await asyncio.to_thread(cameras.update, camera.id, changes)
        except (CameraInputError, GeometryError, StorageError, ValueError) as error:
            failure(t("save"), error)
            return
        ui.notify(t("camera_saved", name=saved.name), type="positive")
        ui.navigate.to("/cameras")

    with ui.row().classes("w-full justify-end gap-2"):
        ui.button(t("cancel"), on_click=lambda: ui.navigate.to("/cameras")).props("flat no-caps")
        ui.button(t("save"), icon="save", on_click=save).props("no-caps").mark("save-camera")
    if camera is not None:
        await test()


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
