"""The connection test's own guarantees, below the source policy: a source FFmpeg never finishes opening is given
up at the deadline without holding up other tests, and HTTP redirects (a way around the policy) are not followed."""

from __future__ import annotations

import http.server
import os
import socketserver
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from shopflow.pipeline.probe import MAX_PARALLEL_PROBES, ProbeResult, probe_source
from shopflow.services.demo import sample_video

from .test_sources import MjpegCamera


def test_sources_that_never_open_are_given_up_without_blocking_other_tests(tmp_path: Path) -> None:
    fifo = tmp_path / "never.mp4"
    os.mkfifo(fifo)  # opening it waits for a writer that never comes
    with ThreadPoolExecutor(max_workers=MAX_PARALLEL_PROBES) as pool:
        started = time.monotonic()
        stuck = [pool.submit(probe_source, str(fifo), timeout_seconds=1.0) for _ in range(MAX_PARALLEL_PROBES - 1)]
        time.sleep(0.5)
        good = probe_source(str(sample_video()), timeout_seconds=1.0)
        assert good.ok, good.message
        assert time.monotonic() - started < 5.0

        # Every place taken: one more test is told so at once instead of waiting for one.
        stuck.append(pool.submit(probe_source, str(fifo), timeout_seconds=1.0))
        time.sleep(0.5)
        busy, busy_seconds = timed(lambda: probe_source(str(sample_video()), timeout_seconds=1.0))
        assert not busy.ok
        assert busy.message == f"{MAX_PARALLEL_PROBES} connection tests are already running; try again in a few seconds"
        assert busy_seconds < 0.5

        assert not any(future.done() for future in stuck)
        verdicts = [future.result(timeout=20) for future in stuck]
    assert {(verdict.ok, verdict.message) for verdict in verdicts} == {
        (False, f"could not read {fifo} within 7 s; check that it is a video file")
    }
    assert time.monotonic() - started < 12.0


def timed(call: Callable[[], ProbeResult]) -> tuple[ProbeResult, float]:
    started = time.monotonic()
    result = call()
    return result, time.monotonic() - started


class _Redirect(socketserver.ThreadingTCPServer):
    allow_reuse_address = True
    daemon_threads = True


@pytest.fixture
def camera() -> Iterator[MjpegCamera]:
    running = MjpegCamera()
    running.start()
    yield running
    running.stop()


@pytest.fixture
def redirect_to(camera: MjpegCamera) -> Iterator[str]:
    """An HTTP address that redirects to the camera (as one could redirect to an address the policy refuses)."""

    class Handler(http.server.BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: object) -> None:
            pass

        def do_GET(self) -> None:
            self.send_response(302)
            self.send_header("Location", camera.url())
            self.end_headers()

    server = _Redirect(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/video"
    server.shutdown()
    server.server_close()
    thread.join(timeout=5.0)


def test_redirects_are_not_followed(camera: MjpegCamera, redirect_to: str) -> None:
    assert probe_source(camera.url(), timeout_seconds=3.0).ok
    redirected = probe_source(redirect_to, timeout_seconds=3.0)
    assert not redirected.ok
    assert redirected.jpeg is None
