"""Stores and cameras: create, read, update, delete, status, and the source URL kept from everyone but the pipeline."""

from __future__ import annotations

import threading
import time
from datetime import UTC, datetime, timedelta, timezone

import pytest

from shopflow.domain.cameras import CameraStatus
from shopflow.domain.events import Direction
from shopflow.domain.geometry import GeometryError
from shopflow.domain.urls import redact_url
from shopflow.storage.db import Database
from shopflow.storage.errors import NotFoundError
from shopflow.storage.records import InsideSide, LineConfig, ZoneConfig
from shopflow.storage.repositories import CameraRepository, StoreRepository

from .factories import BACK_DOOR, DOOR, SHELF, store_with_cameras

HOURS = {"mon": {"open": "09:00", "close": "18:00"}, "sat": {"open": "10:00", "close": "14:00"}}


def test_store_crud(database: Database) -> None:
    with database.session() as session:
        stores = StoreRepository(session)
        organisation = stores.create_organisation("Acme Ltda")
        first = stores.create(organisation.id, "Centro", opening_hours=HOURS)
        second = stores.create(organisation.id, "Shopping", timezone="America/Manaus", is_demo=True)
        other = stores.create_with_organisation("Other", "Elsewhere")

    with database.session() as session:
        stores = StoreRepository(session)
        assert stores.get(first.id) == first
        assert first.timezone == "America/Sao_Paulo"
        assert first.opening_hours == HOURS
        assert first.created_at.tzinfo == UTC
        assert [s.name for s in stores.list_all(organisation.id)] == ["Centro", "Shopping"]
        assert [s.id for s in stores.list_all()] == [first.id, second.id, other.id]
        assert stores.get_organisation(other.organisation_id).name == "Other"
        updated = stores.update(first.id, name="Centro 2", timezone="Europe/Lisbon", opening_hours={})
    assert (updated.name, updated.timezone, updated.opening_hours, updated.is_demo) == (
        "Centro 2",
        "Europe/Lisbon",
        {},
        False,
    )
    with database.session() as session:
        assert StoreRepository(session).get(first.id) == updated


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"timezone": "Mars/Olympus"}, "unknown time zone"),
        ({"opening_hours": {"funday": {"open": "09:00", "close": "18:00"}}}, "unknown weekday"),
        ({"opening_hours": {"mon": {"open": "9:00", "close": "18:00"}}}, "HH:MM"),
        ({"opening_hours": {"mon": {"open": "09:00", "close": "09:00"}}}, "leave the day out"),
        ({"opening_hours": {"mon": {"open": "09:00"}}}, "exactly 'open' and 'close'"),
    ],
)
def test_store_validation(database: Database, kwargs: dict[str, object], message: str) -> None:
    with database.session() as session:
        stores = StoreRepository(session)
        organisation = stores.create_organisation("Acme")
        with pytest.raises(ValueError, match=message):
            stores.create(organisation.id, "Centro", **kwargs)  # type: ignore[arg-type]


def test_missing_rows_raise_not_found(database: Database) -> None:
    with database.session() as session:
        with pytest.raises(NotFoundError, match="no store 99"):
            StoreRepository(session).get(99)
        with pytest.raises(NotFoundError, match="no camera 99"):
            CameraRepository(session).get(99)
        with pytest.raises(NotFoundError):
            CameraRepository(session).set_status(99, CameraStatus.ONLINE)
        with pytest.raises(NotFoundError):
            CameraRepository(session).delete(99)
        with pytest.raises(NotFoundError, match="no store 99"):
            CameraRepository(session).create(99, "cam", "rtsp://x/y")


