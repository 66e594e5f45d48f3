"""The overview: live figures of the store, today's hourly flow against last week, live cameras, recent events."""

from __future__ import annotations

import asyncio
import base64
from dataclasses import dataclass
from typing import Any

from nicegui import ui

from shopflow.domain.cameras import CameraStatus
from shopflow.reports.compare import recorded
from shopflow.reports.live import CameraNow, StoreNow
from shopflow.reports.today import TodayOverview
from shopflow.storage.records import StoreRecord, UserRecord
from shopflow.web.auth import can_manage
from shopflow.web.camera_reasons import reason_text
from shopflow.web.context import runtime
from shopflow.web.explain import titled
from shopflow.web.figures import live_figures, recent_events, store_cameras, today_overview
from shopflow.web.guard import member_page
from shopflow.web.i18n import fmt_datetime, fmt_duration, fmt_number, fmt_percent, fmt_time, status_text, t
from shopflow.web.layout import banner, offline_banner, page_title

LIVE_EVERY_SECONDS = 1.0
SLOW_EVERY = 5  # today's figures and the feed: every 5th live tick
MAX_LIVE_VIEWS = 4
# The live pictures' box colours (pipeline/annotate.py), for the legend.
LEGEND = (("legend_customer", "#1ea03c"), ("legend_group", "#ff8c00"), ("legend_employee", "#145ac8"))


class Card:
    """A figure with its caption; `set` changes the number without rebuilding anything."""

    def __init__(self, caption: str, mark: str, figure: str) -> None:
        # 9rem: two cards share a row on a 390 px phone.
        with ui.card().classes("min-w-[9rem] flex-1 gap-1").props(f'aria-label="{caption}"'):
            titled(caption, figure)  # the name says what is counted, its help icon how
            self.value = ui.label("…").classes("text-3xl font-bold text-slate-900").mark(mark)
            self.value.props(f'data-testid="{mark}"')
            self.note = ui.label("").classes("text-xs text-slate-700")

    def set(self, value: str, note: str = "") -> None:
        self.value.set_text(value)
        self.note.set_text(note)


def _last_week_recorded(overview: TodayOverview) -> bool:
    """Whether anything was recorded on the same weekday last week (else it is missing, not a day of zeros)."""
    return any(recorded(point.counts) for point in overview.last_week.hours)


def _change_note(overview: TodayOverview, name: str) -> str:
    change = next((c for c in overview.vs_last_week if c.name == name), None)
    if change is None or not _last_week_recorded(overview):
        return t("no_comparison")
    if change.change_percent is None:
        # Last week was recorded and this figure was zero then: a change from zero has no percentage.
        return t("zero_last_week") if change.previous == 0 else t("no_comparison")
    return t("vs_last_week", change=fmt_percent(change.change_percent))


def _chart_options(overview: TodayOverview | None) -> dict[str, Any]:
    labels: list[str] = []
    now_values: list[int | None] = []
    before_values: list[int | None] = []
    if overview is not None:
        labels = [fmt_time(point.start) for point in overview.today.hours]
        now_values = [point.counts.entries if point.start <= overview.as_of else None for point in overview.today.hours]
        if _last_week_recorded(overview):
            before = {fmt_time(point.start): point.counts.entries for point in overview.last_week.hours}
            before_values = [before.get(label) for label in labels]
        else:
            # Nothing recorded last week: null points leave a gap, where zeros would draw a week of no customers.
            before_values = [None for _ in labels]
    return {
        "animation": False,
        "tooltip": {"trigger": "axis"},
        "legend": {"data": [t("today"), t("same_day_last_week")], "bottom": 0},
        "grid": {"left": 40, "right": 16, "top": 16, "bottom": 48},
        "xAxis": {"type": "category", "data": labels},
        "yAxis": {"type": "value", "minInterval": 1, "name": t("entries")},
        "series": [
            {"name": t("today"), "type": "bar", "data": now_values, "itemStyle": {"color": "#1d4ed8"}},
            {
                "name": t("same_day_last_week"),
                "type": "line",
                "data": before_values,
                "connectNulls": False,
                "itemStyle": {"color": "#64748b"},
                "lineStyle": {"type": "dashed"},
            },
        ],
    }


def people_in_picture(n: int) -> str:
    return t("people_in_view_one") if n == 1 else t("people_in_view", n=fmt_number(n))


