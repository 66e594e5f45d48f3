"""Connection tests run side by side, each within its timeout: a camera address that accepts connections and then
never answers holds up neither the other tests nor the rest of the API."""

from __future__ import annotations

import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from shopflow.server.app import create_app
from shopflow.services.demo import sample_video

from .conftest import make_settings, owner_token
from .test_api_camera_sources import Listener

PROBE_TIMEOUT = 5.0  # the connection test's open timeout
SILENT_PROBES = 3  # below the number of tests that may run at once, so a good one still gets a place


@pytest.fixture
def silent() -> Iterator[Listener]:
    opened = Listener()
    yield opened
    opened.close()


@pytest.fixture
def client(db_url: str, tmp_path: Path) -> Iterator[TestClient]:
    # The silent camera listens on the loopback, which only an operator's setting allows.
    settings = make_settings(db_url, tmp_path / "server", camera_allow_loopback=True)
    with TestClient(create_app(settings, start_pipeline=False)) as test_client:
        test_client.headers["Authorization"] = f"Bearer {owner_token(test_client)}"
        yield test_client


def timed(call: Any) -> tuple[Any, float]:
    started = time.monotonic()
    result = call()
    return result, time.monotonic() - started


def test_silent_cameras_block_neither_other_tests_nor_the_api(client: TestClient, silent: Listener) -> None:
    url = f"rtsp://admin:s3cret@127.0.0.1:{silent.port}/live"
    with ThreadPoolExecutor(max_workers=SILENT_PROBES) as pool:
        started = time.monotonic()
        stuck = [
            pool.submit(timed, lambda: client.post("/api/cameras/test-connection", json={"source_url": url}))
            for _ in range(SILENT_PROBES)
        ]
        deadline = time.monotonic() + 5.0
        while len(silent.accepted) < SILENT_PROBES and time.monotonic() < deadline:
            time.sleep(0.05)
        assert len(silent.accepted) == SILENT_PROBES, "every test reached the silent camera at once"

        health, health_seconds = timed(lambda: client.get("/api/health"))
        assert health.status_code == 200
        assert health_seconds < 1.0

        good, good_seconds = timed(
            lambda: client.post("/api/cameras/test-connection", json={"source_url": str(sample_video())})
        )
        assert good.json()["ok"] is True, good.text
        assert good_seconds < PROBE_TIMEOUT, "a good source does not wait for the silent ones"
        assert not any(future.done() for future in stuck), "the silent tests were still waiting meanwhile"

        for future in stuck:
            response, seconds = future.result(timeout=30)
            assert response.status_code == 200
            verdict = response.json()
            assert verdict["ok"] is False
            assert f"no video from 127.0.0.1:{silent.port}" in verdict["message"]
            assert "s3cret" not in response.text
            assert seconds < 2 * PROBE_TIMEOUT + 2
        # Side by side, not one after the other (that would take SILENT_PROBES timeouts).
        assert time.monotonic() - started < 2 * PROBE_TIMEOUT + 2
