"""/api/stores: the demo store on a fresh database, CRUD, and a readable 4xx for every bad input."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from fastapi.testclient import TestClient

from shopflow.services.demo import DEMO_STORE, DEMO_TIMEZONE

HOURS = {"mon": {"open": "09:00", "close": "18:00"}, "sat": {"open": "10:00", "close": "02:00"}}


def test_fresh_database_gets_the_demo_store_labelled_as_demo(client: TestClient) -> None:
    stores = client.get("/api/stores").json()
    assert [(s["name"], s["timezone"], s["is_demo"]) for s in stores] == [(DEMO_STORE, DEMO_TIMEZONE, True)]


def test_store_crud(client: TestClient, new_store: Callable[..., dict[str, Any]]) -> None:
    created = new_store("Loja Centro", timezone="America/Manaus", opening_hours=HOURS)
    assert (created["name"], created["timezone"], created["opening_hours"], created["is_demo"]) == (
        "Loja Centro",
        "America/Manaus",
        HOURS,
        False,
    )
    assert client.get(f"/api/stores/{created['id']}").json() == created

    response = client.patch(f"/api/stores/{created['id']}", json={"name": "  Loja Sul ", "timezone": "Europe/Lisbon"})
    assert response.status_code == 200, response.text
    updated = response.json()
    assert (updated["name"], updated["timezone"], updated["opening_hours"]) == ("Loja Sul", "Europe/Lisbon", HOURS)

    cleared = client.patch(f"/api/stores/{created['id']}", json={"opening_hours": {}}).json()
    assert cleared["opening_hours"] == {}
    assert [s["name"] for s in client.get("/api/stores").json()] == [DEMO_STORE, "Loja Sul"]


def test_store_in_an_existing_organisation(client: TestClient, new_store: Callable[..., dict[str, Any]]) -> None:
    first = new_store("Loja Norte")
    second = new_store("Loja Oeste", organisation_id=first["organisation_id"])
    assert second["organisation_id"] == first["organisation_id"]
    response = client.post("/api/stores", json={"name": "X", "organisation_id": 9999})
    assert (response.status_code, response.json()["detail"]) == (404, "organisation 9999 does not exist")


BAD_STORES = [
    ("unknown time zone", {"timezone": "Mars/Olympus"}, "timezone", "unknown time zone 'Mars/Olympus'"),
    ("offset is not a zone", {"timezone": "+03:00"}, "timezone", "IANA name"),
    (
        "hour without two digits",
        {"opening_hours": {"mon": {"open": "9:00", "close": "18:00"}}},
        "opening_hours",
        "HH:MM",
    ),
    ("hour 24", {"opening_hours": {"mon": {"open": "09:00", "close": "24:00"}}}, "opening_hours", "HH:MM"),
    ("open equals close", {"opening_hours": {"tue": {"open": "09:00", "close": "09:00"}}}, "opening_hours", "closed"),
    (
        "unknown weekday",
        {"opening_hours": {"funday": {"open": "09:00", "close": "18:00"}}},
        "opening_hours.funday",
        "'mon'",
    ),
    ("missing close", {"opening_hours": {"mon": {"open": "09:00"}}}, "opening_hours.mon.close", "required"),
    ("blank name", {"name": "   "}, "name", "blank"),
    ("NUL in the name", {"name": "Loja\u0000Centro"}, "name", "control characters"),
    ("control character in the name", {"name": "Loja\u0007"}, "name", "control characters"),
    ("new line in the name", {"name": "Loja\nCentro"}, "name", "control characters"),
    ("not an IANA zone", {"timezone": "posixrules"}, "timezone", "unknown time zone"),
    ("a path as the zone", {"timezone": "../../etc/passwd"}, "timezone", "unknown time zone"),
    ("unknown field", {"colour": "red"}, "colour", "not permitted"),
]


@pytest.mark.parametrize(("case", "fields", "field", "message"), BAD_STORES, ids=[c[0] for c in BAD_STORES])
def test_bad_store_is_422_naming_the_field(
    client: TestClient, case: str, fields: dict[str, Any], field: str, message: str
) -> None:
    body = {"name": "Loja", **fields}
    for response in (
        client.post("/api/stores", json=body),
        client.patch("/api/stores/1", json=fields),
    ):
        assert response.status_code == 422, response.text
        errors = response.json()["errors"]
        assert any(e["field"] == field and message in e["message"] for e in errors), errors
        assert field in response.json()["detail"]
    assert [s["name"] for s in client.get("/api/stores").json()] == [DEMO_STORE]  # nothing was stored


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [("get", "/api/stores/999", None), ("patch", "/api/stores/999", {"name": "x"})],
)
def test_unknown_store_is_404(client: TestClient, method: str, path: str, body: dict[str, Any] | None) -> None:
    response = client.request(method.upper(), path, json=body)
    assert (response.status_code, response.json()) == (404, {"detail": "store 999 does not exist"})


def test_malformed_requests_are_422_not_500(client: TestClient) -> None:
    assert client.get("/api/stores/abc").status_code == 422
    response = client.post("/api/stores", content=b"{not json", headers={"Content-Type": "application/json"})
    assert response.status_code == 422
    assert "Traceback" not in response.text
