"""Analytics: a range of days with its series, peak hours, comparison, zone dwell, heatmap and exports."""

from __future__ import annotations

import asyncio
from datetime import date
from typing import Any

from nicegui import ui

from shopflow.domain.cameras import CameraStatus
from shopflow.reports.compare import recorded
from shopflow.reports.errors import InvalidRangeError
from shopflow.reports.visitors import VisitorsRule, explanation_key, label_key
from shopflow.storage.errors import NotFoundError
from shopflow.storage.records import CameraRecord, StoreRecord, UserRecord
from shopflow.web.analytics import AnalyticsView, analytics_view, api_url, default_range
from shopflow.web.context import runtime
from shopflow.web.explain import EXPLANATIONS, caption, titled
from shopflow.web.figures import store_cameras
from shopflow.web.guard import member_page
from shopflow.web.i18n import (
    current_lang,
    date_picker_mask,
    fmt_date,
    fmt_duration,
    fmt_number,
    fmt_percent,
    fmt_time,
    label,
    parse_date,
    t,
)
from shopflow.web.layout import banner, offline_banner, page_title
from shopflow.web.problems import explain

ALL_CAMERAS = 0


class BadDateError(ValueError):
    """A typed date that is not one; its message is already in the reader's language."""


def _date_input(caption: str, value: date, mark: str) -> ui.input:
    # Typed and shown as the reader writes dates (25/11/2026 in pt-BR); the picker writes the same pattern.
    field = ui.input(caption, value=fmt_date(value), placeholder=t("date_pattern"))
    with field.props("outlined dense").classes("w-44").mark(mark):
        with ui.menu().props("no-parent-event") as menu:
            ui.date(mask=date_picker_mask()).bind_value(field).on("update:model-value", menu.close)
        with field.add_slot("append"):
            ui.button(icon="event", on_click=menu.open).props(f'flat round dense aria-label="{caption}"')
    return field


def _parse(value: Any, today: date) -> date:
    day = parse_date(value)
    if day is None:
        example = fmt_date(today)
        raise BadDateError(t("bad_date", value=str(value or "").strip(), pattern=t("date_pattern"), example=example))
    return day


def _daily_values(view: AnalyticsView, figure: str) -> list[int | None]:
    """A figure per day, null for a day with nothing recorded: a gap in the chart, not a day of zeros."""
    return [getattr(p.counts, figure) if recorded(p.counts) else None for p in view.daily.points]


def _daily_options(view: AnalyticsView) -> dict[str, Any]:
    days = [fmt_date(point.day) for point in view.daily.points]
    return {
        "animation": False,
        "tooltip": {"trigger": "axis"},
        "legend": {"bottom": 0},
        "grid": {"left": 48, "right": 16, "top": 16, "bottom": 56},
        "xAxis": {"type": "category", "data": days},
        "yAxis": {"type": "value", "minInterval": 1},
        "series": [
            {
                "name": label("entries"),
                "type": "bar",
                "data": _daily_values(view, "entries"),
                "itemStyle": {"color": "#1d4ed8"},
            },
            {
                "name": label("exits"),
                "type": "bar",
                "data": _daily_values(view, "exits"),
                "itemStyle": {"color": "#94a3b8"},
            },
            {
                "name": label("potential_customers"),
                "type": "line",
                "data": _daily_values(view, "potential_customers"),
                "itemStyle": {"color": "#ea580c"},
            },
        ],
    }


def _hourly_options(view: AnalyticsView) -> dict[str, Any]:
    assert view.hourly is not None
    points = view.hourly.points
    several_days = view.since != view.until
    labels = [(f"{fmt_date(p.start.date())} " if several_days else "") + fmt_time(p.start) for p in points]
    # Hours of a day with nothing recorded are a gap; a recorded day's quiet hours are zeros.
    recorded_days = {p.day for p in view.daily.points if recorded(p.counts)}
    entries = [p.counts.entries if p.start.date() in recorded_days else None for p in points]
    return {
        "animation": False,
        "tooltip": {"trigger": "axis"},
        "grid": {"left": 48, "right": 16, "top": 16, "bottom": 64},
        "dataZoom": [{"type": "inside"}, {"type": "slider", "height": 18, "bottom": 8}] if several_days else [],
        "xAxis": {"type": "category", "data": labels},
        "yAxis": {"type": "value", "minInterval": 1, "name": label("entries")},
        "series": [
            {
                "name": label("entries"),
                "type": "bar",
                "data": entries,
                "itemStyle": {"color": "#1d4ed8"},
            }
        ],
    }


def _figure_value(name: str, value: float | None) -> str:
    if name == "average_dwell_seconds":
        return fmt_duration(value)
    return fmt_number(value)


def _figure_label(name: str, rule: VisitorsRule) -> str:
    """A figure's name; the unique visitors' says when it is a lower bound (reports/visitors.py)."""
    return label(label_key(rule) if name == "unique_visitors" else name)


