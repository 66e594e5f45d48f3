"""A store's unique visitors count a person once across its cameras (issue #9, item 6).

Each camera re-identifies only its own visitors, so adding cameras up counts a person seen by two cameras twice.
The rule: a store with an entrance line counts its customer entries; a store with one camera and no line keeps
that camera's re-identified visitors; several cameras without a line give the camera that saw the most (a lower
bound), never a sum. Every report that shows the figure (series, comparison, today, the PDF's data, the exports)
must give the same number, on SQLite and PostgreSQL alike.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime

import openpyxl
import pypdf
import pytest

from shopflow.domain.people import PersonKind
from shopflow.domain.stamped import StampedEvent
from shopflow.reports.compare import compare
from shopflow.reports.exports import export_hourly_xlsx
from shopflow.reports.pdf import daily_report_data, daily_report_pdf
from shopflow.reports.series import daily_series, hourly_series
from shopflow.reports.today import today
from shopflow.storage.db import Database
from shopflow.storage.records import StoreRecord
from shopflow.storage.repositories import CameraRepository, StoreRepository

from .helpers import DOOR, SAO_PAULO, entry, local, parties, write

DAY = date(2024, 3, 13)


def at(hour: int, minute: int = 0) -> datetime:
    return local(SAO_PAULO, 2024, 3, 13, hour, minute)


def seen_new(when: datetime, visitors: int) -> StampedEvent:
    """A camera's tally of `visitors` people it had not seen before (its own re-identification)."""
    return parties(when, potential_customers=visitors, groups=0, visitors=visitors)


@dataclass(frozen=True)
class Cam:
    door: bool  # has an entrance line (a line with an inside side)
    events: tuple[StampedEvent, ...]


@dataclass(frozen=True)
class Case:
    cameras: tuple[Cam, ...]
    rule: str
    day_total: int  # the store's unique visitors of the day
    by_hour: dict[int, int]  # local hour -> the store's unique visitors in it (hours not listed: 0)
    first_camera: int  # the first camera's own figure for the day (a camera's report is unchanged)


CASES = {
    # The case: one person walks in through the door (camera 1) and is seen again by camera 2.
    "one person seen by two cameras, a door on the first": Case(
        (Cam(True, (entry(at(10, 0)), seen_new(at(10, 0), 1))), Cam(False, (seen_new(at(10, 2), 1),))),
        rule="entrances",
        day_total=1,
        by_hour={10: 1},
        first_camera=1,
    ),
    "one person seen by two cameras, no entrance line": Case(
        (Cam(False, (seen_new(at(10, 0), 1),)), Cam(False, (seen_new(at(10, 2), 1),))),
        rule="largest_camera",
        day_total=1,
        by_hour={10: 1},
        first_camera=1,
    ),
    "two doors, each person enters once, both cameras see both": Case(
        (
            Cam(True, (entry(at(10, 0)), seen_new(at(10, 0), 2))),
            Cam(True, (entry(at(10, 30)), seen_new(at(10, 31), 2))),
        ),
        rule="entrances",
        day_total=2,
        by_hour={10: 2},
        first_camera=2,
    ),
    # One camera with a door: the door decides, employees are not visitors, and a person the camera's
    # re-identification split in two (3 for 2 customers) still enters once.
    "one camera with a door: customer entries": Case(
        (
            Cam(
                True,
                (entry(at(9, 0), PersonKind.EMPLOYEE), entry(at(10, 0)), entry(at(10, 10)), seen_new(at(10, 20), 3)),
            ),
        ),
        rule="entrances",
        day_total=2,
        by_hour={10: 2},
        first_camera=3,
    ),
    "one camera, no line: its re-identified visitors": Case(
        (Cam(False, (seen_new(at(10, 0), 4), seen_new(at(15, 0), 1))),),
        rule="camera",
        day_total=5,
        by_hour={10: 4, 15: 1},
        first_camera=5,
    ),
    # Group X (5 people) passes camera A at 10:55 and camera B at 11:05; group Y (2) passes B at 10:30 and A at
    # 11:10. Each hour's leader saw 5, but the day had 7 people: the sum of the hours' leaders (10) would count
    # X twice. The day's figure is the camera that saw the most over the day.
    "no line, the hours' leaders differ": Case(
        (
            Cam(False, (seen_new(at(10, 55), 5), seen_new(at(11, 10), 2))),
            Cam(False, (seen_new(at(10, 30), 2), seen_new(at(11, 5), 5))),
        ),
        rule="largest_camera",
        day_total=7,
        by_hour={10: 5, 11: 5},
        first_camera=7,
    ),
}


