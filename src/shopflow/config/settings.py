"""ShopFlow settings from the environment (names from the production guide) and `.env`."""

from __future__ import annotations

import ipaddress
import logging
import socket
from functools import lru_cache
from pathlib import Path
from typing import Annotated, Literal

from limits import parse_many
from pydantic import Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from shopflow.config.files import kept_token
from shopflow.domain.cameras import DEFAULT_IMGSZ, check_imgsz

log = logging.getLogger(__name__)

DEFAULT_DATA_DIR = Path("data")
SESSION_SECRET_FILE = "session_secret"
REDIS_SCHEMES = ("redis://", "rediss://", "redis+unix://")


def check_rate_limit(value: str) -> str:
    """One rate limit in the `limits` notation (`5/15minutes`, `600 per minute`) allowing at least one request."""
    try:
        items = parse_many(value)
    except ValueError:
        items = []
    if len(items) != 1 or items[0].amount < 1:
        raise ValueError(f"expected one rate limit such as '5/15minutes' or '600/minute', got {value!r}")
    return value.strip()


LOOPBACK_HOSTS = ("localhost", "127.0.0.1", "[::1]")

# A comma-separated list in the environment (`a.example,b.example`), not JSON.
CommaList = Annotated[list[str], NoDecode]


def default_allowed_hosts() -> list[str]:
    """The names a browser on this machine uses for it: loopback, and the machine's own host name."""
    hostname = socket.gethostname().strip().lower()
    names = [*LOOPBACK_HOSTS]
    if hostname and hostname not in names:
        names += [hostname, f"{hostname}.local"] if "." not in hostname else [hostname]
    return names


def _host_pattern(value: str) -> str:
    # Starlette compares the Host header with its brackets: an IPv6 address is written [::1] there.
    text = value.strip().lower()
    try:
        if ipaddress.ip_address(text).version == 6:
            return f"[{text}]"
    except ValueError:
        pass
    if text != "*" and ("*" in text[1:] or (text.startswith("*") and not text.startswith("*."))):
        raise ValueError(f"{value!r}: a wildcard is only allowed as a whole first label, like *.example.com")
    return text


