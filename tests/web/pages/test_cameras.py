"""Cameras: adding one with a connection test and a line drawn by clicks, failures in plain words, and the
enable, disable and delete actions."""

from __future__ import annotations

import base64
import shutil
from pathlib import Path

import cv2
import numpy as np
import pytest
from nicegui import ui
from nicegui.testing import User

from shopflow.domain.cameras import CameraStatus
from shopflow.services.demo import sample_video
from shopflow.storage.db import Database
from shopflow.storage.records import InsideSide, StoreRecord, UserRole
from shopflow.storage.repositories import CameraRepository
from tests.integration.reports.helpers import DOOR, make_store

from .conftest import RETRIES, add_store, add_user, grant, sign_in

VIDEO_WIDTH, VIDEO_HEIGHT = 640, 480  # the probe's preview of the 768x576 sample, at most 640 wide


@pytest.fixture
def video(tmp_path: Path) -> Path:
    # In the dashboard's media folder (DATA_DIR/media, DATA_DIR being the database's folder): the only place
    # video files may be played from.
    path = tmp_path / "data" / "media" / "entrance.avi"
    path.parent.mkdir(parents=True)
    shutil.copyfile(sample_video(), path)
    return path.resolve()


def click_image(user: User, x: float, y: float) -> None:
    user.find(marker="geometry-image").trigger("mouse", {"mouse_event_type": "click", "image_x": x, "image_y": y})


async def open_new_camera(user: User, database: Database, name: str, source: str) -> StoreRecord:
    """Signed in as the owner of a new store, on the new camera page with its name and source typed."""
    add_user(database)
    store = add_store(database)
    await sign_in(user)
    await user.open("/cameras/new")
    user.find(marker="camera-name").type(name)
    user.find(marker="camera-source").type(source)
    return store


async def test_add_a_camera_test_it_and_draw_a_line(user: User, database: Database, video: Path) -> None:
    store = await open_new_camera(user, database, "Porta da frente", str(video))
    user.find(marker="test-connection").click()
    await user.should_see(marker="connection-ok", retries=RETRIES)
    await user.should_see("768x576", retries=RETRIES)
    click_image(user, 160, 240)  # a quarter across, halfway down
    click_image(user, 480, 240)
    await user.should_see("Linha criada. Dê um nome a ela e confira o lado de dentro.", retries=RETRIES)
    name = user.find(marker="line-name-0")
    [field] = name.elements
    assert isinstance(field, ui.input)
    field.set_value("porta")
    user.find(marker="line-flip-0").click()
    user.find(marker="draw-mode").elements.pop().set_value("zone")
    for x, y in ((100, 100), (300, 100), (300, 300)):
        click_image(user, x, y)
    user.find(marker="finish-zone").click()
    user.find(marker="save-camera").click()
    await user.should_see("Câmera “Porta da frente” salva. As mudanças já valem para a contagem.", retries=RETRIES)
    with database.session() as session:
        [camera] = CameraRepository(session).list_by_store(store.id)
        source = CameraRepository(session).get_source(camera.id).source_url
    assert (camera.name, source, camera.enabled) == ("Porta da frente", str(video), True)
    [line] = camera.lines
    assert (line.name, line.a, line.b, line.inside) == ("porta", (0.25, 0.5), (0.75, 0.5), InsideSide.NEGATIVE)
    [zone] = camera.zones
    assert zone.name == "zona 1"
    # Points are kept as fractions of the picture, to 4 decimals (a tenth of a pixel on a 4K camera).
    assert zone.polygon == tuple(
        (round(x / VIDEO_WIDTH, 4), round(y / VIDEO_HEIGHT, 4)) for x, y in ((100, 100), (300, 100), (300, 300))
    )


def shown_picture(user: User) -> np.ndarray:
    """The picture the geometry editor shows, decoded from its data URL."""
    [image] = user.find(marker="geometry-image").elements
    assert isinstance(image, ui.interactive_image)
    data = str(image.source).split(",", 1)[1]
    return cv2.imdecode(np.frombuffer(base64.b64decode(data), dtype=np.uint8), cv2.IMREAD_COLOR)


async def test_a_camera_mounted_on_its_side_is_turned_with_its_line(
    user: User, database: Database, video: Path
) -> None:
    store = await open_new_camera(user, database, "Teto", str(video))
    user.find(marker="test-connection").click()
    await user.should_see(marker="connection-ok", retries=RETRIES)
    assert shown_picture(user).shape[:2] == (VIDEO_HEIGHT, VIDEO_WIDTH)
    click_image(user, 160, 240)
    click_image(user, 480, 240)
    await user.should_see("Linha criada. Dê um nome a ela e confira o lado de dentro.", retries=RETRIES)

    [rotation] = user.find(marker="camera-rotation").elements
    assert isinstance(rotation, ui.select)
    rotation.set_value(90)
    # The picture is shown as the camera's worker will see it, a quarter turn clockwise: taller than wide.
    assert shown_picture(user).shape[:2] == (VIDEO_WIDTH, VIDEO_HEIGHT)
    user.find(marker="save-camera").click()
    await user.should_see("Câmera “Teto” salva. As mudanças já valem para a contagem.", retries=RETRIES)
    with database.session() as session:
        [camera] = CameraRepository(session).list_by_store(store.id)
    assert camera.rotation == 90
    # The line drawn across the picture as sent turned with it: it stands upright in the middle now.
    [line] = camera.lines
    assert (line.a, line.b) == ((0.5, 0.25), (0.5, 0.75))

    await user.open(f"/cameras/{camera.id}")
    await user.should_see(marker="connection-ok", retries=RETRIES)
    [rotation] = user.find(marker="camera-rotation").elements
    assert isinstance(rotation, ui.select) and rotation.value == 90
    assert shown_picture(user).shape[:2] == (VIDEO_WIDTH, VIDEO_HEIGHT)


