"""Presenças (issue 13): an owner reads one day's attendance, typed as dd/mm/aaaa, with times on the store's clock
and the staff counted by rule; every read is audited; a bad date is explained; English reads ISO dates; a viewer
neither sees the link nor the page, and nothing is read for them."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from nicegui import ui
from nicegui.testing import User

from shopflow.domain.stamped import StaffCorrection, StaffDeparture, StampedEvent, staff_key
from shopflow.storage.db import Database
from shopflow.storage.records import Language, StoreRecord, UserRole
from shopflow.storage.repositories import CameraRepository
from shopflow.storage.repositories.staff_registry import StaffRegistry
from shopflow.storage.writer import EventWriter

from .conftest import RETRIES, add_store, add_user, grant, sign_in

# 9:00 local in São Paulo (UTC-3) on 25 November 2026.
MORNING = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)


def _staff_track(
    database: Database, camera_id: int, first: datetime, seconds: float, rule: str, employee: int | None, track: int
) -> None:
    """What a camera worker sends about a staff track: the decision, then the departure."""
    session = f"live{first:%Y%m%dT%H%M%S}:640x480"
    key = staff_key(session, track, 0.0)
    correction = StaffCorrection(track, rule, "" if employee is None else str(employee), 0.0, 3.0)
    departure = StaffDeparture(track, 0.0, seconds)
    with EventWriter(database, flush_seconds=0.05) as writer:
        writer.write(
            camera_id,
            [
                StampedEvent(correction, first + timedelta(seconds=3), key),
                StampedEvent(departure, first + timedelta(seconds=seconds), key + ":end"),
            ],
        )


def _store_with_a_day(database: Database) -> StoreRecord:
    """Ana, recognised by face from 9:00 to 9:30 and 9:20 to 10:00 (one hour on the floor), and one person in
    uniform, on 25/11/2026."""
    store = add_store(database)
    with database.session() as session:
        camera = CameraRepository(session).create(store.id, "Entrada", "rtsp://10.0.0.8/stream")
        ana = StaffRegistry(session).create(store.id, "Ana Souza", "F-1")
    _staff_track(database, camera.id, MORNING, 30 * 60, "face", ana.id, 1)
    _staff_track(database, camera.id, MORNING + timedelta(minutes=20), 40 * 60, "face", ana.id, 2)
    _staff_track(database, camera.id, MORNING + timedelta(hours=2), 5 * 60, "uniform", None, 3)
    return store


def _reads(database: Database, store: StoreRecord) -> list[str]:
    with database.read_session() as session:
        return [e.detail for e in StaffRegistry(session).audit(store.id) if e.action == "attendance_read"]


def _type_day(user: User, text: str) -> None:
    [field] = user.find(marker="attendance-day").elements
    assert isinstance(field, ui.input)
    field.set_value(text)
    user.find(marker="attendance-show").click()


async def test_an_owner_reads_a_days_attendance_on_the_stores_clock(user: User, database: Database) -> None:
    store = _store_with_a_day(database)
    add_user(database)
    await sign_in(user)
    await user.open("/employees")
    user.find(marker="to-attendance").click()
    await user.should_see("Presenças", retries=RETRIES)
    await user.should_see("É dado pessoal: só proprietários e gerentes veem", retries=RETRIES)
    await user.should_see(marker="attendance-empty", retries=RETRIES)  # today: nobody yet
    _type_day(user, "25/11/2026")
    await user.should_see("Presenças de 25/11/2026", retries=RETRIES)
    table = user.find(marker="attendance-table").elements.pop()
    assert isinstance(table, ui.table)
    assert [{k: row[k] for k in ("name", "code", "first", "last", "on_floor", "cameras")} for row in table.rows] == [
        {
            "name": "Ana Souza",
            "code": "F-1",
            "first": "09:00",
            "last": "10:00",
            "on_floor": "1 h 00 min",
            "cameras": "Entrada",
        }
    ]
    assert [column["label"] for column in table.columns] == [
        "Funcionário",
        "Matrícula",
        "Chegada (primeira vez visto)",
        "Saída (última vez visto)",
        "Tempo na loja",
        "Câmeras",
    ]
    await user.should_see("Pessoas contadas como funcionário neste dia: 3", retries=RETRIES)
    await user.should_see(
        "pelo rosto: 2 · pelo uniforme: 1 · zona de funcionários: 0 · permanência longa: 0", retries=RETRIES
    )
    # Each look is in the audit log: today's on opening, then the day asked for.
    today = datetime.now(ZoneInfo(store.timezone)).date().isoformat()
    assert _reads(database, store) == [today, "2026-11-25"]


async def test_a_date_that_is_not_one_is_explained(user: User, database: Database) -> None:
    store = _store_with_a_day(database)
    add_user(database)
    await sign_in(user)
    await user.open("/employees/attendance")
    await user.should_see(marker="attendance-empty", retries=RETRIES)
    _type_day(user, "31/02/2026")
    await user.should_see("“31/02/2026” não é uma data. Digite a data como dd/mm/aaaa, por exemplo", retries=RETRIES)
    assert len(_reads(database, store)) == 1  # only the opening's


async def test_english_types_and_shows_iso_dates(user: User, database: Database) -> None:
    _store_with_a_day(database)
    add_user(database, language=Language.EN)
    await sign_in(user)
    await user.open("/employees/attendance")
    await user.should_see(marker="attendance-empty", retries=RETRIES)
    _type_day(user, "2026-11-25")
    await user.should_see("Attendance on 2026-11-25", retries=RETRIES)
    await user.should_see("by face: 2 · by uniform: 1 · staff zone: 0 · long stay: 0", retries=RETRIES)


async def test_a_viewer_sees_no_attendance(user: User, database: Database) -> None:
    store = _store_with_a_day(database)
    viewer = add_user(database, role=UserRole.VIEWER)
    grant(database, viewer, store)
    await sign_in(user)
    await user.open("/employees/attendance")
    await user.should_see("Você não tem permissão para fazer isto.", retries=RETRIES)
    await user.should_not_see("Ana Souza")
    await user.should_not_see(marker="attendance-day")
    await user.should_not_see(marker="to-attendance")
    assert _reads(database, store) == []  # refused before anything was read


async def test_a_manager_sees_attendance_of_the_store_granted(user: User, database: Database) -> None:
    store = _store_with_a_day(database)
    manager = add_user(database, role=UserRole.MANAGER)
    grant(database, manager, store)
    await sign_in(user)
    await user.open("/employees")
    await user.should_see(marker="to-attendance", retries=RETRIES)
    await user.open("/employees/attendance")
    _type_day(user, "25/11/2026")
    await user.should_see("Presenças de 25/11/2026", retries=RETRIES)
    table = user.find(marker="attendance-table").elements.pop()
    assert isinstance(table, ui.table) and [row["name"] for row in table.rows] == ["Ana Souza"]
