"""Camera sources may not be a way into the server: no files outside its media folder, no loopback, link-local or
cloud metadata addresses (however they are written), and answers that do not tell what exists. Refusals happen
before any connection: a listener on the loopback sees none."""

from __future__ import annotations

import base64
import os
import socket
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import cv2
import numpy as np
import pytest
from fastapi.testclient import TestClient

from shopflow.config.settings import Settings
from shopflow.server.app import create_app
from shopflow.services.demo import sample_video
from shopflow.storage.repositories import CameraRepository

from .conftest import make_settings, owner_token, put_in_media, runtime_of

MEDIA_MESSAGE = "put the video in"


class Listener:
    """A TCP port on the loopback that counts the connections made to it (and answers nothing)."""

    def __init__(self) -> None:
        self._socket = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._socket.bind(("127.0.0.1", 0))
        self._socket.listen(16)
        self._socket.settimeout(0.1)
        self.port = int(self._socket.getsockname()[1])
        self.accepted: list[socket.socket] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._accept, daemon=True)
        self._thread.start()

    def _accept(self) -> None:
        while not self._stop.is_set():
            try:
                connection, _ = self._socket.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            self.accepted.append(connection)

    def close(self) -> None:
        self._stop.set()
        self._thread.join(timeout=5.0)
        for connection in self.accepted:
            connection.close()
        self._socket.close()


@pytest.fixture
def listener() -> Iterator[Listener]:
    opened = Listener()
    yield opened
    opened.close()


@pytest.fixture
def store_id(new_store: Callable[..., dict[str, Any]]) -> int:
    return int(new_store()["id"])


def refused_everywhere(client: TestClient, store_id: int, source: str, message: str) -> None:
    """Creating, changing and testing a camera with `source` are all refused with `message`; nothing is stored."""
    (demo,) = client.get("/api/cameras").json()
    body = {"store_id": store_id, "name": "cam", "source_url": source}
    for response in (
        client.post("/api/cameras", json=body),
        client.patch(f"/api/cameras/{demo['id']}", json={"source_url": source}),
    ):
        assert response.status_code == 422, response.text
        assert response.json()["errors"][0]["field"] == "source_url"
        assert message in response.json()["detail"], response.text
        assert "s3cret" not in response.text
    tested = client.post("/api/cameras/test-connection", json={"source_url": source})
    assert tested.status_code == 200, tested.text
    verdict = tested.json()
    assert (verdict["ok"], verdict["snapshot_jpeg_base64"]) == (False, None)
    assert message in verdict["message"]
    assert client.get("/api/cameras", params={"store_id": store_id}).json() == []
    assert client.get(f"/api/cameras/{demo['id']}").json()["source_url"] == demo["source_url"]


LOOPBACK_FORMS = ["127.0.0.1", "localhost", "127.1", "2130706433", "0x7f.0.0.1", "127.0.0.2", "[::ffff:127.0.0.1]"]


@pytest.mark.parametrize("host", LOOPBACK_FORMS)
@pytest.mark.parametrize("scheme", ["rtsp", "http"])
def test_the_server_itself_is_refused_in_every_spelling_without_a_connection(
    client: TestClient, store_id: int, listener: Listener, host: str, scheme: str
) -> None:
    refused_everywhere(client, store_id, f"{scheme}://admin:s3cret@{host}:{listener.port}/stream", "LOOPBACK")
    assert listener.accepted == []


def test_a_url_read_two_ways_is_refused(client: TestClient, store_id: int, listener: Listener) -> None:
    # The part after the last '@' names a LAN camera, but FFmpeg's host ends at the first '/' or '?'.
    for source in (
        f"rtsp://127.0.0.1:{listener.port}/x@10.0.0.5/live",
        f"http://127.0.0.1:{listener.port}?@10.0.0.5/video",
    ):
        refused_everywhere(client, store_id, source, "write them in the user name and password as %2F")
    assert listener.accepted == []


@pytest.mark.parametrize(
    ("source", "message"),
    [
        ("http://169.254.169.254/latest/meta-data/", "metadata"),
        ("http://metadata.google.internal/computeMetadata/v1/", "metadata"),
        ("http://[fd00:ec2::254]/latest/meta-data/", "metadata"),
        ("rtsp://169.254.10.20/live", "link-local"),
        ("rtsp://[fe80::1]/live", "link-local"),
        ("rtsp://0.0.0.0/live", "not a camera's address"),
        ("rtsp://[::]/live", "not a camera's address"),
        ("rtsp://224.1.2.3/live", "multicast"),
    ],
)
def test_metadata_link_local_and_meaningless_addresses_are_refused(
    client: TestClient, store_id: int, source: str, message: str
) -> None:
    # Checked as strings only: each of them is refused before anything connects anywhere.
    refused_everywhere(client, store_id, source, message)


def test_lan_cameras_are_allowed(client: TestClient, store_id: int) -> None:
    for host in ("192.168.1.20", "10.0.0.5", "172.16.4.2"):
        body = {"store_id": store_id, "name": host, "source_url": f"rtsp://admin:s3cret@{host}:554/live"}
        response = client.post("/api/cameras", json=body)
        assert response.status_code == 201, response.text


