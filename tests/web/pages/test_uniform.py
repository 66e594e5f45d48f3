"""The store's uniform on the Funcionários page (issue 13): picked as colours, or taken from a box drawn round a
person on a camera's current picture (its raw frame, from the live hub) or an uploaded photo; shown as two
swatches and removable; what it stores is said on the page; bad input is a message in Portuguese."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import cv2
import numpy as np
import pytest
from nicegui import ui
from nicegui.testing import User

from shopflow.domain.people import Detections
from shopflow.pipeline.engine import CameraEngine
from shopflow.pipeline.live_hub import LiveHub
from shopflow.pipeline.sources import Frame
from shopflow.storage.db import Database
from shopflow.storage.records import StoreRecord
from shopflow.storage.repositories import CameraRepository
from shopflow.storage.repositories.privacy import PrivacyRepository
from shopflow.storage.repositories.staff_registry import StaffRegistry
from shopflow.vision.detector import Image
from shopflow.web.context import runtime

from .conftest import RETRIES, add_store, add_user, sign_in

WIDTH, HEIGHT = 320, 240
PERSON = (100, 40, 160, 220)  # x1, y1, x2, y2 in pixels
BLUE_SHIRT = (20, 40, 200)  # RGB
DARK_TROUSERS = (40, 40, 40)


def person_picture() -> Image:
    """A grey scene with one person: a blue shirt over dark trousers (BGR, as cameras send it)."""
    image = np.full((HEIGHT, WIDTH, 3), 170, dtype=np.uint8)
    x1, y1, x2, y2 = PERSON
    middle = (y1 + y2) // 2
    image[y1:middle, x1:x2] = BLUE_SHIRT[::-1]
    image[middle:y2, x1:x2] = DARK_TROUSERS[::-1]
    return image


def _element(user: User, marker: str) -> Any:
    [element] = user.find(marker=marker).elements
    return element


def _stored_uniform(database: Database, store: StoreRecord) -> dict[str, Any] | None:
    with database.read_session() as session:
        return PrivacyRepository(session).get(store.id).uniform


def _close(colour: list[int], expected: tuple[int, int, int]) -> bool:
    return all(abs(a - b) <= 3 for a, b in zip(colour, expected, strict=True))


def _click(user: User, x: float, y: float) -> None:
    user.find(marker="uniform-image").trigger("mouse", {"mouse_event_type": "click", "image_x": x, "image_y": y})


def _picture_tab(user: User) -> None:
    tabs = _element(user, "uniform-tabs")
    assert isinstance(tabs, ui.tabs)
    tabs.set_value(_element(user, "uniform-tab-picture"))


async def test_an_owner_picks_the_colours_sees_two_swatches_and_removes_the_uniform(
    user: User, database: Database
) -> None:
    add_user(database)
    store = add_store(database)
    await sign_in(user)
    await user.open("/employees")
    await user.should_see("Nenhum uniforme cadastrado: ninguém é reconhecido pela roupa.", retries=RETRIES)
    # What it is and what it keeps, in plain words.
    await user.should_see("O jeito sem biometria de reconhecer funcionários", retries=RETRIES)
    await user.should_see("Guarda só duas cores (parte de cima e parte de baixo) e um nome", retries=RETRIES)
    _element(user, "uniform-name-colours").set_value("camisa azul")
    _element(user, "uniform-upper").set_value("#1d4ed8")
    _element(user, "uniform-use-lower").set_value(True)
    _element(user, "uniform-lower").set_value("#111827")
    user.find(marker="uniform-save-colours").click()
    await user.should_see(
        "Uniforme “camisa azul” salvo. As câmeras passam a usá-lo em até 30 segundos.", retries=RETRIES
    )
    await user.should_see("Parte de cima: RGB 29, 78, 216", retries=RETRIES)
    await user.should_see("Parte de baixo: RGB 17, 24, 39", retries=RETRIES)
    await user.should_see(marker="uniform-upper-swatch", retries=RETRIES)
    uniform = _stored_uniform(database, store)
    assert uniform is not None
    assert (uniform["name"], uniform["upper"], uniform["lower"]) == ("camisa azul", [29, 78, 216], [17, 24, 39])

    # The upper colour alone: any trousers.
    _element(user, "uniform-use-lower").set_value(False)
    user.find(marker="uniform-save-colours").click()
    await user.should_see("Parte de baixo: qualquer cor", retries=RETRIES)
    uniform = _stored_uniform(database, store)
    assert uniform is not None and uniform["lower"] is None

    user.find(marker="uniform-remove").click()
    await user.should_see("Uniforme removido: ninguém mais é reconhecido pela roupa.", retries=RETRIES)
    await user.should_see(marker="uniform-none", retries=RETRIES)
    assert _stored_uniform(database, store) is None
    with database.read_session() as session:
        actions = [entry.action for entry in StaffRegistry(session).audit(store.id)]
    assert actions.count("uniform_set") == 2 and actions.count("uniform_removed") == 1


async def test_a_uniform_without_a_name_or_a_colour_is_refused_in_words(user: User, database: Database) -> None:
    add_user(database)
    store = add_store(database)
    await sign_in(user)
    await user.open("/employees")
    await user.should_see(marker="uniform-none", retries=RETRIES)
    _element(user, "uniform-use-upper").set_value(False)
    user.find(marker="uniform-save-colours").click()
    await user.should_see("Marque a parte de cima, a parte de baixo ou as duas.", retries=RETRIES)
    _element(user, "uniform-use-upper").set_value(True)
    _element(user, "uniform-name-colours").set_value("  ")
    user.find(marker="uniform-save-colours").click()
    await user.should_see("Dê um nome ao uniforme.", retries=RETRIES)
    _element(user, "uniform-name-colours").set_value("azul")
    _element(user, "uniform-upper").set_value("azul")
    user.find(marker="uniform-save-colours").click()
    await user.should_see("“azul” não é uma cor. Escolha a cor no seletor.", retries=RETRIES)
    assert _stored_uniform(database, store) is None


class CameraFeed:
    """A running camera as the server's worker would feed the live hub: the person picture, 20 times a second."""

    def __init__(self, camera_id: int) -> None:
        self.camera_id = camera_id
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._run, daemon=True)

    @property
    def hub(self) -> LiveHub:
        # The hub of the app serving the pages now: each test runs the dashboard's main file anew, so a hub
        # looked up before the page opened may be an earlier test's.
        return runtime().hub

    def _run(self) -> None:
        def nobody(_image: Image) -> Detections:
            return Detections(xyxy=np.zeros((0, 4), dtype=np.float32), confidence=np.zeros(0, dtype=np.float32))

        engine = CameraEngine(WIDTH, HEIGHT, nobody)
        index = 0
        while not self.stop.wait(0.05):
            frame = Frame(person_picture(), index, index * 0.05, datetime.now(UTC))
            self.hub.on_frame(self.camera_id, engine.process(frame), engine)
            index += 1