@dataclass(slots=True)
class LiveTile:
    """One camera's live picture with its caption; says the camera's real state when it is not live."""

    camera_id: int
    timezone: str
    caption: ui.label
    image: ui.image
    note: ui.label
    shown_seq: int | None = None  # the hub picture shown while the camera is not live

    def show(self, camera: CameraNow, tick: int) -> None:
        if camera.running and camera.status is CameraStatus.ONLINE:
            self.caption.set_text(f"{camera.name} · {t('live_now')} · {people_in_picture(camera.total_people)}")
            self.note.set_visibility(False)
            self.shown_seq = None
            self.image.set_source(f"/api/cameras/{camera.camera_id}/snapshot.jpg?frame={tick}")
            return
        # Not live: the snapshot would only answer 409 every second, so it is not asked for until the camera's
        # status (reported by its worker, read on every tick) says it is online again.
        state, reason = status_text(camera.status), reason_text(camera.status_reason)
        # A worker starting says "starting" as its reason too: the state once is enough.
        self.caption.set_text(f"{camera.name} · {state}" + (f": {reason}" if reason and reason != state else ""))
        picture = runtime().hub.picture(camera.camera_id)
        if picture is None:
            self.shown_seq = None
            self.image.set_source("")
            self.note.set_text(t("camera_no_picture"))
        elif picture.seq != self.shown_seq:
            # The last good frame the worker drew, kept by the hub while the worker tries to reconnect.
            self.shown_seq = picture.seq
            self.image.set_source("data:image/jpeg;base64," + base64.b64encode(picture.jpeg).decode("ascii"))
            self.note.set_text(t("last_good_picture", when=fmt_datetime(picture.at, self.timezone)))
        self.note.set_visibility(True)


def first_step(manage: bool) -> None:
    """A store without cameras: one clear thing to do, instead of empty charts."""
    with ui.card().classes("max-w-xl mx-auto mt-8 items-start gap-3").mark("first-step"):
        ui.icon("videocam").classes("text-5xl text-blue-800")
        ui.label(t("first_step_title")).classes("text-xl font-semibold")
        ui.label(t("first_step_text")).classes("text-slate-700")
        if manage:
            ui.button(t("add_camera"), icon="add", on_click=lambda: ui.navigate.to("/cameras/new"))
        else:
            ui.label(t("ask_manager")).classes("text-slate-700")


def add_page() -> None:
    @member_page("/", nav="/")
    async def overview_page(user: UserRecord, store: StoreRecord | None) -> None:
        rt = runtime()
        with ui.column().classes("w-full max-w-7xl mx-auto p-4 gap-4"):
            page_title(t("nav_overview"))
            if store is None:
                first_step(can_manage(user))
                return
            cameras = await asyncio.to_thread(store_cameras, rt, store.id)
            if not cameras:
                first_step(can_manage(user))
                return
            if store.is_demo:
                # The sample video's plaza sends more people out than in: said here, or the counts look broken.
                banner(f"{t('demo_banner')} {t('demo_scene')}", kind="info").mark("demo-banner")
            await _overview(store, [c.id for c in cameras if c.enabled][:MAX_LIVE_VIEWS])


