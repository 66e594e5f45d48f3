"""Analytics endpoints: live occupancy, daily figures, series, comparisons, heatmaps and exports.

Dates (`since`, `until`, `day`) are the store's local calendar days, both ends inclusive. An inverted or too long
range is a 422 that says what to change; an unknown store or camera (or a camera of another store) is a 404.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Query, Response
from sqlalchemy.exc import SQLAlchemyError

from shopflow.api.deps import DatabaseDep, LiveHubDep, RuntimeDep
from shopflow.api.errors import InvalidInputError, UnavailableError
from shopflow.api.params import DATE_RANGE, MAX_ID, Day
from shopflow.api.schemas.analytics import (
    AnalyticsHealthOut,
    ComparisonOut,
    DailySeriesOut,
    HourlySeriesOut,
    StoreNowOut,
    TodayOut,
    ZoneDwellReportOut,
)
from shopflow.api.security import CallerDep, SessionDep
from shopflow.reports import compare as compare_service
from shopflow.reports import exports, health, heatmap, live, pdf, series, today, zones
from shopflow.reports.errors import AnalyticsUnavailableError, InvalidRangeError
from shopflow.reports.exports import ExportBy, ExportFile
from shopflow.reports.i18n import DEFAULT_LANG, Lang
from shopflow.reports.periods import local_now
from shopflow.services.access import require_store
from shopflow.storage.repositories import AuditRepository, CameraRepository, StoreRepository

log = logging.getLogger(__name__)

router = APIRouter(prefix="/api/analytics", tags=["analytics"])

LIVE_PICTURE_WAIT_SECONDS = 1.0
NO_STORE = {"Cache-Control": "no-store"}  # figures change as events arrive


def readable_store(
    session: SessionDep,
    caller: CallerDep,
    store_id: Annotated[int, Query(ge=1, le=MAX_ID, description="the store")],
) -> int:
    """The store's id, once the caller may see its figures (a store they may not see is a 404)."""
    require_store(session, caller, store_id)
    return store_id


StoreId = Annotated[int, Depends(readable_store)]
CameraId = Annotated[int | None, Query(ge=1, le=MAX_ID, description="only this camera of the store")]
Since = Annotated[Day, Query(description=f"first local day (YYYY-MM-DD), inclusive; {DATE_RANGE}")]
Until = Annotated[Day, Query(description=f"last local day (YYYY-MM-DD), inclusive; {DATE_RANGE}")]
LangQuery = Annotated[Lang, Query(description="labels and number format: pt-BR (default) or en")]
OpeningOnly = Annotated[
    bool,
    Query(
        description="only the hours within the store's opening hours (an hour that overlaps them counts whole); "
        "the same as all hours for a store that keeps none"
    ),
]
ExportByQuery = Annotated[ExportBy, Query(description="one row per hour (default), per day, or per camera zone")]
Responses = dict[int | str, dict[str, Any]]
NOT_FOUND: Responses = {404: {"description": "unknown store, or a camera that is not the store's"}}
BAD_RANGE: Responses = {422: {"description": "since after until, a range over 400 days, or a malformed value"}}


@contextmanager
def _report_errors() -> Iterator[None]:
    """The reports layer's own errors as API errors (storage's NotFoundError is already a 404 app-wide)."""
    try:
        yield
    except InvalidRangeError as error:
        raise InvalidInputError(str(error)) from None
    except AnalyticsUnavailableError as error:
        raise UnavailableError(str(error)) from None


def _audited(database: DatabaseDep, caller: CallerDep, store_id: int, export: ExportFile) -> None:
    """An export takes the store's trade out of ShopFlow: who took what goes to the audit log."""
    with database.session() as session:
        AuditRepository(session).add(
            actor=caller.label, action="export", subject=f"store {store_id}", detail=export.filename, store_id=store_id
        )


def _download(export: ExportFile) -> Response:
    headers = {"Content-Disposition": f'attachment; filename="{export.filename}"', **NO_STORE}
    return Response(content=export.content, media_type=export.content_type, headers=headers)


@router.get(
    "/health",
    response_model=AnalyticsHealthOut,
    responses={503: {"model": AnalyticsHealthOut, "description": "the analytics database does not answer"}},
)
def analytics_health(
    database: DatabaseDep,
    response: Response,
    store_id: Annotated[
        int | None, Query(ge=1, le=MAX_ID, description="this store's rollups; default any store's")
    ] = None,
) -> AnalyticsHealthOut:
    """Whether the analytics store answers, how fast, and when its rollups last changed."""
    try:
        with database.read_session() as session:
            return AnalyticsHealthOut.of(health.check(session, store_id))
    except (AnalyticsUnavailableError, SQLAlchemyError) as error:
        # The session's own commit or close can fail too when the database went away mid-request.
        log.warning("analytics health: %s", error)
        response.status_code = 503
        return AnalyticsHealthOut(ok=False, error="the analytics database did not answer")


