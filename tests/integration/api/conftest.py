"""The API under test: a real app on a real database (SQLite and PostgreSQL, via `db_url`), driven over HTTP."""

from __future__ import annotations

import shutil
import time
from collections.abc import Callable, Iterator
from functools import cache
from pathlib import Path
from typing import Any

import cv2
import pytest
from fastapi.testclient import TestClient

from shopflow.config.credentials import hash_password
from shopflow.config.settings import Settings
from shopflow.server.app import create_app
from shopflow.server.runtime import ServerRuntime
from shopflow.services.accounts import accounts_for
from shopflow.services.demo import sample_video
from shopflow.storage.records import SessionKind, UserRole
from shopflow.storage.repositories import UserRepository

CLIP_FRAMES = 150  # 15 s of the sample at its 10 fps


# TestClient's host name: the server only answers to the names in ALLOWED_HOSTS.
TEST_HOSTS = ["testserver", "localhost"]


def make_settings(url: str, data_dir: Path, **fields: Any) -> Settings:
    # No .env: the tests must not depend on the developer's local settings.
    values: dict[str, Any] = {"allowed_hosts": TEST_HOSTS, **fields}
    return Settings(_env_file=None, database_url=url, data_dir=data_dir, yolo_imgsz=320, **values)  # type: ignore[call-arg]


def put_in_media(settings: Settings, video: Path) -> Path:
    """A copy of `video` in the server's media folder, the only folder video-file sources may come from."""
    settings.media_dir.mkdir(parents=True, exist_ok=True)
    target = settings.media_dir / video.name
    shutil.copyfile(video, target)
    return target


@pytest.fixture
def settings(db_url: str, tmp_path: Path) -> Settings:
    return make_settings(db_url, tmp_path / "server")


OWNER_EMAIL = "dona@loja.com.br"
OWNER_PASSWORD = "Caju-Verde-Manga-2026"


@pytest.fixture
def client(settings: Settings) -> Iterator[TestClient]:
    """The API without camera workers (start_pipeline=False); the database is migrated and the demo seeded.

    It calls as the organisation's owner (a bearer token); `anonymous` is the same server with no credentials.
    """
    with TestClient(create_app(settings, start_pipeline=False)) as test_client:
        test_client.headers["Authorization"] = f"Bearer {owner_token(test_client)}"
        yield test_client


@pytest.fixture
def anonymous(client: TestClient) -> TestClient:
    return TestClient(client.app)


def runtime_of(client: TestClient) -> ServerRuntime:
    runtime: ServerRuntime = client.app.state.runtime  # type: ignore[attr-defined]
    return runtime


@cache
def owner_password_hash() -> str:
    # Hashed once per test run: scrypt at its production cost takes a third of a second, and hundreds of tests
    # start a server with an owner. Signing in with the password is tested in test_api_sessions.py.
    return hash_password(OWNER_PASSWORD)


def owner_token(client: TestClient) -> str:
    """The owner of the server's organisation (made on first use), with a fresh bearer token."""
    accounts = accounts_for(runtime_of(client))
    user = accounts.find_user(OWNER_EMAIL)
    if user is None:
        organisation = accounts.first_organisation()
        with runtime_of(client).database.session() as session:
            user = UserRepository(session).create(
                OWNER_EMAIL, owner_password_hash(), organisation_id=organisation, role=UserRole.OWNER
            )
    return accounts.start_session(user, SessionKind.TOKEN).token


@pytest.fixture
def new_store(client: TestClient) -> Callable[..., dict[str, Any]]:
    def make(name: str = "Loja Centro", **fields: Any) -> dict[str, Any]:
        response = client.post("/api/stores", json={"name": name, **fields})
        assert response.status_code == 201, response.text
        body: dict[str, Any] = response.json()
        return body

    return make


@pytest.fixture(scope="session")
def clip(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The first 150 frames of the bundled sample, as a video file of its own."""
    source = cv2.VideoCapture(str(sample_video()))
    fps = source.get(cv2.CAP_PROP_FPS)
    size = (int(source.get(cv2.CAP_PROP_FRAME_WIDTH)), int(source.get(cv2.CAP_PROP_FRAME_HEIGHT)))
    path = tmp_path_factory.mktemp("clip") / "entrance.avi"
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter.fourcc(*"MJPG"), fps, size)
    try:
        for _ in range(CLIP_FRAMES):
            ok, frame = source.read()
            assert ok, "the sample video is shorter than the clip"
            writer.write(frame)
    finally:
        writer.release()
        source.release()
    return path


def wait_for(check: Callable[[], Any], timeout: float, what: str, every: float = 0.2) -> Any:
    """Poll `check` until it returns something truthy; fail with `what` after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        result = check()
        if result:
            return result
        if time.monotonic() > deadline:
            pytest.fail(f"timed out after {timeout:g} s waiting for {what}")
        time.sleep(every)
