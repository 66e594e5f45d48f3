"""/api/cameras: CRUD with redacted URLs, geometry and source validation, connection tests, unknown ids."""

from __future__ import annotations

import base64
from collections.abc import Callable
from pathlib import Path
from typing import Any

import cv2
import numpy as np
import pytest
from fastapi.testclient import TestClient

from shopflow.server.app import create_app
from shopflow.services.demo import DEMO_CAMERA, sample_video
from shopflow.storage.repositories import CameraRepository

from .conftest import make_settings, owner_token, runtime_of

DOOR = {"name": "porta", "a": [0.1, 0.5], "b": [0.9, 0.5], "inside": "negative"}
SHELF = {"name": "gôndola", "polygon": [[0.1, 0.1], [0.4, 0.1], [0.4, 0.4]]}
SECRET_URL = "rtsp://admin:s3cr3t-pass@10.1.2.3:554/stream1?token=abc123"


@pytest.fixture
def store(new_store: Callable[..., dict[str, Any]]) -> dict[str, Any]:
    return new_store()


def camera_body(store: dict[str, Any], **fields: Any) -> dict[str, Any]:
    return {"store_id": store["id"], "name": "Entrada", "source_url": SECRET_URL, **fields}


def test_demo_camera_is_seeded_and_labelled(client: TestClient) -> None:
    (demo,) = client.get("/api/cameras").json()
    assert (demo["name"], demo["is_demo"], demo["loop_video"], demo["realtime_pace"]) == (DEMO_CAMERA, True, True, True)
    assert Path(demo["source_url"]) == sample_video()
    assert demo["lines"] == [{"name": "entrada", "a": [0.4, 0.98], "b": [0.4, 0.28], "inside": "positive"}]
    assert demo["zones"] == [{"name": "praça", "polygon": [[0.45, 0.35], [0.95, 0.35], [0.95, 0.8], [0.45, 0.8]]}]
    assert demo["status"]["running"] is False  # start_pipeline=False


def test_camera_crud_never_shows_the_password(client: TestClient, store: dict[str, Any]) -> None:
    response = client.post("/api/cameras", json=camera_body(store, lines=[DOOR], zones=[SHELF], sample_fps=2.5))
    assert response.status_code == 201, response.text
    camera = response.json()
    assert "s3cr3t" not in response.text and "abc123" not in response.text
    assert camera["source_url"] == "rtsp://***@10.1.2.3:554/stream1?token=***"
    assert (camera["sample_fps"], camera["imgsz"], camera["enabled"], camera["is_demo"]) == (2.5, 320, True, False)
    assert (camera["lines"], camera["zones"]) == ([DOOR], [SHELF])
    assert camera["status"]["state"] == "offline"

    # The full URL is kept for the pipeline.
    with runtime_of(client).database.session() as session:
        assert CameraRepository(session).get_source(camera["id"]).source_url == SECRET_URL

    listed = client.get("/api/cameras", params={"store_id": store["id"]}).json()
    assert [c["id"] for c in listed] == [camera["id"]]
    assert client.get(f"/api/cameras/{camera['id']}").json() == camera

    patch = {"name": "Porta 2", "enabled": False, "imgsz": 640, "zones": [], "loop_video": True}
    updated = client.patch(f"/api/cameras/{camera['id']}", json=patch).json()
    assert (updated["name"], updated["enabled"], updated["imgsz"], updated["zones"], updated["lines"]) == (
        "Porta 2",
        False,
        640,
        [],
        [DOOR],
    )
    assert (updated["loop_video"], updated["status"]["state"]) == (True, "disabled")

    assert client.delete(f"/api/cameras/{camera['id']}").status_code == 204
    assert client.get(f"/api/cameras/{camera['id']}").status_code == 404
    assert client.get("/api/cameras", params={"store_id": store["id"]}).json() == []


