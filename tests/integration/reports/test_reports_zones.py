"""Dwell statistics per camera and zone over local days, from the visits themselves."""

from __future__ import annotations

from datetime import date, datetime

import pytest

from shopflow.domain.people import PersonKind
from shopflow.reports.zones import dwell_statistics, zone_dwell
from shopflow.storage.db import Database

from .helpers import SAO_PAULO, local, make_store, stay, write

DAY = date(2024, 3, 10)


def at(day: int, hour: int, minute: int = 0, second: int = 0) -> datetime:
    return local(SAO_PAULO, 2024, 3, day, hour, minute, second)


def test_visits_mean_median_and_p90_per_zone(database: Database) -> None:
    store, (camera, other) = make_store(database, cameras=2)
    write(
        database,
        camera.id,
        [
            *[stay("shelf", at(10, 10 + n), seconds) for n, seconds in enumerate([30.0, 10.0, 50.0, 20.0, 40.0])],
            stay("shelf", at(10, 11), 500.0, PersonKind.EMPLOYEE),  # staff are not customers
            stay("shelf", at(9, 23, 59, 50), 20.0),  # began on the 9th (local), ended on the 10th
            stay("till", at(11, 0, 0, 1), 100.0),  # the 11th
            stay("old aisle", at(10, 12), 7.0),  # a zone the camera no longer has
        ],
    )
    write(database, other.id, [stay("till", at(10, 15), 12.0)])
    with database.session() as session:
        report = zone_dwell(session, store.id, DAY, DAY)
        one_camera = zone_dwell(session, store.id, DAY, DAY, camera_id=camera.id)

    rows = {(zone.camera_id, zone.zone): zone for zone in report.zones}
    assert list(rows) == [
        (camera.id, "shelf"),
        (camera.id, "till"),
        (camera.id, "old aisle"),
        (other.id, "shelf"),
        (other.id, "till"),
    ]
    shelf = rows[(camera.id, "shelf")]
    assert (shelf.visits, shelf.total_seconds, shelf.configured, shelf.camera_name) == (5, 150.0, True, "cam 1")
    assert shelf.mean_seconds == pytest.approx(30.0)
    assert shelf.median_seconds == pytest.approx(30.0)
    assert shelf.p90_seconds == pytest.approx(46.0)  # 40 + 0.6 * (50 - 40)
    till = rows[(camera.id, "till")]
    assert (till.visits, till.mean_seconds, till.median_seconds, till.p90_seconds) == (0, None, None, None)
    former = rows[(camera.id, "old aisle")]
    assert (former.visits, former.configured, former.mean_seconds) == (1, False, 7.0)
    assert rows[(other.id, "till")].visits == 1
    assert [(zone.camera_id, zone.zone) for zone in one_camera.zones] == [
        (camera.id, "shelf"),
        (camera.id, "till"),
        (camera.id, "old aisle"),
    ]


@pytest.mark.parametrize(
    ("dwell", "mean", "median", "p90"),
    [
        ([12.0], 12.0, 12.0, 12.0),
        ([10.0, 20.0], 15.0, 15.0, 19.0),
        ([1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0, 9.0, 100.0], 14.5, 5.5, 18.1),
    ],
)
def test_dwell_statistics(dwell: list[float], mean: float, median: float, p90: float) -> None:
    result = dwell_statistics(1, "cam", "zone", True, dwell)
    assert result.visits == len(dwell)
    assert (result.mean_seconds, result.median_seconds, result.p90_seconds) == (
        pytest.approx(mean),
        pytest.approx(median),
        pytest.approx(p90),
    )