def _results(view: AnalyticsView, store: StoreRecord, cameras: list[CameraRecord], camera_id: int | None) -> None:
    lang = current_lang()
    totals = view.comparison.current_totals
    rule = view.comparison.scope.visitors_rule
    with ui.row().classes("w-full gap-4 flex-wrap"):
        for key, value in (
            ("entries", fmt_number(totals.entries)),
            ("unique_visitors", fmt_number(totals.visitors)),
            ("potential_customers", fmt_number(totals.potential_customers)),
            ("groups", fmt_number(totals.groups)),
            ("average_dwell_seconds", fmt_duration(totals.average_dwell_seconds)),
        ):
            # 9rem: two cards share a row on a 390 px phone.
            with ui.card().classes("flex-1 min-w-[9rem] gap-1").mark(f"total-{key}"):
                if key in EXPLANATIONS:
                    titled(_figure_label(key, rule), key)
                else:  # the unique visitors: the definition in force is their caption below
                    ui.label(_figure_label(key, rule)).classes("text-sm text-slate-700")
                ui.label(value).classes("text-2xl font-bold")
                if key == "unique_visitors":  # the definition in force, where the figure is
                    ui.label(label(explanation_key(rule))).classes("text-xs text-slate-700")
    with ui.row().classes("w-full gap-4 flex-wrap items-stretch"):
        with ui.card().classes("flex-[2] min-w-[20rem]"):
            titled(t("daily_series"), "entries", "exits", "potential_customers", classes="text-lg font-semibold")
            ui.echart(_daily_options(view)).classes("w-full h-72").mark("daily-chart")
        with ui.card().classes("flex-1 min-w-[16rem]").mark("peak-hours"):
            ui.label(t("peak_hours")).classes("text-lg font-semibold")
            if not view.peak_hours:
                ui.label(t("no_entries_in_range")).classes("text-slate-700")
            for peak in view.peak_hours:
                with ui.row().classes("w-full justify-between"):
                    ui.label(f"{peak.hour:02d}:00–{(peak.hour + 1) % 24:02d}:00")
                    ui.label(t("n_entries", n=fmt_number(peak.entries))).classes("font-semibold")
    with ui.card().classes("w-full"):
        titled(t("hourly_series"), "entries", classes="text-lg font-semibold")
        if view.hourly is None:
            ui.label(t("hourly_too_long")).classes("text-slate-700")
        else:
            ui.echart(_hourly_options(view)).classes("w-full h-72").mark("hourly-series-chart")
    with ui.card().classes("w-full").mark("comparison"):
        previous = view.comparison.previous
        ui.label(t("comparison_title", since=fmt_date(previous.since), until=fmt_date(previous.until))).classes(
            "text-lg font-semibold"
        )
        # A previous period with nothing recorded is missing, not a period of zeros.
        before_recorded = recorded(view.comparison.previous_totals) or recorded(view.comparison.previous_outside)
        rows = [
            {
                "figure": _figure_label(change.name, rule),
                "current": _figure_value(change.name, change.current),
                "previous": _figure_value(change.name, change.previous) if before_recorded else t("no_data"),
                "change": fmt_percent(change.change_percent),
            }
            for change in view.comparison.figures
        ]
        columns = [
            {"name": "figure", "label": t("figure"), "field": "figure", "align": "left"},
            {"name": "current", "label": t("this_period"), "field": "current"},
            {"name": "previous", "label": t("previous_period"), "field": "previous"},
            {"name": "change", "label": t("change"), "field": "change"},
        ]
        ui.table(columns=columns, rows=rows, row_key="figure").props("flat dense").classes("w-full")
        caption("change")
        if store.opening_hours:  # crossings outside opening hours (staff, cleaning) are shown apart
            outside = view.comparison.current_outside
            text = t("outside_hours_period", entries=fmt_number(outside.entries), exits=fmt_number(outside.exits))
            ui.label(text).classes("text-sm text-slate-700").mark("outside-hours")
    with ui.card().classes("w-full").mark("zone-dwell"):
        ui.label(t("zone_dwell")).classes("text-lg font-semibold")
        if not view.zones.zones:
            ui.label(t("no_zones_configured")).classes("text-slate-700")
        else:
            columns = [
                {"name": "camera", "label": label("camera"), "field": "camera", "align": "left"},
                {"name": "zone", "label": label("zone"), "field": "zone", "align": "left"},
                {"name": "visits", "label": label("visits_short"), "field": "visits"},
                {"name": "mean", "label": label("mean"), "field": "mean"},
                {"name": "median", "label": label("median"), "field": "median"},
                {"name": "p90", "label": label("p90"), "field": "p90"},
            ]
            rows = [
                {
                    "key": f"{zone.camera_id}-{zone.zone}",
                    "camera": zone.camera_name,
                    "zone": zone.zone + ("" if zone.configured else f" ({t('former_zone')})"),
                    "visits": fmt_number(zone.visits),
                    "mean": fmt_duration(zone.mean_seconds),
                    "median": fmt_duration(zone.median_seconds),
                    "p90": fmt_duration(zone.p90_seconds),
                }
                for zone in view.zones.zones
            ]
            ui.table(columns=columns, rows=rows, row_key="key").props("flat dense").classes("w-full")
            caption("visits", "mean", "median", "p90")
    heat_camera = camera_id if camera_id is not None else (cameras[0].id if cameras else None)
    if heat_camera is not None:
        with ui.card().classes("w-full"):
            name = next((c.name for c in cameras if c.id == heat_camera), "")
            ui.label(t("heatmap_title", name=name)).classes("text-lg font-semibold")
            url = api_url("heatmap.png", store_id=store.id, camera_id=heat_camera, since=view.since, until=view.until)
            ui.image(url).classes("w-full max-w-[960px]").props(f'alt="{t("heatmap_alt", name=name)}" no-spinner').mark(
                "heatmap"
            )
    with ui.card().classes("w-full").mark("exports"):
        ui.label(t("exports")).classes("text-lg font-semibold")
        common = {"store_id": store.id, "camera_id": camera_id, "lang": lang}
        dates = {"since": view.since, "until": view.until}
        with ui.row().classes("gap-3 flex-wrap items-center"):
            by = ui.select(
                {"hour": t("export_by_hour"), "day": t("export_by_day"), "zone": t("export_by_zone")},
                value="hour",
                label=t("export_by"),
            )
            by.props("outlined dense").classes("w-40").mark("export-by")
            opening = ui.checkbox(t("export_opening_only"), value=False).mark("export-opening-only")
            opening.set_visibility(bool(store.opening_hours))  # without opening hours every hour is open
        links: dict[str, ui.link] = {}
        with ui.row().classes("gap-3 flex-wrap"):
            for key, path in (
                ("export_csv", "export.csv"),
                ("export_xlsx", "export.xlsx"),
                ("export_pdf", "report.pdf"),
            ):
                link = ui.link(t(key), api_url(path, **common, **dates)).props("download").mark(key)
                link.classes("px-4 py-2 rounded bg-blue-700 text-white no-underline font-medium")
                links[key] = link

        def spreadsheet_links() -> None:
            """The spreadsheets' rows (by hour, day or zone) and hours follow the choices above."""
            choices = {
                "by": None if by.value == "hour" else by.value,
                "opening_hours_only": "true" if opening.value else None,
            }
            for key, path in (("export_csv", "export.csv"), ("export_xlsx", "export.xlsx")):
                links[key].props["href"] = api_url(path, **common, **dates, **choices)
                links[key].update()

        by.on_value_change(spreadsheet_links)
        opening.on_value_change(spreadsheet_links)
        ui.label(t("pdf_note", since=fmt_date(view.since), until=fmt_date(view.until))).classes(
            "text-sm text-slate-700"
        )


