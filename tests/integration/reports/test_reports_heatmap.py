"""The heatmap PNG: hot where people stood, the background untouched elsewhere, at the camera's frame size."""

from __future__ import annotations

from datetime import UTC, date, datetime

import cv2
import numpy as np
import pytest

from shopflow.reports.heatmap import NEUTRAL_BACKGROUND, combine_grids, heatmap_png, render
from shopflow.storage.db import Database
from shopflow.storage.rollup_records import HeatmapGrid
from tests.sample_video import sample_frame

from .helpers import SAO_PAULO, heat, local, make_store, write

DAY = date(2024, 3, 10)
GRID = [[0.0] * 8 for _ in range(6)]
GRID[1][6] = 100.0  # hot: top right
GRID[4][1] = 10.0  # warm: bottom left


def decode(png: bytes) -> np.ndarray:
    assert png.startswith(b"\x89PNG\r\n\x1a\n")
    image = cv2.imdecode(np.frombuffer(png, dtype=np.uint8), cv2.IMREAD_COLOR)
    assert image is not None
    return image


def test_hot_cells_are_coloured_and_empty_ones_show_the_background(database: Database) -> None:
    store, (camera,) = make_store(database)
    write(database, camera.id, [heat(local(SAO_PAULO, 2024, 3, 10, 10, 1), GRID, width=320, height=240)])
    write(database, camera.id, [heat(local(SAO_PAULO, 2024, 3, 11, 10, 1), GRID, width=320, height=240)])  # next day
    with database.session() as session:
        picture = heatmap_png(session, store.id, camera.id, DAY, DAY)
        background = np.zeros((300, 400, 3), dtype=np.uint8)
        background[:, :] = (90, 40, 10)
        ok, encoded = cv2.imencode(".jpg", background)
        assert ok
        over_frame = heatmap_png(session, store.id, camera.id, DAY, date(2024, 3, 11), background=encoded.tobytes())

    image = decode(picture.png)
    assert image.shape == (240, 320, 3) == (picture.height, picture.width, 3)
    assert (picture.person_seconds, picture.hours) == (110.0, 1)
    hot = image[60, 260].astype(int)  # centre of cell (row 1, column 6)
    blue, _green, red = hot
    assert red - blue > 60  # the hottest colour of the map is red, blended over grey
    assert image[5, 5].tolist() == [NEUTRAL_BACKGROUND] * 3  # nobody stood near the top-left corner
    assert np.abs(image[180, 60].astype(int) - NEUTRAL_BACKGROUND).max() > 30  # the warm cell shows too

    framed = decode(over_frame.png)
    assert framed.shape == (300, 400, 3)
    assert (over_frame.person_seconds, over_frame.hours) == (220.0, 2)
    assert np.abs(framed[5, 5].astype(int) - [90, 40, 10]).max() <= 3  # the frame itself (JPEG-exact within 3)


def test_without_data_the_picture_is_the_neutral_background(database: Database) -> None:
    store, (camera,) = make_store(database)
    with database.session() as session:
        picture = heatmap_png(session, store.id, camera.id, DAY, DAY)
    image = decode(picture.png)
    assert image.shape == (480, 640, 3)
    assert (image == NEUTRAL_BACKGROUND).all()
    assert picture.person_seconds == 0.0


def test_a_large_frame_is_drawn_at_most_1280_wide(database: Database) -> None:
    store, (camera,) = make_store(database)
    write(database, camera.id, [heat(local(SAO_PAULO, 2024, 3, 10, 9), GRID, width=3840, height=2160)])
    with database.session() as session:
        picture = heatmap_png(session, store.id, camera.id, DAY, DAY)
    assert (picture.width, picture.height) == (1280, 720)


def _grid(cells: np.ndarray, hours: int = 1) -> HeatmapGrid:
    rows, columns = cells.shape
    return HeatmapGrid(1, columns, rows, cells, 640, 480, hours, datetime(2024, 3, 10, tzinfo=UTC))


@pytest.mark.parametrize("other_shape", [(3, 4), (12, 16), (1, 1)])
def test_grids_of_other_sizes_are_resampled_keeping_their_person_seconds(other_shape: tuple[int, int]) -> None:
    newest = _grid(np.arange(48, dtype=np.float64).reshape(6, 8))
    older = _grid(np.full(other_shape, 2.0), hours=3)
    combined = combine_grids([newest, older])
    assert combined is not None
    assert combined.cells.shape == (6, 8)
    assert combined.cells.sum() == pytest.approx(newest.cells.sum() + older.cells.sum())
    assert combined.hours == 4
    assert combine_grids([]) is None


def test_a_heatmap_over_a_camera_frame_is_a_small_png_that_looks_the_same(database: Database) -> None:
    """Issue 10, item 14: over the sample's frame the 24-bit PNG took 575 KB or more; the palette PNG is a quarter."""
    frame = sample_frame(300)
    store, (camera,) = make_store(database)
    write(database, camera.id, [heat(local(SAO_PAULO, 2024, 3, 10, 10, 1), GRID, width=768, height=576)])
    with database.session() as session:
        picture = heatmap_png(session, store.id, camera.id, DAY, DAY, background=frame)
    full_colour = render(np.asarray(GRID, dtype=np.float64), frame)
    ok, full_png = cv2.imencode(".png", full_colour)
    assert ok and len(full_png) > 500_000
    assert len(picture.png) < len(full_png) / 3
    difference = np.abs(decode(picture.png).astype(int) - full_colour.astype(int))
    # In grey levels of 255: the picture is the same to the eye (measured on this frame: mean 4.8, 99th
    # percentile 29, where a smooth stretch of the map falls between two palette colours).
    assert difference.mean() < 6.0
    assert np.percentile(difference, 99) <= 40
