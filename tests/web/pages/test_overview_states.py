"""The overview tells the truth (issue 10): a camera that is not live says so, missing data is not a zero, the
live count does not read as a cash payment, and the demo says why its exits outnumber its entries."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from typing import Any

import cv2
import numpy as np
import pytest
from nicegui import ui
from nicegui.testing import User

from shopflow.domain.cameras import CameraStatus
from shopflow.pipeline.live_hub import LivePicture
from shopflow.reports.live import CameraNow
from shopflow.storage.db import Database
from shopflow.storage.records import Language
from shopflow.storage.repositories import CameraRepository, StoreRepository
from tests.integration.reports.helpers import entry, make_store, write

from .conftest import RETRIES, add_user, organisation, sign_in

# What a worker reports for an RTSP server that refuses (pipeline/sources/live.py and worker.py).
REFUSED = (
    "cannot connect to camera rtsp://10.0.0.1:8554/loja: no video from 10.0.0.1:8554; check the address, the "
    "port, the stream path, the user name and password, and that the camera is on (retrying in 2.5 s)"
)


def _runtime() -> Any:
    """The runtime the pages use (the `user` fixture's run of tests/web/dashboard_main.py made it)."""
    from shopflow.web.context import runtime

    return runtime()


def _element(user: User, marker: str) -> ui.element:
    [element] = user.find(marker=marker).elements
    return element


def _text(user: User, marker: str) -> str:
    label = _element(user, marker)
    assert isinstance(label, ui.label)
    return label.text


def _jpeg() -> bytes:
    ok, buffer = cv2.imencode(".jpg", np.full((48, 64, 3), 128, dtype=np.uint8))
    assert ok
    return buffer.tobytes()


async def test_a_refusing_camera_shows_its_state_and_reason_not_live_and_is_not_polled(
    user: User, database: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    add_user(database)
    _, [camera] = make_store(database)
    # Its worker runs (trying to reconnect), which the page took for "live".
    monkeypatch.setattr(_runtime(), "is_running", lambda camera_id: True)
    with database.session() as session:
        CameraRepository(session).set_status(camera.id, CameraStatus.OFFLINE, REFUSED)
    await sign_in(user)
    await user.should_see(marker=f"live-caption-{camera.id}", retries=RETRIES)
    await asyncio.sleep(1.5)  # a few live ticks
    caption = _text(user, f"live-caption-{camera.id}")
    assert caption.startswith("cam 1 · offline: sem vídeo de 10.0.0.1:8554: confira o endereço"), caption
    assert "nova tentativa em 2,5 s" in caption
    assert "ao vivo" not in caption and "à vista" not in caption
    image = _element(user, f"live-{camera.id}")
    assert isinstance(image, ui.image)
    assert "snapshot.jpg" not in image.source  # not asked every second for a 409
    assert _text(user, f"live-note-{camera.id}") == "Sem imagem desta câmera ainda."
    # The banner says it in Portuguese too, and so does the cameras page.
    await user.should_see("A câmera “cam 1” não está contando (offline): sem vídeo de 10.0.0.1:8554", retries=RETRIES)
    await user.open("/cameras")
    await user.should_see(marker="camera-reason", retries=RETRIES)
    reason = _text(user, "camera-reason")
    assert reason.startswith("sem vídeo de 10.0.0.1:8554: confira o endereço") and "retrying" not in reason


async def test_a_camera_that_dropped_shows_its_last_good_picture_with_its_time(
    user: User, database: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    add_user(database, language=Language.EN)
    _, [camera] = make_store(database, timezone="UTC")
    runtime = _runtime()
    at = datetime(2026, 11, 25, 14, 32, tzinfo=UTC)
    picture = LivePicture(camera.id, 3, _jpeg(), at, 64, 48)
    monkeypatch.setattr(runtime, "is_running", lambda camera_id: True)
    monkeypatch.setattr(runtime.hub, "picture", lambda camera_id: picture if camera_id == camera.id else None)
    with database.session() as session:
        CameraRepository(session).set_status(
            camera.id, CameraStatus.OFFLINE, "the stream ended (the camera or server closed the connection)"
        )
    await sign_in(user)
    await user.should_see("Last picture received: 2026-11-25 14:32", retries=RETRIES)
    caption = _text(user, f"live-caption-{camera.id}")
    assert caption == "cam 1 · offline: the video stopped (the camera or the server closed the connection)"
    image = _element(user, f"live-{camera.id}")
    assert isinstance(image, ui.image)
    assert image.source.startswith("data:image/jpeg;base64,")


async def test_a_live_camera_counts_people_in_the_picture_not_a_cash_payment(
    user: User, database: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    from shopflow.web.pages import overview

    add_user(database)
    _, [camera] = make_store(database)
    with database.session() as session:
        CameraRepository(session).set_status(camera.id, CameraStatus.ONLINE, "receiving 768x576 video")
    monkeypatch.setattr(_runtime(), "is_running", lambda camera_id: True)
    shown: list[str] = []
    original = overview.LiveTile.show

    def show(tile: overview.LiveTile, now: CameraNow, tick: int) -> None:
        original(tile, now, tick)
        shown.append(tile.caption.text)

    monkeypatch.setattr(overview.LiveTile, "show", show)
    await sign_in(user)
    await user.should_see("cam 1 · ao vivo · 0 pessoas na imagem", retries=RETRIES)
    image = _element(user, f"live-{camera.id}")
    assert isinstance(image, ui.image)
    assert image.source.startswith(f"/api/cameras/{camera.id}/snapshot.jpg")
    assert not any("à vista" in text for text in shown)
    # The picture's signs ("entrada: +10 -16") are read beside it, in the viewer's language.
    assert _text(user, "legend-line-signs").startswith("Nas linhas: +entradas -saídas")
    assert overview.people_in_picture(1) == "1 pessoa na imagem"


async def test_last_week_without_data_is_a_gap_not_zeros(user: User, database: Database) -> None:
    add_user(database)
    _, [camera] = make_store(database)
    write(database, camera.id, [entry(datetime.now(UTC) - timedelta(minutes=1))])
    await sign_in(user)
    await user.should_see(marker="hourly-chart", retries=RETRIES)
    await user.should_see("sem dados da semana passada", retries=RETRIES)
    chart = _element(user, "hourly-chart")
    assert isinstance(chart, ui.echart)
    for _ in range(RETRIES):  # the chart is filled on the first slow tick
        if chart.options["xAxis"]["data"]:
            break
        await asyncio.sleep(0.1)
    [today, last_week] = chart.options["series"]
    assert sum(value or 0 for value in today["data"]) == 1
    assert last_week["data"] and all(value is None for value in last_week["data"])


async def test_last_week_with_data_is_drawn_and_compared(user: User, database: Database) -> None:
    add_user(database)
    _, [camera] = make_store(database)
    now = datetime.now(UTC) - timedelta(minutes=1)
    write(database, camera.id, [entry(now), entry(now), entry(now - timedelta(days=7))])
    await sign_in(user)
    await user.should_see("+100,0% vs. mesma hora da semana passada", retries=RETRIES)
    chart = _element(user, "hourly-chart")
    assert isinstance(chart, ui.echart)
    [_, last_week] = chart.options["series"]
    assert sum(value or 0 for value in last_week["data"]) == 1
    assert 0 in last_week["data"]  # a recorded day's quiet hours are zeros


async def test_the_demo_banner_says_the_plaza_sends_more_people_out_than_in(user: User, database: Database) -> None:
    add_user(database)
    with database.session() as session:
        store = StoreRepository(session).create(organisation(database), "Loja Demo", is_demo=True)
        CameraRepository(session).create(store.id, "Câmera demo", "rtsp://10.0.0.9/stream", is_demo=True)
    await sign_in(user)
    await user.should_see(marker="demo-banner", retries=RETRIES)
    await user.should_see("mais pessoas saindo do que entrando", retries=RETRIES)