def test_camera_crud_and_defaults(database: Database) -> None:
    store, _ = store_with_cameras(database, cameras=0)
    with database.session() as session:
        cameras = CameraRepository(session)
        door = cameras.create(store.id, "Door", "rtsp://admin:s3cret@192.168.0.10:554/live", lines=(DOOR,))
        aisle = cameras.create(store.id, "Aisle", "/videos/aisle.mp4", enabled=False, zones=(SHELF,))

    assert (door.sample_fps, door.imgsz, door.enabled, door.status) == (5.0, 640, True, CameraStatus.OFFLINE)
    assert door.lines == (DOOR,)
    assert door.source_url == "rtsp://***@192.168.0.10:554/live"
    assert aisle.status == CameraStatus.DISABLED
    assert aisle.zones == (SHELF,)

    with database.session() as session:
        cameras = CameraRepository(session)
        assert cameras.get(door.id) == door
        assert [c.name for c in cameras.list_by_store(store.id)] == ["Door", "Aisle"]
        changed = cameras.update(door.id, name="Front door", sample_fps=8, imgsz=640, lines=(DOOR, BACK_DOOR))
        enabled = cameras.update(aisle.id, enabled=True)
    assert (changed.name, changed.sample_fps, changed.imgsz, changed.lines) == (
        "Front door",
        8.0,
        640,
        (DOOR, BACK_DOOR),
    )
    assert changed.updated_at >= door.updated_at
    assert (enabled.enabled, enabled.status) == (True, CameraStatus.OFFLINE)

    with database.session() as session:
        cameras = CameraRepository(session)
        disabled = cameras.update(door.id, enabled=False)
        assert disabled.status == CameraStatus.DISABLED
        cameras.delete(aisle.id)
        assert cameras.list_by_store(store.id) == [disabled]


def test_only_the_pipeline_sees_the_full_source_url(database: Database) -> None:
    store, (camera,) = store_with_cameras(database)
    with database.session() as session:
        cameras = CameraRepository(session)
        cameras.create(store.id, "off", "rtsp://u:p@h/s", enabled=False)
        record = cameras.get(camera.id)
        sources = cameras.list_enabled()
        source = cameras.get_source(camera.id)
    assert "secret" not in record.source_url
    assert [s.id for s in sources] == [camera.id]
    assert sources[0].source_url == source.source_url == "rtsp://admin:secret@10.0.0.1/stream"
    assert source.lines == (DOOR, BACK_DOOR)
    assert "secret" not in repr(source)


@pytest.mark.parametrize(
    ("url", "shown"),
    [
        ("rtsp://admin:secret@10.0.0.5:554/h264", "rtsp://***@10.0.0.5:554/h264"),
        ("rtsp://tokenonly@10.0.0.5/live", "rtsp://***@10.0.0.5/live"),
        (
            "http://cam.local/video.cgi?user=admin&password=hunter2&res=hd",
            "http://cam.local/video.cgi?user=admin&password=***&res=hd",
        ),
        ("https://cam.example/stream?token=abc123", "https://cam.example/stream?token=***"),
        ("rtsp://10.0.0.5/live", "rtsp://10.0.0.5/live"),
        ("/srv/videos/demo.mp4", "/srv/videos/demo.mp4"),
        ("0", "0"),
    ],
)
def test_redact_source_url(url: str, shown: str) -> None:
    assert redact_url(url) == shown


def test_set_status_keeps_measurements_not_given(database: Database) -> None:
    _, (camera,) = store_with_cameras(database)
    seen = datetime(2024, 5, 1, 9, 30, tzinfo=timezone(timedelta(hours=-3)))
    with database.session() as session:
        CameraRepository(session).set_status(
            camera.id, CameraStatus.ONLINE, last_frame_at=seen, measured_fps=4.8, dropped_frames=3
        )
    with database.session() as session:
        online = CameraRepository(session).get(camera.id)
        CameraRepository(session).set_status(camera.id, CameraStatus.ERROR, "RTSP timeout")
    with database.session() as session:
        failed = CameraRepository(session).get(camera.id)
    assert (online.status, online.status_reason, online.measured_fps, online.dropped_frames) == (
        CameraStatus.ONLINE,
        None,
        4.8,
        3,
    )
    assert online.last_frame_at == seen
    assert online.last_frame_at is not None and online.last_frame_at.tzinfo == UTC
    assert online.last_frame_at.hour == 12  # 09:30 at -03:00 is 12:30 UTC
    assert (failed.status, failed.status_reason, failed.last_frame_at, failed.measured_fps) == (
        CameraStatus.ERROR,
        "RTSP timeout",
        seen,
        4.8,
    )


