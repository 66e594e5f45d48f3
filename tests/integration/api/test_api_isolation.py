"""Organisation A cannot read, change or delete organisation B's stores, cameras, events, employees, keys,
exports, pictures or live counts, through any endpoint or the realtime channel.

Run on SQLite, on PostgreSQL, and on PostgreSQL as an account without superuser powers, where the row-level
security policies of migration 0007 apply too; the last also checks the policies on their own, with no service
filtering at all.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import create_engine, make_url, text
from starlette.websockets import WebSocketDisconnect

from shopflow.config.credentials import hash_password, new_api_key
from shopflow.server.app import create_app
from shopflow.services.accounts import accounts_for
from shopflow.storage import tenancy
from shopflow.storage.db import Database
from shopflow.storage.records import SessionKind, UserRole
from shopflow.storage.repositories import ApiKeyRepository, CameraRepository, StoreRepository, UserRepository
from shopflow.storage.repositories.staff_registry import StaffRegistry

from .conftest import make_settings, owner_token, runtime_of

APP_ROLE = "shopflow_app"  # no superuser, no BYPASSRLS: what a production deployment should connect as


def _as_app_role(url: str) -> str:
    """`url` reached as APP_ROLE, granted what the server needs on that database and nothing more."""
    admin = create_engine(url, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            exists = connection.execute(text("SELECT 1 FROM pg_roles WHERE rolname = :r"), {"r": APP_ROLE}).first()
            if exists is None:
                connection.execute(text(f"CREATE ROLE {APP_ROLE} LOGIN NOSUPERUSER NOBYPASSRLS"))
            connection.execute(
                text(f"GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO {APP_ROLE}")
            )
            connection.execute(text(f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO {APP_ROLE}"))
    finally:
        admin.dispose()
    return make_url(url).set(username=APP_ROLE, password=None).render_as_string(hide_password=False)


@pytest.fixture(
    params=[
        "sqlite",
        pytest.param("postgresql", marks=pytest.mark.postgres),
        pytest.param("postgresql-rls", marks=pytest.mark.postgres),
    ]
)
def isolated_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        path = tmp_path / "data" / "shopflow.db"
        path.parent.mkdir()
        shutil.copyfile(request.getfixturevalue("sqlite_template"), path)
        return f"sqlite:///{path}"
    url = _clean_pg_url(request.getfixturevalue("pg_migrated_url"))
    return _as_app_role(url) if request.param == "postgresql-rls" else url


@dataclass
class Rival:
    """Organisation B: a store with a camera, an employee, an API key and an owner of its own."""

    store: int
    camera: int
    employee: int
    api_key: int
    owner_token: str


@pytest.fixture
def app_client(isolated_url: str, tmp_path: Path) -> Iterator[TestClient]:
    with TestClient(create_app(make_settings(isolated_url, tmp_path / "server"), start_pipeline=False)) as client:
        client.headers["Authorization"] = f"Bearer {owner_token(client)}"
        yield client


@pytest.fixture
def rival(app_client: TestClient) -> Rival:
    runtime = runtime_of(app_client)
    with runtime.database.session() as session:
        stores = StoreRepository(session)
        store = stores.create(stores.create_organisation("Concorrente").id, "Loja B")
        camera = CameraRepository(session).create(store.id, "porta B", "rtsp://10.0.0.20/s")
        employee = StaffRegistry(session).create(store.id, "Beto", "B1")
        made = new_api_key()
        key = ApiKeyRepository(session).create(store.id, "bi B", made.key_hash, made.prefix)
        owner = UserRepository(session).create(
            "dono@concorrente.com.br",
            hash_password("Pitanga-Roxa-Caqui-31", check=False),
            organisation_id=store.organisation_id,
            role=UserRole.OWNER,
        )
    token = accounts_for(runtime).start_session(owner, SessionKind.TOKEN).token
    return Rival(store.id, camera.id, employee.id, key.id, token)


def _day(store: int) -> dict[str, Any]:
    return {"store_id": store, "since": "2026-11-01", "until": "2026-11-02"}


def test_a_cannot_reach_bs_things_by_id(app_client: TestClient, rival: Rival) -> None:
    b = rival
    attempts: list[tuple[str, str, dict[str, Any]]] = [
        ("GET", f"/api/stores/{b.store}", {}),
        ("PATCH", f"/api/stores/{b.store}", {"json": {"name": "minha agora"}}),
        ("GET", f"/api/cameras/{b.camera}", {}),
        ("GET", "/api/cameras", {"params": {"store_id": b.store}}),
        ("PATCH", f"/api/cameras/{b.camera}", {"json": {"name": "minha"}}),
        ("POST", f"/api/cameras/{b.camera}/test-connection", {"json": {}}),
        ("GET", f"/api/cameras/{b.camera}/live", {}),
        ("GET", f"/api/cameras/{b.camera}/snapshot.jpg", {}),
        ("GET", f"/api/cameras/{b.camera}/stream.mjpg", {}),
        ("POST", "/api/cameras", {"json": {"store_id": b.store, "name": "espiã", "source_url": "rtsp://10.0.0.1/s"}}),
        ("GET", "/api/events", {"params": {"store_id": b.store}}),
        ("GET", "/api/events", {"params": {"camera_id": b.camera}}),
        ("GET", f"/api/stores/{b.store}/employees", {}),
        ("POST", f"/api/stores/{b.store}/employees", {"json": {"name": "X", "employee_id": "X1"}}),
        ("PATCH", f"/api/employees/{b.employee}", {"json": {"active": False}}),
        ("POST", f"/api/employees/{b.employee}/erase", {"json": {}}),
        ("GET", f"/api/stores/{b.store}/api-keys", {}),
        ("POST", f"/api/stores/{b.store}/api-keys", {"json": {"name": "minha"}}),
        ("DELETE", f"/api/api-keys/{b.api_key}", {}),
        ("GET", "/api/analytics/now", {"params": {"store_id": b.store}}),
        ("GET", "/api/analytics/daily", {"params": _day(b.store)}),
        ("GET", "/api/analytics/export.csv", {"params": _day(b.store)}),
        ("GET", "/api/analytics/export.xlsx", {"params": _day(b.store)}),
        ("GET", "/api/analytics/report.pdf", {"params": {"store_id": b.store}}),
        ("GET", "/api/analytics/heatmap.png", {"params": {"store_id": b.store, "camera_id": b.camera}}),
        (
            "POST",
            "/api/stores",
            {"json": {"name": "na conta de B", "organisation_id": _organisation_of(app_client, b)}},
        ),
        ("DELETE", f"/api/cameras/{b.camera}", {}),
    ]
    answers = {
        f"{method} {path} {kw}": app_client.request(method, path, **kw).status_code for method, path, kw in attempts
    }
    assert {key: status for key, status in answers.items() if status != 404} == {}
    # Nothing of B changed: its camera, store name, employee and key are as they were.
    b_client = TestClient(app_client.app, headers={"Authorization": f"Bearer {b.owner_token}"})
    assert b_client.get(f"/api/cameras/{b.camera}").json()["name"] == "porta B"
    assert b_client.get(f"/api/stores/{b.store}").json()["name"] == "Loja B"
    [employee] = b_client.get(f"/api/stores/{b.store}/employees").json()
    assert employee["active"] is True and employee["name"] == "Beto"
    [key] = b_client.get(f"/api/stores/{b.store}/api-keys").json()
    assert key["revoked_at"] is None


def _organisation_of(client: TestClient, rival: Rival) -> int:
    with runtime_of(client).database.session() as session:
        return StoreRepository(session).get(rival.store).organisation_id


def test_lists_show_only_the_callers_organisation(app_client: TestClient, rival: Rival) -> None:
    a_store = app_client.post("/api/stores", json={"name": "Loja A"}).json()["id"]
    b_client = TestClient(app_client.app, headers={"Authorization": f"Bearer {rival.owner_token}"})
    a_stores = {store["id"] for store in app_client.get("/api/stores").json()}
    b_stores = {store["id"] for store in b_client.get("/api/stores").json()}
    assert a_store in a_stores and rival.store not in a_stores
    assert b_stores == {rival.store}
    assert rival.camera not in {camera["id"] for camera in app_client.get("/api/cameras").json()}
    assert "dono@concorrente.com.br" not in {user["email"] for user in app_client.get("/api/users").json()}
    assert all(entry["store_id"] != rival.store for entry in app_client.get("/api/audit").json())


def test_the_realtime_channel_is_closed_to_other_organisations(app_client: TestClient, rival: Rival) -> None:
    with app_client.websocket_connect(f"/api/realtime?store_id={rival.store}") as socket:
        message = socket.receive_json()
    assert message == {"type": "error", "message": f"store {rival.store} does not exist"}
    b_client = TestClient(app_client.app, headers={"Authorization": f"Bearer {rival.owner_token}"})
    with b_client.websocket_connect(f"/api/realtime?store_id={rival.store}") as socket:
        assert socket.receive_json()["type"] == "counts"
    anonymous = TestClient(app_client.app)
    with (
        pytest.raises(WebSocketDisconnect) as refused,
        anonymous.websocket_connect(f"/api/realtime?store_id={rival.store}"),
    ):
        pass
    assert refused.value.code == 1008


@pytest.mark.postgres
def test_row_level_security_hides_other_organisations_on_its_own(pg_migrated_url: str) -> None:
    """With no service filter at all, the policies alone keep an organisation's rows to itself."""
    url = _as_app_role(_clean_pg_url(pg_migrated_url))
    database = Database.from_url(url)
    try:
        with database.session() as session:
            stores = StoreRepository(session)
            a = stores.create(stores.create_organisation("A").id, "Loja A")
            b = stores.create(stores.create_organisation("B").id, "Loja B")
            for store in (a, b):
                CameraRepository(session).create(store.id, f"porta {store.name}", "rtsp://10.0.0.30/s")
        with tenancy.acting_for(a.organisation_id), database.session() as session:
            seen = {
                table: session.execute(text(f"SELECT count(*) FROM {table}")).scalar()
                for table in ("organisations", "stores", "cameras")
            }
            assert seen == {"organisations": 1, "stores": 1, "cameras": 1}
            # Writing into B's store is refused by the policy's check too.
            with pytest.raises(Exception, match="row-level security"):
                session.execute(
                    text("INSERT INTO cameras (store_id, name, source_url, sample_fps, imgsz, enabled, lines, zones, "
                         "status, dropped_frames, is_demo, loop_video, realtime_pace, created_at, updated_at) VALUES "
                         "(:s, 'espiã', 'rtsp://10.0.0.31/s', 5, 480, true, '[]', '[]', 'offline', 0, false, false, "
                         "true, now(), now())"),
                    {"s": b.id},
                )  # fmt: skip
        with database.session() as session:  # outside any request: the workers see every store
            assert session.execute(text("SELECT count(*) FROM cameras")).scalar() == 2
    finally:
        database.dispose()


def _clean_pg_url(url: str) -> str:
    engine = create_engine(url)
    try:
        with engine.begin() as connection:
            connection.execute(text("TRUNCATE organisations, users RESTART IDENTITY CASCADE"))
    finally:
        engine.dispose()
    return url
