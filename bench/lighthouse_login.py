"""Signs in to a fresh ShopFlow server for Lighthouse: creates the first administrator in Debian's Chromium and
prints the session cookie as a Cookie header (Lighthouse then opens the overview as that user)."""

from __future__ import annotations

import json
import sys

from playwright.sync_api import sync_playwright

ARGS = ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run"]


def main(base: str) -> None:
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path="/usr/bin/chromium", args=ARGS)
        page = browser.new_page()
        page.goto(base + "/")
        page.wait_for_url("**/setup")
        page.get_by_label("E-mail").fill("bench@shopflow.local")
        page.get_by_label("Senha", exact=True).fill("lighthouse-bench")
        page.get_by_label("Repita a senha").fill("lighthouse-bench")
        page.get_by_role("button", name="Criar administrador").click()
        page.wait_for_url(base + "/")
        page.get_by_text("Pessoas na loja agora").wait_for()
        cookies = "; ".join(f"{c['name']}={c['value']}" for c in page.context.cookies())
        browser.close()
    print(json.dumps({"Cookie": cookies}))


if __name__ == "__main__":
    main(sys.argv[1])
