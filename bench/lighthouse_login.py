"""Signs in to a fresh ShopFlow server for Lighthouse: creates the first administrator in Debian's Chromium through
the one-time set-up link (its token is in DATA_DIR/setup_token) and prints the session cookie as a Cookie header
(Lighthouse then opens the overview as that user)."""

from __future__ import annotations

import json
import sys
from pathlib import Path

from playwright.sync_api import sync_playwright

ARGS = ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run"]


PASSWORD = "Farol-Noturno-Caju-2026"


def main(base: str, data_dir: str) -> None:
    token = (Path(data_dir) / "setup_token").read_text(encoding="utf-8").strip()
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path="/usr/bin/chromium", args=ARGS)
        page = browser.new_page()
        page.goto(f"{base}/setup?token={token}")
        page.get_by_label("E-mail").fill("bench@shopflow.local")
        page.get_by_label("Senha", exact=True).fill(PASSWORD)
        page.get_by_label("Repita a senha").fill(PASSWORD)
        page.get_by_role("button", name="Criar administrador").click()
        page.wait_for_url(base + "/")
        page.get_by_text("Pessoas na loja agora").wait_for()
        cookies = "; ".join(f"{c['name']}={c['value']}" for c in page.context.cookies())
        browser.close()
    print(json.dumps({"Cookie": cookies}))


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