def add_page() -> None:
    @member_page("/analytics", nav="/analytics")
    async def analytics_page(user: UserRecord, store: StoreRecord | None) -> None:
        with ui.column().classes("w-full max-w-7xl mx-auto p-4 gap-4"):
            page_title(t("nav_analytics"))
            if store is None:
                ui.label(t("no_store"))
                return
            cameras = await asyncio.to_thread(store_cameras, runtime(), store.id)
            if not cameras:
                banner(t("analytics_no_cameras"), kind="info").mark("first-step")
                return
            for camera in cameras:
                if camera.status in (CameraStatus.OFFLINE, CameraStatus.ERROR):
                    offline_banner(camera.name, camera.status, camera.status_reason)
            since, until = default_range(store.timezone)
            with ui.card().classes("w-full"), ui.row().classes("items-end gap-3 flex-wrap"):
                first = _date_input(t("since"), since, "since")
                last = _date_input(t("until"), until, "until")
                options = {ALL_CAMERAS: label("all_cameras")} | {c.id: c.name for c in cameras}
                which = (
                    ui.select(options, value=ALL_CAMERAS, label=label("camera"))
                    .props("outlined dense")
                    .classes("min-w-[14rem]")
                    .mark("camera-filter")
                )
                show = ui.button(t("show"), icon="refresh").props("no-caps").mark("show-analytics")
            results = ui.column().classes("w-full gap-4").mark("analytics-results")

            async def load() -> None:
                camera_id = None if which.value in (None, ALL_CAMERAS) else int(which.value)
                try:
                    start, end = _parse(first.value, until), _parse(last.value, until)
                except BadDateError as error:
                    results.clear()
                    with results:
                        banner(str(error), kind="error").mark("analytics-error")
                    return
                try:
                    view = await asyncio.to_thread(analytics_view, runtime(), store.id, start, end, camera_id)
                except (InvalidRangeError, NotFoundError, ValueError) as error:
                    results.clear()
                    with results:
                        banner(t("analytics_failed", message=explain(error)), kind="error").mark("analytics-error")
                    return
                results.clear()
                with results:
                    _results(view, store, cameras, camera_id)

            show.on_click(load)
            await load()
