"""`SHOPFLOW_ENV=production shopflow serve` refuses insecure settings with one line and exit status 2; the
development default (the README's `shopflow serve`) is not refused. A port in use proves a start got past the
check without starting a server."""

from __future__ import annotations

from pathlib import Path

import pytest

from .test_cli_serve import busy_port, one_error_line, run_cli  # noqa: F401 - busy_port is a fixture

GOOD_SECRET = "8f3c1e0b9a7d4c2e6f5a8b1c3d9e7f0a2b4c6d8e"
PRODUCTION = {"SHOPFLOW_ENV": "production", "SESSION_SECRET": GOOD_SECRET, "BRIDGE_API_KEY": "", "API_DEBUG": "false"}


@pytest.mark.parametrize(
    ("env", "host", "key"),
    [
        ({"SESSION_SECRET": ""}, "127.0.0.1", "SESSION_SECRET"),
        ({"SESSION_SECRET": "short-secret"}, "127.0.0.1", "SESSION_SECRET"),
        ({"SESSION_SECRET": "your-production-api-key"}, "127.0.0.1", "SESSION_SECRET"),
        ({"BRIDGE_API_KEY": "your-production-api-key"}, "127.0.0.1", "BRIDGE_API_KEY"),
        ({"BRIDGE_API_KEY": "CHANGEME"}, "127.0.0.1", "BRIDGE_API_KEY"),
        ({"DATABASE_URL": "postgresql://shopflow:password@127.0.0.1:9/shop"}, "127.0.0.1", "DATABASE_URL"),
        ({}, "0.0.0.0", "API_HOST"),
        ({}, "::", "API_HOST"),
        ({"TLS_CERT_FILE": "", "BEHIND_HTTPS_PROXY": "false"}, "192.168.1.10", "API_HOST"),
        ({"API_DEBUG": "true"}, "127.0.0.1", "API_DEBUG"),
        ({"ALLOWED_HOSTS": "*"}, "127.0.0.1", "ALLOWED_HOSTS"),
        ({"CORS_ORIGINS": "*"}, "127.0.0.1", "CORS_ORIGINS"),
    ],
)
def test_production_refuses_an_insecure_setting(tmp_path: Path, env: dict[str, str], host: str, key: str) -> None:
    line = one_error_line(run_cli("serve", "--host", host, "--port", "8123", cwd=tmp_path, **{**PRODUCTION, **env}))
    assert "production refuses to start" in line
    assert key in line
    assert "password@" not in line and GOOD_SECRET not in line


def test_production_starts_behind_an_https_proxy(tmp_path: Path, busy_port: int) -> None:  # noqa: F811
    result = run_cli(
        "serve", "--host", "127.0.0.1", "--port", str(busy_port), cwd=tmp_path, **PRODUCTION, BEHIND_HTTPS_PROXY="true"
    )
    line = one_error_line(result)
    assert "is in use" in line  # past the production check: only the port stopped it


def test_production_on_loopback_needs_no_https(tmp_path: Path, busy_port: int) -> None:  # noqa: F811
    line = one_error_line(run_cli("serve", "--host", "127.0.0.1", "--port", str(busy_port), cwd=tmp_path, **PRODUCTION))
    assert "is in use" in line


def test_development_is_not_refused(tmp_path: Path, busy_port: int) -> None:  # noqa: F811
    env = {"SHOPFLOW_ENV": "development", "SESSION_SECRET": "", "BRIDGE_API_KEY": "your-production-api-key"}
    line = one_error_line(run_cli("serve", "--host", "0.0.0.0", "--port", str(busy_port), cwd=tmp_path, **env))
    assert "is in use" in line


def test_config_check_lists_every_production_problem(tmp_path: Path) -> None:
    env = {**PRODUCTION, "SESSION_SECRET": "", "BRIDGE_API_KEY": "your-production-api-key", "API_HOST": "0.0.0.0"}
    result = run_cli("config", "check", cwd=tmp_path, **env)
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    for key in ("SESSION_SECRET", "BRIDGE_API_KEY", "API_HOST"):
        assert key in result.stderr
