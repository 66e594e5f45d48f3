"""Bounded camera geometry, checked before any work and outside every transaction: a 16,000-corner zone is a quick
422 naming the limit, the largest allowed geometry still saves, and a camera service whose database write lock
is held by someone else still refuses bad input at once (it never asked for the lock)."""

from __future__ import annotations

import math
import shutil
import sqlite3
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from shopflow.domain.geometry import MAX_LINES_PER_CAMERA, MAX_ZONE_CORNERS, MAX_ZONES_PER_CAMERA
from shopflow.services.access import Caller
from shopflow.services.cameras import CameraChanges, CameraInputError, CameraService, NewCamera
from shopflow.services.source_policy import SourcePolicy
from shopflow.storage.db import Database
from shopflow.storage.records import LineConfig, ZoneConfig
from shopflow.storage.repositories import CameraRepository, StoreRepository

SOURCE = "rtsp://admin:s3cret@10.1.2.3:554/live"


def circle(corners: int, centre: tuple[float, float] = (0.5, 0.5), radius: float = 0.4) -> list[list[float]]:
    """A convex polygon: valid however many corners it has, so only the limit can refuse it."""
    return [
        [
            round(centre[0] + radius * math.cos(2 * math.pi * i / corners), 6),
            round(centre[1] + radius * math.sin(2 * math.pi * i / corners), 6),
        ]
        for i in range(corners)
    ]


@pytest.fixture
def store_id(new_store: Callable[..., dict[str, Any]]) -> int:
    return int(new_store()["id"])


def test_a_zone_of_16000_corners_is_refused_at_once_naming_the_limit(client: TestClient, store_id: int) -> None:
    zones = [{"name": "huge", "polygon": circle(16_000)}]
    (demo,) = client.get("/api/cameras").json()
    for send in (
        lambda: client.post(
            "/api/cameras", json={"store_id": store_id, "name": "x", "source_url": SOURCE, "zones": zones}
        ),
        lambda: client.patch(f"/api/cameras/{demo['id']}", json={"zones": zones}),
    ):
        started = time.monotonic()
        response = send()
        assert time.monotonic() - started < 1.0  # checking 16,000 corners pairwise took minutes
        assert response.status_code == 422, response.text
        [error] = response.json()["errors"]
        assert error["field"] == "zones[0].polygon"
        assert f"at most {MAX_ZONE_CORNERS} items" in error["message"]
    assert client.get("/api/cameras", params={"store_id": store_id}).json() == []
    assert client.get(f"/api/cameras/{demo['id']}").json()["zones"] == demo["zones"]


def test_the_largest_allowed_geometry_saves(client: TestClient, store_id: int) -> None:
    zones = [
        {"name": f"zone {i}", "polygon": circle(MAX_ZONE_CORNERS, (0.1 + 0.1 * (i % 8), 0.2 + 0.2 * (i // 8)), 0.04)}
        for i in range(MAX_ZONES_PER_CAMERA)
    ]
    lines = [{"name": f"line {i}", "a": [0.01 * i, 0.1], "b": [0.01 * i, 0.9]} for i in range(MAX_LINES_PER_CAMERA)]
    body = {"store_id": store_id, "name": "busy", "source_url": SOURCE, "zones": zones, "lines": lines}
    started = time.monotonic()
    response = client.post("/api/cameras", json=body)
    assert response.status_code == 201, response.text
    assert time.monotonic() - started < 5.0
    saved = client.get(f"/api/cameras/{response.json()['id']}").json()
    assert [zone["polygon"] for zone in saved["zones"]] == [zone["polygon"] for zone in zones]
    assert len(saved["lines"]) == MAX_LINES_PER_CAMERA


def test_a_self_intersecting_zone_at_the_limit_is_still_refused(client: TestClient, store_id: int) -> None:
    bow_tie = circle(MAX_ZONE_CORNERS)
    bow_tie[10], bow_tie[40] = bow_tie[40], bow_tie[10]
    body = {"store_id": store_id, "name": "x", "source_url": SOURCE, "zones": [{"name": "z", "polygon": bow_tie}]}
    response = client.post("/api/cameras", json=body)
    assert response.status_code == 422, response.text
    assert "self-intersecting" in response.json()["detail"]


# --- no check waits for, or holds, the write lock ---------------------------------------------------------------


@pytest.fixture
def locked(sqlite_template: Path, tmp_path: Path) -> Iterator[tuple[CameraService, int, sqlite3.Connection]]:
    """A camera service on SQLite, one store with one camera, and another connection holding the write lock."""
    path = tmp_path / "data" / "shopflow.db"
    path.parent.mkdir()
    shutil.copyfile(sqlite_template, path)
    database = Database.from_url(f"sqlite:///{path}")
    with database.session() as session:
        store = StoreRepository(session).create_with_organisation("Acme", "Loja")
        CameraRepository(session).create(store.id, "cam", SOURCE)
    service = CameraService(
        database,
        caller=Caller.system("test"),
        default_imgsz=320,
        after_change=lambda: None,
        policy=SourcePolicy(tmp_path / "data" / "media"),
    )
    holder = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    holder.execute("BEGIN IMMEDIATE")
    try:
        yield service, store.id, holder
    finally:
        if holder.in_transaction:
            holder.execute("ROLLBACK")
        holder.close()
        database.dispose()


def test_bad_input_is_refused_without_waiting_for_the_write_lock(
    locked: tuple[CameraService, int, sqlite3.Connection],
) -> None:
    service, store_id, holder = locked
    camera_id = service.list(store_id)[0].id
    too_many = [ZoneConfig(f"z{i}", ((0.1, 0.1), (0.2, 0.1), (0.2, 0.2))) for i in range(MAX_ZONES_PER_CAMERA + 1)]
    twice = [LineConfig("door", (0.1, 0.5), (0.9, 0.5))] * 2
    attempts: list[Callable[[], object]] = [
        lambda: service.create(NewCamera(store_id, "x", SOURCE, zones=too_many)),
        lambda: service.create(NewCamera(store_id, "x", SOURCE, lines=twice)),
        lambda: service.create(NewCamera(store_id, "x", "http://169.254.169.254/latest/meta-data/")),
        lambda: service.update(camera_id, CameraChanges(zones=too_many)),
        lambda: service.update(camera_id, CameraChanges(source_url="/etc/passwd")),
    ]
    for attempt in attempts:
        started = time.monotonic()
        with pytest.raises(CameraInputError):
            attempt()
        # The busy timeout is 5 s: an answer this fast never queued for the lock.
        assert time.monotonic() - started < 1.0

    # The lock was really held: a good camera waits for it, and is saved once it is free.
    releaser = threading.Timer(1.0, lambda: holder.execute("ROLLBACK"))
    releaser.start()
    started = time.monotonic()
    saved = service.create(NewCamera(store_id, "good", SOURCE))
    releaser.join()
    assert time.monotonic() - started >= 0.9
    assert saved.name == "good"
