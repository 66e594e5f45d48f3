"""GET /api/health: 200 with the database's latency while it answers, 503 once it does not; /docs is served."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from shopflow import __version__
from shopflow.server.app import create_app
from shopflow.storage import migrate

from .conftest import make_settings, owner_token, runtime_of


def test_health_when_all_is_well(client: TestClient) -> None:
    response = client.get("/api/health")
    assert response.status_code == 200
    health = response.json()
    assert (health["status"], health["version"], health["detector_loaded"]) == ("ok", __version__, False)
    assert health["database"]["ok"] is True
    assert 0 <= health["database"]["latency_ms"] < 5000
    assert health["cameras"] == {"online": 0, "total": 1}  # the demo camera, not running without the pipeline


def test_api_is_documented(client: TestClient) -> None:
    assert client.get("/docs").status_code == 200
    paths = client.get("/openapi.json").json()["paths"]
    for path in ("/api/health", "/api/stores", "/api/cameras/{camera_id}/snapshot.jpg", "/api/events"):
        assert path in paths


def _make_database_unreachable(url: str, request: pytest.FixtureRequest, client: TestClient) -> None:
    if url.startswith("sqlite"):
        runtime_of(client).database.dispose()
        path = Path(make_url(url).database or "")
        for leftover in path.parent.glob(path.name + "*"):
            leftover.unlink()
        path.mkdir()  # a folder where the database file was: SQLite cannot open it
        return
    admin = create_engine(request.getfixturevalue("pg_admin_url"), isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE "{make_url(url).database}" WITH (FORCE)'))
    finally:
        admin.dispose()


def test_health_is_503_when_the_database_is_gone(
    empty_url: str, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    # A database never migrated before: the app brings it to the newest schema on start.
    with TestClient(create_app(make_settings(empty_url, tmp_path / "server"), start_pipeline=False)) as client:
        assert migrate.is_up_to_date(empty_url)
        assert client.get("/api/health").status_code == 200
        client.headers["Authorization"] = f"Bearer {owner_token(client)}"

        _make_database_unreachable(empty_url, request, client)

        response = client.get("/api/health")
        assert response.status_code == 503
        health = response.json()
        assert (health["status"], health["database"]["ok"]) == ("unavailable", False)
        assert "did not answer" in health["database"]["error"]
        # Other endpoints say so plainly too, never with a traceback.
        response = client.get("/api/stores")
        assert (response.status_code, response.json()) == (
            503,
            {"detail": "the database is not answering; try again shortly"},
        )
    if empty_url.startswith("sqlite"):
        shutil.rmtree(Path(make_url(empty_url).database or ""), ignore_errors=True)