@pytest.fixture
def running_camera(database: Database) -> Iterator[tuple[StoreRecord, CameraFeed]]:
    store = add_store(database)
    with database.session() as session:
        camera = CameraRepository(session).create(store.id, "Entrada", "rtsp://10.0.0.8/stream")
    feed = CameraFeed(camera.id)
    yield store, feed
    feed.stop.set()
    if feed.thread.is_alive():
        feed.thread.join(timeout=5)


async def test_the_colours_come_from_a_box_drawn_on_a_cameras_current_picture(
    user: User, database: Database, running_camera: tuple[StoreRecord, CameraFeed]
) -> None:
    store, feed = running_camera
    add_user(database)
    await sign_in(user)
    await user.open("/employees")
    await user.should_see(marker="uniform-none", retries=RETRIES)
    _picture_tab(user)
    await user.should_see("nada dela é guardado, só as duas cores", retries=RETRIES)
    feed.thread.start()
    user.find(marker="uniform-take-picture").click()
    await user.should_see(marker="uniform-box-hint", retries=RETRIES)
    image = _element(user, "uniform-image")
    assert isinstance(image, ui.interactive_image) and image.source.startswith("data:image/jpeg;base64,")
    user.find(marker="uniform-use-box").click()  # no box yet
    await user.should_see("Desenhe antes a caixa", retries=RETRIES)
    x1, y1, x2, y2 = PERSON
    _click(user, x2, y2)  # any two opposite corners, in any order
    _click(user, x1, y1)
    _element(user, "uniform-name-picture").set_value("camisa azul")
    user.find(marker="uniform-use-box").click()
    await user.should_see("Uniforme “camisa azul” salvo.", retries=RETRIES)
    uniform = _stored_uniform(database, store)
    assert uniform is not None
    assert _close(uniform["upper"], BLUE_SHIRT) and _close(uniform["lower"], DARK_TROUSERS), uniform
    await user.should_see(marker="uniform-lower-swatch", retries=RETRIES)
    # The hub kept the raw frame only while the page waited for it.
    assert feed.hub._raw == {}


async def test_a_camera_that_sends_no_picture_says_so(
    user: User, database: Database, running_camera: tuple[StoreRecord, CameraFeed], monkeypatch: pytest.MonkeyPatch
) -> None:
    from shopflow.web import uniform

    monkeypatch.setattr(uniform, "PICTURE_WAIT_SECONDS", 0.2)
    add_user(database)
    await sign_in(user)
    await user.open("/employees")
    await user.should_see(marker="uniform-none", retries=RETRIES)
    _picture_tab(user)
    user.find(marker="uniform-take-picture").click()  # the feed is not started: the camera sends nothing
    await user.should_see("A câmera “Entrada” não enviou imagem agora.", retries=RETRIES)
    await user.should_not_see(marker="uniform-box-hint")


async def test_the_colours_come_from_an_uploaded_photo_and_a_box_too_small_is_refused(
    user: User, database: Database
) -> None:
    add_user(database)
    store = add_store(database)
    await sign_in(user)
    await user.open("/employees")
    await user.should_see(marker="uniform-none", retries=RETRIES)
    _picture_tab(user)
    upload = _element(user, "uniform-photo")
    assert isinstance(upload, ui.upload)
    await upload.handle_uploads([ui.upload.SmallFileUpload("lista.jpg", "image/jpeg", b"nome;cor\n")])
    await user.should_see("Não foi possível usar esta foto", retries=RETRIES)
    ok, png = cv2.imencode(".png", person_picture())
    assert ok
    await upload.handle_uploads([ui.upload.SmallFileUpload("ana.png", "image/png", png.tobytes())])
    await user.should_see(marker="uniform-box-hint", retries=RETRIES)
    x1, y1, x2, _y2 = PERSON
    _click(user, x1, y1)
    _click(user, x2, y1 + 20)  # 20 px tall: too few pixels for colours
    user.find(marker="uniform-use-box").click()
    await user.should_see("A caixa é pequena demais para ler as cores", retries=RETRIES)
    assert _stored_uniform(database, store) is None
    _click(user, x1, y1)  # a third click starts a new box
    _click(user, x2, PERSON[3])
    _element(user, "uniform-with-lower").set_value(False)  # a uniform shirt over the staff's own trousers
    user.find(marker="uniform-use-box").click()
    await user.should_see("Uniforme “uniforme” salvo.", retries=RETRIES)
    uniform = _stored_uniform(database, store)
    assert uniform is not None and _close(uniform["upper"], BLUE_SHIRT) and uniform["lower"] is None
