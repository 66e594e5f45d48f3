"""ShopFlow settings from the environment (names from the production guide) and `.env`."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

DEFAULT_DATA_DIR = Path("data")


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env", env_file_encoding="utf-8", extra="ignore")

    api_host: str = "0.0.0.0"
    api_port: int = Field(8001, ge=1, le=65535)
    api_debug: bool = False
    bridge_api_key: SecretStr | None = None
    sentry_dsn: SecretStr | None = None

    # `yolo11n` (or `yolo11n.pt`, the seed's name) means the bundled model; anything else is a path to a
    # YOLO-format ONNX file.
    yolo_model: str = "yolo11n"
    yolo_confidence: float = Field(0.5, gt=0.0, lt=1.0)
    yolo_imgsz: int = Field(640, ge=320, le=1280)
    yolo_threads: int = Field(2, ge=1, le=64)

    data_dir: Path = DEFAULT_DATA_DIR
    database_url: str = ""

    @field_validator("yolo_imgsz")
    @classmethod
    def _multiple_of_32(cls, value: int) -> int:
        if value % 32:
            raise ValueError(f"YOLO_IMGSZ must be a multiple of 32 (the model's stride), got {value}")
        return value

    @property
    def resolved_database_url(self) -> str:
        return self.database_url or f"sqlite:///{self.data_dir / 'shopflow.db'}"

    @property
    def media_dir(self) -> Path:
        return self.data_dir / "media"


@lru_cache
def get_settings() -> Settings:
    return Settings()
