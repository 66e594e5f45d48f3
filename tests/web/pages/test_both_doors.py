"""The API and the dashboard share every rule: the same camera edit through either door stores the same camera
(an echoed redacted source keeps the saved password), and the overview's live figures are `/api/analytics/now`'s.

The API door is the real router on a real app, over the same database file the dashboard runs on.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import asdict
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from nicegui import ui
from nicegui.testing import User

from shopflow.api import add_api
from shopflow.config.settings import Settings
from shopflow.domain.cameras import CameraStatus
from shopflow.reports.i18n import format_number
from shopflow.server.runtime import ServerRuntime
from shopflow.services.accounts import accounts_for
from shopflow.storage.db import Database
from shopflow.storage.records import LineConfig, SessionKind
from shopflow.storage.repositories import CameraRepository
from tests.integration.reports.helpers import make_store, seen, write
from tests.web.env_names import DATABASE_URL_ENV

from .conftest import RETRIES, add_store, add_user, sign_in

# Port 9 (discard) on the loopback: nothing listens, so the edit page's connection test fails at once.
SECRET_URL = "rtsp://admin:s3cr3t-pass@127.0.0.1:9/stream1?token=abc123"
SHOWN_URL = "rtsp://***@127.0.0.1:9/stream1?token=***"
NEW_NAME = "Porta da frente"
# Who made or changed a camera when does not belong to the stored result.
BOOKKEEPING = ("id", "created_at", "updated_at")


@pytest.fixture
def api(database: Database, tmp_path: Path) -> Iterator[TestClient]:
    settings = Settings(  # type: ignore[call-arg]
        _env_file=None, database_url=os.environ[DATABASE_URL_ENV], data_dir=tmp_path / "api", yolo_imgsz=320
    )
    app = FastAPI()
    add_api(app)
    runtime = ServerRuntime(settings, database, start_pipeline=False)
    app.state.runtime = runtime
    owner = add_user(database, email="gerente@loja.com.br")
    token = accounts_for(runtime).start_session(owner, SessionKind.TOKEN).token
    with TestClient(app, headers={"Authorization": f"Bearer {token}"}) as client:
        yield client


def stored(database: Database, camera_id: int) -> tuple[dict[str, Any], str]:
    """The camera as stored, without bookkeeping, and its full source URL."""
    with database.session() as session:
        cameras = CameraRepository(session)
        record = asdict(cameras.get(camera_id))
        source = cameras.get_source(camera_id).source_url
    return {key: value for key, value in record.items() if key not in BOOKKEEPING}, source


def two_cameras(database: Database, store_id: int) -> tuple[int, int]:
    door = LineConfig("porta", (0.1, 0.5), (0.9, 0.5))
    with database.session() as session:
        cameras = CameraRepository(session)
        return tuple(  # type: ignore[return-value]
            cameras.create(store_id, "Entrada", SECRET_URL, imgsz=320, sample_fps=2.5, lines=[door]).id
            for _ in range(2)
        )


async def open_editor(user: User, camera_id: int) -> None:
    await user.open(f"/cameras/{camera_id}")
    await user.should_see(marker="connection-failed", retries=RETRIES)
    [source] = user.find(marker="camera-source").elements
    assert isinstance(source, ui.input)
    assert source.value == SHOWN_URL


def type_into(user: User, marker: str, value: str) -> None:
    [field] = user.find(marker=marker).elements
    assert isinstance(field, ui.input)
    field.set_value(value)


async def test_the_same_edit_through_the_api_and_the_dashboard_stores_the_same_camera(
    user: User, database: Database, api: TestClient
) -> None:
    add_user(database)
    store = add_store(database)
    by_api, by_dashboard = two_cameras(database, store.id)

    # A client that sends back what it read, with a new name: the source it echoes is the redacted one.
    shown = api.get(f"/api/cameras/{by_api}").json()
    assert shown["source_url"] == SHOWN_URL
    editable = ("source_url", "sample_fps", "imgsz", "enabled", "lines", "zones", "loop_video", "realtime_pace")
    response = api.patch(f"/api/cameras/{by_api}", json={key: shown[key] for key in editable} | {"name": NEW_NAME})
    assert response.status_code == 200, response.text

    # The dashboard's form shows the same redacted source; only the name is changed.
    await sign_in(user)
    await open_editor(user, by_dashboard)
    type_into(user, "camera-name", NEW_NAME)
    user.find(marker="save-camera").click()
    await user.should_see(f"Câmera “{NEW_NAME}” salva. As mudanças já valem para a contagem.", retries=RETRIES)

    through_api, through_dashboard = stored(database, by_api), stored(database, by_dashboard)
    assert through_api == through_dashboard
    assert through_api[0]["name"] == NEW_NAME
    assert through_api[1] == through_dashboard[1] == SECRET_URL  # the saved password and token are kept


async def test_a_source_still_holding_the_redaction_mark_is_refused_by_both_doors(
    user: User, database: Database, api: TestClient
) -> None:
    add_user(database)
    store = add_store(database)
    by_api, by_dashboard = two_cameras(database, store.id)
    before = stored(database, by_api), stored(database, by_dashboard)
    moved = SHOWN_URL.replace(":9/", ":10/")  # a new port, but the password still shown as ***

    response = api.patch(f"/api/cameras/{by_api}", json={"source_url": moved})
    assert response.status_code == 422, response.text
    message = response.json()["detail"]
    assert "*** in place of a password" in message

    await sign_in(user)
    await open_editor(user, by_dashboard)
    type_into(user, "camera-source", moved)
    user.find(marker="save-camera").click()
    # The same refusal, each door in its reader's words: the API in English, the dashboard in Portuguese.
    await user.should_see("Não foi possível salvar. O endereço ainda tem *** no lugar da senha", retries=RETRIES)

    assert (stored(database, by_api), stored(database, by_dashboard)) == before


def _text(user: User, marker: str) -> str:
    [label] = user.find(marker=marker).elements
    assert isinstance(label, ui.label)
    return label.text


async def test_the_overviews_live_cards_are_the_apis_now(user: User, database: Database, api: TestClient) -> None:
    add_user(database)
    store, [camera] = make_store(database)
    with database.session() as session:
        CameraRepository(session).set_status(camera.id, CameraStatus.ONLINE)
    write(database, camera.id, [seen(datetime.now(UTC), total=4, employees=1, groups=1, potential_customers=2)])

    now = api.get("/api/analytics/now", params={"store_id": store.id}).json()
    assert (now["occupancy"], now["employees"]) == (4, 1)  # the fresh snapshot of the online camera counts

    await sign_in(user)
    await user.should_see(marker="people-now", retries=RETRIES)
    assert _text(user, "people-now") == format_number(now["occupancy"], "pt-BR")
    assert _text(user, "employees-now") == format_number(now["employees"], "pt-BR")
