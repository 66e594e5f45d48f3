"""A real `shopflow serve` process for end-to-end tests, and a small client for its API."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx

from shopflow.config.credentials import hash_password
from shopflow.services.accounts import Accounts
from shopflow.storage.db import Database
from shopflow.storage.records import SessionKind, UserRole
from shopflow.storage.repositories import UserRepository

OWNER_EMAIL, OWNER_PASSWORD = "dona@loja.com.br", "Caju-Verde-Manga-2026"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class Server:
    def __init__(self, data_dir: Path, database_url: str, port: int | None = None) -> None:
        self.data_dir, self.database_url = data_dir, database_url
        self.port = port or free_port()
        self.process: subprocess.Popen[bytes] | None = None
        self.client = httpx.Client(base_url=f"http://127.0.0.1:{self.port}", timeout=30)

    def start(self, timeout: float = 90) -> None:
        env = {
            **os.environ,
            "DATABASE_URL": self.database_url,
            "DATA_DIR": str(self.data_dir),
            "YOLO_IMGSZ": "640",
        }
        log = (self.data_dir / "server.log").open("ab")
        self.process = subprocess.Popen(
            [sys.executable, "-m", "shopflow.cli", "serve", "--host", "127.0.0.1", "--port", str(self.port)],
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise AssertionError(f"server exited with {self.process.returncode}: {self.log_tail()}")
            try:
                if self.client.get("/api/health").status_code == 200:
                    self._sign_in()
                    return
            except httpx.TransportError:
                pass
            time.sleep(0.3)
        raise AssertionError(f"server did not answer within {timeout} s: {self.log_tail()}")

    def _sign_in(self) -> None:
        """Call the API as the organisation's owner (made on first use, straight in the server's database)."""
        if "Authorization" in self.client.headers:
            return  # a restart: the token lives in the database and still works
        database = Database.from_url(self.database_url)
        try:
            accounts = Accounts(database, session_lifetime=timedelta(hours=12))
            organisation = accounts.first_organisation()
            with database.session() as session:
                owner = UserRepository(session).create(
                    OWNER_EMAIL, hash_password(OWNER_PASSWORD), organisation_id=organisation, role=UserRole.OWNER
                )
            token = accounts.start_session(owner, SessionKind.TOKEN).token
        finally:
            database.dispose()
        self.client.headers["Authorization"] = f"Bearer {token}"

    def log_tail(self) -> str:
        path = self.data_dir / "server.log"
        return path.read_text(errors="replace")[-3000:] if path.exists() else ""

    def kill(self) -> None:
        """Pull the plug: no shutdown, nothing flushed."""
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGKILL)
            self.process.wait(timeout=30)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.kill()

    def get(self, path: str, **params: Any) -> Any:
        response = self.client.get(path, params=params)
        assert response.status_code == 200, response.text
        return response.json()

    def send(self, method: str, path: str, body: dict[str, Any]) -> Any:
        response = self.client.request(method, path, json=body)
        assert response.status_code in (200, 201), response.text
        return response.json()

    def all_events(self, camera_id: int, kind: str) -> list[dict[str, Any]]:
        items: list[dict[str, Any]] = []
        cursor = None
        while True:
            params: dict[str, Any] = {"camera_id": camera_id, "kind": kind, "limit": 1000}
            if cursor:
                params["cursor"] = cursor
            page = self.get("/api/events", **params)
            items += page["items"]
            cursor = page.get("next_cursor")
            if not cursor:
                return items

    def wait_for_state(self, camera_id: int, state: str, timeout: float) -> dict[str, Any]:
        deadline = time.monotonic() + timeout
        camera: dict[str, Any] = {}
        while time.monotonic() < deadline:
            camera = self.get(f"/api/cameras/{camera_id}")
            if camera["status"]["state"] == state:
                return camera
            time.sleep(0.5)
        raise AssertionError(f"camera {camera_id} is {camera.get('status')}, not {state}: {self.log_tail()}")


@contextmanager
def running_server(data_dir: Path, database_url: str) -> Iterator[Server]:
    server = Server(data_dir, database_url)
    server.start()
    try:
        yield server
    finally:
        server.stop()
        server.client.close()
