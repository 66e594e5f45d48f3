"""What the analytics endpoints answer. Local times carry the store's UTC offset; instants are UTC."""

from __future__ import annotations

from datetime import date, datetime

from pydantic import BaseModel, Field

from shopflow.domain.cameras import CameraStatus
from shopflow.reports.compare import Comparison, FigureChange, counts_values
from shopflow.reports.day import DayFigures
from shopflow.reports.health import AnalyticsHealth
from shopflow.reports.live import CameraNow, StoreNow
from shopflow.reports.scope import Scope
from shopflow.reports.series import DailySeries, DayPoint, HourlySeries, HourPoint
from shopflow.reports.today import TodayOverview
from shopflow.reports.visitors import VisitorsRule
from shopflow.reports.zones import ZoneDwell, ZoneDwellReport
from shopflow.storage.rollup_records import Counts


class AnalyticsHealthOut(BaseModel):
    ok: bool
    latency_ms: float | None = Field(None, description="round trip of the rollup query")
    rollups_last_update: datetime | None = Field(None, description="when events last changed the rollups (UTC)")
    error: str | None = None

    @classmethod
    def of(cls, health: AnalyticsHealth) -> AnalyticsHealthOut:
        return cls(ok=health.ok, latency_ms=round(health.latency_ms, 2), rollups_last_update=health.rollups_last_update)


class CountsOut(BaseModel):
    entries: int = Field(description="line crossings into the store, employees included")
    exits: int
    customer_entries: int
    unique_visitors: int = Field(
        description="customers counted once across the store's cameras, by the rule in scope.unique_visitors_rule"
    )
    potential_customers: int = Field(description="a party of 1-4 customers counts once, 5 or more twice")
    groups: int
    visits: int = Field(description="customers' zone visits that began in the period")
    average_dwell_seconds: float | None = Field(description="mean zone visit; null without visits")
    peak_occupancy: int = Field(description="most people in view at once (all cameras added up)")

    @staticmethod
    def fields_of(counts: Counts) -> dict[str, int | float | None]:
        # The figures reports compare are exactly these fields, by the same names.
        return counts_values(counts)

    @classmethod
    def of(cls, counts: Counts) -> CountsOut:
        return cls.model_validate(cls.fields_of(counts))


class HourOut(CountsOut):
    start: datetime = Field(description="the hour's start on the store's clock, with its UTC offset")

    @classmethod
    def of_point(cls, point: HourPoint) -> HourOut:
        return cls(start=point.start, **CountsOut.fields_of(point.counts))


class DayOut(CountsOut):
    day: date = Field(description="the store's local calendar day")

    @classmethod
    def of_point(cls, point: DayPoint) -> DayOut:
        return cls(day=point.day, **CountsOut.fields_of(point.counts))


class ScopeOut(BaseModel):
    store_id: int
    store_name: str
    camera_id: int | None = Field(description="null: every camera of the store")
    timezone: str
    unique_visitors_rule: VisitorsRule = Field(
        description="how unique_visitors is counted: 'entrances' (the store has a counting line: customer entries "
        "through its lines, each visit once however many cameras see it), 'camera' (one camera's report, or a "
        "store with one camera and no line: the camera's re-identified visitors), 'largest_camera' (several "
        "cameras, no line: the camera that saw the most, a lower bound; cameras are never added up)"
    )

    @classmethod
    def of(cls, scope: Scope) -> ScopeOut:
        return cls(
            store_id=scope.store.id,
            store_name=scope.store.name,
            camera_id=scope.camera_id,
            timezone=scope.timezone,
            unique_visitors_rule=scope.visitors_rule,
        )


class HourlySeriesOut(BaseModel):
    scope: ScopeOut
    since: date
    until: date
    points: list[HourOut]
    totals: CountsOut

    @classmethod
    def of(cls, series: HourlySeries) -> HourlySeriesOut:
        return cls(
            scope=ScopeOut.of(series.scope),
            since=series.span.since,
            until=series.span.until,
            points=[HourOut.of_point(point) for point in series.points],
            totals=CountsOut.of(series.totals),
        )


class DailySeriesOut(BaseModel):
    scope: ScopeOut
    since: date
    until: date
    points: list[DayOut]
    totals: CountsOut

    @classmethod
    def of(cls, series: DailySeries) -> DailySeriesOut:
        return cls(
            scope=ScopeOut.of(series.scope),
            since=series.span.since,
            until=series.span.until,
            points=[DayOut.of_point(point) for point in series.points],
            totals=CountsOut.of(series.totals),
        )


