"""`shopflow config check`: every setting validated at once, each problem named by its environment key."""

from __future__ import annotations

from pydantic import ValidationError
from pydantic_settings import BaseSettings

from shopflow.config.settings import Settings
from shopflow.ops.settings import OpsSettings


def _errors(model: type[BaseSettings]) -> tuple[BaseSettings | None, list[tuple[str, str]]]:
    try:
        return model(), []
    except ValidationError as error:
        problems = []
        for item in error.errors():
            key = "_".join(str(p) for p in item["loc"]).upper() or model.__name__
            message = str(item["msg"]).removeprefix("Value error, ")
            got = repr(item.get("input"))
            problems.append((key, message if got in message else f"{message} (got {got})"))
        return None, problems


def settings_problems(model: type[BaseSettings]) -> list[tuple[str, str]]:
    return _errors(model)[1]


def check_configuration() -> list[tuple[str, str]]:
    """(KEY, what is wrong) for each wrong setting; empty when the configuration is usable."""
    settings, problems = _errors(Settings)
    _ops, ops_problems = _errors(OpsSettings)
    problems += ops_problems
    if isinstance(settings, Settings):
        problems += _server_problems(settings)
    return problems


def _server_problems(settings: Settings) -> list[tuple[str, str]]:
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import ArgumentError

    from shopflow.storage.db import normalise_url
    from shopflow.vision.model_files import ModelError, resolve_model

    problems: list[tuple[str, str]] = []
    try:
        backend = make_url(normalise_url(settings.resolved_database_url)).get_backend_name()
        if backend not in ("sqlite", "postgresql"):
            problems.append(("DATABASE_URL", f"must be a sqlite:/// or postgresql:// URL, not {backend}"))
    except ArgumentError:
        problems.append(("DATABASE_URL", "is not a database URL (sqlite:///path or postgresql://user@host/db)"))
    try:
        resolve_model(settings.yolo_model)
    except ModelError as error:
        problems.append(("YOLO_MODEL", str(error)))
    if settings.sentry_dsn is not None and settings.sentry_dsn.get_secret_value().strip():
        from sentry_sdk.utils import BadDsn, Dsn

        try:
            Dsn(settings.sentry_dsn.get_secret_value().strip())
        except BadDsn as error:
            problems.append(("SENTRY_DSN", f"is not a Sentry DSN ({error})"))
    return problems
