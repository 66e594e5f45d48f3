"""GET /metrics on a server whose camera plays a real clip: every listed series is there, with live figures."""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from prometheus_client.parser import text_string_to_metric_families

from shopflow.server.app import create_app
from shopflow.storage import migrate
from shopflow.storage.db import Database
from shopflow.storage.records import LineConfig
from shopflow.storage.repositories import CameraRepository, StoreRepository

from ..api.conftest import clip, make_settings, owner_token, wait_for  # noqa: F401 - clip is a fixture

pytestmark = pytest.mark.video

ENTRANCE = LineConfig("entrada", (0.40, 0.98), (0.40, 0.28))


METRICS_TOKEN = "prometheus-na-loja-7f3a"


def samples(client: TestClient) -> dict[str, list[tuple[dict[str, str], float]]]:
    response = client.get("/metrics", headers={"Authorization": f"Bearer {METRICS_TOKEN}"})
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain; version=")
    found: dict[str, list[tuple[dict[str, str], float]]] = {}
    for family in text_string_to_metric_families(response.text):
        for sample in family.samples:
            found.setdefault(sample.name, []).append((sample.labels, sample.value))
    return found


def test_metrics_expose_the_pipeline_the_api_and_the_bridge(
    tmp_path: Path,
    clip: Path,  # noqa: F811
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("METRICS_TOKEN", METRICS_TOKEN)
    url = f"sqlite:///{tmp_path / 'shopflow.db'}"
    migrate.upgrade(url)
    database = Database.from_url(url)
    try:
        with database.session() as session:
            stores = StoreRepository(session)
            store = stores.create(stores.create_organisation("Acme").id, "Loja Centro")
            camera = CameraRepository(session).create(
                store.id, "Entrada", str(clip), imgsz=320, lines=[ENTRANCE], loop_video=True, realtime_pace=True
            )
    finally:
        database.dispose()
    label = str(camera.id)
    with TestClient(create_app(make_settings(url, tmp_path / "server"))) as client:
        client.headers["Authorization"] = f"Bearer {owner_token(client)}"
        assert client.get(f"/api/cameras/{camera.id}").status_code == 200
        # Camera names and rates are the store's business: a scraper without the token gets nothing.
        for header in ({}, {"Authorization": "Bearer wrong"}):
            refused = client.get("/metrics", headers=header)
            assert refused.status_code == 401 and "shopflow_" not in refused.text

        def running() -> dict[str, list[tuple[dict[str, str], float]]] | None:
            found = samples(client)
            fps = {labels["camera"]: value for labels, value in found.get("shopflow_camera_fps", [])}
            written = found.get("shopflow_events_written_total", [({}, 0.0)])[0][1]
            return found if fps.get(label, 0) > 0 and written > 0 else None

        found = wait_for(running, 60, "the camera's fps and written events to show in /metrics", every=1.0)
        client.app.state.metrics.outbox_depth.labels("erp").set(7)  # type: ignore[attr-defined]
        found = samples(client)

    assert found["shopflow_camera_dropped_frames_total"] == [
        ({"camera": label}, found["shopflow_camera_dropped_frames_total"][0][1])
    ]
    ((count_labels, runs),) = found["shopflow_detector_latency_seconds_count"]
    ((_, busy),) = found["shopflow_detector_latency_seconds_sum"]
    assert count_labels == {"imgsz": "320"} and runs > 0 and 0 < busy / runs < 5
    assert found["shopflow_detector_frames_total"][0][1] >= runs
    assert {labels["queue"] for labels, _ in found["shopflow_queue_depth"]} == {"detector", "event_writer"}
    assert all(value >= 0 for _, value in found["shopflow_queue_depth"])
    assert found["shopflow_events_written_total"][0][1] > 0
    assert "shopflow_events_duplicate_total" in found and "shopflow_events_dropped_total" in found
    assert found["shopflow_bridge_outbox_depth"] == [({"bridge": "erp"}, 7.0)]
    # The API histogram is labelled by route template (bounded), never by raw path.
    api = found["shopflow_api_request_duration_seconds_count"]
    routes = {(labels["method"], labels["route"], labels["status"]) for labels, _ in api}
    assert ("GET", "/api/cameras/{camera_id}", "200") in routes
    assert not any(route.startswith("/api/cameras/") and route[-1].isdigit() for _, route, _ in routes)
    assert any(labels["le"] == "+Inf" for labels, _ in found["shopflow_api_request_duration_seconds_bucket"])
