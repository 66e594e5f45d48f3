"""The deployment files agree with the code: every setting is documented, compose.yaml only sets known
variables, and the image runs as a non-root user with a health check on the real health endpoint."""

from __future__ import annotations

import re
from pathlib import Path

import yaml

from shopflow.config.settings import Settings
from shopflow.ops.settings import OpsSettings

ROOT = Path(__file__).resolve().parents[3]
COMPOSE_ONLY = {"POSTGRES_PASSWORD", "POSTGRES_USER", "POSTGRES_DB"}  # the database container's own


def known_variables() -> set[str]:
    return {name.upper() for model in (Settings, OpsSettings) for name in model.model_fields}


def test_every_setting_is_documented_and_nothing_else() -> None:
    text = (ROOT / "docs" / "environment.md").read_text(encoding="utf-8")
    documented = set(re.findall(r"^\| `([A-Z_]+)` \|", text, flags=re.MULTILINE))
    assert documented == known_variables()


def test_compose_runs_shopflow_on_postgresql_with_known_variables_only() -> None:
    compose = yaml.safe_load((ROOT / "compose.yaml").read_text(encoding="utf-8"))
    services = compose["services"]
    assert services["db"]["image"] == "postgres:15"
    assert "pg_isready" in " ".join(services["db"]["healthcheck"]["test"])
    app = services["shopflow"]
    assert app["depends_on"]["db"]["condition"] == "service_healthy"
    assert app["environment"]["DATABASE_URL"].startswith("postgresql://")
    assert set(app["environment"]) <= known_variables()
    assert set(services["db"]["environment"]) <= COMPOSE_ONLY
    assert "8001:8001" in app["ports"]


def test_the_image_runs_unprivileged_with_a_health_check() -> None:
    lines = (ROOT / "Dockerfile").read_text(encoding="utf-8").splitlines()
    users = [line.split()[1] for line in lines if line.startswith("USER ")]
    assert users == ["shopflow"]
    health = " ".join(lines[next(i for i, line in enumerate(lines) if line.startswith("HEALTHCHECK")) :])
    assert "/api/health" in health
    assert "postgresql-client-15" in "\n".join(lines)  # pg_dump for `shopflow backup` matches the server
    assert lines[-1] == 'CMD ["shopflow", "serve"]'