def make_shop(database: Database, cameras: Sequence[Cam]) -> tuple[StoreRecord, list[int]]:
    with database.session() as session:
        stores = StoreRepository(session)
        store = stores.create(stores.server_organisation("Acme"), "Centro", timezone=SAO_PAULO)
        repository = CameraRepository(session)
        ids = [
            repository.create(store.id, f"cam {n}", f"rtsp://10.0.0.{n}/s", lines=(DOOR,) if cam.door else ()).id
            for n, cam in enumerate(cameras, start=1)
        ]
    for camera_id, cam in zip(ids, cameras, strict=True):
        write(database, camera_id, cam.events)
    return store, ids


@pytest.mark.parametrize("case", CASES.values(), ids=CASES.keys())
def test_every_report_counts_a_store_visitor_once(database: Database, case: Case) -> None:
    store, cameras = make_shop(database, case.cameras)
    with database.session() as session:
        daily = daily_series(session, store.id, DAY, DAY)
        hourly = hourly_series(session, store.id, DAY, DAY)
        comparison = compare(session, store.id, DAY, DAY)
        overview = today(session, store.id, now=at(23, 30))
        report = daily_report_data(session, store.id, DAY, now=at(23, 30))
        camera_daily = daily_series(session, store.id, DAY, DAY, camera_id=cameras[0])

    figures = {
        "daily total": daily.totals.visitors,
        "daily point": daily.points[0].counts.visitors,
        "hourly total": hourly.totals.visitors,
        "compare": comparison.figure("unique_visitors").current,
        "compare totals": comparison.current_totals.visitors,
        "today": overview.today.unique_visitors,
        "pdf": report.figures.unique_visitors,
    }
    assert figures == dict.fromkeys(figures, case.day_total)
    by_hour = {point.start.hour: point.counts.visitors for point in hourly.points if point.counts.visitors}
    assert by_hour == case.by_hour
    assert {hour.start.hour: hour.counts.visitors for hour in overview.today.hours if hour.counts.visitors} == (
        case.by_hour
    )
    assert camera_daily.totals.visitors == case.first_camera
    scopes = (daily.scope, hourly.scope, comparison.scope, overview.scope, report.scope)
    assert {str(scope.visitors_rule) for scope in scopes} == {case.rule}
    assert str(camera_daily.scope.visitors_rule) == "camera"


def test_today_so_far_counts_only_the_hours_so_far(database: Database) -> None:
    """The lower bound over part of a day is the camera that saw the most in that part, not over the whole day."""
    cameras = (
        Cam(False, (seen_new(at(9, 0), 3), seen_new(at(16, 0), 1))),
        Cam(False, (seen_new(at(9, 30), 1), seen_new(at(16, 30), 6))),
    )
    store, _ = make_shop(database, cameras)
    with database.session() as session:
        overview = today(session, store.id, now=at(12, 0))
    assert overview.today.unique_visitors == 3
    assert overview.last_week_so_far.unique_visitors == 0


@pytest.mark.parametrize(
    ("door", "lang", "words"),
    [
        (True, "pt-BR", "linhas de entrada"),
        (True, "en", "entrance lines"),
        (False, "pt-BR", "no mínimo"),
        (False, "en", "at least"),
    ],
)
def test_the_files_say_which_definition_is_in_force(database: Database, door: bool, lang: str, words: str) -> None:
    cameras = (Cam(door, (entry(at(10, 0)), seen_new(at(10, 0), 1))), Cam(False, (seen_new(at(10, 2), 1),)))
    store, _ = make_shop(database, cameras)
    with database.session() as session:
        xlsx = export_hourly_xlsx(session, store.id, DAY, DAY, lang=lang)  # type: ignore[arg-type]
        pdf = daily_report_pdf(session, store.id, DAY, lang=lang, now=at(23, 30))  # type: ignore[arg-type]
    summary = openpyxl.load_workbook(io.BytesIO(xlsx.content)).worksheets[1]
    summary_text = " ".join(str(cell.value) for row in summary.iter_rows() for cell in row if cell.value is not None)
    assert words in summary_text.lower()
    pdf_text = " ".join(page.extract_text() for page in pypdf.PdfReader(io.BytesIO(pdf.content)).pages)
    assert words in " ".join(pdf_text.lower().split())