BAD_CAMERAS = [
    ("line with equal points", {"lines": [{"name": "l", "a": [0.5, 0.5], "b": [0.5, 0.5]}]}, "lines", "two points"),
    ("line outside the frame", {"lines": [{"name": "l", "a": [0.1, 0.5], "b": [1.2, 0.5]}]}, "lines", "outside 0..1"),
    ("line with a negative point", {"lines": [{"name": "l", "a": [-0.1, 0.5], "b": [1, 0.5]}]}, "lines", "0..1"),
    ("line with three numbers", {"lines": [{"name": "l", "a": [0.1, 0.5, 0.2], "b": [1, 0.5]}]}, "lines[0].a", ""),
    ("bad inside side", {"lines": [{**DOOR, "inside": "left"}]}, "lines[0].inside", "positive"),
    (
        "self-intersecting zone",
        {"zones": [{"name": "z", "polygon": [[0.1, 0.1], [0.9, 0.9], [0.9, 0.1], [0.1, 0.9]]}]},
        "zones",
        "self-intersecting",
    ),
    ("zone outside the frame", {"zones": [{"name": "z", "polygon": [[0, 0], [1.5, 0], [1, 1]]}]}, "zones", "0..1"),
    ("flat zone", {"zones": [{"name": "z", "polygon": [[0, 0], [0.5, 0.5], [1, 1]]}]}, "zones", "no area"),
    ("zone of two points", {"zones": [{"name": "z", "polygon": [[0, 0], [1, 1]]}]}, "zones", "at least 3"),
    ("two lines with one name", {"lines": [DOOR, {**DOOR, "a": [0.2, 0.2]}]}, "lines", "called 'porta'"),
    ("unsupported scheme", {"source_url": "ftp://cam.local/video"}, "source_url", "unsupported source"),
    ("camera URL without host", {"source_url": "rtsp://admin:pw@"}, "source_url", "no valid host"),
    ("address without scheme", {"source_url": "admin:pw@10.0.0.5/stream"}, "source_url", "rtsp://"),
    ("video file outside the media folder", {"source_url": "/nonexistent/clip.mp4"}, "source_url", "media folder"),
    ("camera on the server itself", {"source_url": "rtsp://admin:pw@127.0.0.1/live"}, "source_url", "LOOPBACK"),
    ("too many zone corners", {"zones": [{"name": "z", "polygon": [[0.1, 0.1]] * 65}]}, "zones[0].polygon", "64"),
    ("too many zones", {"zones": [{**SHELF, "name": f"z{i}"} for i in range(33)]}, "zones", "32"),
    ("too many lines", {"lines": [{**DOOR, "name": f"l{i}"} for i in range(33)]}, "lines", "32"),
    ("empty source", {"source_url": "  "}, "source_url", "no video source"),
    ("sample_fps too low", {"sample_fps": 0.1}, "sample_fps", "0.5"),
    ("sample_fps too high", {"sample_fps": 60}, "sample_fps", "30"),
    ("imgsz not a multiple of 32", {"imgsz": 500}, "imgsz", "multiple of 32"),
    ("imgsz too large", {"imgsz": 4096}, "imgsz", "1280"),
    ("blank name", {"name": " "}, "name", "blank"),
    ("rotation not a quarter turn", {"rotation": 45}, "rotation", "0, 90, 180 or 270"),
    ("rotation in words", {"rotation": "upside down"}, "rotation", "0, 90, 180 or 270"),
]


@pytest.mark.parametrize(("case", "fields", "field", "message"), BAD_CAMERAS, ids=[c[0] for c in BAD_CAMERAS])
def test_bad_camera_is_422_naming_the_field(
    client: TestClient, store: dict[str, Any], case: str, fields: dict[str, Any], field: str, message: str
) -> None:
    (demo,) = client.get("/api/cameras").json()
    for response in (
        client.post("/api/cameras", json=camera_body(store, **fields)),
        client.patch(f"/api/cameras/{demo['id']}", json=fields),
    ):
        assert response.status_code == 422, response.text
        errors = response.json()["errors"]
        assert any(e["field"] == field and message in e["message"] for e in errors), errors
        assert "pw@" not in response.text  # a rejected URL is not echoed with its password
    assert client.get("/api/cameras", params={"store_id": store["id"]}).json() == []


def test_a_camera_mounted_upside_down_is_turned_and_its_lines_turn_with_it(
    client: TestClient, store: dict[str, Any]
) -> None:
    created = client.post("/api/cameras", json=camera_body(store, lines=[DOOR], zones=[SHELF], rotation=180))
    assert created.status_code == 201, created.text
    camera = created.json()
    assert (camera["rotation"], camera["lines"], camera["zones"]) == (180, [DOOR], [SHELF])  # drawn on the turned one

    # A quarter turn more, without new lines: the door and the shelf stay on their spot of the floor.
    turned = client.patch(f"/api/cameras/{camera['id']}", json={"rotation": 270}).json()
    assert turned["rotation"] == 270
    assert turned["lines"] == [{**DOOR, "a": [0.5, 0.1], "b": [0.5, 0.9]}]
    assert turned["zones"] == [{**SHELF, "polygon": [[0.9, 0.1], [0.9, 0.4], [0.6, 0.4]]}]

    # New lines with the turn are taken as drawn on the turned picture.
    drawn = {**DOOR, "a": [0.2, 0.7], "b": [0.8, 0.7]}
    upright = client.patch(f"/api/cameras/{camera['id']}", json={"rotation": 0, "lines": [drawn]}).json()
    assert (upright["rotation"], upright["lines"]) == (0, [drawn])
    assert client.get(f"/api/cameras/{camera['id']}").json()["rotation"] == 0


