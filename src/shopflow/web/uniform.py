"""The store's uniform on the Funcionários page: the no-biometrics way to tell staff apart.

A uniform is two colours and a name, nothing about a person. It is picked with colour fields, or taken from a
box drawn round someone wearing it on a camera's current picture (or an uploaded photo). The camera's picture
is its raw frame (no boxes or ids drawn on it), asked of the live hub only when the button is pressed; it lives
in this page's memory while the box is drawn and is never written anywhere.
"""

from __future__ import annotations

import asyncio
import base64
from dataclasses import dataclass
from typing import Any

import cv2
import numpy as np
from nicegui import events, ui

from shopflow.services.access import AccessDeniedError
from shopflow.services.staff import StaffInputError
from shopflow.services.staff_rules import StaffRulesService
from shopflow.storage.errors import StorageError
from shopflow.storage.records import CameraRecord, StoreRecord
from shopflow.vision.appearance import MIN_HEIGHT_PX
from shopflow.vision.detector import Image
from shopflow.vision.uniform import Rgb, Uniform
from shopflow.web.auth import require_caller
from shopflow.web.context import runtime
from shopflow.web.i18n import t
from shopflow.web.pages.cameras import failure

PICTURE_WAIT_SECONDS = 5.0  # a running camera sends a frame within a second; a stopped one sends none
MAX_PHOTO_BYTES = 10 * 1024 * 1024
BOX_COLOUR = "#f97316"
MAX_NAME = 80
MIN_WIDTH_PX = 10  # the colours are read from the middle 60 % of the box's width: a thinner box has no middle


def rules_service() -> StaffRulesService:
    """The service as whoever this page's browser is signed in as; call it in the event loop, before a thread."""
    return StaffRulesService(runtime().database, require_caller())


def hex_colour(colour: Rgb) -> str:
    return "#{:02x}{:02x}{:02x}".format(*colour)


def rgb_of(value: Any) -> Rgb | None:
    """A colour field's #RRGGBB as RGB; None when the field is empty or holds something else."""
    text = str(value or "").strip().lstrip("#")
    if len(text) != 6:
        return None
    try:
        return (int(text[0:2], 16), int(text[2:4], 16), int(text[4:6], 16))
    except ValueError:
        return None


@dataclass
class Picture:
    """The picture a box is drawn on, in this page's memory only."""

    image: Image
    jpeg: bytes

    @property
    def width(self) -> int:
        return int(self.image.shape[1])

    @property
    def height(self) -> int:
        return int(self.image.shape[0])


def _picture(image: Image) -> Picture | None:
    ok, buffer = cv2.imencode(".jpg", image, [int(cv2.IMWRITE_JPEG_QUALITY), 85])
    return Picture(image, buffer.tobytes()) if ok else None


def _decoded(data: bytes) -> Picture | None:
    """An uploaded photo as a picture to draw on (None: not an image); it stays in memory only."""
    image = cv2.imdecode(np.frombuffer(data, dtype=np.uint8), cv2.IMREAD_COLOR)
    return None if image is None else _picture(np.asarray(image, dtype=np.uint8))


