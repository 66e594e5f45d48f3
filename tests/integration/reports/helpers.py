"""Builders for the analytics tests: stores in a given time zone, and events written through the real writer."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from itertools import count
from zoneinfo import ZoneInfo

from shopflow.domain.events import CountSnapshot, Crossing, Direction, Visit
from shopflow.domain.people import PersonKind
from shopflow.domain.stamped import HeatmapTally, PartyTally, StampedEvent
from shopflow.storage.db import Database
from shopflow.storage.records import CameraRecord, InsideSide, LineConfig, StoreRecord, ZoneConfig
from shopflow.storage.repositories import CameraRepository, StoreRepository
from shopflow.storage.writer import EventWriter

DOOR = LineConfig("door", (0.1, 0.5), (0.9, 0.5), InsideSide.POSITIVE)
SHELF = ZoneConfig("shelf", ((0.1, 0.1), (0.4, 0.1), (0.4, 0.4)))
TILL = ZoneConfig("till", ((0.6, 0.6), (0.9, 0.6), (0.9, 0.9)))
SAO_PAULO = "America/Sao_Paulo"

_keys = count()


def key(prefix: str = "e") -> str:
    return f"{prefix}{next(_keys)}"


def local(timezone: str, year: int, month: int, day: int, hour: int = 0, minute: int = 0, second: int = 0) -> datetime:
    """The UTC instant of a wall-clock time in `timezone`."""
    wall = datetime(year, month, day, hour, minute, second, tzinfo=ZoneInfo(timezone))
    return wall.astimezone(UTC)


def make_store(
    database: Database,
    *,
    timezone: str = SAO_PAULO,
    name: str = "Centro",
    cameras: int = 1,
    zones: Sequence[ZoneConfig] = (SHELF, TILL),
) -> tuple[StoreRecord, list[CameraRecord]]:
    with database.session() as session:
        stores = StoreRepository(session)
        # The server's organisation (the demo's, when there is one), so its owner sees the store.
        organisation = stores.server_organisation("Acme")
        store = stores.create(organisation, name, timezone=timezone)
        repository = CameraRepository(session)
        made = [
            repository.create(store.id, f"cam {n}", f"rtsp://10.0.0.{n}/stream", lines=(DOOR,), zones=tuple(zones))
            for n in range(1, cameras + 1)
        ]
    return store, made


def write(database: Database, camera_id: int, events: Sequence[StampedEvent]) -> None:
    with EventWriter(database, flush_seconds=0.02, close_timeout_seconds=10.0) as sink:
        sink.write(camera_id, list(events))


def entry(at: datetime, kind: PersonKind = PersonKind.CUSTOMER) -> StampedEvent:
    return StampedEvent(Crossing("door", Direction.IN, 1, kind, at=0.0), at, key("in"))


def exit_(at: datetime) -> StampedEvent:
    return StampedEvent(Crossing("door", Direction.OUT, 1, PersonKind.CUSTOMER, at=0.0), at, key("out"))


def stay(zone: str, entered: datetime, dwell: float, kind: PersonKind = PersonKind.CUSTOMER) -> StampedEvent:
    """A visit that began at `entered` and lasted `dwell` seconds (stamped, like the pipeline does, at its end)."""
    event = Visit(zone, 7, kind, entered_at=100.0, exited_at=100.0 + dwell)
    return StampedEvent(event, entered + timedelta(seconds=dwell), key("v"))


def parties(at: datetime, potential_customers: int, groups: int, visitors: int) -> StampedEvent:
    return StampedEvent(PartyTally(0.0, potential_customers, groups, visitors), at, key("p"))


def seen(at: datetime, total: int, employees: int = 0, groups: int = 0, potential_customers: int = 0) -> StampedEvent:
    event = CountSnapshot(
        at=0.0,
        total_people=total,
        customers=total - employees,
        employees=employees,
        groups=groups,
        potential_customers=potential_customers,
    )
    return StampedEvent(event, at, key("s"), processing_time_ms=10.0)


def heat(at: datetime, grid: Sequence[Sequence[float]], width: int = 320, height: int = 240) -> StampedEvent:
    rows, columns = len(grid), len(grid[0])
    cells = tuple(float(value) for row in grid for value in row)
    event = HeatmapTally(0.0, columns, rows, cells, frame_width=width, frame_height=height)
    return StampedEvent(event, at, key("h"))