def test_camera_of_unknown_store_is_404(client: TestClient) -> None:
    response = client.post("/api/cameras", json={"store_id": 999, "name": "x", "source_url": SECRET_URL})
    assert (response.status_code, response.json()["detail"]) == (404, "store 999 does not exist")
    assert client.get("/api/cameras", params={"store_id": 999}).status_code == 404


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        ("GET", "/api/cameras/999", None),
        ("PATCH", "/api/cameras/999", {"name": "x"}),
        ("DELETE", "/api/cameras/999", None),
        ("POST", "/api/cameras/999/test-connection", None),
        ("GET", "/api/cameras/999/snapshot.jpg", None),
        ("GET", "/api/cameras/999/stream.mjpg", None),
        ("GET", "/api/cameras/999/live", None),
    ],
)
def test_unknown_camera_is_404(client: TestClient, method: str, path: str, body: dict[str, Any] | None) -> None:
    response = client.request(method, path, json=body)
    assert (response.status_code, response.json()) == (404, {"detail": "camera 999 does not exist"})


def test_testing_a_saved_camera_returns_its_first_frame(client: TestClient) -> None:
    (demo,) = client.get("/api/cameras").json()
    response = client.post(f"/api/cameras/{demo['id']}/test-connection")
    assert response.status_code == 200, response.text
    verdict = response.json()
    assert (verdict["ok"], verdict["width"], verdict["height"]) == (True, 768, 576)
    assert "connected" in verdict["message"]
    assert base64.b64decode(verdict["snapshot_jpeg_base64"])[:3] == b"\xff\xd8\xff"  # a JPEG


def picture_size(verdict: dict[str, Any]) -> tuple[int, int]:
    """(width, height) of the verdict's picture, read from the JPEG itself."""
    data = np.frombuffer(base64.b64decode(verdict["snapshot_jpeg_base64"]), dtype=np.uint8)
    height, width = cv2.imdecode(data, cv2.IMREAD_COLOR).shape[:2]
    return int(width), int(height)


def test_a_test_picture_is_turned_as_the_camera_will_see_it(client: TestClient) -> None:
    (demo,) = client.get("/api/cameras").json()
    assert client.patch(f"/api/cameras/{demo['id']}", json={"rotation": 90}).status_code == 200
    saved = client.post(f"/api/cameras/{demo['id']}/test-connection").json()
    assert (saved["ok"], saved["width"], saved["height"]) == (True, 576, 768)
    assert picture_size(saved) == (480, 640)  # the preview, at most 640 wide before the turn

    before_saving = client.post(
        "/api/cameras/test-connection", json={"source_url": str(sample_video()), "rotation": 270}
    ).json()
    assert (before_saving["width"], before_saving["height"], picture_size(before_saving)) == (576, 768, (480, 640))
    refused = client.post("/api/cameras/test-connection", json={"source_url": str(sample_video()), "rotation": 45})
    assert refused.status_code == 422
    assert any(error["field"] == "rotation" for error in refused.json()["errors"])


def test_an_unreachable_camera_is_a_verdict_not_an_error(db_url: str, tmp_path: Path) -> None:
    # Port 9 (discard) on the loopback: nothing listens, so the connection is refused at once. The loopback is
    # only a camera's address when the operator allows it.
    url = "rtsp://admin:s3cr3t@127.0.0.1:9/stream"
    settings = make_settings(db_url, tmp_path / "server", camera_allow_loopback=True)
    with TestClient(create_app(settings, start_pipeline=False)) as client:
        client.headers["Authorization"] = f"Bearer {owner_token(client)}"
        store = client.post("/api/stores", json={"name": "Loja"}).json()
        camera = client.post("/api/cameras", json=camera_body(store, source_url=url)).json()
        for response in (
            client.post(f"/api/cameras/{camera['id']}/test-connection"),
            client.post("/api/cameras/test-connection", json={"source_url": url}),
        ):
            assert response.status_code == 200, response.text
            verdict = response.json()
            assert verdict["ok"] is False
            assert (
                "cannot connect to camera rtsp://***@127.0.0.1:9/stream: no video from 127.0.0.1:9"
                in verdict["message"]
            )
            assert "s3cr3t" not in response.text
            assert (verdict["width"], verdict["snapshot_jpeg_base64"]) == (None, None)


@pytest.mark.parametrize(
    ("source_url", "status", "expect"),
    [
        (str(sample_video()), 200, "connected"),
        ("/nonexistent/clip.mp4", 200, "put the video in"),
        ("ftp://x/y", 422, "unsupported source"),
    ],
)
def test_testing_a_url_before_saving(client: TestClient, source_url: str, status: int, expect: str) -> None:
    response = client.post("/api/cameras/test-connection", json={"source_url": source_url})
    assert response.status_code == status, response.text
    body = response.json()
    assert expect in (body["message"] if status == 200 else body["detail"])


def test_no_live_picture_without_the_pipeline(client: TestClient) -> None:
    (demo,) = client.get("/api/cameras").json()
    for suffix in ("snapshot.jpg", "stream.mjpg", "live"):
        response = client.get(f"/api/cameras/{demo['id']}/{suffix}")
        assert response.status_code == 409
        assert "without the camera pipeline" in response.json()["detail"]
