"""API errors: one exception family with its HTTP status, and the handlers that turn every failure into JSON.

Every error answer is `{"detail": "<plain sentence>"}` (validation errors add `errors`, one entry per field).
No handler ever sends a traceback: unexpected failures are logged and answered with a generic 500.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sqlalchemy.exc import OperationalError
from starlette.exceptions import HTTPException as StarletteHTTPException

from shopflow.services.access import AccessDeniedError
from shopflow.services.cameras import CameraInputError
from shopflow.services.throttle import retry_after_header
from shopflow.storage.errors import AlreadyExistsError, NotFoundError

log = logging.getLogger(__name__)


class ShopFlowError(Exception):
    """An error the client can act on; `message` is shown to them as it is."""

    status_code = 400

    def __init__(self, message: str, status_code: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        if status_code is not None:
            self.status_code = status_code


class ConflictError(ShopFlowError):
    """The request is fine but the thing it is about is not in a state to answer it (a camera not running)."""

    status_code = 409


class TooManyRequestsError(ShopFlowError):
    """Over a rate limit: answered 429 with Retry-After (whole seconds)."""

    status_code = 429

    def __init__(self, message: str, retry_after: float) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class InvalidInputError(ShopFlowError):
    status_code = 422


class UnavailableError(ShopFlowError):
    status_code = 503


def _error(status_code: int, detail: str, **extra: Any) -> JSONResponse:
    return JSONResponse(status_code=status_code, content={"detail": detail, **extra})


def _field(location: Sequence[int | str]) -> str:
    # ("body", "lines", 0, "a") -> "lines[0].a"; ("query", "limit") -> "limit"
    # "[key]" marks an error in a dictionary key; the key itself is the part before it.
    parts = [part for part in location if part not in ("body", "query", "path", "header", "cookie", "[key]")]
    text = ""
    for part in parts:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text or "request"


def _message(error: Any) -> str:
    message = str(error.get("msg", "is not valid"))
    # Our validators raise ValueError with a finished sentence; pydantic prefixes it.
    return message.removeprefix("Value error, ").removeprefix("Assertion failed, ")


def validation_messages(errors: Sequence[Any]) -> list[dict[str, str]]:
    return [{"field": _field(error.get("loc", ())), "message": _message(error)} for error in errors]


async def _shopflow_error(_request: Request, error: Exception) -> JSONResponse:
    assert isinstance(error, ShopFlowError)
    response = _error(error.status_code, error.message)
    if error.status_code == 401:
        response.headers["WWW-Authenticate"] = "Bearer"
    if isinstance(error, TooManyRequestsError):
        response.headers["Retry-After"] = retry_after_header(error.retry_after)
    return response


async def _access_denied(_request: Request, error: Exception) -> JSONResponse:
    return _error(403, str(error))


async def _validation_error(_request: Request, error: Exception) -> JSONResponse:
    assert isinstance(error, RequestValidationError)
    messages = validation_messages(error.errors())
    detail = "; ".join(f"{item['field']}: {item['message']}" for item in messages) or "invalid request"
    return _error(422, detail, errors=messages)


async def _not_found(_request: Request, error: Exception) -> JSONResponse:
    assert isinstance(error, NotFoundError)
    return _error(404, f"{error.what} {error.key!r} does not exist")


async def _invalid_input(_request: Request, error: Exception) -> JSONResponse:
    field = getattr(error, "field", None)
    # Shaped like a validation error when the field is known: clients read both the same way.
    extra = {"errors": [{"field": field, "message": str(error)}]} if field else {}
    return _error(422, str(error), **extra)


async def _already_exists(_request: Request, error: Exception) -> JSONResponse:
    return _error(409, str(error))


# FastAPI and Starlette answer 400 to a body they cannot even take apart (not UTF-8, broken multipart); a body
# that is not JSON is a 422 already, so these are too, with what to send instead.
BODY_HELP = "send JSON in UTF-8 (Content-Type: application/json), or a multipart form where a file is asked for"


async def _http_error(_request: Request, error: Exception) -> JSONResponse:
    assert isinstance(error, StarletteHTTPException)
    if error.status_code == 400:
        reason = str(error.detail).rstrip(".").lower() if isinstance(error.detail, str) else "it is malformed"
        message = f"cannot be read ({reason}): {BODY_HELP}"
        return _error(422, f"body: {message}", errors=[{"field": "body", "message": message}])
    detail = error.detail if isinstance(error.detail, str) else "request failed"
    return JSONResponse(status_code=error.status_code, content={"detail": detail}, headers=error.headers)


async def _database_down(request: Request, error: Exception) -> JSONResponse:
    log.warning("database unavailable on %s %s: %s", request.method, request.url.path, error)
    return _error(503, "the database is not answering; try again shortly")


async def _unexpected(request: Request, error: Exception) -> JSONResponse:
    log.error("unexpected error on %s %s", request.method, request.url.path, exc_info=error)
    return _error(500, "internal server error; the details are in the server log")


def install_error_handlers(app: FastAPI) -> None:
    app.add_exception_handler(ShopFlowError, _shopflow_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(NotFoundError, _not_found)
    app.add_exception_handler(AccessDeniedError, _access_denied)
    app.add_exception_handler(CameraInputError, _invalid_input)
    app.add_exception_handler(AlreadyExistsError, _already_exists)
    app.add_exception_handler(StarletteHTTPException, _http_error)
    app.add_exception_handler(OperationalError, _database_down)
    app.add_exception_handler(Exception, _unexpected)
