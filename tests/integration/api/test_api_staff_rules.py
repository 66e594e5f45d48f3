"""Staff rules and attendance through the API: a camera's staff zones and long-stay rule, the store's uniform,
withdrawing consent, and the attendance view (its own permission, every read audited)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient

from shopflow.domain.stamped import StaffCorrection, StaffDeparture, StampedEvent, staff_key
from shopflow.services.accounts import accounts_for
from shopflow.storage.records import SessionKind, UserRole
from shopflow.storage.repositories import CameraRepository, UserRepository
from shopflow.storage.repositories.staff_registry import StaffRegistry
from shopflow.storage.writer import EventWriter

from .conftest import owner_password_hash, runtime_of

COUNTER = {"name": "balcão", "polygon": [[0.7, 0.0], [1.0, 0.0], [1.0, 0.3], [0.7, 0.3]]}


@pytest.fixture
def camera(client: TestClient) -> dict[str, Any]:
    store = client.post("/api/stores", json={"name": "Loja Centro", "timezone": "America/Sao_Paulo"}).json()
    with runtime_of(client).database.session() as session:
        made = CameraRepository(session).create(store["id"], "entrada", "rtsp://10.0.0.8/s")
    return {"id": made.id, "store_id": store["id"]}


def test_a_cameras_staff_rules_are_replaced_whole_and_shown(client: TestClient, camera: dict[str, Any]) -> None:
    path = f"/api/cameras/{camera['id']}/staff-rules"
    answer = client.put(path, json={"staff_zones": [COUNTER], "staff_after_minutes": 240})
    assert answer.status_code == 200, answer.text
    shown = client.get(f"/api/cameras/{camera['id']}").json()
    assert (shown["staff_zones"], shown["staff_after_minutes"]) == ([COUNTER], 240.0)
    cleared = client.put(path, json={"staff_zones": [], "staff_after_minutes": None}).json()
    assert (cleared["staff_zones"], cleared["staff_after_minutes"]) == ([], None)


@pytest.mark.parametrize(
    ("body", "field", "says"),
    [
        ({"staff_zones": [{"name": "x", "polygon": [[0.1, 0.1], [0.2, 0.2]]}]}, "staff_zones", "3"),
        ({"staff_zones": [COUNTER, COUNTER]}, "staff_zones", "two"),
        ({"staff_after_minutes": 0}, "staff_after_minutes", "greater than 0"),
        ({"staff_after_minutes": 100000}, "staff_after_minutes", "1440"),
        ({"staff_zones": [], "color": "red"}, "color", "not"),
    ],
)
def test_bad_staff_rules_are_a_422_that_names_the_field(
    client: TestClient, camera: dict[str, Any], body: dict[str, Any], field: str, says: str
) -> None:
    answer = client.put(f"/api/cameras/{camera['id']}/staff-rules", json=body)
    assert answer.status_code == 422, answer.text
    assert field in answer.text and says in answer.text
    assert client.get(f"/api/cameras/{camera['id']}").json()["staff_zones"] == []


def test_the_store_uniform_is_set_read_and_removed(client: TestClient, camera: dict[str, Any]) -> None:
    path = f"/api/stores/{camera['store_id']}/uniform"
    assert client.get(path).json() is None
    saved = client.put(path, json={"name": "camisa azul", "upper": [20, 40, 200]})
    assert saved.status_code == 200, saved.text
    assert client.get(path).json() == {
        "name": "camisa azul",
        "upper": [20, 40, 200],
        "lower": None,
        "tolerance": 20.0,
        "min_share": 0.4,
    }
    assert client.delete(path).status_code == 204
    assert client.get(path).json() is None
    with runtime_of(client).database.read_session() as session:
        actions = [entry.action for entry in StaffRegistry(session).audit(camera["store_id"])]
    assert {"uniform_set", "uniform_removed"} <= set(actions)


@pytest.mark.parametrize(
    ("body", "says"),
    [
        ({"name": "nada"}, "give the upper colour, the lower colour or both"),
        ({"name": "x", "upper": [0, 0, 300]}, "three numbers 0..255"),
        ({"name": "x", "upper": [0, 0]}, "at least 3"),
        ({"name": "", "upper": [0, 0, 0]}, "at least 1"),
    ],
)
def test_a_uniform_that_cannot_be_used_is_a_422_saying_why(
    client: TestClient, camera: dict[str, Any], body: dict[str, Any], says: str
) -> None:
    answer = client.put(f"/api/stores/{camera['store_id']}/uniform", json=body)
    assert answer.status_code == 422, answer.text
    assert says in answer.text
    assert client.get(f"/api/stores/{camera['store_id']}/uniform").json() is None


def test_withdrawing_consent_to_faces_keeps_the_employee_under_the_rules_without_biometrics(
    client: TestClient, camera: dict[str, Any]
) -> None:
    employee = client.post(
        f"/api/stores/{camera['store_id']}/employees", json={"name": "Ana Souza", "employee_id": "F-1"}
    ).json()
    consent = {"recorded_by": "gerente", "text_version": "v1", "method": "face"}
    assert client.post(f"/api/employees/{employee['id']}/consent", json=consent).status_code == 200
    withdrawn = client.delete(f"/api/employees/{employee['id']}/consent")
    assert withdrawn.status_code == 200, withdrawn.text
    body = withdrawn.json()
    assert (body["consent"]["method"], body["faces"]) == ("no_biometrics", 0)


def _presence(client: TestClient, camera_id: int, employee_id: int, first: datetime, seconds: float) -> None:
    """What a camera worker sends about an employee recognised by face: the decision, then the departure."""
    session = f"live{first:%Y%m%dT%H%M%S}:640x480"
    key = staff_key(session, 1, 0.0)
    correction = StaffCorrection(1, "face", str(employee_id), 0.0, 3.0)
    departure = StaffDeparture(1, 0.0, seconds)
    with EventWriter(runtime_of(client).database, flush_seconds=0.05) as writer:
        writer.write(
            camera_id,
            [
                StampedEvent(correction, first + timedelta(seconds=3), key),
                StampedEvent(departure, first + timedelta(seconds=seconds), key + ":end"),
            ],
        )


def test_attendance_adds_up_an_employees_time_on_the_floor(client: TestClient, camera: dict[str, Any]) -> None:
    employee = client.post(
        f"/api/stores/{camera['store_id']}/employees", json={"name": "Ana Souza", "employee_id": "F-1"}
    ).json()
    # 9:00 to 9:30 local (UTC-3) on one camera, and 9:20 to 10:00 seen again: the overlap counts once.
    morning = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)
    _presence(client, camera["id"], employee["id"], morning, 30 * 60)
    _presence(client, camera["id"], employee["id"], morning + timedelta(minutes=20), 40 * 60)
    answer = client.get(f"/api/stores/{camera['store_id']}/attendance", params={"day": "2026-11-25"})
    assert answer.status_code == 200, answer.text
    body = answer.json()
    [day] = body["employees"]
    assert (day["name"], day["code"], day["cameras"]) == ("Ana Souza", "F-1", ["entrada"])
    assert day["on_floor_seconds"] == 60 * 60
    assert day["first_seen"].startswith("2026-11-25T12:00:00")
    assert body["staff_tracks"] == 2 and body["staff_tracks_by_rule"] == {"face": 2}
    other_day = client.get(f"/api/stores/{camera['store_id']}/attendance", params={"day": "2026-11-24"}).json()
    assert other_day["employees"] == [] and other_day["staff_tracks"] == 0
    with runtime_of(client).database.read_session() as session:
        reads = [e for e in StaffRegistry(session).audit(camera["store_id"]) if e.action == "attendance_read"]
    assert len(reads) == 2


def test_a_viewer_may_not_see_attendance(client: TestClient, anonymous: TestClient, camera: dict[str, Any]) -> None:
    runtime = runtime_of(client)
    with runtime.database.session() as session:
        organisation = CameraRepository(session).get(camera["id"]).store_id
        viewer = UserRepository(session).create(
            "caixa@loja.com.br",
            owner_password_hash(),
            organisation_id=client.get("/api/auth/me").json()["organisation_id"],
            role=UserRole.VIEWER,
            store_ids=[organisation],
        )
    token = accounts_for(runtime).start_session(viewer, SessionKind.TOKEN).token
    answer = anonymous.get(
        f"/api/stores/{camera['store_id']}/attendance",
        params={"day": "2026-11-25"},
        headers={"Authorization": f"Bearer {token}"},
    )
    assert answer.status_code == 403
    assert "attendance" in answer.json()["detail"]
