"""The line and zone editor drawn over a camera's test picture: clicks make lines and zones, fields name them.

The same editor, zones only and in its own colour, draws a camera's staff-only zones (`zones_only=True`); its
markers then start with `mark_prefix`, so both editors can sit on one page."""

from __future__ import annotations

import base64
import json
from dataclasses import dataclass, field
from typing import Any

from nicegui import events, ui

from shopflow.domain.geometry import turn_point
from shopflow.storage.records import InsideSide, LineConfig, ZoneConfig
from shopflow.web.cameras import Snapshot
from shopflow.web.i18n import t

ALT_JS = """(() => {
  const set = (tries) => {
    const img = document.querySelector(`#${%s} img`);
    if (img) img.alt = %s;
    else if (tries > 0) setTimeout(() => set(tries - 1), 100);
  };
  set(50);
})()"""
LINE_COLOUR = "#facc15"
ZONE_COLOUR = "#38bdf8"
DRAFT_COLOUR = "#f472b6"


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

    def __init__(
        self,
        lines: tuple[LineConfig, ...],
        zones: tuple[ZoneConfig, ...],
        *,
        zones_only: bool = False,
        mark_prefix: str = "",
        zone_colour: str = ZONE_COLOUR,
        zone_name_key: str = "zone_default_name",
        empty_key: str = "no_geometry",
    ) -> None:
        self.lines = [DraftLine(line.name, line.a, line.b, line.inside) for line in lines]
        self.zones = [DraftZone(zone.name, list(zone.polygon)) for zone in zones]
        self.pending: list[tuple[float, float]] = []
        self.snapshot: Snapshot | None = None
        self.mode = "zone" if zones_only else "line"
        self.prefix = mark_prefix
        self.zone_colour = zone_colour
        self.zone_name_key = zone_name_key
        self.empty_key = empty_key
        with ui.column().classes("w-full gap-2") as self.area:
            with ui.row().classes("items-center gap-3 flex-wrap"):
                if not zones_only:
                    ui.toggle(
                        {"line": t("draw_line"), "zone": t("draw_zone")},
                        value="line",
                        on_change=lambda e: self._set_mode(str(e.value)),
                    ).props("no-caps").mark(self._mark("draw-mode"))
                hint = t("hint_zone") if zones_only else t("hint_line")
                self.hint = ui.label(hint).classes("text-sm text-slate-700").mark(self._mark("draw-hint"))
                self.finish = (
                    ui.button(t("finish_zone"), icon="check", on_click=self._finish_zone)
                    .props("no-caps")
                    .mark(self._mark("finish-zone"))
                )
                ui.button(t("undo_point"), icon="undo", on_click=self._undo).props("flat no-caps")
            self.image = (
                ui.interactive_image(events=["click"], on_mouse=self._click, cross=True)
                .classes("w-full max-w-[960px] rounded border")
                .props(f'alt="{t("snapshot_alt")}" data-testid="{self._mark("geometry-image")}"')
                .mark(self._mark("geometry-image"))
            )
            self.items = ui.column().classes("w-full gap-2").mark(self._mark("geometry-list"))
        # The picture's alt text belongs on its <img>, which NiceGUI's interactive image draws without one (the
        # props above land on its wrapper): set once the element is in the page.
        ui.run_javascript(ALT_JS % (json.dumps(self.image.html_id), json.dumps(t("snapshot_alt"))))
        self.finish.set_visibility(False)
        self.area.set_visibility(False)
        self._render()

    def _mark(self, name: str) -> str:
        return self.prefix + name

    def show_snapshot(self, snapshot: Snapshot) -> None:
        self.snapshot = snapshot
        data = base64.b64encode(snapshot.jpeg).decode("ascii")
        self.image.set_source(f"data:image/jpeg;base64,{data}")
        self.area.set_visibility(True)
        self._render()

    def turn(self, degrees: int) -> None:
        """Turn what is drawn with the picture (`degrees` clockwise), so each line and zone keeps its spot."""
        for line in self.lines:
            line.a, line.b = turn_point(line.a, degrees), turn_point(line.b, degrees)
        for zone in self.zones:
            zone.polygon = [turn_point(point, degrees) for point in zone.polygon]
        self.pending = [turn_point(point, degrees) for point in self.pending]
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
        self.zones.append(DraftZone(self._free_name(t(self.zone_name_key)), self.pending))
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
                f'<polygon points="{points}" fill="{self.zone_colour}" fill-opacity="0.25" '
                f'stroke="{self.zone_colour}" stroke-width="3" />'
            )
            x, y = self._px(zone.polygon[0])
            parts.append(_text(x + 4, y + 16, zone.name, self.zone_colour))
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
                ui.label(t(self.empty_key)).classes("text-sm text-slate-700")
            for index, line in enumerate(self.lines):
                with ui.row().classes("w-full items-center gap-2 flex-wrap").mark(self._mark(f"line-{index}")):
                    ui.icon("horizontal_rule").classes("text-yellow-600")
                    ui.input(t("line_name"), value=line.name, on_change=_setter(self, line, "name")).props(
                        "dense outlined"
                    ).mark(self._mark(f"line-name-{index}"))
                    ui.button(t("flip_inside"), icon="swap_vert", on_click=_flipper(self, line)).props(
                        "flat no-caps"
                    ).mark(self._mark(f"line-flip-{index}"))
                    ui.button(icon="delete", on_click=_remover(self, self.lines, line)).props(
                        f'flat round color=negative aria-label="{t("remove")}"'
                    )
            for index, zone in enumerate(self.zones):
                with ui.row().classes("w-full items-center gap-2 flex-wrap").mark(self._mark(f"zone-{index}")):
                    ui.icon("pentagon").classes("text-sky-600")
                    ui.input(t("zone_name"), value=zone.name, on_change=_setter(self, zone, "name")).props(
                        "dense outlined"
                    ).mark(self._mark(f"zone-name-{index}"))
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
