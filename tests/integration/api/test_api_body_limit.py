"""Request bodies over MAX_REQUEST_BYTES are answered 413 before they are read: declared (Content-Length) or
streamed (chunked), through the whole app and over a real socket; face photos keep their larger limit."""

from __future__ import annotations

import json
import select
import socket
import threading
import time
from collections.abc import Iterator
from typing import Any

import pytest
import uvicorn
from fastapi.testclient import TestClient
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from shopflow.api.body_limit import BodySizeLimit

MIB = 1024 * 1024
HUGE = 20 * MIB
TOO_LARGE = {"detail": "the request body is larger than the 1 MiB this server accepts; send a smaller one"}


def huge_json() -> bytes:
    return json.dumps({"name": "x" * HUGE}).encode()


def test_a_20_mb_body_is_413_and_a_normal_one_works(client: TestClient) -> None:
    response = client.post("/api/stores", content=huge_json(), headers={"content-type": "application/json"})
    assert (response.status_code, response.json()) == (413, TOO_LARGE)
    assert client.post("/api/stores", json={"name": "Loja Centro"}).status_code == 201


def test_a_streamed_body_without_length_is_counted(client: TestClient) -> None:
    def chunks() -> Iterator[bytes]:
        body = huge_json()
        for start in range(0, len(body), 64 * 1024):
            yield body[start : start + 64 * 1024]

    response = client.post("/api/stores", content=chunks(), headers={"content-type": "application/json"})
    assert "content-length" not in response.request.headers
    assert (response.status_code, response.json()) == (413, TOO_LARGE)


def test_face_photos_keep_their_own_limit(client: TestClient) -> None:
    def upload(size: int) -> Any:
        files = {"photo": ("face.jpg", b"\xff" * size, "image/jpeg")}
        return client.post("/api/employees/999/faces", params={"actor": "dona"}, files=files)

    # Past the general limit, within a photo's: it reaches the endpoint (which knows no employee 999).
    assert upload(3 * MIB).status_code == 404
    response = upload(9 * MIB)
    assert response.status_code == 413
    assert "8.0625 MiB" in response.json()["detail"]


# --- over a real socket: the body is cut off as it streams, not read to its end ---------------------------------


async def echo_size(request: Request) -> JSONResponse:
    return JSONResponse({"received": len(await request.body())})


@pytest.fixture
def server() -> Iterator[int]:
    app = BodySizeLimit(Starlette(routes=[Route("/echo", echo_size, methods=["POST"])]), max_bytes=MIB)
    listening = socket.socket()
    listening.bind(("127.0.0.1", 0))
    port = int(listening.getsockname()[1])
    running = uvicorn.Server(uvicorn.Config(app, log_level="warning", lifespan="off"))
    thread = threading.Thread(target=running.run, kwargs={"sockets": [listening]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not running.started and time.monotonic() < deadline:
        time.sleep(0.05)
    yield port
    running.should_exit = True
    thread.join(timeout=10)
    listening.close()


def send_chunked(port: int, total: int) -> tuple[bytes, int]:
    """POST `total` bytes in chunks, stopping as soon as the server answers; the answer and the bytes sent."""
    chunk = b"x" * (64 * 1024)
    sent = 0
    with socket.create_connection(("127.0.0.1", port), timeout=10) as connection:
        connection.sendall(b"POST /echo HTTP/1.1\r\nHost: 127.0.0.1\r\nTransfer-Encoding: chunked\r\n\r\n")
        while sent < total:
            readable, _, _ = select.select([connection], [], [], 0)
            if readable:
                break
            connection.sendall(b"%x\r\n%s\r\n" % (len(chunk), chunk))
            sent += len(chunk)
            time.sleep(0.001)
        else:
            connection.sendall(b"0\r\n\r\n")
        answer = b""
        while b"\r\n\r\n" not in answer or not answer.rstrip().endswith(b"}"):
            data = connection.recv(65536)
            if not data:
                break
            answer += data
    return answer, sent


def test_a_streamed_body_is_cut_off_once_over_the_limit(server: int) -> None:
    answer, sent = send_chunked(server, HUGE)
    assert answer.startswith(b"HTTP/1.1 413 "), answer[:200]
    assert answer.endswith(json.dumps(TOO_LARGE).encode())
    assert sent < 4 * MIB, f"the server answered only after {sent} bytes"

    small, _ = send_chunked(server, 256 * 1024)
    assert small.startswith(b"HTTP/1.1 200 ")
    assert small.endswith(b'{"received":262144}')
