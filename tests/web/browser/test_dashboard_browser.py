"""The dashboard in a real browser: Debian's Chromium, driven by Playwright, against `shopflow serve --demo`.

One server and one signed-in browser page for the whole module, used in order like a store owner would: first
run, live figures, a new camera with a line drawn by mouse clicks, its counts, a CSV export, the language.
Screenshots of each page go to test-artifacts/screenshots/. No request may leave the server.
"""

from __future__ import annotations

import csv
import io
import shutil
from datetime import datetime
from pathlib import Path

import pytest
from playwright.sync_api import Page

from shopflow.services.demo import sample_video
from tests.web.browser.harness import (
    EMAIL,
    PASSWORD,
    api,
    live_picture_loaded,
    live_picture_source,
    setup_link,
    shot,
    wait_for,
)

pytestmark = pytest.mark.browser

NEW_LINE = "porta lateral"


def test_first_run_creates_the_administrator_and_signs_in(page: Page, server: str, workdir: Path) -> None:
    page.goto(server + "/")
    page.wait_for_url("**/setup")
    page.get_by_text("abra o link de configuração").wait_for()  # no form without the server's token
    assert page.get_by_role("button", name="Criar administrador").count() == 0
    page.goto(server + setup_link(workdir))
    shot(page, "01-first-run")
    page.get_by_label("E-mail").fill(EMAIL)
    page.get_by_label("Senha", exact=True).fill(PASSWORD)
    page.get_by_label("Repita a senha").fill(PASSWORD)
    page.get_by_role("button", name="Criar administrador").click()
    page.wait_for_url(server + "/")
    page.get_by_text("Pessoas na loja agora").wait_for()
    # Signing out and in again goes through the login page.
    page.get_by_role("button", name="Sair").click()
    page.wait_for_url("**/login")
    shot(page, "02-login")
    page.get_by_label("E-mail").fill(EMAIL)
    page.get_by_label("Senha").fill(PASSWORD)
    page.get_by_role("button", name="Entrar").click()
    page.wait_for_url(server + "/")


def test_a_live_number_changes_while_the_demo_camera_plays(page: Page, server: str) -> None:
    people = page.get_by_test_id("people-now")
    people.wait_for()
    seen: set[str] = set()

    def changed() -> bool:
        seen.add(people.inner_text())
        return len(seen - {"…"}) >= 2

    wait_for(changed, 45, "the number of people in the store to change")
    first = live_picture_source(page, 1)
    wait_for(lambda: live_picture_source(page, 1) != first, 10, "the live picture to move on")
    page.get_by_text("Entrada pela linha “entrada”").or_(page.get_by_text("Saída pela linha “entrada”")).first.wait_for(
        timeout=45_000
    )
    shot(page, "03-overview")


def test_add_a_camera_and_draw_a_line_with_the_mouse(page: Page, server: str, workdir: Path) -> None:
    video = workdir / "data" / "media" / "entrada-lateral.avi"  # the server's DATA_DIR/media
    video.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(sample_video(), video)
    page.goto(server + "/cameras")
    page.get_by_role("button", name="Adicionar câmera").click()
    page.wait_for_url("**/cameras/new")
    page.get_by_label("Nome da câmera").fill("Entrada lateral")
    page.get_by_label("Endereço da câmera (URL)").fill(str(video))
    page.get_by_role("button", name="Testar conexão").click()
    page.get_by_text("Conexão funcionando").wait_for()
    page.get_by_text("Repetir o vídeo quando terminar").click()
    image = page.get_by_test_id("geometry-image").locator("img")
    image.wait_for()
    box = image.bounding_box()
    assert box is not None
    # A vertical line across the path people walk along in the sample, like the demo's door line.
    image.click(position={"x": box["width"] * 0.55, "y": box["height"] * 0.95})
    image.click(position={"x": box["width"] * 0.55, "y": box["height"] * 0.3})
    page.get_by_text("Linha criada").first.wait_for()
    name = page.get_by_label("Nome da linha")
    name.fill(NEW_LINE)
    page.get_by_text("dentro", exact=True).first.wait_for()
    shot(page, "04-camera-editor")
    page.get_by_role("button", name="Salvar").click()
    page.wait_for_url("**/cameras")
    page.get_by_text("Entrada lateral").wait_for()
    cameras = api(server).get("/api/cameras").json()
    added = next(camera for camera in cameras if camera["name"] == "Entrada lateral")
    [line] = added["lines"]
    assert line["name"] == NEW_LINE
    assert line["a"][0] == pytest.approx(0.55, abs=0.01) and line["b"][0] == pytest.approx(0.55, abs=0.01)
    assert line["a"][1] == pytest.approx(0.95, abs=0.01) and line["b"][1] == pytest.approx(0.3, abs=0.01)
    wait_for(
        lambda: api(server).get(f"/api/cameras/{added['id']}").json()["status"]["state"] == "online",
        30,
        "the new camera to go online",
    )
    page.reload()
    page.get_by_text("online").nth(1).wait_for()
    shot(page, "05-cameras")