async def _overview(store: StoreRecord, live_ids: list[int]) -> None:
    rt = runtime()
    trouble = ui.column().classes("w-full gap-2")
    # On a phone the live pictures come first, then the cards, then the chart and the feed (CSS order, so the
    # reading order on a wide screen is unchanged): the picture is on the first screen.
    with ui.row().classes("w-full gap-4 flex-wrap max-sm:order-2"):
        people = Card(t("people_now"), "people-now", "people_now")
        entries = Card(t("entries_today"), "entries-today", "entries")
        potential = Card(t("potential_customers_today"), "potential-today", "potential_customers")
        employees = Card(t("employees_present"), "employees-now", "employees_present")
        groups = Card(t("groups_today"), "groups-today", "groups")
        dwell = Card(t("average_dwell_today"), "dwell-today", "average_dwell_seconds")
    # Crossings outside opening hours (staff arriving, cleaning) are kept out of today's figures and said here.
    outside = ui.label("").classes("text-sm text-slate-700 max-sm:order-2").mark("outside-hours")
    outside.set_visibility(bool(store.opening_hours))
    with ui.row().classes("w-full gap-4 flex-wrap items-stretch max-sm:order-3"):
        with ui.card().classes("flex-[2] min-w-[20rem] max-sm:min-w-full"):
            titled(t("hourly_flow_title"), "entries", classes="text-lg font-semibold")
            chart = ui.echart(_chart_options(None)).classes("w-full h-72").mark("hourly-chart")
        with ui.card().classes("flex-1 min-w-[16rem]"):
            ui.label(t("recent_events")).classes("text-lg font-semibold")
            feed = ui.column().classes("w-full gap-1").mark("event-feed")
    tiles: dict[int, LiveTile] = {}
    with ui.card().classes("w-full max-sm:order-1"):
        with ui.row().classes("w-full items-center gap-4 flex-wrap"):
            ui.label(t("live_cameras")).classes("text-lg font-semibold")
            for key, colour in LEGEND:
                with ui.row().classes("items-center gap-1"):
                    ui.element("span").classes("inline-block w-3 h-3 rounded-sm").style(f"background:{colour}")
                    ui.label(t(key)).classes("text-sm")
            # The pictures carry no words (they are the same for every viewer): their signs are read here.
            ui.label(t("legend_line_signs")).classes("text-sm").mark("legend-line-signs")
        with ui.row().classes("w-full gap-4 flex-wrap"):
            for camera_id in live_ids:
                with ui.column().classes("flex-1 min-w-[18rem] max-sm:min-w-full max-w-[40rem] gap-1"):
                    caption = ui.label("").classes("text-sm font-medium").mark(f"live-caption-{camera_id}")
                    # q-img rather than interactive_image: it gives the picture its alt text, and with no
                    # transition it swaps frames without a flash.
                    image = (
                        ui.image()
                        .classes("w-full min-h-48 rounded bg-slate-200")
                        .props(f'alt="{t("live_picture")}" data-testid="live-{camera_id}" no-spinner no-transition')
                    ).mark(f"live-{camera_id}")
                    note = ui.label("").classes("text-sm text-slate-700").mark(f"live-note-{camera_id}")
                    note.set_visibility(False)
                    tiles[camera_id] = LiveTile(camera_id, store.timezone, caption, image, note)

    tick = 0
    shown_trouble: tuple[tuple[int, str, str | None], ...] | None = None
    # New crossings and visits arrive through the realtime channel: today's figures and the feed are redrawn
    # on the next tick after one, not only every SLOW_EVERY ticks.
    subscription = rt.broker.subscribe(store.id)
    ui.context.client.on_disconnect(lambda: rt.broker.unsubscribe(subscription))

    def new_events_arrived() -> bool:
        arrived = False
        while not subscription.queue.empty():
            arrived = subscription.queue.get_nowait().get("type") == "event" or arrived
        return arrived

    async def refresh() -> None:
        nonlocal tick, shown_trouble
        figures: StoreNow = await asyncio.to_thread(live_figures, rt, store.id)
        people.set(fmt_number(figures.occupancy))
        employees.set(fmt_number(figures.employees))
        now_trouble = tuple((c.camera_id, c.status.value, c.status_reason) for c in figures.troubled)
        if now_trouble != shown_trouble:  # rebuilt only on a change, so the banner does not flicker
            shown_trouble = now_trouble
            trouble.clear()
            with trouble:
                for camera in figures.troubled:
                    offline_banner(camera.name, camera.status, camera.status_reason)
        for camera in figures.cameras:
            if camera.camera_id in tiles:
                tiles[camera.camera_id].show(camera, tick)
        if new_events_arrived() or tick % SLOW_EVERY == 0:
            overview = await asyncio.to_thread(today_overview, rt, store.id)
            day = overview.today
            entries.set(fmt_number(day.entries), _change_note(overview, "entries"))
            potential.set(fmt_number(day.potential_customers), _change_note(overview, "potential_customers"))
            groups.set(fmt_number(day.groups), _change_note(overview, "groups"))
            dwell.set(fmt_duration(day.average_dwell_seconds), _change_note(overview, "average_dwell_seconds"))
            outside.set_text(
                t("outside_hours_today", entries=fmt_number(day.outside.entries), exits=fmt_number(day.outside.exits))
            )
            options = _chart_options(overview)
            chart.options["xAxis"] = options["xAxis"]
            chart.options["series"] = options["series"]
            chart.update()
            events = await asyncio.to_thread(recent_events, rt, store.id)
            feed.clear()
            with feed:
                if not events:
                    ui.label(t("no_events_yet")).classes("text-slate-700")
                for item in events:
                    text = t(f"feed_{item.kind}", place=item.place)
                    if item.dwell_seconds is not None:
                        text += f" · {fmt_duration(item.dwell_seconds)}"
                    with ui.row().classes("w-full gap-2 text-sm"):
                        ui.label(fmt_time(item.at, store.timezone)).classes("font-mono text-slate-700")
                        ui.label(text)
        tick += 1

    await refresh()
    ui.timer(LIVE_EVERY_SECONDS, refresh)
