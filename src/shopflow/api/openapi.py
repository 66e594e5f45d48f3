"""The OpenAPI schema says what the API really answers: every error is an ErrorOut (FastAPI's default 422 schema,
an array of ValidationError, is not what this API sends), and the statuses any route can answer are listed.

Added to every operation unless it documents them itself: 503 (the database does not answer), 404 where its path,
query or body names a store, camera, employee or organisation, and a JSON ErrorOut body for every 4xx and 5xx.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fastapi import FastAPI

from shopflow.api.schemas.errors import ErrorOut, FieldErrorOut

SCHEMAS = "#/components/schemas/"
ERROR_REF = {"$ref": f"{SCHEMAS}ErrorOut"}
FASTAPI_VALIDATION = ("HTTPValidationError", "ValidationError")
ID_PARAMETERS = frozenset({"store_id", "camera_id", "employee_id", "organisation_id"})
# Anyone may call these; every other operation needs a caller (api/security.py).
PUBLIC = frozenset({("/api/health", "get"), ("/api/analytics/health", "get"), ("/api/auth/token", "post")})
SECURITY_SCHEMES = {
    "bearer": {"type": "http", "scheme": "bearer", "description": "an API key, a token from POST /api/auth/token"},
    "dashboard": {"type": "apiKey", "in": "cookie", "name": "shopflow_session"},
}
DESCRIPTIONS = {
    "401": "no credentials, or a token or session that is unknown, revoked or expired",
    "403": "signed in, but this role or key scope may not do this (or a cookie change from another site)",
    "429": "too many requests from this caller: wait the seconds in Retry-After",
    "404": "no such store, camera or employee (or one the caller may not see)",
    "422": "invalid input: `detail` says what to fix, `errors` names each field",
    "503": "the database is not answering; try again shortly",
}
Schema = dict[str, Any]


def _error_schemas() -> dict[str, Schema]:
    schemas: dict[str, Schema] = {}
    for model in (FieldErrorOut, ErrorOut):
        schema = model.model_json_schema(ref_template=SCHEMAS + "{model}")
        schemas.update(schema.pop("$defs", {}))
        schemas[model.__name__] = schema
    return schemas


def _body_fields(operation: Schema, components: Schema) -> set[str]:
    body = operation.get("requestBody", {}).get("content", {}).get("application/json", {}).get("schema", {})
    reference = str(body.get("$ref", ""))
    return set(components.get(reference.removeprefix(SCHEMAS), {}).get("properties", {}))


def _names_an_id(path: str, operation: Schema, components: Schema) -> bool:
    names = {parameter.get("name") for parameter in operation.get("parameters", [])}
    return "{" in path or bool((names | _body_fields(operation, components)) & ID_PARAMETERS)


def _document(path: str, method: str, operation: Schema, components: Schema) -> None:
    responses: dict[str, Schema] = operation.setdefault("responses", {})
    validation = responses.get("422")  # FastAPI adds one to any operation with parameters or a body
    if validation is not None:
        if validation.get("description") in (None, "Validation Error"):
            validation["description"] = DESCRIPTIONS["422"]
        validation["content"] = {"application/json": {"schema": ERROR_REF}}
    if _names_an_id(path, operation, components):
        responses.setdefault("404", {"description": DESCRIPTIONS["404"]})
    if (path, method) not in PUBLIC:
        operation["security"] = [{"bearer": []}, {"dashboard": []}]
        for status in ("401", "403", "429"):
            responses.setdefault(status, {"description": DESCRIPTIONS[status]})
    responses.setdefault("503", {"description": DESCRIPTIONS["503"]})
    for status, response in responses.items():
        if status[0] in "45" and "content" not in response:
            response["content"] = {"application/json": {"schema": ERROR_REF}}


def document_errors(schema: Schema) -> Schema:
    """`schema` (FastAPI's) with the error answers as they are; changed in place and returned."""
    components = schema.setdefault("components", {}).setdefault("schemas", {})
    for name in FASTAPI_VALIDATION:
        components.pop(name, None)
    components.update(_error_schemas())
    schema["components"]["securitySchemes"] = SECURITY_SCHEMES
    for path, operations in schema.get("paths", {}).items():
        for method, operation in operations.items():
            _document(path, method, operation, components)
    return schema


def install_openapi(app: FastAPI) -> None:
    build: Callable[[], Schema] = app.openapi

    def openapi() -> Schema:
        if app.openapi_schema is None:
            app.openapi_schema = document_errors(build())
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]
