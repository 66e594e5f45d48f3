"""Request ids, JSON logs and Sentry on the real app; Sentry events go to a loopback server started here."""

from __future__ import annotations

import gzip
import io
import json
import logging
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
import sentry_sdk
from fastapi.testclient import TestClient

from shopflow.config.settings import Settings
from shopflow.ops.logs import configure_logging
from shopflow.server.app import create_app

log = logging.getLogger("shopflow.tests.observability")


def make_settings(tmp_path: Path, **fields: object) -> Settings:
    url = f"sqlite:///{tmp_path / 'data' / 'shopflow.db'}"
    return Settings(  # type: ignore[call-arg]
        _env_file=None,
        database_url=url,
        data_dir=tmp_path / "data",
        yolo_imgsz=320,
        allowed_hosts=["testserver"],
        **fields,
    )


def with_test_routes(settings: Settings) -> TestClient:
    app = create_app(settings, start_pipeline=False)

    @app.get("/test/log")
    def logs_something() -> dict[str, str]:
        log.info("counted %d people", 3)
        return {"ok": "yes"}

    @app.get("/test/boom")
    def boom() -> None:
        raise RuntimeError("the test's own failure")

    # Ahead of the dashboard's catch-all pages, which would otherwise answer these paths.
    app.router.routes[:0] = [app.router.routes.pop(), app.router.routes.pop()]
    return TestClient(app, raise_server_exceptions=False)


def test_every_answer_carries_a_request_id(tmp_path: Path) -> None:
    with with_test_routes(make_settings(tmp_path)) as client:
        first = client.get("/api/health").headers["x-request-id"]
        second = client.get("/api/health").headers["x-request-id"]
        assert len(first) == 32 and first != second
        assert client.get("/api/health", headers={"X-Request-ID": "till-7.abc"}).headers["x-request-id"] == "till-7.abc"
        # An id that could forge log lines is replaced, not echoed.
        forged = client.get("/api/health", headers={"X-Request-ID": 'x" level=ERROR'}).headers["x-request-id"]
        assert forged != 'x" level=ERROR' and len(forged) == 32


@pytest.fixture
def restore_logging() -> Iterator[None]:
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    yield
    for handler in list(root.handlers):
        root.removeHandler(handler)
    for handler in handlers:
        root.addHandler(handler)
    root.setLevel(level)


def test_json_logs_carry_the_request_id(
    tmp_path: Path, restore_logging: None, capsys: pytest.CaptureFixture[str]
) -> None:
    assert configure_logging("json") == {"log_config": None}
    with with_test_routes(make_settings(tmp_path)) as client:
        capsys.readouterr()
        response = client.get("/test/log", headers={"X-Request-ID": "req-42"})
        assert response.status_code == 200
    lines = [json.loads(line) for line in capsys.readouterr().err.splitlines() if line.startswith("{")]
    ours = [line for line in lines if line.get("logger") == log.name]
    assert ours == [
        {
            "time": ours[0]["time"],
            "level": "INFO",
            "logger": log.name,
            "message": "counted 3 people",
            "request_id": "req-42",
        }
    ]


class _Collector(BaseHTTPRequestHandler):
    received: list[tuple[str, bytes]] = []  # noqa: RUF012 - shared with the test through the class

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
        if self.headers.get("Content-Encoding") == "gzip":
            body = gzip.GzipFile(fileobj=io.BytesIO(body)).read()
        self.received.append((self.path, body))
        self.send_response(200)
        self.end_headers()
        self.wfile.write(b"{}")

    def log_message(self, *_args: object) -> None:
        return


@pytest.fixture
def sentry_server() -> Iterator[tuple[str, list[tuple[str, bytes]]]]:
    _Collector.received = []
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Collector)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://publickey@127.0.0.1:{server.server_address[1]}/42", _Collector.received
    finally:
        sentry_sdk.get_client().close(timeout=2)
        sentry_sdk.get_global_scope().set_client(None)  # back to no client: nothing else in the session reports
        server.shutdown()
        server.server_close()


def test_an_unexpected_error_reaches_sentry(tmp_path: Path, sentry_server: tuple[str, list[tuple[str, bytes]]]) -> None:
    dsn, received = sentry_server
    with with_test_routes(make_settings(tmp_path, sentry_dsn=dsn)) as client:
        assert sentry_sdk.get_client().is_active()
        response = client.get("/test/boom")
        assert response.status_code == 500
        assert "the test's own failure" not in response.text  # the caller sees no internals
        sentry_sdk.flush(timeout=5)
    envelopes = [body for path, body in received if path == "/api/42/envelope/"]
    assert envelopes, f"no event reached the Sentry server; got {[path for path, _ in received]}"
    events = [json.loads(line) for body in envelopes for line in body.splitlines() if b'"exception"' in line]
    values = [value for event in events for value in event["exception"]["values"]]
    assert any(v["type"] == "RuntimeError" and v["value"] == "the test's own failure" for v in values), values
    assert all(event["release"].startswith("shopflow@") for event in events)


def test_without_a_dsn_nothing_reports(tmp_path: Path) -> None:
    with with_test_routes(make_settings(tmp_path)) as client:
        assert client.get("/test/boom").status_code == 500
        assert not sentry_sdk.get_client().is_active()
