"""Small builders for the storage tests: a store with a camera, and stamped events."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from shopflow.domain.events import CountSnapshot, Crossing, Direction, Visit, ZoneEntry
from shopflow.domain.people import PersonKind
from shopflow.domain.stamped import HeatmapTally, PartyTally, StampedEvent
from shopflow.storage.db import Database
from shopflow.storage.records import CameraRecord, InsideSide, LineConfig, StoreRecord, ZoneConfig
from shopflow.storage.repositories import CameraRepository, StoreRepository
from shopflow.storage.writer import EventWriter

T0 = datetime(2024, 3, 10, 12, 0, tzinfo=UTC)
DOOR = LineConfig("door", (0.1, 0.5), (0.9, 0.5), InsideSide.POSITIVE)  # `in` = entering the store
BACK_DOOR = LineConfig("back door", (0.5, 0.1), (0.5, 0.9), InsideSide.NEGATIVE)  # `out` = entering
SHELF = ZoneConfig("shelf", ((0.1, 0.1), (0.4, 0.1), (0.4, 0.4)))


def store_with_cameras(
    database: Database, cameras: int = 1, timezone: str = "America/Sao_Paulo"
) -> tuple[StoreRecord, list[CameraRecord]]:
    with database.session() as session:
        stores = StoreRepository(session)
        # The server's organisation (the demo's, when there is one), so its owner sees the store.
        organisation = stores.server_organisation("Acme")
        store = stores.create(organisation, "Centro", timezone=timezone)
        repository = CameraRepository(session)
        made = [
            repository.create(
                store.id, f"cam {n}", f"rtsp://admin:secret@10.0.0.{n}/stream", lines=(DOOR, BACK_DOOR), zones=(SHELF,)
            )
            for n in range(1, cameras + 1)
        ]
    return store, made


def crossing(
    key: str,
    at: datetime,
    direction: Direction = Direction.IN,
    kind: PersonKind = PersonKind.CUSTOMER,
    line: str = "door",
    track_id: int = 1,
) -> StampedEvent:
    return StampedEvent(Crossing(line, direction, track_id, kind, at=0.0), at, key)


def visit(key: str, exited: datetime, dwell: float, kind: PersonKind = PersonKind.CUSTOMER) -> StampedEvent:
    return StampedEvent(Visit("shelf", 7, kind, entered_at=100.0, exited_at=100.0 + dwell), exited, key)


def snapshot(key: str, at: datetime, total: int, customers: int | None = None) -> StampedEvent:
    customers = total if customers is None else customers
    event = CountSnapshot(
        at=0.0,
        total_people=total,
        customers=customers,
        employees=total - customers,
        groups=0,
        potential_customers=customers,
    )
    return StampedEvent(event, at, key, processing_time_ms=12.5)


def tally(key: str, at: datetime, potential_customers: int, groups: int, visitors: int = 0) -> StampedEvent:
    event = PartyTally(at=0.0, potential_customers=potential_customers, groups=groups, visitors=visitors)
    return StampedEvent(event, at, key)


def zone_entry(key: str, at: datetime) -> StampedEvent:
    return StampedEvent(ZoneEntry("shelf", 7, PersonKind.CUSTOMER, at=0.0), at, key)


def minutes(n: float) -> timedelta:
    return timedelta(minutes=n)


def heatmap(
    key: str,
    at_minutes: float,
    cells: list[float],
    columns: int = 2,
    rows: int = 2,
    width: int = 640,
    height: int = 480,
) -> StampedEvent:
    event = HeatmapTally(at=0.0, columns=columns, rows=rows, cells=tuple(cells), frame_width=width, frame_height=height)
    return StampedEvent(event, T0 + minutes(at_minutes), key)


def write(database: Database, camera_id: int, events: list[StampedEvent]) -> None:
    """`events` through the event writer, stored by the time it returns."""
    with EventWriter(database, flush_seconds=0.02, close_timeout_seconds=10.0) as sink:
        sink.write(camera_id, events)
