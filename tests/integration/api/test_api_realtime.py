"""WebSocket /api/realtime: counts every second and each stored crossing or visit, in one process (SQLite) and
across processes through PostgreSQL LISTEN/NOTIFY."""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import psycopg
import pytest
from fastapi.testclient import TestClient
from starlette.testclient import WebSocketTestSession
from starlette.websockets import WebSocketDisconnect

from shopflow.domain.events import Direction
from shopflow.server.app import create_app
from shopflow.storage.repositories.notifications import EVENTS_CHANNEL, libpq_url
from tests.integration.storage.factories import T0, crossing, visit

from .conftest import make_settings, owner_token, runtime_of

RTSP = "rtsp://10.0.0.9/stream"
DOOR = {"name": "door", "a": [0.1, 0.5], "b": [0.9, 0.5]}


def receive_until(ws: WebSocketTestSession, wanted: Callable[[dict[str, Any]], bool], timeout: float = 10.0) -> Any:
    """The first message `wanted` accepts. Counts arrive every second, so each receive returns soon."""
    deadline = time.monotonic() + timeout
    seen = []
    while time.monotonic() < deadline:
        message = ws.receive_json()
        if wanted(message):
            return message
        seen.append(message.get("type"))
    pytest.fail(f"no wanted message within {timeout:g} s; got {seen}")


def is_event(message: dict[str, Any]) -> bool:
    return message["type"] == "event"


def store_with_camera(client: TestClient, name: str = "Loja") -> tuple[int, int]:
    store = client.post("/api/stores", json={"name": name}).json()["id"]
    body = {"store_id": store, "name": "porta", "source_url": RTSP, "lines": [DOOR], "zones": []}
    camera = client.post("/api/cameras", json=body).json()["id"]
    return store, camera


def write(client: TestClient, camera_id: int, *events: Any) -> None:
    writer = runtime_of(client).writer
    assert writer is not None
    writer.write(camera_id, list(events))
    assert writer.flush()


def test_counts_then_each_new_event(client: TestClient) -> None:
    store, camera = store_with_camera(client)
    with client.websocket_connect(f"/api/realtime?store_id={store}") as ws:
        counts = ws.receive_json()
        assert counts["type"] == "counts"
        assert counts["store_id"] == store
        (entry,) = counts["cameras"]
        assert (entry["camera_id"], entry["name"], entry["live"], entry["people"]) == (camera, "porta", False, 0)
        assert counts["totals"] == dict.fromkeys(
            ("people", "customers", "employees", "groups", "potential_customers"), 0
        )

        write(client, camera, crossing("c1", T0, Direction.OUT, track_id=4), visit("v1", T0, dwell=12.5))
        first = receive_until(ws, is_event)
        second = receive_until(ws, is_event)
    by_kind = {m["event"]: m for m in (first, second)}
    assert by_kind["crossing"] == {
        "type": "event",
        "event": "crossing",
        "store_id": store,
        "camera_id": camera,
        "line": "door",
        "direction": "out",
        "is_entry": False,
        "person_kind": "customer",
        "track_id": 4,
        "at": "2024-03-10T12:00:00Z",
    }
    assert (by_kind["visit"]["zone"], by_kind["visit"]["dwell_seconds"]) == ("shelf", 12.5)
    assert runtime_of(client).broker.subscribers == 0  # the closed socket unsubscribed


def test_events_of_other_stores_are_not_sent(client: TestClient) -> None:
    store, _ = store_with_camera(client, "Loja A")
    _, other_camera = store_with_camera(client, "Loja B")
    with client.websocket_connect(f"/api/realtime?store_id={store}") as ws:
        ws.receive_json()
        write(client, other_camera, crossing("elsewhere", T0))
        # An event would be delivered at once, before the next round of counts a second later.
        assert ws.receive_json()["type"] == "counts"


@pytest.mark.parametrize(("query", "code", "message"), [("?store_id=999", 4404, "999"), ("", 4422, "store_id")])
def test_unknown_or_missing_store_is_refused(client: TestClient, query: str, code: int, message: str) -> None:
    with client.websocket_connect(f"/api/realtime{query}") as ws:
        error = ws.receive_json()
        assert error["type"] == "error"
        assert message in error["message"]
        with pytest.raises(WebSocketDisconnect) as closed:
            ws.receive_json()
    assert closed.value.code == code


@pytest.mark.postgres
def test_an_event_written_by_one_process_reaches_the_websockets_of_another(
    pg_migrated_url: str, tmp_path: Path
) -> None:
    """Two server instances on one PostgreSQL database: A analyses and writes, B only serves dashboards."""
    settings = make_settings(pg_migrated_url, tmp_path / "server")
    with (
        TestClient(create_app(settings, start_pipeline=False)) as writer_process,
        TestClient(create_app(settings, start_pipeline=False)) as dashboard_process,
    ):
        token = owner_token(writer_process)  # one database, one owner: valid on both processes
        for process in (writer_process, dashboard_process):
            process.headers["Authorization"] = f"Bearer {token}"
        store, camera = store_with_camera(writer_process)
        b_listener = runtime_of(dashboard_process).listener
        assert b_listener is not None and b_listener.listening
        with dashboard_process.websocket_connect(f"/api/realtime?store_id={store}") as ws:
            assert ws.receive_json()["type"] == "counts"

            write(writer_process, camera, crossing("from-a", T0, track_id=11))
            message = receive_until(ws, is_event)
            assert (message["event"], message["camera_id"], message["track_id"]) == ("crossing", camera, 11)

            # Any process that stores events may speak on the channel: a raw NOTIFY is heard the same way.
            raw = {"type": "event", "event": "visit", "store_id": store, "camera_id": camera, "zone": "caixa"}
            with psycopg.connect(libpq_url(pg_migrated_url), autocommit=True) as connection:
                connection.execute("SELECT pg_notify(%s, %s)", (EVENTS_CHANNEL, json.dumps(raw)))
                connection.execute("SELECT pg_notify(%s, %s)", (EVENTS_CHANNEL, "not json"))
            assert receive_until(ws, is_event) == raw
