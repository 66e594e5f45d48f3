"""A camera's rotation is stored, checked, and carries its lines and zones along when it changes (both dialects)."""

from __future__ import annotations

import pytest
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError

from shopflow.domain.problems import InputError
from shopflow.storage.db import Database
from shopflow.storage.records import InsideSide, LineConfig, ZoneConfig
from shopflow.storage.repositories import CameraRepository

from .factories import BACK_DOOR, DOOR, SHELF, store_with_cameras

COUNTER = ZoneConfig("counter", ((0.6, 0.6), (0.9, 0.6), (0.9, 0.9)))


def test_a_new_camera_is_upright_unless_told(database: Database) -> None:
    store, (camera,) = store_with_cameras(database)
    assert camera.rotation == 0
    with database.session() as session:
        turned = CameraRepository(session).create(store.id, "Teto", "rtsp://10.0.0.9/s", rotation=180)
    with database.session() as session:
        cameras = CameraRepository(session)
        assert cameras.get(turned.id).rotation == 180
        assert cameras.get_source(turned.id).rotation == 180


def test_turning_a_camera_keeps_its_lines_and_zones_on_the_same_spot(database: Database) -> None:
    _store, (camera,) = store_with_cameras(database)
    with database.session() as session:
        CameraRepository(session).set_staff_rules(camera.id, [COUNTER], None)
        turned = CameraRepository(session).update(camera.id, rotation=90)
    assert turned.rotation == 90
    # DOOR runs (0.1, 0.5) -> (0.9, 0.5); a quarter turn clockwise stands it up at x = 0.5, same inside side.
    assert turned.lines == (
        LineConfig("door", (0.5, 0.1), (0.5, 0.9), InsideSide.POSITIVE),
        LineConfig("back door", (0.9, 0.5), (0.1, 0.5), InsideSide.NEGATIVE),
    )
    assert turned.zones == (ZoneConfig("shelf", ((0.9, 0.1), (0.9, 0.4), (0.6, 0.4))),)
    assert turned.staff_zones == (ZoneConfig("counter", ((0.4, 0.6), (0.4, 0.9), (0.1, 0.9))),)

    with database.session() as session:
        back = CameraRepository(session).update(camera.id, rotation=0)
    assert (back.lines, back.zones, back.staff_zones) == ((DOOR, BACK_DOOR), (SHELF,), (COUNTER,))


def test_lines_given_with_a_new_turn_are_taken_as_drawn(database: Database) -> None:
    _store, (camera,) = store_with_cameras(database)
    drawn = LineConfig("door", (0.2, 0.7), (0.8, 0.7))
    with database.session() as session:
        turned = CameraRepository(session).update(camera.id, rotation=180, lines=[drawn])
    assert turned.lines == (drawn,)
    assert turned.zones == (ZoneConfig("shelf", ((0.9, 0.9), (0.6, 0.9), (0.6, 0.6))),)  # not given: turned


def test_the_same_turn_again_changes_nothing(database: Database) -> None:
    _store, (camera,) = store_with_cameras(database)
    with database.session() as session:
        once = CameraRepository(session).update(camera.id, rotation=270)
    with database.session() as session:
        again = CameraRepository(session).update(camera.id, rotation=270, name="Porta")
    assert (again.lines, again.zones, again.rotation) == (once.lines, once.zones, 270)


@pytest.mark.parametrize("rotation", [45, 360, -90])
def test_a_turn_that_is_not_a_quarter_is_refused_and_nothing_changes(database: Database, rotation: int) -> None:
    store, (camera,) = store_with_cameras(database)
    with database.session() as session, pytest.raises(InputError, match="0, 90, 180 or 270"):
        CameraRepository(session).update(camera.id, rotation=rotation, name="Nova")
    with database.session() as session, pytest.raises(InputError, match="0, 90, 180 or 270"):
        CameraRepository(session).create(store.id, "Teto", "rtsp://10.0.0.9/s", rotation=rotation)
    with database.session() as session:
        kept = CameraRepository(session).get(camera.id)
        assert (kept.name, kept.rotation, kept.lines) == (camera.name, 0, camera.lines)
        assert CameraRepository(session).count() == 1


def test_the_database_itself_refuses_a_turn_that_is_not_a_quarter(database: Database) -> None:
    _store, (camera,) = store_with_cameras(database)
    with pytest.raises(IntegrityError), database.engine.begin() as connection:
        connection.execute(text("UPDATE cameras SET rotation = 45 WHERE id = :id"), {"id": camera.id})