def fifo_in(folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "pipe.mp4"
    os.mkfifo(path)
    return path


def test_files_outside_the_media_folder_missing_files_folders_and_fifos_get_one_answer(
    client: TestClient, settings: Settings, store_id: int, tmp_path: Path
) -> None:
    picture = tmp_path / "private.png"
    cv2.imwrite(str(picture), np.full((32, 32, 3), 200, np.uint8))
    settings.media_dir.mkdir(parents=True)
    (settings.media_dir / "folder.mp4").mkdir()
    outside_link = settings.media_dir / "link.avi"
    outside_link.symlink_to(picture)
    sources = [
        "/etc/passwd",
        "/etc/shadow",
        "/etc",
        "/no/such/file.mp4",
        str(picture),  # a local picture used to come back as a JPEG
        "../../../../etc/passwd",
        str(settings.media_dir / ".." / "shopflow.db"),
        "missing.mp4",
        str(settings.media_dir / "folder.mp4"),
        str(fifo_in(settings.media_dir)),  # opening it would wait for a writer forever
        str(outside_link),
    ]
    answers = set()
    for source in sources:
        refused_everywhere(client, store_id, source, MEDIA_MESSAGE)
        answers.add(client.post("/api/cameras/test-connection", json={"source_url": source}).json()["message"])
    assert answers == {
        "the server only plays video files from its media folder: put the video in "
        f"{settings.media_dir.resolve()} and give its name (or its full path in that folder)"
    }


def test_a_video_in_the_media_folder_plays_by_name_or_path(
    client: TestClient, settings: Settings, store_id: int
) -> None:
    video = put_in_media(settings, sample_video())
    for given in (video.name, str(video)):
        tested = client.post("/api/cameras/test-connection", json={"source_url": given})
        assert tested.json()["ok"] is True, tested.text
        assert base64.b64decode(tested.json()["snapshot_jpeg_base64"])[:3] == b"\xff\xd8\xff"
        created = client.post("/api/cameras", json={"store_id": store_id, "name": given, "source_url": given})
        assert created.status_code == 201, created.text
        # Stored as its full path: the camera worker opens it wherever the server was started.
        with runtime_of(client).database.read_session() as session:
            assert CameraRepository(session).get_source(created.json()["id"]).source_url == str(video.resolve())


def test_the_demo_camera_keeps_playing_the_bundled_sample(client: TestClient) -> None:
    (demo,) = client.get("/api/cameras").json()
    assert client.post(f"/api/cameras/{demo['id']}/test-connection").json()["ok"] is True
    changed = client.patch(f"/api/cameras/{demo['id']}", json={"source_url": str(sample_video())})
    assert changed.status_code == 200, changed.text


def test_a_saved_source_is_held_to_the_policy_when_tested(
    client: TestClient, store_id: int, listener: Listener
) -> None:
    # Saved before the policy existed (or written to the database by hand): testing it still reaches nothing.
    with runtime_of(client).database.session() as session:
        cameras = CameraRepository(session)
        sources = ("/etc/passwd", f"rtsp://localhost:{listener.port}/live")
        old = [cameras.create(store_id, f"old {n}", source).id for n, source in enumerate(sources)]
    for camera_id, message in zip(old, (MEDIA_MESSAGE, "LOOPBACK"), strict=True):
        verdict = client.post(f"/api/cameras/{camera_id}/test-connection").json()
        assert verdict["ok"] is False and message in verdict["message"], verdict
    assert listener.accepted == []


@pytest.fixture
def loopback_allowed(db_url: str, tmp_path: Path) -> Iterator[TestClient]:
    settings = make_settings(db_url, tmp_path / "server", camera_allow_loopback=True)
    with TestClient(create_app(settings, start_pipeline=False)) as client:
        client.headers["Authorization"] = f"Bearer {owner_token(client)}"
        yield client


def test_an_operator_may_allow_the_loopback_for_a_local_relay(loopback_allowed: TestClient, listener: Listener) -> None:
    store = loopback_allowed.post("/api/stores", json={"name": "Loja"}).json()
    source = f"rtsp://localhost:{listener.port}/relay"
    created = loopback_allowed.post(
        "/api/cameras", json={"store_id": store["id"], "name": "relay", "source_url": source}
    )
    assert created.status_code == 201, created.text
    # Link-local and metadata addresses stay refused.
    for other in ("rtsp://169.254.10.20/live", "http://169.254.169.254/latest/meta-data/"):
        response = loopback_allowed.post(
            "/api/cameras", json={"store_id": store["id"], "name": "x", "source_url": other}
        )
        assert response.status_code == 422, response.text


def test_unreachable_addresses_get_one_answer_not_a_port_scan(loopback_allowed: TestClient, listener: Listener) -> None:
    closed = socket.socket()
    closed.bind(("127.0.0.1", 0))
    closed_port = closed.getsockname()[1]
    closed.close()
    messages = []
    for port in (listener.port, closed_port):  # one port open (but no camera), one closed
        verdict = loopback_allowed.post(
            "/api/cameras/test-connection", json={"source_url": f"http://127.0.0.1:{port}/video"}
        ).json()
        assert verdict["ok"] is False
        messages.append(verdict["message"].replace(str(port), "PORT"))
    assert messages[0] == messages[1]
    assert "no video from 127.0.0.1:PORT; check the address, the port" in messages[0]
