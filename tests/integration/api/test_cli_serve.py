"""`shopflow serve` and `shopflow db upgrade` as an operator runs them: real processes, real ports."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from shopflow.storage import migrate

SHOPFLOW = [sys.executable, "-m", "shopflow.cli"]


def run_cli(
    *args: str, cwd: Path, timeout: float = 60, stdin: str = "", **env: str
) -> subprocess.CompletedProcess[str]:
    environment = {**os.environ, "COLUMNS": "200", "DATA_DIR": str(cwd / "data"), **env}
    return subprocess.run(
        [*SHOPFLOW, *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        env=environment,
        cwd=cwd,
        check=False,
        input=stdin,
    )


def one_error_line(result: subprocess.CompletedProcess[str]) -> str:
    assert result.returncode == 2, result.stderr
    assert "Traceback" not in result.stderr + result.stdout
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("error: ")
    return lines[0]


@pytest.fixture
def busy_port() -> Iterator[int]:
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen()
        yield listener.getsockname()[1]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def test_db_upgrade_migrates_and_prints_the_revision(empty_url: str, tmp_path: Path) -> None:
    for _ in range(2):  # and again: nothing to do the second time
        result = run_cli("db", "upgrade", cwd=tmp_path, DATABASE_URL=empty_url)
        assert result.returncode == 0, result.stderr
        assert f"is at revision {migrate.head_revision()}" in result.stdout
    assert migrate.is_up_to_date(empty_url)


@pytest.mark.parametrize(
    ("args", "env", "message"),
    [
        (["db", "upgrade"], {"DATABASE_URL": "postgresql://nobody:pw@127.0.0.1:9/shop"}, "cannot use the database"),
        (["db", "upgrade"], {"DATABASE_URL": "not a url"}, "DATABASE_URL"),
        (["serve"], {"API_PORT": "eighty"}, "setting API_PORT"),
        (["serve"], {"YOLO_CONFIDENCE": "7"}, "setting YOLO_CONFIDENCE"),
        (["serve", "--port", "8123"], {"YOLO_MODEL": "/nowhere/model.onnx"}, "YOLO_MODEL"),
        (["serve", "--host", "not-a-host.invalid", "--port", "8123"], {}, "API_HOST"),
    ],
)
def test_bad_settings_get_one_clear_line(tmp_path: Path, args: list[str], env: dict[str, str], message: str) -> None:
    line = one_error_line(run_cli(*args, cwd=tmp_path, **env))
    assert message in line
    assert ":pw@" not in line


def test_serve_on_a_port_in_use(tmp_path: Path, busy_port: int) -> None:
    line = one_error_line(run_cli("serve", "--host", "127.0.0.1", "--port", str(busy_port), cwd=tmp_path))
    assert f"port {busy_port} on 127.0.0.1 is in use" in line


def test_serve_runs_the_demo_and_stops_cleanly(tmp_path: Path) -> None:
    port = free_port()
    environment = {
        **os.environ,
        "DATA_DIR": str(tmp_path / "data"),
        "DATABASE_URL": f"sqlite:///{tmp_path / 'data' / 'shopflow.db'}",
        "YOLO_IMGSZ": "320",
    }
    # The operator makes the first owner on the server's machine; no set-up link is needed then.
    made = subprocess.run(
        [*SHOPFLOW, "user", "create", "--email", "dona@loja.com.br", "--password-stdin"],
        cwd=tmp_path,
        env=environment,
        input="Caju-Verde-Manga-2026\n",
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert made.returncode == 0 and "created owner dona@loja.com.br" in made.stdout, made.stdout + made.stderr
    server = subprocess.Popen(
        [*SHOPFLOW, "serve", "--host", "127.0.0.1", "--port", str(port)],
        cwd=tmp_path,
        env=environment,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 30
        health = None
        while time.monotonic() < deadline and server.poll() is None:
            try:
                health = httpx.get(f"{base}/api/health", timeout=2).json()
                if health["cameras"]["online"] == 1:
                    break
            except httpx.TransportError:
                pass
            time.sleep(0.3)
        assert health is not None and health["cameras"] == {"online": 1, "total": 1}, health
        assert health["detector_loaded"] is True
        assert httpx.get(f"{base}/api/cameras", timeout=5).status_code == 401
        signed_in = httpx.post(
            f"{base}/api/auth/token", json={"email": "dona@loja.com.br", "password": "Caju-Verde-Manga-2026"}
        )
        api = httpx.Client(base_url=base, headers={"Authorization": f"Bearer {signed_in.json()['access_token']}"})
        (demo,) = api.get("/api/cameras", timeout=5).json()
        assert demo["is_demo"] is True and demo["status"]["running"] is True
        snapshot = api.get(f"/api/cameras/{demo['id']}/snapshot.jpg", timeout=10)
        assert snapshot.content[:3] == b"\xff\xd8\xff"
        assert "server" not in snapshot.headers  # no banner naming the web server for a scanner
        assert snapshot.headers["x-content-type-options"] == "nosniff"
    finally:
        server.send_signal(signal.SIGINT)
        output, _ = server.communicate(timeout=30)
    assert server.returncode == 0, output
    assert "Traceback" not in output
    assert "/setup?token=" not in output  # an owner exists: no set-up link is offered


def test_user_create_refuses_a_weak_password_and_a_first_user_who_is_not_an_owner(tmp_path: Path) -> None:
    environment = {"DATABASE_URL": f"sqlite:///{tmp_path / 'data' / 'x.db'}"}
    create = ("user", "create", "--email", "dona@loja.com.br", "--password-stdin")
    weak = run_cli(*create, cwd=tmp_path, stdin="curta\n", **environment)
    assert "choose a longer password" in one_error_line(weak)
    viewer = run_cli(*create, "--role", "viewer", cwd=tmp_path, stdin="Caju-Verde-Manga-2026\n", **environment)
    assert "must be an owner" in one_error_line(viewer)
    role = run_cli(*create, "--role", "boss", cwd=tmp_path, stdin="Caju-Verde-Manga-2026\n", **environment)
    assert "--role must be owner, manager or viewer" in one_error_line(role)
