"""`shopflow config check`: every setting validated at once, each problem named by its environment key."""

from __future__ import annotations

import ipaddress

from pydantic import SecretStr, ValidationError
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
        if settings.shopflow_env == "production":
            problems += production_problems(settings)
    return problems


MIN_SECRET_LENGTH = 32
# Values the documentation, .env.example and the production guide show as placeholders: a server started with
# one of them has a secret everybody knows.
EXAMPLE_SECRETS = frozenset(
    {
        "your-production-api-key",
        "your-api-key",
        "your-secret",
        "changeme",
        "change-me",
        "change_me",
        "secret",
        "password",
        "senha",
        "pw",
        "admin",
        "test",
        "example",
        "...",
        "eyj...",
    }
)


def is_example_secret(value: str) -> bool:
    text = value.strip().lower()
    # A pasted command line ("$(openssl rand -hex 32)") was meant to be run, not used.
    return text in EXAMPLE_SECRETS or text.startswith(("your-", "$(")) or "changeme" in text or "example" in text


def _secret(value: SecretStr | None) -> str:
    return "" if value is None else value.get_secret_value().strip()


def is_loopback(host: str) -> bool:
    text = host.strip().strip("[]").lower()
    if text == "localhost":
        return True
    try:
        return ipaddress.ip_address(text).is_loopback
    except ValueError:
        return False


def production_problems(settings: Settings, host: str | None = None) -> list[tuple[str, str]]:
    """(KEY, what is wrong) for each setting a production server must not start with; `host` is where it will
    listen (API_HOST unless --host says otherwise)."""
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import ArgumentError

    from shopflow.storage.db import normalise_url

    problems: list[tuple[str, str]] = []
    session_secret = _secret(settings.session_secret)
    if not session_secret:
        problems.append(("SESSION_SECRET", "must be set in production (e.g. the output of `openssl rand -hex 32`)"))
    elif is_example_secret(session_secret):
        problems.append(("SESSION_SECRET", "is an example value from the documentation; generate a random one"))
    elif len(session_secret) < MIN_SECRET_LENGTH:
        problems.append(("SESSION_SECRET", f"is shorter than {MIN_SECRET_LENGTH} characters; generate a random one"))
    bridge_key = _secret(settings.bridge_api_key)
    if bridge_key and is_example_secret(bridge_key):
        problems.append(("BRIDGE_API_KEY", "is an example value from the documentation; generate a random one"))
    elif bridge_key and len(bridge_key) < MIN_SECRET_LENGTH:
        problems.append(("BRIDGE_API_KEY", f"is shorter than {MIN_SECRET_LENGTH} characters; generate a random one"))
    try:
        password = make_url(normalise_url(settings.resolved_database_url)).password
    except ArgumentError:
        password = None  # reported as a malformed DATABASE_URL already
    if password and is_example_secret(str(password)):
        problems.append(("DATABASE_URL", "its password is an example value from the documentation; change it"))
    listen = settings.api_host if host is None else host
    if not is_loopback(listen) and not settings.serves_https:
        problems.append(
            (
                "API_HOST",
                f"listening on {listen} without HTTPS: set TLS_CERT_FILE and TLS_KEY_FILE, or "
                "BEHIND_HTTPS_PROXY=true when a reverse proxy in front serves HTTPS, or listen on 127.0.0.1",
            )
        )
    if settings.api_debug:
        problems.append(("API_DEBUG", "must be off in production"))
    if "*" in settings.allowed_hosts:
        problems.append(("ALLOWED_HOSTS", "must name this server's hosts in production, not *"))
    if "*" in settings.cors_origins:
        problems.append(("CORS_ORIGINS", "must name the allowed origins in production, not *"))
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
