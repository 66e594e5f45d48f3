"""A camera's staff rules on its editor page (issue 13): a staff-only zone drawn on the camera's picture and the
long stay in minutes are saved with the camera and shown in its row; empty minutes turn the rule off; a bad rule
is a message in Portuguese and saves nothing, not even the camera's other changes."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from nicegui import ui
from nicegui.testing import User

from shopflow.services.demo import sample_video
from shopflow.storage.db import Database
from shopflow.storage.records import CameraRecord, StoreRecord, ZoneConfig
from shopflow.storage.repositories import CameraRepository

from .conftest import RETRIES, add_store, add_user, sign_in

PREVIEW_WIDTH, PREVIEW_HEIGHT = 640, 480  # the probe's preview of the 768x576 sample
COUNTER = ZoneConfig("balcão", ((0.7, 0.0), (1.0, 0.0), (1.0, 0.3), (0.7, 0.3)))


@pytest.fixture
def camera(tmp_path: Path, database: Database) -> tuple[StoreRecord, CameraRecord]:
    """A camera on the sample video in the dashboard's media folder, so its editor shows a picture."""
    video = tmp_path / "data" / "media" / "entrance.avi"
    video.parent.mkdir(parents=True)
    shutil.copyfile(sample_video(), video)
    store = add_store(database)
    with database.session() as session:
        made = CameraRepository(session).create(store.id, "Entrada", str(video.resolve()))
    return store, made


def _click(user: User, x: float, y: float) -> None:
    user.find(marker="staff-geometry-image").trigger("mouse", {"mouse_event_type": "click", "image_x": x, "image_y": y})


def _minutes(user: User) -> ui.number:
    [field] = user.find(marker="staff-after").elements
    assert isinstance(field, ui.number)
    return field


def _saved(database: Database, camera_id: int) -> CameraRecord:
    with database.read_session() as session:
        return CameraRepository(session).get(camera_id)


async def test_an_owner_draws_a_staff_zone_and_sets_the_long_stay(
    user: User, database: Database, camera: tuple[StoreRecord, CameraRecord]
) -> None:
    _store, made = camera
    add_user(database)
    await sign_in(user)
    await user.open(f"/cameras/{made.id}")
    await user.should_see("Regras de funcionários desta câmera", retries=RETRIES)
    # What each rule does, in plain words.
    await user.should_see("Quem entrar numa delas passa a contar como funcionário.", retries=RETRIES)
    await user.should_see("Deixe em branco para desligar esta regra.", retries=RETRIES)
    await user.should_see("Nenhuma zona só de funcionários.", retries=RETRIES)
    await user.should_see(marker="connection-ok", retries=RETRIES)  # the picture to draw on
    for x, y in ((480, 0), (640, 0), (640, 150)):
        _click(user, x, y)
    user.find(marker="staff-finish-zone").click()
    [name] = user.find(marker="staff-zone-name-0").elements
    assert isinstance(name, ui.input) and name.value == "área de funcionários 1"
    name.set_value("balcão")
    _minutes(user).set_value(45)
    user.find(marker="save-camera").click()
    await user.should_see("Câmera “Entrada” salva.", retries=RETRIES)
    saved = _saved(database, made.id)
    [zone] = saved.staff_zones
    assert zone.name == "balcão"
    assert zone.polygon == ((0.75, 0.0), (1.0, 0.0), (1.0, round(150 / PREVIEW_HEIGHT, 4)))
    assert saved.staff_after_minutes == 45
    assert saved.zones == ()  # the counting zones are another editor's
    await user.open("/cameras")
    await user.should_see("Funcionários: 1 zona(s) só de funcionários · quem fica mais de 45 min", retries=RETRIES)


async def test_empty_minutes_turn_the_long_stay_off(
    user: User, database: Database, camera: tuple[StoreRecord, CameraRecord]
) -> None:
    _store, made = camera
    with database.session() as session:
        CameraRepository(session).set_staff_rules(made.id, [COUNTER], 30)
    add_user(database)
    await sign_in(user)
    await user.open(f"/cameras/{made.id}")
    await user.should_see(marker="staff-zone-0", retries=RETRIES)  # the saved zone, listed to rename or remove
    assert _minutes(user).value == 30
    _minutes(user).set_value(None)
    user.find(marker="save-camera").click()
    await user.should_see("Câmera “Entrada” salva.", retries=RETRIES)
    saved = _saved(database, made.id)
    assert (saved.staff_zones, saved.staff_after_minutes) == ((COUNTER,), None)


@pytest.mark.parametrize(
    ("minutes", "zones", "message"),
    [
        (5000, 0, "A permanência que torna alguém funcionário deve ser de mais de 0 até 1.440 minutos."),
        (0, 0, "A permanência que torna alguém funcionário deve ser de mais de 0 até 1.440 minutos."),
        (None, 2, "O nome “área de funcionários 1” foi usado duas vezes"),
    ],
)
async def test_a_bad_staff_rule_says_why_and_saves_nothing(
    user: User,
    database: Database,
    camera: tuple[StoreRecord, CameraRecord],
    minutes: float | None,
    zones: int,
    message: str,
) -> None:
    _store, made = camera
    add_user(database)
    await sign_in(user)
    await user.open(f"/cameras/{made.id}")
    await user.should_see(marker="connection-ok", retries=RETRIES)
    for _ in range(zones):
        for x, y in ((100, 100), (200, 100), (200, 200)):
            _click(user, x, y)
        user.find(marker="staff-finish-zone").click()
    if zones == 2:  # the same name twice
        [second] = user.find(marker="staff-zone-name-1").elements
        assert isinstance(second, ui.input)
        second.set_value("área de funcionários 1")
    _minutes(user).set_value(minutes)
    [name] = user.find(marker="camera-name").elements
    assert isinstance(name, ui.input)
    name.set_value("Porta nova")
    user.find(marker="save-camera").click()
    await user.should_see(f"Não foi possível salvar. {message}", retries=RETRIES)
    saved = _saved(database, made.id)
    assert (saved.name, saved.staff_zones, saved.staff_after_minutes) == ("Entrada", (), None)


async def test_a_new_camera_is_saved_with_its_staff_rules(
    user: User, database: Database, camera: tuple[StoreRecord, CameraRecord]
) -> None:
    store, made = camera
    add_user(database)
    await sign_in(user)
    await user.open("/cameras/new")
    await user.should_see("Regras de funcionários desta câmera", retries=RETRIES)
    user.find(marker="camera-name").type("Caixa")
    with database.read_session() as session:
        source = CameraRepository(session).get_source(made.id).source_url
    user.find(marker="camera-source").type(source)
    _minutes(user).set_value(90)
    user.find(marker="save-camera").click()
    await user.should_see("Câmera “Caixa” salva.", retries=RETRIES)
    with database.read_session() as session:
        [new] = [c for c in CameraRepository(session).list_by_store(store.id) if c.name == "Caixa"]
    assert (new.staff_zones, new.staff_after_minutes) == ((), 90)