@router.get("/now", response_model=StoreNowOut, responses=NOT_FOUND)
def now(session: SessionDep, runtime: RuntimeDep, response: Response, store_id: StoreId) -> StoreNowOut:
    """Who is in the store now: the latest analysed frame of each camera this server runs, else the latest
    snapshot of each online camera, ignoring those older than 30 s."""
    response.headers.update(NO_STORE)
    return StoreNowOut.of(live.now(session, store_id, live=runtime))


@router.get("/today", response_model=TodayOut, responses=NOT_FOUND)
def today_overview(session: SessionDep, response: Response, store_id: StoreId, camera_id: CameraId = None) -> TodayOut:
    """The store's local today so far, beside the same weekday last week (whole day, and up to the same time); the
    figures cover opening hours, each day's `outside_opening_hours` the rest (the hourly chart covers all hours)."""
    response.headers.update(NO_STORE)
    return TodayOut.of(today.today(session, store_id, camera_id=camera_id))


@router.get("/hourly", response_model=HourlySeriesOut, responses={**NOT_FOUND, **BAD_RANGE})
def hourly(
    session: SessionDep,
    store_id: StoreId,
    since: Since,
    until: Until,
    camera_id: CameraId = None,
    opening_hours_only: OpeningOnly = False,
) -> HourlySeriesOut:
    """Every hour of the local days since..until (23 or 25 on DST days), hours without data as zeros."""
    with _report_errors():
        result = series.hourly_series(
            session, store_id, since, until, camera_id=camera_id, opening_only=opening_hours_only
        )
    return HourlySeriesOut.of(result)


@router.get("/daily", response_model=DailySeriesOut, responses={**NOT_FOUND, **BAD_RANGE})
def daily(
    session: SessionDep,
    store_id: StoreId,
    since: Since,
    until: Until,
    camera_id: CameraId = None,
    opening_hours_only: OpeningOnly = False,
) -> DailySeriesOut:
    """Every local day since..until, days without data as zeros."""
    with _report_errors():
        result = series.daily_series(
            session, store_id, since, until, camera_id=camera_id, opening_only=opening_hours_only
        )
    return DailySeriesOut.of(result)


@router.get("/zones", response_model=ZoneDwellReportOut, responses={**NOT_FOUND, **BAD_RANGE})
def zone_dwell(
    session: SessionDep, store_id: StoreId, since: Since, until: Until, camera_id: CameraId = None
) -> ZoneDwellReportOut:
    """Customers' visits per camera and zone that began in since..until: count, mean, median and p90 dwell."""
    with _report_errors():
        return ZoneDwellReportOut.of(zones.zone_dwell(session, store_id, since, until, camera_id=camera_id))


@router.get("/compare", response_model=ComparisonOut, responses={**NOT_FOUND, **BAD_RANGE})
def compare(
    session: SessionDep,
    store_id: StoreId,
    since: Since,
    until: Until,
    camera_id: CameraId = None,
    against: Annotated[
        Day | None, Query(description="first day of the period to compare with; default: the one just before")
    ] = None,
) -> ComparisonOut:
    """since..until against a period of the same length: each figure with its change in percent, both periods over
    the store's opening hours, with what was counted outside them apart."""
    with _report_errors():
        result = compare_service.compare(session, store_id, since, until, camera_id=camera_id, against=against)
    return ComparisonOut.of(result)


