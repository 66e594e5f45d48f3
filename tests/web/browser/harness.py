"""What the browser tests share: Debian's Chromium, waiting for a condition, the first-run link, screenshots."""

from __future__ import annotations

import re
import socket
import sys
import time
from collections.abc import Callable
from functools import cache
from pathlib import Path
from typing import Any

import httpx
from playwright.sync_api import Page

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
SCREENSHOTS = Path(__file__).resolve().parents[3] / "test-artifacts" / "screenshots"
EMAIL, PASSWORD = "dona@loja.com.br", "Caju-Verde-Manga-2026"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def wait_for(check: Callable[[], Any], timeout: float, what: str, every: float = 0.5) -> Any:
    deadline = time.monotonic() + timeout
    while True:
        result = check()
        if result:
            return result
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout:g} s waiting for {what}")
        time.sleep(every)


def live_picture_loaded(page: Page, camera_id: int) -> bool:
    """The overview's live picture of the camera has shown a frame (q-img keeps two <img> layers)."""
    return bool(
        page.get_by_test_id(f"live-{camera_id}").evaluate(
            "el => [...el.querySelectorAll('img')].some(img => img.complete && img.naturalWidth > 0)"
        )
    )


def live_picture_source(page: Page, camera_id: int) -> str:
    return str(
        page.get_by_test_id(f"live-{camera_id}").evaluate(
            "el => [...el.querySelectorAll('img')].map(img => img.getAttribute('src')).join(' ')"
        )
    )


def shot(page: Page, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.evaluate("window.scrollTo(0, 0)")  # else the fixed header is drawn where the page was scrolled to
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)


def setup_link(workdir: Path) -> str:
    """The one-time set-up link the server printed in its log (nobody else can claim a new install)."""
    found = re.search(r"/setup\?token=[\w-]+", (workdir / "server.log").read_text())
    assert found is not None, "the server printed no set-up link"
    return found.group(0)


@cache
def api(server: str) -> httpx.Client:
    """The API as the owner (a bearer token, after the first test made the owner)."""
    answer = httpx.post(f"{server}/api/auth/token", json={"email": EMAIL, "password": PASSWORD})
    assert answer.status_code == 200, answer.text
    return httpx.Client(base_url=server, headers={"Authorization": f"Bearer {answer.json()['access_token']}"})


# axe-core, installed by `scripts/setup.sh dev` into the virtualenv that runs the tests (never fetched here).
AXE_JS = Path(sys.prefix) / "npm" / "node_modules" / "axe-core" / "axe.min.js"
# The impacts the dashboard must have none of (minor and moderate findings are reported, not failed on).
AXE_BLOCKING = ("serious", "critical")


@cache
def _axe_source() -> str:
    assert AXE_JS.is_file(), f"{AXE_JS} is missing: run `bash scripts/setup.sh dev` (it installs axe-core with npm)"
    return AXE_JS.read_text(encoding="utf-8")


def _node_line(node: dict[str, Any]) -> str:
    target = " ".join(str(part) for part in node["target"])
    checks = [check["message"] for kind in ("any", "all", "none") for check in node.get(kind, [])]
    return f"{target}: {checks[0]}" if checks else target


def axe_violations(page: Page, impacts: tuple[str, ...] = AXE_BLOCKING) -> list[str]:
    """axe-core's findings on the page as it is now, of the given impacts: the rule, then one line per element."""
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.add_script_tag(content=_axe_source())
    found: list[dict[str, Any]] = page.evaluate(
        "async () => (await axe.run(document, {resultTypes: ['violations']})).violations"
    )
    return [
        f"{item['impact']} {item['id']} ({item['help']}):\n" + "\n".join(f"    {_node_line(n)}" for n in item["nodes"])
        for item in found
        if item["impact"] in impacts
    ]
