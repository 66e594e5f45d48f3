"""Employees over HTTP on SQLite and PostgreSQL: registry, consent, face enrolment with a clear 4xx for each bad
photo (real photos, tests/fixtures/faces), and LGPD erasure."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import cv2
import numpy as np
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import text

from shopflow.storage.repositories import PrivacyRepository
from shopflow.storage.repositories.staff_registry import StaffRegistry

from .conftest import runtime_of

PHOTOS = Path(__file__).resolve().parents[2] / "fixtures" / "faces"
CONSENT = {"recorded_by": "gerente@loja", "text_version": "2026-12", "method": "face"}


def jpeg(image: np.ndarray) -> bytes:
    ok, data = cv2.imencode(".jpg", image)
    assert ok
    return data.tobytes()


def enrol(client: TestClient, employee_id: int, data: bytes, name: str = "photo.jpg") -> Any:
    return client.post(
        f"/api/employees/{employee_id}/faces",
        params={"actor": "gerente@loja"},
        files={"photo": (name, data, "image/jpeg")},
    )


@pytest.fixture
def employee(client: TestClient, new_store: Callable[..., dict[str, Any]]) -> dict[str, Any]:
    store = new_store()
    response = client.post(
        f"/api/stores/{store['id']}/employees",
        json={"name": "Ana Souza", "employee_id": "F-001", "department": "Caixa", "position": "Operadora"},
    )
    assert response.status_code == 201, response.text
    body: dict[str, Any] = response.json()
    return body


def test_register_and_list(client: TestClient, employee: dict[str, Any]) -> None:
    assert {k: employee[k] for k in ("name", "employee_id", "department", "position", "active", "faces")} == {
        "name": "Ana Souza",
        "employee_id": "F-001",
        "department": "Caixa",
        "position": "Operadora",
        "active": True,
        "faces": 0,
    }
    assert employee["consent"] is None
    listed = client.get(f"/api/stores/{employee['store_id']}/employees")
    assert listed.status_code == 200
    assert [e["id"] for e in listed.json()] == [employee["id"]]
    same_id = client.post(f"/api/stores/{employee['store_id']}/employees", json={"name": "Bia", "employee_id": "F-001"})
    assert same_id.status_code == 409
    assert "F-001" in same_id.json()["detail"]
    blank = client.post(f"/api/stores/{employee['store_id']}/employees", json={"name": "  ", "employee_id": "F-9"})
    assert blank.status_code == 422
    assert "name" in blank.json()["detail"]
    assert client.get("/api/stores/9999/employees").status_code == 404
    off = client.patch(f"/api/employees/{employee['id']}", json={"active": False})
    assert (off.status_code, off.json()["active"]) == (200, False)


def test_a_face_needs_consent_first(client: TestClient, employee: dict[str, Any]) -> None:
    response = enrol(client, employee["id"], (PHOTOS / "obama.jpg").read_bytes())
    assert response.status_code == 409
    assert "consent" in response.json()["detail"]
    refused = client.post(f"/api/employees/{employee['id']}/consent", json={**CONSENT, "method": "no_biometrics"})
    assert refused.status_code == 200
    assert enrol(client, employee["id"], (PHOTOS / "obama.jpg").read_bytes()).status_code == 409


def test_enrolment_and_each_bad_photo(client: TestClient, employee: dict[str, Any]) -> None:
    consent = client.post(f"/api/employees/{employee['id']}/consent", json=CONSENT)
    assert consent.status_code == 200
    assert consent.json()["consent"]["method"] == "face"
    obama = cv2.imread(str(PHOTOS / "obama.jpg"))
    bus = cv2.imread(str(PHOTOS / "bus.jpg"))
    ok, bomb = cv2.imencode(".png", np.zeros((5000, 9000, 3), dtype=np.uint8))
    assert ok
    bad = {
        "not_an_image": (b"name;id\nAna;F-001\n", 415, "JPEG or PNG"),
        "too_large": (bomb.tobytes(), 413, "megapixels"),
        "no_face": (jpeg(bus[700:, :]), 422, "no face"),
        "several_faces": ((PHOTOS / "gdp.jpg").read_bytes(), 422, "3 faces"),
        "too_small": (jpeg(cv2.resize(obama, (205, 256), interpolation=cv2.INTER_AREA)), 422, "at least 80 px"),
        "too_blurred": (jpeg(cv2.GaussianBlur(obama, (0, 0), 3)), 422, "blurred"),
    }
    for problem, (data, status, words) in bad.items():
        response = enrol(client, employee["id"], data)
        assert response.status_code == status, (problem, response.text)
        assert response.json()["problem"] == problem
        assert words in response.json()["detail"], (problem, response.json())
    good = enrol(client, employee["id"], (PHOTOS / "obama.jpg").read_bytes())
    assert good.status_code == 201, good.text
    assert good.json()["faces"] == 1


def test_erasure(client: TestClient, employee: dict[str, Any]) -> None:
    client.post(f"/api/employees/{employee['id']}/consent", json=CONSENT)
    assert enrol(client, employee["id"], (PHOTOS / "obama2.jpg").read_bytes()).status_code == 201
    erased = client.post(f"/api/employees/{employee['id']}/erase", json={"actor": "dono@loja"})
    assert erased.status_code == 200
    body = erased.json()
    assert (body["name"], body["employee_id"], body["department"], body["faces"], body["consent"]) == (
        "(erased)",
        None,
        "",
        0,
        None,
    )
    assert body["erased_at"] is not None
    assert client.post("/api/employees/9999/erase", json={"actor": "dono@loja"}).status_code == 404


def _keep_photos(client: TestClient, store_id: int, keep: bool) -> None:
    """The owner's privacy choice (the dashboard's Configurações door; the API has none for privacy)."""
    with runtime_of(client).database.session() as session:
        PrivacyRepository(session).update(store_id, keep_face_photos=keep)


def test_enrolment_photos_are_kept_only_while_the_store_chooses_to(
    client: TestClient, employee: dict[str, Any]
) -> None:
    employee_id, store_id = employee["id"], employee["store_id"]
    assert client.post(f"/api/employees/{employee_id}/consent", json=CONSENT).status_code == 200
    obama = (PHOTOS / "obama.jpg").read_bytes()
    assert enrol(client, employee_id, obama).status_code == 201
    [dropped] = client.get(f"/api/employees/{employee_id}/faces").json()
    assert dropped["photo_kept"] is False, "off by default: only the embedding is stored"
    assert client.get(f"/api/employees/{employee_id}/faces/{dropped['id']}/photo").status_code == 404

    _keep_photos(client, store_id, True)
    assert enrol(client, employee_id, (PHOTOS / "obama2.jpg").read_bytes()).status_code == 201
    kept = client.get(f"/api/employees/{employee_id}/faces").json()[1]
    assert kept["photo_kept"] is True
    photo = client.get(f"/api/employees/{employee_id}/faces/{kept['id']}/photo")
    assert (photo.status_code, photo.headers["content-type"]) == (200, "image/jpeg")
    assert photo.content == (PHOTOS / "obama2.jpg").read_bytes()
    with runtime_of(client).database.read_session() as session:
        assert "face_photo_read" in [entry.action for entry in StaffRegistry(session).audit(store_id)]

    # Turned off, the kept photos go at once; the faces (embeddings) stay enrolled.
    _keep_photos(client, store_id, False)
    faces = client.get(f"/api/employees/{employee_id}/faces").json()
    assert [face["photo_kept"] for face in faces] == [False, False]
    assert client.get(f"/api/employees/{employee_id}/faces/{kept['id']}/photo").status_code == 404

    # Kept again, a withdrawn consent takes the photo with the face.
    _keep_photos(client, store_id, True)
    assert enrol(client, employee_id, (PHOTOS / "biden.jpg").read_bytes()).status_code == 201
    assert client.delete(f"/api/employees/{employee_id}/consent").status_code == 200
    assert client.get(f"/api/employees/{employee_id}/faces").json() == []
    with runtime_of(client).database.read_session() as session:
        assert session.execute(text("SELECT count(*) FROM employee_faces WHERE photo IS NOT NULL")).scalar() == 0