@router.get(
    "/heatmap.png",
    response_class=Response,
    responses={200: {"content": {"image/png": {}}, "description": "the heatmap as PNG"}, **NOT_FOUND, **BAD_RANGE},
)
def heatmap_png(
    session: SessionDep,
    runtime: RuntimeDep,
    hub: LiveHubDep,
    store_id: StoreId,
    camera_id: Annotated[int, Query(ge=1, le=MAX_ID, description="the camera whose view to draw")],
    since: Annotated[Day | None, Query(description=f"first local day; default today; {DATE_RANGE}")] = None,
    until: Annotated[Day | None, Query(description=f"last local day; default `since`; {DATE_RANGE}")] = None,
    background: Annotated[
        Literal["live", "none"], Query(description="live: over the camera's latest picture when there is one")
    ] = "live",
) -> Response:
    """Where people stood in the camera's view, as a colour map over its latest picture (or neutral grey)."""
    store = StoreRepository(session).get(store_id)
    first = since or local_now(store.timezone).date()
    last = until or first
    picture: bytes | None = None
    if background == "live" and CameraRepository(session).get(camera_id).store_id == store_id:
        # The frame without boxes, track numbers or counts: the heatmap is about the place, not who was there.
        wait = LIVE_PICTURE_WAIT_SECONDS if runtime.is_running(camera_id) else 0.0
        live_picture = hub.clean_picture(camera_id, wait)
        picture = None if live_picture is None else live_picture.jpeg
    with _report_errors():
        result = heatmap.heatmap_png(session, store_id, camera_id, first, last, background=picture)
    filename = f"heatmap_camera-{camera_id}_{first.isoformat()}_{last.isoformat()}.png"
    # inline: the dashboard shows it in an <img>; the filename is what "save image" proposes.
    headers = {"Content-Disposition": f'inline; filename="{filename}"', **NO_STORE}
    return Response(content=result.png, media_type="image/png", headers=headers)


FILE_RESPONSES: Responses = {**NOT_FOUND, **BAD_RANGE}


@router.get(
    "/export.csv",
    response_class=Response,
    responses={200: {"content": {"text/csv": {}}, "description": "the figures as CSV"}, **FILE_RESPONSES},
)
def export_csv(
    session: SessionDep,
    database: DatabaseDep,
    caller: CallerDep,
    store_id: StoreId,
    since: Since,
    until: Until,
    camera_id: CameraId = None,
    lang: LangQuery = DEFAULT_LANG,
    by: ExportByQuery = "hour",
    opening_hours_only: OpeningOnly = False,
) -> Response:
    """The figures by hour, day or zone as CSV, UTF-8 with BOM: in pt-BR `;`-separated with decimal commas (what
    Excel set to Brazilian Portuguese opens directly), in en `,`-separated with decimal points."""
    with _report_errors():
        export = exports.export_csv(
            session, store_id, since, until, camera_id=camera_id, lang=lang, by=by, opening_only=opening_hours_only
        )
    _audited(database, caller, store_id, export)
    return _download(export)


@router.get(
    "/export.xlsx",
    response_class=Response,
    responses={
        200: {"content": {exports.XLSX_CONTENT_TYPE: {}}, "description": "the figures as a workbook"},
        **FILE_RESPONSES,
    },
)
def export_xlsx(
    session: SessionDep,
    database: DatabaseDep,
    caller: CallerDep,
    store_id: StoreId,
    since: Since,
    until: Until,
    camera_id: CameraId = None,
    lang: LangQuery = DEFAULT_LANG,
    by: ExportByQuery = "hour",
    opening_hours_only: OpeningOnly = False,
) -> Response:
    """The figures by hour, day or zone as an Excel workbook (real dates and numbers), opening on its summary."""
    with _report_errors():
        export = exports.export_xlsx(
            session, store_id, since, until, camera_id=camera_id, lang=lang, by=by, opening_only=opening_hours_only
        )
    _audited(database, caller, store_id, export)
    return _download(export)


@router.get(
    "/report.pdf",
    response_class=Response,
    responses={
        200: {"content": {"application/pdf": {}}, "description": "the report of a day or a range"},
        **FILE_RESPONSES,
    },
)
def report_pdf(
    session: SessionDep,
    database: DatabaseDep,
    caller: CallerDep,
    store_id: StoreId,
    day: Annotated[Day | None, Query(description=f"the local day; default today (up to now); {DATE_RANGE}")] = None,
    camera_id: CameraId = None,
    lang: LangQuery = DEFAULT_LANG,
    since: Annotated[Day | None, Query(description=f"with until: the first local day of a range; {DATE_RANGE}")] = None,
    until: Annotated[Day | None, Query(description=f"with since: the last local day of a range; {DATE_RANGE}")] = None,
) -> Response:
    """The report of a day (its figures against the same weekday last week, entries per hour) or of a range
    since..until such as a week or a month (against the days just before it, entries per day), with zone dwell;
    figures over opening hours, with what was counted outside them apart."""
    first = since if since is not None else day
    with _report_errors():
        export = pdf.daily_report_pdf(session, store_id, first, camera_id=camera_id, lang=lang, until=until)
    _audited(database, caller, store_id, export)
    return _download(export)
