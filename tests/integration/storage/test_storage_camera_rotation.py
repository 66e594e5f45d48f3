"""A camera's rotation is stored, checked, and carries its lines, zones and stored heatmaps along when it changes
(both dialects)."""

from __future__ import annotations

from datetime import timedelta

import numpy as np
import pytest
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError

from shopflow.domain.geometry import turn_point
from shopflow.domain.problems import InputError
from shopflow.storage.db import Database
from shopflow.storage.records import InsideSide, LineConfig, ZoneConfig
from shopflow.storage.repositories import CameraRepository, HeatmapRepository
from shopflow.storage.rollup_records import HeatmapGrid
from shopflow.vision.orientation import upright

from .factories import BACK_DOOR, DOOR, SHELF, T0, heatmap, store_with_cameras, write

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


def _grids(database: Database, camera_id: int) -> list[HeatmapGrid]:
    with database.session() as session:
        return HeatmapRepository(session).grids(camera_id, T0, T0 + timedelta(hours=3))


@pytest.mark.parametrize("rotation", [90, 180, 270])
def test_a_turn_carries_the_stored_heatmap_so_past_heat_stays_on_its_spot(database: Database, rotation: int) -> None:
    _store, (camera, other) = store_with_cameras(database, cameras=2)
    grid = np.zeros((2, 3))
    grid[0, 2] = 5.0  # top right: someone stood there for 5 s
    grid[1, 0] = 1.0
    write(
        database, camera.id, [heatmap("a", 1, list(grid.ravel()), 3, 2), heatmap("b", 70, list(grid.ravel() * 2), 3, 2)]
    )
    write(database, other.id, [heatmap("c", 1, list(grid.ravel()), 3, 2)])

    with database.session() as session:
        CameraRepository(session).update(camera.id, rotation=rotation)
    (turned,) = _grids(database, camera.id)

    quarter = rotation in (90, 270)
    assert (turned.columns, turned.rows) == ((2, 3) if quarter else (3, 2))
    assert (turned.frame_width, turned.frame_height) == ((480, 640) if quarter else (640, 480))
    assert turned.hours == 2
    # Each cell's heat lands where the picture's turn puts the centre of that cell.
    for (row, column), heat in np.ndenumerate(grid * 3):
        x, y = turn_point(((column + 0.5) / 3, (row + 0.5) / 2), rotation)
        assert turned.cells[int(y * turned.rows), int(x * turned.columns)] == heat
    # And the same as the picture turned upright by the camera's own code.
    painted = np.repeat((grid * 3).astype(np.uint8)[:, :, None], 3, axis=2)
    np.testing.assert_array_equal(turned.cells, upright(painted, rotation)[:, :, 0])

    (untouched,) = _grids(database, other.id)
    np.testing.assert_array_equal(untouched.cells, grid)

    with database.session() as session:
        CameraRepository(session).update(camera.id, rotation=0)
    (back,) = _grids(database, camera.id)
    np.testing.assert_array_equal(back.cells, grid * 3)
    assert (back.columns, back.rows, back.frame_width, back.frame_height) == (3, 2, 640, 480)


def test_heat_of_both_sides_of_a_turn_within_an_hour_adds_up(database: Database) -> None:
    _store, (camera,) = store_with_cameras(database)
    grid = np.arange(6, dtype=float).reshape(2, 3)
    write(database, camera.id, [heatmap("before", 1, list(grid.ravel()), 3, 2)])
    with database.session() as session:
        CameraRepository(session).update(camera.id, rotation=90)
    turned_grid = np.rot90(grid, k=-1)
    # Measured on the turned picture: a 2 x 3 grid, in the same hour as the heat turned with the camera.
    write(database, camera.id, [heatmap("after", 20, list(turned_grid.ravel()), 2, 3, width=480, height=640)])
    with database.session() as session:
        CameraRepository(session).update(camera.id, rotation=0)  # turned back: both hours' heat on one grid
    (back,) = _grids(database, camera.id)
    assert (back.columns, back.rows) == (3, 2)
    np.testing.assert_array_equal(back.cells, grid * 2)
