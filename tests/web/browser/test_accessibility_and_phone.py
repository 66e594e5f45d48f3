"""Every dashboard page in a real browser against two quality bars (issue 10, items 12 and 13).

Accessibility: axe-core (installed by `scripts/setup.sh dev`, injected from its local file) finds no serious or
critical violation on any page, in Portuguese: sign-in, first run, overview, cameras and their editor,
Funcionários, Análises and every tab of Configurações, Minha conta included.

Phone: at 390x844 the header is one row, the overview's cards sit two per row, the live picture is on the first
screen, nothing is wider than the screen (tables scroll inside themselves) and every input stays inside its card.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, Page

from tests.web.browser.harness import (
    EMAIL,
    PASSWORD,
    axe_violations,
    live_picture_loaded,
    setup_link,
    shot,
    wait_for,
)

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}
# One row of 40 px buttons with the header's padding; a second row would add another 40.
ONE_ROW_HEADER_PX = 64


def assert_no_axe_violations(page: Page, where: str) -> None:
    found = axe_violations(page)
    assert not found, f"axe-core on {where}:\n" + "\n".join(found)


def sign_in(page: Page, server: str) -> None:
    page.goto(server + "/login")
    page.get_by_label("E-mail").fill(EMAIL)
    page.get_by_label("Senha").fill(PASSWORD)
    page.get_by_role("button", name="Entrar").click()
    page.wait_for_url(server + "/")


def test_the_first_run_page(page: Page, server: str, workdir: Path) -> None:
    page.goto(server + "/")
    page.wait_for_url("**/setup")
    page.get_by_text("abra o link de configuração").wait_for()
    found = [f"without its link: {line}" for line in axe_violations(page)]
    page.goto(server + setup_link(workdir))
    page.get_by_label("Repita a senha").wait_for()
    found += axe_violations(page)
    # The owner is made whatever axe found, so the pages after this one can be checked too.
    page.get_by_label("E-mail").fill(EMAIL)
    page.get_by_label("Senha", exact=True).fill(PASSWORD)
    page.get_by_label("Repita a senha").fill(PASSWORD)
    page.get_by_role("button", name="Criar administrador").click()
    page.wait_for_url(server + "/")
    assert not found, "axe-core on the first-run page:\n" + "\n".join(found)


def test_the_sign_in_page(page: Page, server: str) -> None:
    page.get_by_role("button", name="Sair").click()
    page.wait_for_url("**/login")
    page.get_by_label("E-mail").wait_for()
    found = axe_violations(page)
    page.get_by_label("E-mail").fill(EMAIL)
    page.get_by_label("Senha").fill("not the password")
    page.get_by_role("button", name="Entrar").click()
    page.get_by_text("E-mail ou senha incorretos").wait_for()
    found += [f"with its error: {line}" for line in axe_violations(page)]
    page.get_by_label("Senha").fill(PASSWORD)
    page.get_by_role("button", name="Entrar").click()
    page.wait_for_url(server + "/")
    assert not found, "axe-core on the sign-in page:\n" + "\n".join(found)


def _overview_ready(page: Page) -> None:
    page.get_by_test_id("people-now").wait_for()
    wait_for(lambda: live_picture_loaded(page, 1), 30, "the live picture")
    page.get_by_text("Eventos recentes").wait_for()


def _editor_ready(page: Page) -> None:
    page.get_by_test_id("geometry-image").locator("img").wait_for(timeout=30_000)


def _analytics_ready(page: Page) -> None:
    page.get_by_role("link", name="Baixar CSV").wait_for(timeout=30_000)


def _heading(page: Page) -> None:
    page.get_by_role("heading", level=1).first.wait_for(timeout=30_000)  # the editor tests its camera first


PAGES: list[tuple[str, Callable[[Page], None]]] = [
    ("/", _overview_ready),
    ("/cameras", lambda page: page.get_by_text("online").first.wait_for(timeout=30_000)),
    ("/cameras/new", lambda page: page.get_by_label("Nome da câmera").wait_for()),
    ("/cameras/1", _editor_ready),
    ("/employees", lambda page: page.get_by_role("button", name="Cadastrar funcionário").wait_for()),
    ("/analytics", _analytics_ready),
    ("/employees/attendance", lambda page: page.get_by_role("heading", level=1).first.wait_for()),
]


@pytest.mark.parametrize(("path", "ready"), PAGES, ids=[path for path, _ in PAGES])
def test_a_page_has_no_serious_accessibility_violation(
    page: Page, server: str, path: str, ready: Callable[[Page], None]
) -> None:
    page.goto(server + path)
    _heading(page)
    ready(page)
    assert_no_axe_violations(page, path)


def open_tab(page: Page, name: str) -> None:
    """Show a settings tab and wait for its panel to finish sliding in (measured mid-slide, it sticks out)."""
    page.get_by_role("tab", name=name).click()
    page.get_by_role("tabpanel").first.wait_for()
    page.wait_for_function("!document.querySelector('.q-tab-panels [class*=\"q-transition--\"]')")


SETTINGS_TABS = ["Loja", "Usuários", "Chaves de API", "Privacidade", "Sistema", "Minha conta"]


@pytest.mark.parametrize("tab", SETTINGS_TABS)
def test_a_settings_tab_has_no_serious_accessibility_violation(page: Page, server: str, tab: str) -> None:
    if not page.url.endswith("/settings"):
        page.goto(server + "/settings")
    open_tab(page, tab)
    assert_no_axe_violations(page, f"Configurações › {tab}")


def test_a_dialog_has_no_serious_accessibility_violation(page: Page, server: str) -> None:
    page.goto(server + "/cameras")
    page.get_by_role("button", name="Excluir").first.click()
    page.get_by_role("dialog").wait_for()
    assert_no_axe_violations(page, "the delete-camera dialog")
    page.get_by_role("button", name="Cancelar").click()


# --- the phone ------------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def phone(browser: Browser, server: str) -> Iterator[Page]:
    context = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True, locale="pt-BR")
    opened = context.new_page()
    opened.set_default_timeout(15_000)
    sign_in(opened, server)
    yield opened
    context.close()


# Elements that stick out of the screen, unless an ancestor scrolls or clips them (a table scrolling sideways).
STICKING_OUT_JS = """() => {
  const width = document.documentElement.clientWidth;
  const clipped = (el) => {
    for (let up = el.parentElement; up && up !== document.body; up = up.parentElement) {
      const overflow = getComputedStyle(up).overflowX;
      if (overflow !== 'visible') return true;
    }
    return false;
  };
  const out = [];
  for (const el of document.body.querySelectorAll('*')) {
    const box = el.getBoundingClientRect();
    if (box.width === 0 || box.height === 0) continue;
    // Parked off-screen and fixed (Quasar's loading bar between requests): nothing to scroll to.
    if (getComputedStyle(el).position === 'fixed' && (box.right <= 0 || box.left >= width)) continue;
    if ((box.right > width + 1 || box.left < -1) && !clipped(el)) {
      const name = `${el.tagName.toLowerCase()}.${[...el.classList].slice(0, 3).join('.')}`;
      out.push(`${name} ${Math.round(box.left)}..${Math.round(box.right)}`);
    }
  }
  return out.slice(0, 10);
}"""

# Inputs whose box leaves the card they are in.
FIELDS_OUT_OF_CARDS_JS = """() => {
  const out = [];
  for (const field of document.querySelectorAll('.q-card .q-field')) {
    const card = field.closest('.q-card').getBoundingClientRect();
    const box = field.getBoundingClientRect();
    if (box.width === 0) continue;
    if (box.left < card.left - 1 || box.right > card.right + 1) {
      const name = field.querySelector('.q-field__label')?.textContent || field.className;
      const where = `${Math.round(box.left)}..${Math.round(box.right)}`;
      out.push(`${name}: ${where} in a card ${Math.round(card.left)}..${Math.round(card.right)}`);
    }
  }
  return out;
}"""

TABLES_SCROLL_JS = """() => [...document.querySelectorAll('.q-table__middle')].map((middle) => ({
  box: middle.getBoundingClientRect().right,
  overflow: getComputedStyle(middle).overflowX,
}))"""


def _box(page: Page, selector: str) -> dict[str, float]:
    box = page.locator(selector).first.bounding_box()
    assert box is not None, f"{selector} is not drawn"
    return box


def _fits_the_phone(page: Page, where: str) -> None:
    header = _box(page, ".q-header")
    assert header["height"] <= ONE_ROW_HEADER_PX, f"the header on {where} is {header['height']:.0f} px high"
    out: list[str] = page.evaluate(STICKING_OUT_JS)
    assert out == [], f"on {where}, wider than the {PHONE['width']} px screen: {out}"
    overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert overflow <= 0, f"{where} scrolls sideways by {overflow} px"
    fields: list[str] = page.evaluate(FIELDS_OUT_OF_CARDS_JS)
    assert fields == [], f"on {where}, inputs outside their cards: {fields}"
    tables: list[dict[str, Any]] = page.evaluate(TABLES_SCROLL_JS)
    for table in tables:
        assert table["box"] <= PHONE["width"] + 1, f"a table on {where} is cut at the screen's edge"
        assert table["overflow"] in ("auto", "scroll"), f"a table on {where} does not scroll sideways"


def test_the_overview_on_a_phone(phone: Page, server: str) -> None:
    phone.goto(server + "/")
    _overview_ready(phone)
    _fits_the_phone(phone, "the overview")
    first, second = (_box(phone, f".q-card:has([data-testid={mark}])") for mark in ("people-now", "entries-today"))
    assert abs(first["y"] - second["y"]) < 2 and second["x"] > first["x"], "the first two cards are not side by side"
    live = _box(phone, "[data-testid=live-1]")
    assert live["y"] < PHONE["height"], f"the live picture starts at {live['y']:.0f} px, below the first screen"
    shot(phone, "13-overview-phone")


@pytest.mark.parametrize(
    ("path", "ready"),
    [
        ("/cameras", lambda page: page.get_by_text("online").first.wait_for(timeout=30_000)),
        ("/cameras/1", _editor_ready),
        ("/employees", lambda page: page.get_by_role("button", name="Cadastrar funcionário").wait_for()),
        ("/analytics", _analytics_ready),
        ("/settings", lambda page: page.get_by_label("Nome da loja").wait_for()),
    ],
    ids=["cameras", "camera-editor", "employees", "analytics", "settings"],
)
def test_a_page_fits_a_phone(phone: Page, server: str, path: str, ready: Callable[[Page], None]) -> None:
    phone.goto(server + path)
    _heading(phone)
    ready(phone)
    _fits_the_phone(phone, path)
    shot(phone, f"13-phone-{path.strip('/').replace('/', '-')}")


def test_the_settings_tabs_fit_a_phone(phone: Page, server: str) -> None:
    phone.goto(server + "/settings")
    for tab in SETTINGS_TABS:
        open_tab(phone, tab)
        _fits_the_phone(phone, f"Configurações › {tab}")