@pytest.mark.parametrize(
    ("kwargs", "error", "message"),
    [
        ({"sample_fps": 0}, ValueError, "sample_fps"),
        ({"imgsz": 500}, ValueError, "multiple of 32"),
        ({"lines": (DOOR, DOOR)}, GeometryError, "two lines are called 'door'"),
        ({"name": "  "}, ValueError, "needs a name"),
    ],
)
def test_camera_validation(database: Database, kwargs: dict[str, object], error: type[Exception], message: str) -> None:
    store, _ = store_with_cameras(database, cameras=0)
    arguments: dict[str, object] = {"name": "cam", **kwargs}
    with database.session() as session, pytest.raises(error, match=message):
        CameraRepository(session).create(store.id, source_url="rtsp://h/s", **arguments)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("inside", "direction", "is_entry"),
    [
        (InsideSide.POSITIVE, Direction.IN, True),
        (InsideSide.POSITIVE, Direction.OUT, False),
        (InsideSide.NEGATIVE, Direction.IN, False),
        (InsideSide.NEGATIVE, Direction.OUT, True),
    ],
)
def test_line_inside_side_decides_entries(inside: InsideSide, direction: Direction, is_entry: bool) -> None:
    assert LineConfig("door", (0.0, 0.5), (1.0, 0.5), inside).is_entry(direction) is is_entry


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"name": "door", "a": [0.1, 0.5], "b": [0.1, 0.5]}, "two points are equal"),
        ({"name": "door", "a": [0.1, 0.5], "b": [1.5, 0.5]}, "outside 0..1"),
        ({"name": "door", "a": [0.1], "b": [0.9, 0.5]}, "a point is"),
        ({"name": "door", "a": [0.1, 0.5], "b": [0.9, 0.5], "inside": "left"}, "'positive' or 'negative'"),
    ],
)
def test_line_json_is_validated(data: dict[str, object], message: str) -> None:
    with pytest.raises(GeometryError, match=message):
        LineConfig.from_json(data)


def test_line_and_zone_json_round_trip() -> None:
    assert LineConfig.from_json(BACK_DOOR.to_json()) == BACK_DOOR
    assert ZoneConfig.from_json(SHELF.to_json()) == SHELF
    assert LineConfig.from_json({"name": "d", "a": [0, 0], "b": [1, 1]}).inside is InsideSide.POSITIVE


def test_read_then_write_survives_a_concurrent_writer(database: Database) -> None:
    """On SQLite a deferred transaction that read before another connection wrote cannot write any more."""
    _, (camera,) = store_with_cameras(database)
    read_done = threading.Event()
    errors: list[BaseException] = []

    def report_status() -> None:
        read_done.wait(5.0)
        try:
            with database.session() as session:
                CameraRepository(session).set_status(camera.id, CameraStatus.ONLINE)
        except BaseException as error:  # surfaced by the assertion below
            errors.append(error)

    other = threading.Thread(target=report_status)
    other.start()
    with database.session() as session:
        cameras = CameraRepository(session)
        cameras.get(camera.id)
        read_done.set()
        time.sleep(0.1)  # the other connection tries to write now
        cameras.update(camera.id, name="renamed")
    other.join(10.0)
    assert errors == []
    with database.session() as session:
        final = CameraRepository(session).get(camera.id)
    assert (final.name, final.status) == ("renamed", CameraStatus.ONLINE)


def test_a_late_report_does_not_turn_a_disabled_camera_back_online(database: Database) -> None:
    # A worker's last report can be written just after the camera was disabled (seen on CI under load).
    _, (camera,) = store_with_cameras(database)
    with database.session() as session:
        CameraRepository(session).update(camera.id, enabled=False)
    with database.session() as session:
        CameraRepository(session).set_status(camera.id, CameraStatus.ONLINE, measured_fps=5.0)
    with database.session() as session:
        assert CameraRepository(session).get(camera.id).status == CameraStatus.DISABLED