def _items(value: object) -> list[str]:
    if isinstance(value, str):
        return [item.strip() for item in value.split(",") if item.strip()]
    if isinstance(value, list | tuple):
        return [str(item).strip() for item in value if str(item).strip()]
    raise ValueError("must be a comma-separated list")


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env", env_file_encoding="utf-8", extra="ignore")

    api_host: str = "0.0.0.0"
    api_port: int = Field(8001, ge=1, le=65535)
    api_debug: bool = False
    bridge_api_key: SecretStr | None = None
    # Signs the dashboard's session cookies. Unset: one is generated once and kept in DATA_DIR/session_secret.
    session_secret: SecretStr | None = None
    # How long a dashboard sign-in or an API bearer token lasts before signing in again.
    session_hours: int = Field(12, ge=1, le=24 * 90)
    sentry_dsn: SecretStr | None = None

    # `yolo11n` (or `yolo11n.pt`, the seed's name) means the bundled model; anything else is a path to a
    # YOLO-format ONNX file.
    yolo_model: str = "yolo11n"
    yolo_confidence: float = Field(0.5, gt=0.0, lt=1.0)
    yolo_imgsz: int = DEFAULT_IMGSZ  # checked by _input_size
    yolo_threads: int = Field(2, ge=1, le=64)
    # The Linux niceness of the camera threads (pipeline/priority.py): 10 lets the dashboard and the API answer
    # first on a busy PC; 0 gives the cameras an equal share, for a PC that does nothing but count.
    camera_niceness: int = Field(10, ge=0, le=19)
    # Which arithmetic runs the model: `onnx-fp32` (the file as shipped) or `onnx-int8` (a QDQ copy built once
    # from it, calibrated on the bundled sample, cached in DATA_DIR/models). docs/benchmarks.md says which is
    # faster on which CPU; the default is the one that is faster here and counts the same.
    yolo_backend: Literal["onnx-fp32", "onnx-int8"] = "onnx-fp32"
    # Face recognition of staff (when a store turns it on): the largest distance between a face and an enrolled
    # employee's that still names them. Lower refuses more strangers and misses more staff (docs/benchmarks.md).
    face_match_threshold: float = Field(0.4, gt=0.0, lt=2.0)

    data_dir: Path = DEFAULT_DATA_DIR
    database_url: str = ""

    # Rate-limit counts live in this Redis when set, so every server process sees the same counts; empty: in
    # each process's memory.
    redis_url: str = ""
    # Failed sign-ins allowed per account (e-mail) and per client address in a moving window, then refused (429).
    sign_in_limit_per_account: str = "5/15minutes"
    sign_in_limit_per_address: str = "20/15minutes"
    # Requests allowed per API key (or other caller) before 429.
    api_rate_limit: str = "600/minute"
    # Camera sources may not reach this machine (loopback) or self-assigned 169.254.x.x addresses unless allowed:
    # a camera URL is otherwise a way into the server's own services (services/source_policy.py).
    camera_allow_loopback: bool = False
    camera_allow_link_local: bool = False
    # Larger request bodies are refused (413) before they are read; face photo uploads have their own limit.
    max_request_bytes: int = Field(1024 * 1024, ge=1024)
    # `production` refuses to start on insecure settings (ops/config_check.py says which); `development` warns.
    shopflow_env: Literal["development", "production"] = "development"
    # Host names this server answers to; any other Host header gets a 400 (DNS rebinding). Empty: loopback and
    # this machine's host name. `*.example.com` allows subdomains, `*` anything.
    allowed_hosts: CommaList = Field(default_factory=default_allowed_hosts)
    # Web origins (scheme://host[:port]) whose pages may call the API from a browser; empty: none (no CORS).
    cors_origins: CommaList = Field(default_factory=list)
    # A reverse proxy in front terminates HTTPS: HSTS is sent and listening beyond loopback is not refused.
    behind_https_proxy: bool = False
    # Addresses whose X-Forwarded-For/-Proto headers are believed (uvicorn's forwarded_allow_ips); `*` any.
    forwarded_allow_ips: str = "127.0.0.1"
    # Serve HTTPS directly with this certificate chain and private key (PEM files).
    tls_cert_file: Path | None = None
    tls_key_file: Path | None = None

    @field_validator("tls_cert_file", "tls_key_file", mode="before")
    @classmethod
    def _blank_is_unset(cls, value: object) -> object:
        return None if isinstance(value, str) and not value.strip() else value

    @field_validator("allowed_hosts", mode="before")
    @classmethod
    def _hosts(cls, value: object) -> list[str]:
        hosts = _items(value)
        return [_host_pattern(host) for host in hosts] if hosts else default_allowed_hosts()

    @field_validator("cors_origins", mode="before")
    @classmethod
    def _origins(cls, value: object) -> list[str]:
        origins = [origin.rstrip("/") for origin in _items(value)]
        for origin in origins:
            if origin != "*" and not origin.startswith(("http://", "https://")):
                raise ValueError(f"{origin!r} is not a web origin: write it as https://host[:port]")
        return origins

    @field_validator("yolo_imgsz")
    @classmethod
    def _input_size(cls, value: int) -> int:
        return check_imgsz(value, "YOLO_IMGSZ")

    @field_validator("sign_in_limit_per_account", "sign_in_limit_per_address", "api_rate_limit")
    @classmethod
    def _one_rate_limit(cls, value: str) -> str:
        return check_rate_limit(value)

    @field_validator("redis_url")
    @classmethod
    def _redis_scheme(cls, value: str) -> str:
        value = value.strip()
        if value and not value.startswith(REDIS_SCHEMES):
            raise ValueError(f"REDIS_URL must start with one of {', '.join(REDIS_SCHEMES)} (or be empty)")
        return value

    @model_validator(mode="after")
    def _tls_pair(self) -> Settings:
        if (self.tls_cert_file is None) != (self.tls_key_file is None):
            raise ValueError("TLS_CERT_FILE and TLS_KEY_FILE go together: set both, or neither")
        return self

    @property
    def serves_https(self) -> bool:
        """Browsers reach this server over HTTPS: its own certificate, or a proxy in front."""
        return self.tls_cert_file is not None or self.behind_https_proxy

    @property
    def resolved_database_url(self) -> str:
        return self.database_url or f"sqlite:///{self.data_dir / 'shopflow.db'}"

    @property
    def media_dir(self) -> Path:
        """The only folder video-file camera sources may come from (besides the bundled sample's)."""
        return self.data_dir / "media"

    def resolved_session_secret(self) -> str:
        """SESSION_SECRET, or the one kept in DATA_DIR (made on first use, readable by this user only).

        Kept on disk rather than made per start, so signing in survives a restart.
        """
        if self.session_secret is not None and self.session_secret.get_secret_value().strip():
            return self.session_secret.get_secret_value().strip()
        path = self.data_dir / SESSION_SECRET_FILE
        value, made = kept_token(path, 48)
        if made:
            log.info("generated the dashboard session secret in %s (set SESSION_SECRET to choose one)", path)
        return value


@lru_cache
def get_settings() -> Settings:
    return Settings()