class UniformCard:
    """The store's uniform as two swatches, its removal, and the two ways to set it."""

    def __init__(self, store: StoreRecord, cameras: list[CameraRecord]) -> None:
        self.store = store
        self.cameras = [camera for camera in cameras if camera.enabled]
        self.picture: Picture | None = None
        self.corners: list[tuple[float, float]] = []
        with ui.card().classes("w-full gap-2").mark("uniform"):
            ui.label(t("uniform_title")).classes("text-lg font-semibold")
            ui.label(t("uniform_help")).classes("text-sm text-slate-700")
            self.current = ui.column().classes("w-full gap-2")
            with ui.tabs().props("no-caps align=left").classes("w-full").mark("uniform-tabs") as tabs:
                by_colours = ui.tab(t("uniform_by_colours")).mark("uniform-tab-colours")
                by_picture = ui.tab(t("uniform_by_picture")).mark("uniform-tab-picture")
            with ui.tab_panels(tabs, value=by_colours).classes("w-full"):
                with ui.tab_panel(by_colours).classes("gap-2 p-0 pt-2"):
                    self._colours_form()
                with ui.tab_panel(by_picture).classes("gap-2 p-0 pt-2"):
                    self._picture_form()

    async def load(self) -> None:
        service = rules_service()
        try:
            uniform = await asyncio.to_thread(service.uniform, self.store.id)
        except (StorageError, AccessDeniedError) as error:
            failure(t("uniform_read"), error)
            return
        self.show(uniform)

    def show(self, uniform: Uniform | None) -> None:
        self.current.clear()
        with self.current:
            if uniform is None:
                ui.label(t("no_uniform")).classes("text-sm font-medium").mark("uniform-none")
                return
            with ui.row().classes("items-center gap-4 flex-wrap").mark("uniform-current"):
                ui.label(t("uniform_current", name=uniform.name)).classes("font-medium").mark("uniform-name")
                _swatch("upper", uniform.upper, t("uniform_upper"), t("uniform_upper_any"))
                _swatch("lower", uniform.lower, t("uniform_lower"), t("uniform_lower_any"))
                ui.button(t("uniform_remove"), icon="delete", on_click=self._remove).props(
                    "flat no-caps color=negative"
                ).mark("uniform-remove")

    # --- (a) colours picked -----------------------------------------------------------------------------------

    def _colours_form(self) -> None:
        ui.label(t("uniform_colours_help")).classes("text-sm text-slate-700")
        with ui.row().classes("w-full items-center gap-3 flex-wrap"):
            name = _name_input("uniform-name-colours")
            use_upper = ui.checkbox(t("uniform_upper"), value=True).mark("uniform-use-upper")
            upper = ui.color_input(t("uniform_upper_colour"), value="#1d4ed8", preview=True).mark("uniform-upper")
            use_lower = ui.checkbox(t("uniform_lower"), value=False).mark("uniform-use-lower")
            lower = ui.color_input(t("uniform_lower_colour"), value="#1f2937", preview=True).mark("uniform-lower")
        upper.bind_enabled_from(use_upper, "value")
        lower.bind_enabled_from(use_lower, "value")

        async def save() -> None:
            chosen: dict[str, Any] = {"name": str(name.value or "").strip()}
            for part, used, field in (("upper", use_upper, upper), ("lower", use_lower, lower)):
                if not used.value:
                    chosen[part] = None
                    continue
                colour = rgb_of(field.value)
                if colour is None:
                    ui.notify(t("uniform_bad_colour", value=str(field.value or "")), type="warning")
                    return
                chosen[part] = list(colour)
            if not chosen["name"]:
                ui.notify(t("uniform_needs_name"), type="warning")
                return
            if chosen["upper"] is None and chosen["lower"] is None:
                ui.notify(t("uniform_needs_a_colour"), type="warning")
                return
            service = rules_service()
            try:
                uniform = await asyncio.to_thread(service.set_uniform, self.store.id, chosen)
            except (StorageError, StaffInputError, AccessDeniedError) as error:
                failure(t("save"), error)
                return
            self.show(uniform)
            ui.notify(t("uniform_saved", name=chosen["name"]), type="positive")

        ui.button(t("uniform_save"), icon="save", on_click=save).props("no-caps").mark("uniform-save-colours")

    # --- (b) colours taken from a box drawn round a person --------------------------------------------------

    def _picture_form(self) -> None:
        ui.label(t("uniform_picture_help")).classes("text-sm text-slate-700")
        with ui.row().classes("w-full items-center gap-3 flex-wrap"):
            options = {camera.id: camera.name for camera in self.cameras}
            self.camera = (
                ui.select(options, value=next(iter(options), None), label=t("uniform_camera"))
                .props("outlined dense")
                .classes("min-w-[14rem]")
                .mark("uniform-camera")
            )
            ui.button(t("uniform_take_picture"), icon="photo_camera", on_click=self._take_picture).props(
                "no-caps"
            ).mark("uniform-take-picture")
            ui.upload(
                label=t("uniform_upload_photo"),
                auto_upload=True,
                max_files=1,
                max_file_size=MAX_PHOTO_BYTES,
                on_upload=self._photo,
                on_rejected=lambda: ui.notify(t("uniform_photo_unusable"), type="negative"),
            ).props('accept="image/jpeg,image/png" flat bordered').classes("max-w-xs").mark("uniform-photo")
        if not self.cameras:
            ui.label(t("uniform_no_cameras")).classes("text-sm text-slate-700")
        with ui.column().classes("w-full gap-2") as self.drawing:
            ui.label(t("uniform_box_hint")).classes("text-sm text-slate-700").mark("uniform-box-hint")
            self.image = (
                ui.interactive_image(events=["click"], on_mouse=self._click, cross=True)
                .classes("w-full max-w-[960px] rounded border")
                .props(f'alt="{t("uniform_picture_alt")}"')
                .mark("uniform-image")
            )
            with ui.row().classes("w-full items-center gap-3 flex-wrap"):
                self.box_name = _name_input("uniform-name-picture")
                self.with_lower = ui.checkbox(t("uniform_with_lower"), value=True).mark("uniform-with-lower")
                ui.button(t("uniform_use_box"), icon="check", on_click=self._save_box).props("no-caps").mark(
                    "uniform-use-box"
                )
        self.drawing.set_visibility(False)

    async def _take_picture(self) -> None:
        camera_id = self.camera.value
        if camera_id is None:
            ui.notify(t("uniform_no_cameras"), type="warning")
            return
        name = next((c.name for c in self.cameras if c.id == camera_id), str(camera_id))
        frame = await asyncio.to_thread(runtime().hub.raw_frame, int(camera_id), PICTURE_WAIT_SECONDS)
        picture = None if frame is None else _picture(frame.image)
        if picture is None:
            ui.notify(t("uniform_no_picture", name=name), type="warning", multi_line=True, timeout=8000)
            return
        self._show_picture(picture)

    async def _photo(self, event: events.UploadEventArguments) -> None:
        data = await event.file.read()
        picture = await asyncio.to_thread(_decoded, data)
        if picture is None:
            ui.notify(t("uniform_photo_unusable"), type="negative")
            return
        self._show_picture(picture)

    def _show_picture(self, picture: Picture) -> None:
        self.picture = picture
        self.corners = []
        self.image.set_source("data:image/jpeg;base64," + base64.b64encode(picture.jpeg).decode("ascii"))
        self.image.set_content("")
        self.drawing.set_visibility(True)

    def _click(self, event: events.MouseEventArguments) -> None:
        if self.picture is None:
            return
        if len(self.corners) == 2:  # a third click starts a new box
            self.corners = []
        self.corners.append(
            (min(max(event.image_x, 0.0), self.picture.width), min(max(event.image_y, 0.0), self.picture.height))
        )
        self.image.set_content(self._svg())

    def _svg(self) -> str:
        if len(self.corners) == 1:
            x, y = self.corners[0]
            return f'<circle cx="{x:.1f}" cy="{y:.1f}" r="6" fill="{BOX_COLOUR}" />'
        (x1, y1), (x2, y2) = self.corners
        left, top = min(x1, x2), min(y1, y2)
        return (
            f'<rect x="{left:.1f}" y="{top:.1f}" width="{abs(x2 - x1):.1f}" height="{abs(y2 - y1):.1f}" '
            f'fill="none" stroke="{BOX_COLOUR}" stroke-width="4" />'
        )

    def box(self) -> tuple[float, float, float, float] | None:
        """The drawn box as fractions of the picture (x1, y1, x2, y2), or None until two corners are clicked."""
        if self.picture is None or len(self.corners) != 2:
            return None
        (ax, ay), (bx, by) = self.corners
        width, height = self.picture.width, self.picture.height
        return (min(ax, bx) / width, min(ay, by) / height, max(ax, bx) / width, max(ay, by) / height)

    async def _save_box(self) -> None:
        box = self.box()
        if self.picture is None or box is None:
            ui.notify(t("uniform_draw_box_first"), type="warning")
            return
        too_narrow = (box[2] - box[0]) * self.picture.width < MIN_WIDTH_PX
        if too_narrow or (box[3] - box[1]) * self.picture.height < MIN_HEIGHT_PX:
            ui.notify(t("uniform_box_too_small", px=MIN_HEIGHT_PX), type="warning")
            return
        name = str(self.box_name.value or "").strip()
        if not name:
            ui.notify(t("uniform_needs_name"), type="warning")
            return
        service = rules_service()
        image, lower = self.picture.image, bool(self.with_lower.value)
        try:
            uniform = await asyncio.to_thread(
                lambda: service.uniform_from_picture(self.store.id, image, box, name, lower=lower)
            )
        except (StorageError, StaffInputError, AccessDeniedError) as error:
            failure(t("save"), error)
            return
        # The picture is no longer needed: drop it from the page's memory.
        self.picture, self.corners = None, []
        self.image.set_source("")
        self.drawing.set_visibility(False)
        self.show(uniform)
        ui.notify(t("uniform_saved", name=name), type="positive")

    # --- removal ----------------------------------------------------------------------------------------------

    async def _remove(self) -> None:
        service = rules_service()
        try:
            await asyncio.to_thread(service.set_uniform, self.store.id, None)
        except (StorageError, AccessDeniedError) as error:
            failure(t("uniform_remove"), error)
            return
        self.show(None)
        ui.notify(t("uniform_removed"), type="positive")


def _name_input(marker: str) -> ui.input:
    return (
        ui.input(t("uniform_name"), value=t("uniform_default_name"))
        .props(f"outlined dense maxlength={MAX_NAME}")
        .classes("w-56")
        .mark(marker)
    )


def _swatch(part: str, colour: Rgb | None, caption: str, any_colour: str) -> None:
    """One part's colour as a square of it, with its name and numbers (a colour is not only seen)."""
    with ui.row().classes("items-center gap-2").mark(f"uniform-{part}-swatch"):
        if colour is None:
            ui.element("div").classes("w-10 h-10 rounded border border-dashed border-slate-400")
            ui.label(f"{caption}: {any_colour}").classes("text-sm")
            return
        ui.element("div").classes("w-10 h-10 rounded border border-slate-400").style(
            f"background-color: {hex_colour(colour)}"
        ).props(f'role="img" aria-label="{caption}: {hex_colour(colour)}"')
        numbers = t("uniform_rgb", rgb=", ".join(str(c) for c in colour))
        ui.label(f"{caption}: {numbers}").classes("text-sm")
