"""Schemathesis against the API's own OpenAPI schema, in-process, on SQLite and PostgreSQL: generated requests
(valid ones, then invalid ones) must never get a 5xx, and every answer must be documented: its status, its content
type and its body's schema. Bounded so the whole module stays within a few minutes on two cores.

Requests go through the `client` fixture's TestClient, with the headers of `schema_auth_headers`, so the same test
runs as a signed-in caller once the API requires one.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
import schemathesis
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import Case, GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    negative_data_rejection,
    response_schema_conformance,
    status_code_conformance,
)

pytestmark = pytest.mark.timeout(600)

POSITIVE_EXAMPLES = 25
NEGATIVE_EXAMPLES = 12
BASE_URL = "http://testserver"
# Not fuzzed here, and why:
# - both test-connection operations open the camera source they are given (or that a fuzzed camera saved): random
#   URLs would make this test reach out to arbitrary hosts and files. tests/integration/api/test_api_cameras.py
#   covers them with loopback and local sources.
# - signing out (here or everywhere) and setting a password end sessions: a fuzzed id may well be the owner's own,
#   after which every later case would only see 401. tests/integration/api/test_api_sessions.py covers them.
# The MJPEG stream is fuzzed: this app runs no camera workers, so it answers at once (409) instead of streaming.
# The realtime websocket is not an OpenAPI operation.
NOT_FUZZED = frozenset(
    {
        "POST /api/cameras/test-connection",
        "POST /api/cameras/{camera_id}/test-connection",
        "POST /api/auth/logout",
        "POST /api/auth/logout-everywhere",
        "POST /api/auth/password",
        "POST /api/users/{user_id}/logout-everywhere",
        "POST /api/users/{user_id}/password",
    }
)
POSITIVE_CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]
NEGATIVE_CHECKS = [not_a_server_error, negative_data_rejection, status_code_conformance, content_type_conformance]


@pytest.fixture
def schema_auth_headers(client: TestClient) -> dict[str, str]:
    """Headers every fuzzed request carries: the owner's bearer token (the `client` fixture's)."""
    return {"Authorization": client.headers["Authorization"]}


def _multipart(parts: list[tuple[str, tuple[str | None, Any]]]) -> tuple[list[Any], dict[str, str]]:
    """requests' multipart parts as httpx takes them: files with a name, plain fields as text."""
    files: list[Any] = []
    fields: dict[str, str] = {}
    for name, (filename, value) in parts:
        text = value if isinstance(value, str | bytes) else json.dumps(value)
        if filename is None:
            fields[name] = text.decode("utf-8", "replace") if isinstance(text, bytes) else text
        else:
            files.append((name, (filename, text.encode("utf-8", "surrogatepass") if isinstance(text, str) else text)))
    return files, fields


def _send(client: TestClient, case: Case, headers: dict[str, str]) -> Any:
    """The case as a request through the TestClient (requests-style keyword arguments, as httpx takes them)."""
    kwargs = case.as_transport_kwargs(base_url=BASE_URL, headers=headers)
    kwargs.pop("cookies", None)
    if kwargs.get("files"):
        kwargs["files"], fields = _multipart(kwargs["files"])
        kwargs["data"] = {**(kwargs.get("data") or {}), **fields}
    elif "data" in kwargs and not isinstance(kwargs["data"], dict):
        kwargs["content"] = kwargs.pop("data")
    response = client.request(**kwargs)
    response.request.read()  # a multipart body (the face photo) is a stream; the checks read the request back
    return response


def _fuzz(
    client: TestClient, headers: dict[str, str], mode: GenerationMode, examples: int, checks: list[Any]
) -> tuple[int, list[str]]:
    schema = schemathesis.openapi.from_dict(client.get("/openapi.json", headers=headers).json())
    cases = 0
    failures: list[str] = []
    for result in schema.get_all_operations():
        operation = result.ok()
        if operation.label in NOT_FUZZED:
            continue

        @given(case=operation.as_strategy(generation_mode=mode))
        @settings(max_examples=examples, deadline=None, database=None, suppress_health_check=list(HealthCheck))
        def run(case: Case) -> None:
            nonlocal cases
            cases += 1
            response = _send(client, case, headers)
            case.validate_response(response, checks=checks, headers=headers)

        try:
            run()
        except Unsatisfiable:  # no parameter and no body: nothing can be made invalid (negative mode only)
            continue
        except Exception as error:  # one operation's failure (with its minimal example) must not hide the others'
            failures.append(f"{operation.label}: {error}")
    return cases, failures


def _report(mode: str, cases: int, failures: list[str]) -> Callable[[], str]:
    return lambda: f"{mode}: {len(failures)} failing operations in {cases} cases\n" + "\n\n".join(failures)


def test_valid_requests_get_documented_answers(client: TestClient, schema_auth_headers: dict[str, str]) -> None:
    cases, failures = _fuzz(client, schema_auth_headers, GenerationMode.POSITIVE, POSITIVE_EXAMPLES, POSITIVE_CHECKS)
    assert cases >= 100, f"only {cases} cases ran"
    assert not failures, _report("positive", cases, failures)()


def test_invalid_requests_are_refused_with_documented_4xx(
    client: TestClient, schema_auth_headers: dict[str, str]
) -> None:
    cases, failures = _fuzz(client, schema_auth_headers, GenerationMode.NEGATIVE, NEGATIVE_EXAMPLES, NEGATIVE_CHECKS)
    assert cases >= 50, f"only {cases} cases ran"
    assert not failures, _report("negative", cases, failures)()
