"""Bad input is a 4xx that says what to fix, never a 500: ids beyond what the database holds, far dates, bodies that
cannot be read, control characters; and the OpenAPI schema describes the error bodies the API really sends."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from contextlib import ExitStack
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from shopflow.api.params import MAX_ID
from shopflow.api.schemas.errors import ErrorOut
from shopflow.server.app import create_app
from shopflow.storage import migrate
from tests.conftest import DIALECTS, fresh_pg_database

from .conftest import make_settings, owner_token

BEYOND = (MAX_ID + 1, 2**63, 2**64 + 1)


@pytest.fixture(scope="module", params=DIALECTS)
def client(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory, sqlite_template: Path
) -> Iterator[TestClient]:
    """One server per dialect for the whole module: every request here is refused (or only reads), so the cases
    need not pay for a fresh server each (there are over 150 of them)."""
    folder = tmp_path_factory.mktemp("robust")
    with ExitStack() as stack:
        if request.param == "sqlite":
            (folder / "data").mkdir()
            shutil.copyfile(sqlite_template, folder / "data" / "shopflow.db")
            url = f"sqlite:///{folder / 'data' / 'shopflow.db'}"
        else:
            url = stack.enter_context(fresh_pg_database(request.getfixturevalue("pg_admin_url")))
            migrate.upgrade(url)
        test_client = stack.enter_context(
            TestClient(create_app(make_settings(url, folder / "server"), start_pipeline=False))
        )
        test_client.headers["Authorization"] = f"Bearer {owner_token(test_client)}"
        yield test_client


def refused(response: Any, field: str) -> str:
    assert response.status_code == 422, response.text
    body = ErrorOut.model_validate(response.json())  # the documented shape
    assert body.errors, body
    assert any(error.field == field for error in body.errors), body.errors
    return body.detail


@pytest.mark.parametrize("number", BEYOND)
@pytest.mark.parametrize(
    ("method", "path", "field"),
    [
        ("GET", "/api/stores/{n}", "store_id"),
        ("PATCH", "/api/stores/{n}", "store_id"),
        ("GET", "/api/cameras/{n}", "camera_id"),
        ("PATCH", "/api/cameras/{n}", "camera_id"),
        ("DELETE", "/api/cameras/{n}", "camera_id"),
        ("GET", "/api/cameras/{n}/snapshot.jpg", "camera_id"),
        ("GET", "/api/stores/{n}/employees", "store_id"),
        ("PATCH", "/api/employees/{n}", "employee_id"),
        ("GET", "/api/cameras?store_id={n}", "store_id"),
        ("GET", "/api/events?store_id={n}", "store_id"),
        ("GET", "/api/events?camera_id={n}", "camera_id"),
        ("GET", "/api/analytics/now?store_id={n}", "store_id"),
        ("GET", "/api/analytics/today?store_id=1&camera_id={n}", "camera_id"),
    ],
)
def test_an_id_beyond_the_database_is_422(client: TestClient, method: str, path: str, field: str, number: int) -> None:
    body = {"active": True} if path.startswith("/api/employees") else {} if method == "PATCH" else None
    path = path.replace("store_id=1&", f"store_id={demo_store(client)}&")  # a store the caller may see
    refused(client.request(method, path.format(n=number), json=body), field)


def real_ids(client: TestClient, values: dict[str, Any]) -> dict[str, Any]:
    """`values` with store and camera 1 meaning the demo's (their ids differ on PostgreSQL, whose sequences are not
    reset): the caller may see them, so what is checked is the value under test, not access to the store."""
    (store,) = client.get("/api/stores").json()
    cameras = client.get("/api/cameras", params={"store_id": store["id"]}).json()
    real = {"store_id": store["id"], "camera_id": cameras[0]["id"] if cameras else 1}
    return {key: real[key] if key in real and value == 1 else value for key, value in values.items()}


def test_the_largest_id_is_just_unknown(client: TestClient) -> None:
    assert client.get(f"/api/stores/{MAX_ID}").status_code == 404
    assert client.get(f"/api/cameras/{MAX_ID}").status_code == 404


@pytest.mark.parametrize(
    ("path", "body", "field"),
    [
        ("/api/stores", {"name": "Loja", "organisation_id": 2**63}, "organisation_id"),
        ("/api/cameras", {"store_id": MAX_ID + 1, "name": "Porta", "source_url": "0"}, "store_id"),
    ],
)
def test_an_id_in_a_body_beyond_the_database_is_422(
    client: TestClient, path: str, body: dict[str, Any], field: str
) -> None:
    refused(client.post(path, json=body), field)


@pytest.mark.parametrize("day", ["0001-01-01", "1999-12-31", "2101-01-01", "9999-12-31"])
@pytest.mark.parametrize("report", ["hourly", "daily", "zones", "compare", "export.csv", "export.xlsx"])
def test_a_far_date_is_422_with_the_range(client: TestClient, report: str, day: str) -> None:
    detail = refused(
        client.get(f"/api/analytics/{report}", params=real_ids(client, {"store_id": 1, "since": day, "until": day})),
        "since",
    )
    assert "2000-01-01" in detail and "2100-12-31" in detail


@pytest.mark.parametrize(
    ("path", "params", "field"),
    [
        ("/api/analytics/report.pdf", {"store_id": 1, "day": "9999-12-31"}, "day"),
        ("/api/analytics/heatmap.png", {"store_id": 1, "camera_id": 1, "since": "0001-01-01"}, "since"),
        (
            "/api/analytics/compare",
            {"store_id": 1, "since": "2024-01-01", "until": "2024-01-02", "against": "0001-01-01"},
            "against",
        ),
        ("/api/events", {"store_id": 1, "since": "0001-01-01T00:00:00+05:00"}, "since"),
        ("/api/events", {"store_id": 1, "until": "9999-12-31T23:59:59-05:00"}, "until"),
    ],
)
def test_far_dates_anywhere_are_422(client: TestClient, path: str, params: dict[str, Any], field: str) -> None:
    refused(client.get(path, params=real_ids(client, params)), field)


@pytest.mark.parametrize(
    ("path", "params", "field"),
    [
        # Found by the schema fuzzer: Pydantic took a bare number as seconds since 1970, the schema says ISO 8601.
        ("/api/audit", {"since": "0.8701757862603808"}, "since"),
        ("/api/audit", {"until": "1733000000"}, "until"),
        ("/api/events", {"store_id": 1, "since": "1733000000"}, "since"),
        ("/api/analytics/daily", {"store_id": 1, "since": "1733011200", "until": "2024-12-02"}, "since"),
        ("/api/analytics/report.pdf", {"store_id": 1, "day": "1.733e9"}, "day"),
    ],
)
def test_a_number_for_a_day_or_a_time_is_422(client: TestClient, path: str, params: dict[str, Any], field: str) -> None:
    assert "ISO 8601" in refused(client.get(path, params=real_ids(client, params)), field)


@pytest.mark.parametrize("action", ["\x00", "sign_in\x00", "a\nb"])
def test_a_control_character_in_the_audit_actions_filter_is_422(client: TestClient, action: str) -> None:
    # Found by the schema fuzzer: a NUL reached PostgreSQL, which refuses it in a text parameter (a 500).
    assert "control characters" in refused(client.get("/api/audit", params={"action": action}), "action")


def test_days_and_times_written_out_still_work_on_the_audit_log(client: TestClient) -> None:
    # Reading the employee list is audited and changes nothing the other tests of this module's server see.
    assert client.get(f"/api/stores/{demo_store(client)}/employees").status_code == 200
    params = {"since": "2000-01-01T00:00:00Z", "until": "2100-12-31T00:00:00-03:00"}
    response = client.get("/api/audit", params=params)
    assert response.status_code == 200, response.text
    assert "employees_read" in [entry["action"] for entry in response.json()]


def demo_store(client: TestClient) -> int:
    (store,) = client.get("/api/stores").json()  # its id differs on PostgreSQL, whose sequences are not reset
    store_id: int = store["id"]
    return store_id


def test_dates_inside_the_range_still_work(client: TestClient) -> None:
    store_id = demo_store(client)
    params = {"store_id": store_id, "since": "2000-01-01", "until": "2000-01-02"}
    assert client.get("/api/analytics/daily", params=params).status_code == 200
    events = client.get("/api/events", params={"store_id": store_id, "since": "2000-01-01T00:00:00Z"})
    assert events.status_code == 200


@pytest.mark.parametrize(
    ("content", "content_type"),
    [
        (b'{"name": "Loja \xff\xfe"}', "application/json"),  # not UTF-8
        (b'{"name": "Loja \\ud800"}', "application/json"),  # a lone surrogate
        (b"--x\r\nbroken", "multipart/form-data; boundary=x"),
    ],
)
def test_a_body_that_cannot_be_read_is_422(client: TestClient, content: bytes, content_type: str) -> None:
    response = client.post("/api/stores", content=content, headers={"content-type": content_type})
    assert response.status_code == 422, response.text
    assert ErrorOut.model_validate(response.json()).detail
    assert [store["name"] for store in client.get("/api/stores").json()] == ["Loja Demo"]


@pytest.mark.parametrize(
    ("path", "body", "field"),
    [
        ("/api/cameras", {"store_id": 1, "name": "Porta\u0000", "source_url": "0"}, "name"),
        ("/api/cameras", {"store_id": 1, "name": "Porta", "source_url": "rtsp://cam\u0000/x"}, "source_url"),
        ("/api/stores/1/employees", {"name": "Ana\u0000", "employee_id": "7"}, "name"),
        ("/api/stores/1/employees", {"name": "Ana", "employee_id": "7\u001b"}, "employee_id"),
    ],
)
def test_control_characters_are_422(client: TestClient, path: str, body: dict[str, Any], field: str) -> None:
    path = path.replace("/stores/1/", f"/stores/{demo_store(client)}/")
    detail = refused(client.post(path, json=real_ids(client, body)), field)
    assert "control characters" in detail


def test_utc_and_every_iana_zone_are_accepted_and_others_refused(client: TestClient) -> None:
    store = f"/api/stores/{demo_store(client)}"
    assert client.patch(store, json={"timezone": "UTC"}).json()["timezone"] == "UTC"
    assert client.get("/settings").status_code == 200  # the dashboard's page (the sign-in page until signed in)
    for zone in ("Nowhere/City", "posixrules", "x" * 1000, "../../../etc/passwd"):
        assert "unknown time zone" in refused(client.patch(store, json={"timezone": zone}), "timezone")


def test_a_too_large_store_id_on_the_realtime_socket_is_refused(client: TestClient) -> None:
    with client.websocket_connect(f"/api/realtime?store_id={MAX_ID + 1}") as socket:
        message = socket.receive_json()
    assert message["type"] == "error"
    assert "store_id" in message["message"]


def test_every_error_answer_in_the_schema_is_an_error_out(client: TestClient) -> None:
    schema = client.get("/openapi.json").json()
    assert "HTTPValidationError" not in str(schema)
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            responses = operation["responses"]
            assert "503" in responses, (method, path)
            if "{" in path:
                assert "404" in responses, (method, path)
            for status, response in responses.items():
                if status[0] in "45" and not (path.endswith("/health") and status == "503"):
                    ref = response["content"]["application/json"]["schema"]["$ref"]
                    assert ref == "#/components/schemas/ErrorOut", (method, path, status)