class DayFiguresOut(BaseModel):
    day: date
    entries: int
    exits: int
    customer_entries: int
    unique_visitors: int = Field(description="by the rule in scope.unique_visitors_rule")
    potential_customers: int
    groups: int
    visits: int
    average_dwell_seconds: float | None
    peak_hour: datetime | None = Field(description="local start of the hour with most entries; null without entries")
    peak_hour_entries: int
    peak_occupancy: int
    hours: list[HourOut] = Field(description="the whole day, hour by hour, for the chart")
    outside_opening_hours: CountsOut = Field(
        description="counted outside the store's opening hours (staff arriving, cleaning), apart from the figures "
        "above; zeros when the store keeps no opening hours"
    )

    @classmethod
    def of(cls, figures: DayFigures) -> DayFiguresOut:
        return cls(
            day=figures.day,
            entries=figures.entries,
            exits=figures.exits,
            customer_entries=figures.customer_entries,
            unique_visitors=figures.unique_visitors,
            potential_customers=figures.potential_customers,
            groups=figures.groups,
            visits=figures.visits,
            average_dwell_seconds=figures.average_dwell_seconds,
            peak_hour=figures.peak_hour,
            peak_hour_entries=figures.peak_hour_entries,
            peak_occupancy=figures.peak_occupancy,
            hours=[HourOut.of_point(hour) for hour in figures.hours],
            outside_opening_hours=CountsOut.of(figures.outside),
        )


class FigureChangeOut(BaseModel):
    name: str
    current: int | float | None
    previous: int | float | None
    change_percent: float | None = Field(description="null when the previous value is 0 (nothing to compare with)")

    @classmethod
    def of(cls, change: FigureChange) -> FigureChangeOut:
        return cls(
            name=change.name, current=change.current, previous=change.previous, change_percent=change.change_percent
        )


class TodayOut(BaseModel):
    scope: ScopeOut
    day: date
    as_of: datetime = Field(description="now on the store's clock")
    today: DayFiguresOut = Field(description="today so far")
    last_week: DayFiguresOut = Field(description="the same weekday last week, the whole day")
    last_week_so_far: DayFiguresOut = Field(description="that day up to the same time as now")
    vs_last_week: list[FigureChangeOut] = Field(description="today against last_week_so_far")

    @classmethod
    def of(cls, overview: TodayOverview) -> TodayOut:
        return cls(
            scope=ScopeOut.of(overview.scope),
            day=overview.day,
            as_of=overview.as_of,
            today=DayFiguresOut.of(overview.today),
            last_week=DayFiguresOut.of(overview.last_week),
            last_week_so_far=DayFiguresOut.of(overview.last_week_so_far),
            vs_last_week=[FigureChangeOut.of(change) for change in overview.vs_last_week],
        )


class PeriodOut(BaseModel):
    since: date
    until: date
    totals: CountsOut = Field(description="within the store's opening hours (all hours when it keeps none)")
    outside_opening_hours: CountsOut = Field(description="counted outside opening hours, apart from the totals")


class ComparisonOut(BaseModel):
    scope: ScopeOut
    current: PeriodOut
    previous: PeriodOut
    figures: list[FigureChangeOut]

    @classmethod
    def of(cls, comparison: Comparison) -> ComparisonOut:
        return cls(
            scope=ScopeOut.of(comparison.scope),
            current=PeriodOut(
                since=comparison.current.since,
                until=comparison.current.until,
                totals=CountsOut.of(comparison.current_totals),
                outside_opening_hours=CountsOut.of(comparison.current_outside),
            ),
            previous=PeriodOut(
                since=comparison.previous.since,
                until=comparison.previous.until,
                totals=CountsOut.of(comparison.previous_totals),
                outside_opening_hours=CountsOut.of(comparison.previous_outside),
            ),
            figures=[FigureChangeOut.of(change) for change in comparison.figures],
        )


class ZoneDwellOut(BaseModel):
    camera_id: int
    camera_name: str
    zone: str
    configured: bool = Field(description="false: the zone had visits but is no longer configured")
    visits: int
    total_seconds: float
    mean_seconds: float | None
    median_seconds: float | None
    p90_seconds: float | None

    @classmethod
    def of(cls, zone: ZoneDwell) -> ZoneDwellOut:
        return cls.model_validate(zone, from_attributes=True)


class ZoneDwellReportOut(BaseModel):
    scope: ScopeOut
    since: date
    until: date
    zones: list[ZoneDwellOut]

    @classmethod
    def of(cls, report: ZoneDwellReport) -> ZoneDwellReportOut:
        return cls(
            scope=ScopeOut.of(report.scope),
            since=report.span.since,
            until=report.span.until,
            zones=[ZoneDwellOut.of(zone) for zone in report.zones],
        )


class CameraNowOut(BaseModel):
    camera_id: int
    name: str
    status: CameraStatus
    counted: bool = Field(description="online with a snapshot of the last 30 s: part of the store's figures")
    snapshot_at: datetime | None
    total_people: int
    customers: int
    employees: int
    groups: int
    potential_customers: int

    @classmethod
    def of(cls, camera: CameraNow) -> CameraNowOut:
        return cls.model_validate(camera, from_attributes=True)


class StoreNowOut(BaseModel):
    store_id: int
    at: datetime
    occupancy: int = Field(description="people in view of the counted cameras (an upper bound when views overlap)")
    customers: int
    employees: int
    groups: int
    potential_customers: int
    cameras: list[CameraNowOut]

    @classmethod
    def of(cls, now: StoreNow) -> StoreNowOut:
        return cls(
            store_id=now.store_id,
            at=now.at,
            occupancy=now.occupancy,
            customers=now.customers,
            employees=now.employees,
            groups=now.groups,
            potential_customers=now.potential_customers,
            cameras=[CameraNowOut.of(camera) for camera in now.cameras],
        )