@pytest.mark.parametrize(
    ("source", "message"),
    [
        ("/nao/existe/video.avi", "coloque o vídeo em"),
        ("/etc/passwd", "coloque o vídeo em"),
        ("rtsp://localhost:554/live", "CAMERA_ALLOW_LOOPBACK"),
        ("ftp://camera/stream", "começa com ftp://, que não é de câmera"),
    ],
)
async def test_a_failed_connection_test_and_save_show_the_servers_message(
    user: User, database: Database, source: str, message: str
) -> None:
    store = await open_new_camera(user, database, "Caixa", source)
    user.find(marker="test-connection").click()
    await user.should_see(marker="connection-failed", retries=RETRIES)
    user.find(marker="save-camera").click()
    await user.should_see("Não foi possível salvar.", retries=RETRIES)
    await user.should_see(message, retries=RETRIES)
    with database.session() as session:
        assert CameraRepository(session).list_by_store(store.id) == []


async def test_disable_enable_and_delete_a_camera(user: User, database: Database) -> None:
    add_user(database)
    store, [camera] = make_store(database)
    await sign_in(user)
    await user.open("/cameras")
    await user.should_see("cam 1", retries=RETRIES)
    [switch] = user.find(marker="camera-enabled").elements
    assert isinstance(switch, ui.switch)
    switch.set_value(False)
    await user.should_see("Câmera desativada.", retries=RETRIES)
    with database.session() as session:
        assert CameraRepository(session).get(camera.id).status is CameraStatus.DISABLED
    switch.set_value(True)
    await user.should_see("Câmera ativada.", retries=RETRIES)
    user.find(marker="camera-delete").click()
    await user.should_see("Excluir a câmera “cam 1”?", retries=RETRIES)
    user.find(marker="confirm-delete").click()
    await user.should_see("Câmera “cam 1” excluída.", retries=RETRIES)
    await user.should_see(marker="no-cameras", retries=RETRIES)
    with database.session() as session:
        assert CameraRepository(session).list_by_store(store.id) == []


async def test_a_viewer_sees_cameras_but_cannot_change_them(user: User, database: Database) -> None:
    viewer = add_user(database, role=UserRole.VIEWER)
    store, [camera] = make_store(database)
    grant(database, viewer, store)
    await sign_in(user)
    await user.open("/cameras")
    await user.should_see("cam 1", retries=RETRIES)
    await user.should_not_see(marker="add-camera")
    await user.should_not_see(marker="camera-edit")
    await user.open(f"/cameras/{camera.id}")
    await user.should_see("Você não tem permissão para fazer isto.", retries=RETRIES)
    await user.should_not_see(marker="save-camera")


async def test_a_camera_saved_without_a_line_warns_that_it_counts_nothing(
    user: User, database: Database, video: Path
) -> None:
    """Issue 10, item 10: a camera without a line was saved and listed as if it counted."""
    store = await open_new_camera(user, database, "Corredor", str(video))
    user.find(marker="save-camera").click()
    warning = "Esta câmera não tem linha de contagem: ela não conta entradas nem saídas."
    await user.should_see(warning, retries=RETRIES)  # said when it is saved
    await user.open("/cameras")
    await user.should_see(marker="no-line-warning", retries=RETRIES)  # and where it is listed
    with database.session() as session:
        [camera] = CameraRepository(session).list_by_store(store.id)
        CameraRepository(session).update(camera.id, lines=(DOOR,))
    await user.open("/cameras")
    await user.should_see("Corredor", retries=RETRIES)
    await user.should_not_see(marker="no-line-warning")


async def test_a_disabled_camera_looks_disabled(user: User, database: Database) -> None:
    add_user(database)
    _, [camera] = make_store(database)
    with database.session() as session:
        CameraRepository(session).update(camera.id, enabled=False)
    await sign_in(user)
    await user.open("/cameras")
    await user.should_see("Desativada: não analisa imagens nem conta ninguém.", retries=RETRIES)
    [card] = user.find(marker=f"camera-{camera.id}").elements
    assert "border-dashed" in card.classes and card.props["data-enabled"] == "false"
    [switch] = user.find(marker="camera-enabled").elements
    assert isinstance(switch, ui.switch)
    switch.set_value(True)
    await user.should_see("Câmera ativada.", retries=RETRIES)
    assert "border-dashed" not in card.classes and card.props["data-enabled"] == "true"
    await user.should_not_see("Desativada: não analisa imagens nem conta ninguém.")


async def test_error_toasts_replace_one_another(user: User, database: Database) -> None:
    add_user(database)
    add_store(database)
    await sign_in(user)
    await user.open("/cameras/new")
    user.find(marker="camera-name").type("Caixa")
    user.find(marker="camera-source").type("ftp://camera/stream")
    user.find(marker="save-camera").click()
    await user.should_see("ftp", retries=RETRIES)
    [field] = user.find(marker="camera-source").elements
    assert isinstance(field, ui.input)
    field.set_value("/nao/existe/video.avi")
    user.find(marker="save-camera").click()
    await user.should_see("coloque o vídeo em", retries=RETRIES)
    [toast] = user.find(marker="error-toast").elements  # one toast, not two piled up
    assert isinstance(toast, ui.notification)
    assert "coloque o vídeo em" in toast.message and "ftp" not in toast.message
