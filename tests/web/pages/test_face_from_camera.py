"""A face enrolled from a camera's current picture (issue 13, item 2): the employee stands alone in front of a
running camera; the frame is checked like an uploaded photo (exactly one face, large and sharp enough) and only the
embedding is kept."""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import cv2
import numpy as np
import pytest
from nicegui import ui
from nicegui.testing import User

from shopflow.domain.people import Detections
from shopflow.pipeline.engine import CameraEngine
from shopflow.pipeline.sources import Frame
from shopflow.storage.db import Database
from shopflow.storage.records import StoreRecord
from shopflow.storage.repositories import CameraRepository
from shopflow.storage.repositories.staff_registry import ConsentMethod, StaffRegistry
from shopflow.vision.detector import Image
from shopflow.web.context import runtime

from .conftest import RETRIES, add_store, add_user, sign_in

PHOTOS = Path(__file__).resolve().parents[2] / "fixtures" / "faces"


class Feed:
    """A running camera as the server's worker feeds the live hub: one still picture, 20 times a second."""

    def __init__(self, camera_id: int, picture: Image) -> None:
        # The hub of the app serving the pages now (each test runs the dashboard's main file anew).
        self.hub = runtime().hub
        self.camera_id = camera_id
        self.picture = picture
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        def nobody(_image: Image) -> Detections:
            return Detections(xyxy=np.zeros((0, 4), dtype=np.float32), confidence=np.zeros(0, dtype=np.float32))

        height, width = self.picture.shape[:2]
        engine = CameraEngine(width, height, nobody)
        index = 0
        while not self.stop.wait(0.05):
            frame = Frame(self.picture, index, index * 0.05, datetime.now(UTC))
            self.hub.on_frame(self.camera_id, engine.process(frame), engine)
            index += 1


@pytest.fixture
def store_with_camera(database: Database) -> Iterator[tuple[StoreRecord, int, int]]:
    store = add_store(database)
    with database.session() as session:
        camera = CameraRepository(session).create(store.id, "Balcão", "rtsp://10.0.0.8/stream")
        registry = StaffRegistry(session)
        employee = registry.create(store.id, "Ana Souza", "F-001").id
        registry.record_consent(employee, recorded_by="gerente", text_version="v1", method=ConsentMethod.FACE)
    yield store, camera.id, employee


def _faces(database: Database, employee: int) -> int:
    with database.read_session() as session:
        return StaffRegistry(session).get(employee).faces


@pytest.mark.parametrize(
    ("photo", "enrolled", "says"),
    [
        ("obama.jpg", 1, "Foto cadastrada: 1 de 5."),
        ("gdp.jpg", 0, "Foto recusada: há mais de um rosto na foto."),
    ],
)
async def test_a_face_is_taken_from_a_cameras_current_picture(
    user: User,
    database: Database,
    store_with_camera: tuple[StoreRecord, int, int],
    photo: str,
    enrolled: int,
    says: str,
) -> None:
    _store, camera_id, employee = store_with_camera
    add_user(database)
    await sign_in(user)
    await user.open("/employees")
    await user.should_see(marker="employee-face-from-camera", retries=RETRIES)
    feed = Feed(
        camera_id, np.asarray(cv2.imread(str(PHOTOS / photo)), dtype=np.uint8)
    )  # the hub of the app now serving the page
    feed.thread.start()
    # The camera is running once the hub has its first analysed frame (on a loaded machine that takes a while).
    deadline = time.monotonic() + 30
    while feed.hub.counts(camera_id) is None and time.monotonic() < deadline:
        await asyncio.sleep(0.1)
    try:
        user.find(marker="employee-face-from-camera").click()
        if enrolled:
            await user.should_see(says, retries=RETRIES)
        else:  # a refusal is the page's one error toast
            await user.should_see(marker="error-toast", retries=RETRIES)
            [toast] = user.find(marker="error-toast").elements
            assert isinstance(toast, ui.notification) and toast.message.startswith(says), toast.message
    finally:
        feed.stop.set()
        feed.thread.join(timeout=5)
    assert _faces(database, employee) == enrolled
    assert feed.hub._raw == {}, "the frame is not kept once read"
