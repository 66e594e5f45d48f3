"""Presenças: when each employee recognised by their face was on the floor, on one day of the store.

Personal data with its own permission (`Permission.ATTENDANCE`): the page, and the link to it on Funcionários,
exist only for roles that have it, and `AttendanceService` checks it again and writes every read to the audit
log. Staff told apart by the uniform, a staff zone or a long stay are not named (nothing says who they are):
they are only counted, by rule. Times are on the store's clock.
"""

from __future__ import annotations

import asyncio
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from nicegui import ui

from shopflow.services.access import AccessDeniedError
from shopflow.services.attendance import AttendanceDay, AttendanceService
from shopflow.storage.errors import StorageError
from shopflow.storage.records import StoreRecord, UserRecord
from shopflow.web.auth import can_see_attendance, require_caller
from shopflow.web.context import runtime
from shopflow.web.guard import member_page
from shopflow.web.i18n import date_picker_mask, fmt_date, fmt_duration, fmt_number, fmt_time, parse_date, t
from shopflow.web.layout import banner, error_toast, page_title
from shopflow.web.pages.cameras import failure
from shopflow.web.pages.employees import ATTENDANCE_PATH

# The rules in the order the page lists them (analysis/staff.StaffRule's values, as staff_tracks keep them).
RULES = ("face", "uniform", "staff_zone", "long_stay")


def _rule_name(rule: str) -> str:
    names = {
        "face": t("staff_rule_face"),
        "uniform": t("staff_rule_uniform"),
        "staff_zone": t("staff_rule_staff_zone"),
        "long_stay": t("staff_rule_long_stay"),
    }
    return names.get(rule, rule)


def _rows(found: AttendanceDay, timezone: str) -> list[dict[str, Any]]:
    return [
        {
            "id": e.employee_id,
            "name": e.name,
            "code": e.code or "—",
            "first": fmt_time(e.first_seen, timezone),
            "last": fmt_time(e.last_seen, timezone),
            "on_floor": fmt_duration(e.on_floor_seconds),
            "cameras": ", ".join(e.cameras),
        }
        for e in found.employees
    ]


def _show(found: AttendanceDay, store: StoreRecord, into: ui.column) -> None:
    into.clear()
    with into:
        ui.label(t("attendance_of_day", day=fmt_date(found.day))).classes("text-lg font-semibold")
        if found.employees:
            columns = [
                {"name": "name", "label": t("attendance_employee"), "field": "name", "align": "left"},
                {"name": "code", "label": t("employee_code"), "field": "code", "align": "left"},
                {"name": "first", "label": t("attendance_first_seen"), "field": "first", "align": "left"},
                {"name": "last", "label": t("attendance_last_seen"), "field": "last", "align": "left"},
                {"name": "on_floor", "label": t("attendance_on_floor"), "field": "on_floor", "align": "left"},
                {"name": "cameras", "label": t("attendance_cameras"), "field": "cameras", "align": "left"},
            ]
            ui.table(columns=columns, rows=_rows(found, store.timezone), row_key="id").classes("w-full").props(
                "flat bordered wrap-cells"
            ).mark("attendance-table")
        else:
            banner(t("attendance_nobody"), kind="info").mark("attendance-empty")
        staff = found.staff
        by_rule = [
            t("attendance_rule_count", rule=_rule_name(rule), n=fmt_number(staff.by_rule.get(rule, 0)))
            for rule in RULES
        ]
        others = [(rule, n) for rule, n in staff.by_rule.items() if rule not in RULES]  # a rule added later
        by_rule += [t("attendance_rule_count", rule=rule, n=fmt_number(n)) for rule, n in others]
        ui.label(t("attendance_staff_tracks", n=fmt_number(staff.tracks))).classes("font-medium").mark(
            "attendance-tracks"
        )
        ui.label(" · ".join(by_rule)).classes("text-sm").mark("attendance-by-rule")
        ui.label(t("attendance_corrected", n=fmt_number(staff.crossings_corrected))).classes(
            "text-sm text-slate-700"
        ).mark("attendance-corrected")


def add_page() -> None:
    @member_page(ATTENDANCE_PATH, nav="/employees", allow=can_see_attendance)
    async def attendance_page(user: UserRecord, store: StoreRecord | None) -> None:
        with ui.column().classes("w-full max-w-6xl mx-auto p-4 gap-4"):
            page_title(t("attendance_title"))
            if store is None:
                ui.label(t("no_store"))
                return
            ui.label(t("attendance_help")).classes("text-sm text-slate-700")
            today = datetime.now(ZoneInfo(store.timezone)).date()
            with ui.row().classes("items-center gap-3 flex-wrap"):
                field = ui.input(t("attendance_day"), value=fmt_date(today), placeholder=t("date_pattern"))
                with field.props("outlined dense").classes("w-48").mark("attendance-day"):
                    with ui.menu().props("no-parent-event") as menu:
                        ui.date(mask=date_picker_mask()).bind_value(field).on("update:model-value", menu.close)
                    with field.add_slot("append"):
                        ui.button(icon="event", on_click=menu.open).props(
                            f'flat round dense aria-label="{t("attendance_day")}"'
                        )
                show = ui.button(t("attendance_show"), icon="search").props("no-caps").mark("attendance-show")
                ui.button(t("nav_employees"), icon="badge", on_click=lambda: ui.navigate.to("/employees")).props(
                    "flat no-caps"
                )
            result = ui.column().classes("w-full gap-2")

            async def load() -> None:
                day = parse_date(field.value)
                if day is None:
                    typed = str(field.value or "").strip()
                    example = fmt_date(today)
                    error_toast(t("bad_date", value=typed, pattern=t("date_pattern"), example=example))
                    return
                service = AttendanceService(runtime().database, require_caller())
                try:
                    found = await asyncio.to_thread(service.day, store.id, day)
                except (StorageError, AccessDeniedError) as error:
                    failure(t("attendance_show"), error)
                    return
                _show(found, store, result)

            show.on_click(load)
            field.on("keydown.enter", load)
            await load()
