"""HTTP hardening of the whole app: security headers, trusted hosts, CORS from configuration, 405 for methods an
API path does not serve, and API docs that load nothing from another host."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from starlette.testclient import WebSocketDenialResponse

from shopflow.server.app import create_app

from .conftest import make_settings, owner_token

EVIL = "http://evil.example"


def _csp(value: str) -> dict[str, str]:
    return {part.split()[0]: part.partition(" ")[2] for part in (p.strip() for p in value.split(";")) if part}


@pytest.mark.parametrize("path", ["/api/health", "/api/stores", "/login", "/docs", "/api/stores/999"])
def test_every_answer_carries_the_security_headers(client: TestClient, path: str) -> None:
    response = client.get(path)
    assert response.status_code in (200, 404), response.text
    headers = response.headers
    assert headers["x-content-type-options"] == "nosniff"
    assert headers["x-frame-options"] == "DENY"
    assert headers["referrer-policy"] in ("same-origin", "no-referrer")
    policy = _csp(headers["content-security-policy"])
    assert policy["default-src"] == "'self'"
    assert policy["frame-ancestors"] == "'none'"
    assert policy["object-src"] == "'none'"
    assert policy["base-uri"] == "'self'"
    assert policy["form-action"] == "'self'"
    assert policy["connect-src"] == "'self'"
    # Nothing may come from another host: no source list names one.
    assert not re.search(r"https?://|\*", headers["content-security-policy"])
    assert "strict-transport-security" not in headers  # plain HTTP: HSTS means nothing there
    assert "server" not in headers


def test_hsts_only_over_https(client: TestClient) -> None:
    assert "strict-transport-security" not in client.get("http://testserver/api/health").headers
    hsts = client.get("https://testserver/api/health").headers["strict-transport-security"]
    assert int(hsts.removeprefix("max-age=")) >= 180 * 24 * 3600


def test_hsts_behind_an_https_proxy(db_url: str, tmp_path: Path) -> None:
    settings = make_settings(db_url, tmp_path / "server", behind_https_proxy=True)
    with TestClient(create_app(settings, start_pipeline=False)) as client:
        assert "max-age=" in client.get("/api/health").headers["strict-transport-security"]


@pytest.mark.parametrize("host", ["evil.example", "evil.example:8001", "127.0.0.1.nip.io", "localhost.evil.example"])
def test_an_unknown_host_name_is_refused(client: TestClient, host: str) -> None:
    response = client.get("/api/stores", headers={"host": host})
    assert response.status_code == 400
    assert "ALLOWED_HOSTS" in response.json()["detail"]
    assert response.headers["x-frame-options"] == "DENY"  # refusals are hardened too
    assert client.get("/", headers={"host": host}).status_code == 400  # the dashboard as well


def test_a_known_host_name_is_served(client: TestClient) -> None:
    assert client.get("/api/stores", headers={"host": "localhost:8001"}).status_code == 200


def test_the_realtime_socket_refuses_an_unknown_host(client: TestClient) -> None:
    with (
        pytest.raises(WebSocketDenialResponse) as refused,
        client.websocket_connect("/api/realtime?store_id=1", headers={"host": "evil.example"}),
    ):
        pass
    assert refused.value.status_code == 400


def test_default_hosts_are_this_machines_names_only(tmp_path: Path) -> None:
    from shopflow.config.settings import Settings

    hosts = Settings(_env_file=None, data_dir=tmp_path).allowed_hosts  # type: ignore[call-arg]
    assert {"localhost", "127.0.0.1", "[::1]"} <= set(hosts)
    assert "*" not in hosts and "testserver" not in hosts


def test_no_cors_by_default(client: TestClient) -> None:
    answer = client.get("/api/stores", headers={"origin": EVIL})
    assert answer.status_code == 200
    assert "access-control-allow-origin" not in answer.headers
    preflight = client.options("/api/stores", headers={"origin": EVIL, "access-control-request-method": "POST"})
    assert "access-control-allow-origin" not in preflight.headers


def test_cors_for_the_configured_origins_only(db_url: str, tmp_path: Path) -> None:
    settings = make_settings(db_url, tmp_path / "server", cors_origins="https://painel.loja.example")
    with TestClient(create_app(settings, start_pipeline=False)) as client:
        client.headers["Authorization"] = f"Bearer {owner_token(client)}"
        allowed = client.get("/api/stores", headers={"origin": "https://painel.loja.example"})
        assert allowed.headers["access-control-allow-origin"] == "https://painel.loja.example"
        other = client.get("/api/stores", headers={"origin": EVIL})
        assert "access-control-allow-origin" not in other.headers
        preflight = client.options("/api/stores", headers={"origin": EVIL, "access-control-request-method": "POST"})
        assert "access-control-allow-origin" not in preflight.headers


@pytest.mark.parametrize(
    ("method", "path", "allow"),
    [("TRACE", "/api/stores", "GET, POST"), ("PUT", "/api/stores/1", "GET, PATCH"), ("DELETE", "/api/health", "GET")],
)
def test_a_method_an_api_path_does_not_serve_is_405(client: TestClient, method: str, path: str, allow: str) -> None:
    response = client.request(method, path)
    assert response.status_code == 405
    assert response.headers["allow"] == allow
    assert method in response.json()["detail"]


def test_the_api_docs_load_nothing_from_another_host(client: TestClient) -> None:
    response = client.get("/docs")
    assert response.status_code == 200
    assert re.findall(r"https?://[^\s\"'<>)]+", response.text) == []
    assets = re.findall(r"(?:src|href)=\"([^\"]+)\"", response.text)
    assert any(asset.endswith(".js") for asset in assets)
    for asset in assets:
        assert asset.startswith("/"), asset
        assert client.get(asset).status_code == 200, asset
