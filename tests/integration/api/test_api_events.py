"""GET /api/events: filters and cursor pagination over stored events, and a 4xx for every bad query."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient

from shopflow.domain.events import Direction
from shopflow.domain.people import PersonKind
from tests.integration.storage.factories import T0, crossing, snapshot, visit

from .conftest import runtime_of

DOOR = {"name": "door", "a": [0.1, 0.5], "b": [0.9, 0.5]}
RTSP = "rtsp://10.0.0.9/stream"


@pytest.fixture
def shop(client: TestClient, new_store: Callable[..., dict[str, Any]]) -> dict[str, Any]:
    """A store with two cameras and, through the server's own event writer, some stored events."""
    store = new_store()
    cameras = [
        client.post(
            "/api/cameras", json={"store_id": store["id"], "name": n, "source_url": RTSP, "lines": [DOOR]}
        ).json()["id"]
        for n in ("A", "B")
    ]
    writer = runtime_of(client).writer
    assert writer is not None
    a, b = cameras
    minute = timedelta(minutes=1)
    writer.write(
        a,
        [
            crossing(f"a{n}", T0 + n * minute, Direction.IN if n % 2 == 0 else Direction.OUT, track_id=n)
            for n in range(5)
        ]
        + [crossing("staff", T0 + 10 * minute, kind=PersonKind.EMPLOYEE, track_id=99)],
    )
    writer.write(b, [crossing("b0", T0 + 2 * minute, track_id=7)])
    writer.write(a, [visit("v1", T0 + 20 * minute, dwell=30.0), snapshot("s1", T0, total=3)])
    assert writer.flush()
    return {"store": store["id"], "a": a, "b": b}


def events(client: TestClient, **params: Any) -> dict[str, Any]:
    response = client.get("/api/events", params=params)
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def test_pages_with_a_cursor_cover_every_event_once(client: TestClient, shop: dict[str, Any]) -> None:
    seen: list[int] = []
    cursor = None
    pages = 0
    while True:
        params = {"store_id": shop["store"], "limit": 3} | ({"cursor": cursor} if cursor else {})
        page = events(client, **params)
        seen += [item["id"] for item in page["items"]]
        pages += 1
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert (len(seen), len(set(seen)), pages) == (7, 7, 3)
    everything = events(client, store_id=shop["store"], limit=1000)["items"]
    assert [item["id"] for item in everything] == seen
    times = [item["at"] for item in everything]
    assert times == sorted(times)
    first = everything[0]
    assert (first["kind"], first["line"], first["direction"], first["is_entry"], first["person_kind"]) == (
        "crossing",
        "door",
        "in",
        True,
        "customer",
    )


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"camera_id": "B"}, 1),
        ({"person_kind": "employee"}, 1),
        ({"person_kind": "customer"}, 6),
        ({"since": (T0 + timedelta(minutes=2)).isoformat()}, 5),
        ({"until": (T0 + timedelta(minutes=2)).isoformat()}, 2),
        ({"since": "2024-03-10T09:01:00-03:00", "until": "2024-03-10T12:03:00Z"}, 3),
        ({"kind": "visit"}, 1),
        ({"kind": "snapshot"}, 1),
        ({"kind": "visit", "person_kind": "employee"}, 0),
    ],
)
def test_filters(client: TestClient, shop: dict[str, Any], params: dict[str, Any], expected: int) -> None:
    if params.get("camera_id") == "B":
        params = {**params, "camera_id": shop["b"]}
    page = events(client, store_id=shop["store"], **params)
    assert len(page["items"]) == expected
    if "kind" in params:
        assert {item["kind"] for item in page["items"]} <= {params["kind"]}


def test_camera_alone_names_its_store_and_newest_first(client: TestClient, shop: dict[str, Any]) -> None:
    page = events(client, camera_id=shop["a"], order="newest", limit=2)
    assert [item["track_id"] for item in page["items"]] == [99, 4]
    assert {item["camera_id"] for item in page["items"]} == {shop["a"]}
    visit_page = events(client, camera_id=shop["a"], kind="visit")
    assert visit_page["items"][0]["dwell_seconds"] == 30.0


BAD_QUERIES = [
    ("inverted range", {"since": "2024-03-10T13:00:00Z", "until": "2024-03-10T12:00:00Z"}, 422, "after until"),
    ("page too large", {"limit": 5000}, 422, "limit"),
    ("empty page", {"limit": 0}, 422, "limit"),
    ("naive time", {"since": "2024-03-10T12:00:00"}, 422, "since"),
    ("not a time", {"until": "yesterday"}, 422, "until"),
    ("unknown kind", {"kind": "dance"}, 422, "kind"),
    ("unknown person kind", {"person_kind": "robot"}, 422, "person_kind"),
    ("person kind of snapshots", {"kind": "snapshot", "person_kind": "customer"}, 422, "not to snapshots"),
    ("forged cursor", {"cursor": "bm90LWEtY3Vyc29y"}, 422, "invalid cursor"),
    ("unknown camera", {"camera_id": 999}, 404, "camera 999 does not exist"),
    ("camera of another store", {"camera_id": "DEMO"}, 422, "belongs to store"),
]


@pytest.mark.parametrize(("case", "params", "status", "message"), BAD_QUERIES, ids=[c[0] for c in BAD_QUERIES])
def test_bad_query(
    client: TestClient, shop: dict[str, Any], case: str, params: dict[str, Any], status: int, message: str
) -> None:
    if params.get("camera_id") == "DEMO":
        demo = next(c for c in client.get("/api/cameras").json() if c["is_demo"])
        params = {**params, "camera_id": demo["id"]}
    response = client.get("/api/events", params={"store_id": shop["store"], **params})
    assert response.status_code == status, response.text
    assert message in response.json()["detail"]


def test_store_or_camera_is_required(client: TestClient) -> None:
    response = client.get("/api/events")
    assert (response.status_code, response.json()["detail"]) == (422, "give store_id or camera_id")
    response = client.get("/api/events", params={"store_id": 999})
    assert (response.status_code, response.json()["detail"]) == (404, "store 999 does not exist")
