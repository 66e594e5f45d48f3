"""Heatmap tallies: summed per camera and hour through the event writer, stored once, read back per grid size."""

from __future__ import annotations

from datetime import timedelta

import numpy as np
import pytest

from shopflow.domain.stamped import HeatmapTally
from shopflow.storage.db import Database
from shopflow.storage.event_records import NewHeatmapTally
from shopflow.storage.repositories import CameraRepository, HeatmapRepository
from shopflow.storage.repositories.heatmaps import decode_cells, encode_cells
from shopflow.storage.writer import EventWriter

from .factories import T0, heatmap, minutes, store_with_cameras, write


def test_tallies_add_up_per_hour_and_a_replay_adds_nothing(database: Database) -> None:
    _store, (camera,) = store_with_cameras(database)
    first_hour = [heatmap("h1", 1, [1.0, 0.0, 0.5, 0.0]), heatmap("h2", 2, [1.0, 2.0, 0.0, 0.0])]
    second_hour = [heatmap("h3", 61, [0.0, 0.0, 0.0, 4.0], width=1280, height=720)]
    write(database, camera.id, first_hour)
    write(database, camera.id, [*second_hour, heatmap("h4", 3, [0.25, 0.0, 0.0, 0.0])])  # the hour gets a third
    write(database, camera.id, [*first_hour, *second_hour])  # replayed after a restart: stored already

    with database.session() as session:
        repository = HeatmapRepository(session)
        (one_hour,) = repository.grids(camera.id, T0, T0 + timedelta(hours=1))
        (both,) = repository.grids(camera.id, T0, T0 + timedelta(hours=2))
        assert repository.grids(camera.id, T0 - timedelta(hours=3), T0) == []

    assert (one_hour.columns, one_hour.rows, one_hour.hours) == (2, 2, 1)
    np.testing.assert_allclose(one_hour.cells, [[2.25, 2.0], [0.5, 0.0]])
    assert (one_hour.frame_width, one_hour.frame_height) == (640, 480)
    assert both.hours == 2
    np.testing.assert_allclose(both.cells, [[2.25, 2.0], [0.5, 4.0]])
    assert (both.frame_width, both.frame_height) == (1280, 720)  # the latest hour's frame
    assert not both.cells.flags.writeable


def test_each_grid_size_is_kept_apart(database: Database) -> None:
    _store, (camera,) = store_with_cameras(database)
    write(
        database,
        camera.id,
        [heatmap("small", 1, [1.0, 1.0, 1.0, 1.0]), heatmap("wide", 2, [3.0, 0.0, 0.0], columns=3, rows=1)],
    )
    with database.session() as session:
        grids = HeatmapRepository(session).grids(camera.id, T0, T0 + timedelta(hours=1))
    assert sorted((grid.columns, grid.rows, float(grid.cells.sum())) for grid in grids) == [(2, 2, 4.0), (3, 1, 3.0)]


def test_two_cameras_do_not_mix_and_deleting_a_camera_deletes_its_heatmaps(database: Database) -> None:
    _store, (kept, deleted) = store_with_cameras(database, cameras=2)
    write(database, kept.id, [heatmap("same key", 1, [1.0, 0.0, 0.0, 0.0])])
    write(database, deleted.id, [heatmap("same key", 1, [0.0, 5.0, 0.0, 0.0])])  # keys are per camera
    with database.session() as session:
        CameraRepository(session).delete(deleted.id)
    with database.session() as session:
        repository = HeatmapRepository(session)
        (grid,) = repository.grids(kept.id, T0, T0 + timedelta(hours=1))
        assert repository.grids(deleted.id, T0, T0 + timedelta(hours=1)) == []
    np.testing.assert_allclose(grid.cells, [[1.0, 0.0], [0.0, 0.0]])


def test_repository_returns_only_the_new_tallies(database: Database) -> None:
    _store, (camera,) = store_with_cameras(database)
    tally = NewHeatmapTally(camera.id, T0, 1, 1, (2.0,), 640, 480, "k1")
    with database.session() as session:
        assert HeatmapRepository(session).add([tally, tally]) == [tally]  # the same key twice in one batch
    with database.session() as session:
        assert HeatmapRepository(session).add([tally]) == []
        (grid,) = HeatmapRepository(session).grids(camera.id, T0, T0 + minutes(1))
    assert float(grid.cells[0, 0]) == 2.0


@pytest.mark.parametrize(
    ("columns", "rows", "cells", "message"),
    [
        (2, 2, (1.0, 2.0, 3.0), "needs 4 cells"),
        (0, 2, (), "at least one column"),
    ],
)
def test_a_malformed_tally_is_refused_when_made(
    columns: int, rows: int, cells: tuple[float, ...], message: str
) -> None:
    with pytest.raises(ValueError, match=message):
        HeatmapTally(at=0.0, columns=columns, rows=rows, cells=cells, frame_width=640, frame_height=480)


@pytest.mark.parametrize("bad", [-1.0, float("nan"), float("inf")])
def test_the_writer_refuses_negative_or_non_finite_cells(database: Database, bad: float) -> None:
    _store, (camera,) = store_with_cameras(database)
    with (
        EventWriter(database, flush_seconds=0.02) as sink,
        pytest.raises(ValueError, match="negative or non-finite"),
    ):
        sink.write(camera.id, [heatmap("bad", 1, [0.0, bad, 0.0, 0.0])])


def test_cells_survive_the_float32_round_trip() -> None:
    cells = np.array([[0.0, 1.5], [3600.25, 1e-3]])
    np.testing.assert_allclose(decode_cells(encode_cells(cells), 2, 2), cells, rtol=1e-6)
    with pytest.raises(ValueError, match="needs 6 cells"):
        decode_cells(encode_cells(cells), 2, 3)
