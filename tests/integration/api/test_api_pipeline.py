"""The server with its camera pipeline on a real clip: status, snapshot, MJPEG stream, live counts, events, and
cameras added, changed and deleted while it runs."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import cv2
import numpy as np
import pytest
from fastapi.testclient import TestClient

from shopflow.config.settings import Settings
from shopflow.server.app import create_app
from shopflow.storage.db import Database
from shopflow.storage.records import LineConfig, ZoneConfig
from shopflow.storage.repositories import CameraRepository, StoreRepository

from .conftest import make_settings, owner_token, put_in_media, runtime_of, wait_for

pytestmark = pytest.mark.video

ENTRANCE = LineConfig("entrada", (0.40, 0.98), (0.40, 0.28))
PLAZA = ZoneConfig("praça", ((0.45, 0.35), (0.95, 0.35), (0.95, 0.80), (0.45, 0.80)))
GEOMETRY = {
    "lines": [{"name": "entrada", "a": [0.40, 0.98], "b": [0.40, 0.28]}],
    "zones": [{"name": "praça", "polygon": [[0.45, 0.35], [0.95, 0.35], [0.95, 0.80], [0.45, 0.80]]}],
}


def decode_jpeg(data: bytes) -> np.ndarray[Any, Any]:
    image = cv2.imdecode(np.frombuffer(data, dtype=np.uint8), cv2.IMREAD_COLOR)
    assert image is not None, "not a JPEG"
    return np.asarray(image)


def mjpeg_frames(client: TestClient, path: str, count: int) -> list[bytes]:
    """The first `count` JPEGs of a multipart/x-mixed-replace stream; the client then hangs up."""
    with client.stream("GET", path) as response:
        assert response.status_code == 200
        assert response.headers["content-type"] == "multipart/x-mixed-replace; boundary=frame"
        buffer = b""
        for chunk in response.iter_bytes():
            buffer += chunk
            parts = buffer.split(b"--frame\r\n")[1:]
            complete = [p for p in parts if p.endswith(b"\r\n") and b"\r\n\r\n" in p]
            if len(complete) >= count:
                break
    frames = []
    for part in complete[:count]:
        headers, _, body = part.partition(b"\r\n\r\n")
        assert b"Content-Type: image/jpeg" in headers
        length = int(headers.split(b"Content-Length: ")[1].split(b"\r\n")[0])
        frames.append(body[:length])
    return frames


@pytest.fixture
def running(db_url: str, tmp_path: Path, clip: Path) -> tuple[Settings, int]:
    """A store whose camera plays the clip like a live camera (looping, at its own pace)."""
    database = Database.from_url(db_url)
    try:
        with database.session() as session:
            store = StoreRepository(session).create_with_organisation("Acme", "Loja Centro")
            camera = CameraRepository(session).create(
                store.id,
                "Entrada",
                str(clip),
                imgsz=320,
                lines=[ENTRANCE],
                zones=[PLAZA],
                loop_video=True,
                realtime_pace=True,
            )
    finally:
        database.dispose()
    return make_settings(db_url, tmp_path / "server"), camera.id


def test_server_runs_cameras_and_shows_them_live(running: tuple[Settings, int], clip: Path) -> None:
    settings, camera_id = running
    with TestClient(create_app(settings)) as client:
        client.headers["Authorization"] = f"Bearer {owner_token(client)}"

        def status(camera: int) -> dict[str, Any]:
            body: dict[str, Any] = client.get(f"/api/cameras/{camera}").json()
            return body

        def in_state(camera: int, state: str) -> dict[str, Any] | None:
            body = status(camera)
            return body if body["status"]["state"] == state else None

        # An existing camera means no demo is seeded.
        assert not any(c["is_demo"] for c in client.get("/api/cameras").json())
        online = wait_for(lambda: in_state(camera_id, "online"), 20, "the camera to come online")
        assert online["status"]["running"] is True
        assert online["status"]["last_frame_at"] is not None

        snapshot = client.get(f"/api/cameras/{camera_id}/snapshot.jpg")
        assert (snapshot.status_code, snapshot.headers["content-type"]) == (200, "image/jpeg")
        assert decode_jpeg(snapshot.content).shape == (576, 768, 3)

        frames = mjpeg_frames(client, f"/api/cameras/{camera_id}/stream.mjpg", 3)
        assert [decode_jpeg(frame).shape for frame in frames] == [(576, 768, 3)] * 3
        assert len(set(frames)) == 3  # three different moments, not one picture repeated
        hub = runtime_of(client).hub
        wait_for(lambda: hub.watchers(camera_id) == 0, 5, "the stream to end when its client left")

        live = client.get(f"/api/cameras/{camera_id}/live").json()
        assert set(live["zones"]) == {"praça"}
        assert set(live["lines"]["entrada"]) == {"in", "out"}
        assert live["people"] == live["customers"] + live["employees"]

        with client.websocket_connect(f"/api/realtime?store_id={online['store_id']}") as ws:
            counts = ws.receive_json()
        (entry,) = counts["cameras"]
        assert (entry["camera_id"], entry["live"], set(entry["zones"])) == (camera_id, True, {"praça"})

        health = client.get("/api/health").json()
        assert (health["detector_loaded"], health["cameras"]) == (True, {"online": 1, "total": 1})

        # A camera added through the API starts without a restart; played once, at full speed, it finishes.
        video = put_in_media(settings, clip)
        body = {"store_id": online["store_id"], "name": "Corredor", "source_url": str(video), **GEOMETRY}
        added = client.post("/api/cameras", json={**body, "realtime_pace": False, "imgsz": 320}).json()
        finished = wait_for(lambda: in_state(added["id"], "finished"), 60, "the added camera to finish its video")
        assert finished["status"]["reason"] == "the video file has been analysed to its end"
        assert finished["status"]["running"] is False
        crossings = client.get("/api/events", params={"camera_id": added["id"], "kind": "crossing"}).json()["items"]
        visits = client.get("/api/events", params={"camera_id": added["id"], "kind": "visit"}).json()["items"]
        assert crossings and visits  # people cross the entrance and stay in the plaza in these 15 s
        assert {c["line"] for c in crossings} == {"entrada"}
        assert all(v["zone"] == "praça" and v["dwell_seconds"] > 0 for v in visits)

        # A finished camera has no live picture; a disabled one stops.
        response = client.get(f"/api/cameras/{added['id']}/snapshot.jpg")
        assert response.status_code == 409
        assert "not running" in response.json()["detail"]
        client.patch(f"/api/cameras/{camera_id}", json={"enabled": False})
        wait_for(lambda: not runtime_of(client).is_running(camera_id), 15, "the disabled camera to stop")
        assert status(camera_id)["status"]["state"] == "disabled"
        assert client.delete(f"/api/cameras/{added['id']}").status_code == 204
        assert client.get(f"/api/cameras/{added['id']}").status_code == 404