def test_the_new_cameras_counts_appear(page: Page, server: str) -> None:
    page.goto(server + "/")
    feed = page.get_by_text(f"pela linha “{NEW_LINE}”").first
    feed.wait_for(timeout=90_000)
    cameras = api(server).get("/api/cameras").json()
    added = next(camera for camera in cameras if camera["name"] == "Entrada lateral")
    events = api(server).get("/api/events", params={"camera_id": added["id"], "kind": "crossing"}).json()
    assert {item["line"] for item in events["items"]} == {NEW_LINE}
    for camera_id in (1, added["id"]):
        wait_for(lambda c=camera_id: live_picture_loaded(page, c), 15, "the live pictures")
    shot(page, "06-overview-two-cameras")


def _hourly(server: str, since: str, until: str) -> dict[str, int]:
    store = next(s["id"] for s in api(server).get("/api/stores").json() if s["is_demo"])
    body = api(server).get("/api/analytics/hourly", params={"store_id": store, "since": since, "until": until}).json()
    return {point["start"]: point["entries"] for point in body["points"]}


def _iso(brazilian: str) -> str:
    return datetime.strptime(brazilian, "%d/%m/%Y").date().isoformat()


def test_export_a_csv_whose_rows_match_the_api(page: Page, server: str) -> None:
    page.goto(server + "/analytics")
    csv_link = page.get_by_role("link", name="Baixar CSV")
    csv_link.wait_for()
    shot(page, "07-analytics")
    # The fields show Brazilian dates (25/11/2026); the API and the file names use ISO ones.
    since = _iso(page.get_by_role("textbox", name="De", exact=True).input_value())
    until = _iso(page.get_by_role("textbox", name="Até", exact=True).input_value())
    before = _hourly(server, since, until)
    with page.expect_download() as download_info:
        csv_link.click()
    download = download_info.value
    after = _hourly(server, since, until)
    assert download.suggested_filename.endswith(f"_{since}_{until}.csv")
    text = Path(download.path()).read_bytes().decode("utf-8")
    assert text.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(text.removeprefix("\ufeff")), delimiter=";"))
    header, body = rows[0], rows[1:]
    assert header[:4] == ["Início (ISO 8601)", "Data", "Hora", "Entradas"]
    assert [row[0] for row in body] == list(after)
    for row in body:
        # Events keep coming while the file is made: each hour is between the API's answers around it.
        assert before[row[0]] <= int(row[3]) <= after[row[0]], row
    assert sum(int(row[3]) for row in body) > 0


def test_the_settings_page(page: Page, server: str) -> None:
    page.goto(server + "/settings")
    page.get_by_label("Nome da loja").wait_for()
    shot(page, "08-settings")
    page.get_by_role("tab", name="Sistema").click()
    page.get_by_text("Detector de pessoas carregado").wait_for()
    shot(page, "09-settings-system")


def test_switch_the_language(page: Page, server: str) -> None:
    page.goto(server + "/")
    page.get_by_text("Pessoas na loja agora").wait_for()
    page.get_by_role("button", name="EN").click()
    page.get_by_text("People in the store now").wait_for()
    page.get_by_role("button", name="Overview").wait_for()
    # The page is named English for screen readers, and Quasar's own words (a date picker's months) are English.
    assert page.evaluate("document.documentElement.lang") == "en-US"
    assert page.evaluate("Quasar.lang.props.isoName") == "en-US"
    wait_for(lambda: live_picture_loaded(page, 1), 15, "the live picture")
    shot(page, "10-overview-english")
    page.goto(server + "/analytics")
    page.get_by_role("link", name="Download CSV").wait_for()
    href = page.get_by_role("link", name="Download CSV").get_attribute("href")
    assert href is not None and "lang=en" in href
    page.get_by_role("button", name="PT").click()
    page.get_by_text("Análises").first.wait_for()
    assert page.evaluate("document.documentElement.lang") == "pt-BR"
    assert page.evaluate("Quasar.lang.props.isoName") == "pt-BR"


def test_the_api_docs_work_from_local_assets(page: Page, server: str) -> None:
    response = page.goto(server + "/docs")
    assert response is not None and "frame-ancestors 'none'" in response.headers["content-security-policy"]
    page.get_by_text("/api/stores/{store_id}").first.wait_for()
    shot(page, "12-api-docs")


@pytest.mark.parametrize(("width", "height"), [(768, 1024), (1024, 768)])
def test_the_overview_fits_a_tablet(page: Page, server: str, width: int, height: int) -> None:
    page.set_viewport_size({"width": width, "height": height})
    try:
        page.goto(server + "/")
        page.get_by_test_id("people-now").wait_for()
        wait_for(lambda: live_picture_loaded(page, 1), 15, "the live picture")
        overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 0, f"the page is {overflow} px wider than a {width} px screen"
        shot(page, f"11-overview-tablet-{width}x{height}")
    finally:
        page.set_viewport_size({"width": 1280, "height": 900})
