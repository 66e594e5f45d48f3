"""The browser tests' fixtures: per test module, one `shopflow serve --demo` and one signed-in-ready browser page.

Every page also checks that it asked no other host than the server and that the Content-Security-Policy blocked
nothing.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import httpx
import pytest
from playwright.sync_api import Browser, Page, sync_playwright

from tests.web.browser.harness import CHROMIUM, CHROMIUM_ARGS, free_port, wait_for


@pytest.fixture(scope="module")
def workdir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("dashboard")


@pytest.fixture(scope="module")
def server(workdir: Path) -> Iterator[str]:
    """`shopflow serve --demo` on a free port with its own DATA_DIR (SQLite); its base URL."""
    port = free_port()
    env = {
        **os.environ,
        "DATA_DIR": str(workdir / "data"),
        "YOLO_IMGSZ": "320",
        "DATABASE_URL": "",
        "SESSION_SECRET": "",
    }
    log = (workdir / "server.log").open("w")
    process = subprocess.Popen(
        [sys.executable, "-m", "shopflow.cli", "serve", "--demo", "--host", "127.0.0.1", "--port", str(port)],
        cwd=workdir,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"

    def healthy() -> bool:
        if process.poll() is not None:
            raise AssertionError(f"the server exited: {(workdir / 'server.log').read_text()[-2000:]}")
        try:
            return httpx.get(f"{base}/api/health", timeout=2).status_code == 200
        except httpx.HTTPError:
            return False

    try:
        wait_for(healthy, 60, "the server to answer")
        yield base
    finally:
        process.send_signal(signal.SIGINT)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        log.close()


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    assert Path(CHROMIUM).is_file(), f"{CHROMIUM} is missing: apt-get install chromium (scripts/test.sh does it)"
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield launched
        launched.close()


@pytest.fixture(scope="module")
def outside_requests() -> list[str]:
    return []


@pytest.fixture(scope="module")
def csp_violations() -> list[str]:
    return []


@pytest.fixture(scope="module")
def page(browser: Browser, server: str, outside_requests: list[str], csp_violations: list[str]) -> Iterator[Page]:
    context = browser.new_context(viewport={"width": 1280, "height": 900}, accept_downloads=True, locale="pt-BR")
    server_host = urlsplit(server).netloc

    def check(url: str) -> None:
        parts = urlsplit(url)
        if parts.scheme in ("data", "blob", "about"):
            return
        if parts.netloc != server_host:
            outside_requests.append(url)

    context.on("request", lambda request: check(request.url))
    opened = context.new_page()
    opened.on("websocket", lambda socket_: check(socket_.url))
    # Chromium reports what the Content-Security-Policy blocked (a script, a style, the websocket) on the console.
    opened.on(
        "console",
        lambda message: csp_violations.append(message.text) if "Content Security Policy" in message.text else None,
    )
    opened.set_default_timeout(15_000)
    yield opened
    context.close()


@pytest.fixture(autouse=True)
def only_the_server(outside_requests: list[str], csp_violations: list[str]) -> Iterator[None]:
    yield
    assert outside_requests == [], "the page asked another host than the server"
    assert csp_violations == [], "the Content-Security-Policy blocked part of the page"
