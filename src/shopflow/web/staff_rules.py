"""A camera's staff rules on its editor page: staff-only zones drawn on the camera's picture, and the long stay.

Both are saved with the camera through `CameraService.set_staff_rules`, only when they changed, and checked
before the camera itself is saved, so a bad rule never leaves a new camera saved without its rules.
"""

from __future__ import annotations

import asyncio
import math
from typing import Any

from nicegui import ui

from shopflow.services.cameras import CameraInputError, CameraService, check_staff_rules
from shopflow.storage.records import CameraRecord, ZoneConfig
from shopflow.web.cameras import Snapshot
from shopflow.web.geometry_editor import GeometryEditor
from shopflow.web.i18n import fmt_number, t

STAFF_ZONE_COLOUR = "#f97316"  # orange: not the counting zones' blue, so the two are never mixed up
MAX_MINUTES = 24 * 60  # the longest long-stay rule a camera keeps (storage/repositories/cameras.py)


def staff_rules_summary(camera: CameraRecord) -> str:
    """The camera's staff rules in one line for its row in the camera list; empty when it has none."""
    rules = []
    if camera.staff_zones:
        rules.append(t("staff_zones_count", n=len(camera.staff_zones)))
    if camera.staff_after_minutes is not None:
        rules.append(t("long_stay_summary", minutes=fmt_number(camera.staff_after_minutes)))
    return t("staff_rules_label", rules=" · ".join(rules)) if rules else ""


def _minutes(value: Any) -> float | None:
    """The long-stay field: empty turns the rule off; the service checks the range (and words it by its code)."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    try:
        minutes = float(value)
    except (TypeError, ValueError):
        minutes = math.nan
    if not math.isfinite(minutes):
        raise CameraInputError(
            f"the long stay must be a number of minutes, got {value!r}",
            "staff_after_minutes",
            "staff_after_range",
            max=MAX_MINUTES,
        )
    return minutes


class StaffRulesEditor:
    """The staff rules card of one camera (None: a camera not saved yet)."""

    def __init__(self, camera: CameraRecord | None) -> None:
        with ui.card().classes("w-full gap-2").mark("staff-rules"):
            ui.label(t("staff_rules_title")).classes("text-lg font-semibold")
            ui.label(t("staff_rules_help")).classes("text-sm text-slate-700")
            ui.label(t("staff_zones_title")).classes("font-medium")
            ui.label(t("staff_zones_help")).classes("text-sm text-slate-700")
            self.waiting = ui.label(t("test_first")).classes("text-sm text-slate-700")
            self.editor = GeometryEditor(
                (),
                camera.staff_zones if camera else (),
                zones_only=True,
                mark_prefix="staff-",
                zone_colour=STAFF_ZONE_COLOUR,
                zone_name_key="staff_zone_default_name",
                empty_key="no_staff_zones",
            )
            ui.label(t("long_stay_title")).classes("font-medium")
            ui.label(t("long_stay_help")).classes("text-sm text-slate-700")
            minutes = camera.staff_after_minutes if camera else None
            self.minutes = (
                ui.number(t("long_stay_minutes"), value=minutes, min=1, max=MAX_MINUTES, step=1, format="%.0f")
                .props("outlined dense clearable")
                .classes("w-64")
                .mark("staff-after")
            )

    def show_snapshot(self, snapshot: Snapshot) -> None:
        self.waiting.set_visibility(False)
        self.editor.show_snapshot(snapshot)

    def turn(self, degrees: int) -> None:
        self.editor.turn(degrees)

    def rules(self) -> tuple[list[ZoneConfig], float | None]:
        """The rules as drawn and typed, checked (GeometryError or CameraInputError say what is wrong)."""
        _lines, zones = self.editor.configs()
        minutes = _minutes(self.minutes.value)
        check_staff_rules(zones, minutes)
        return zones, minutes

    async def save(
        self, cameras: CameraService, camera: CameraRecord, zones: list[ZoneConfig], minutes: float | None
    ) -> CameraRecord:
        """Save the rules on `camera` if they differ from its saved ones; the camera as it is afterwards."""
        if tuple(zones) == camera.staff_zones and minutes == camera.staff_after_minutes:
            return camera
        return await asyncio.to_thread(cameras.set_staff_rules, camera.id, zones, minutes)
