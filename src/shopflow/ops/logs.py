"""Log set-up for `shopflow serve`: plain text, or one JSON object per line (LOG_FORMAT=json) with request ids."""

from __future__ import annotations

import contextvars
import logging
from typing import Any

from pythonjsonlogger.json import JsonFormatter

# The request being served on this task or thread; the request middleware sets it (observability.py).
request_id: contextvars.ContextVar[str | None] = contextvars.ContextVar("shopflow_request_id", default=None)

TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"


class RequestIdFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = request_id.get()
        return True


def configure_logging(log_format: str, level: int = logging.INFO) -> dict[str, Any]:
    """Set up the root logger; the keyword arguments uvicorn.run needs to log the same way."""
    handler = logging.StreamHandler()
    handler.addFilter(RequestIdFilter())
    if log_format == "json":
        handler.setFormatter(
            JsonFormatter(
                "%(asctime)s %(levelname)s %(name)s %(message)s %(request_id)s",
                rename_fields={"asctime": "time", "levelname": "level", "name": "logger"},
                timestamp=False,
            )
        )
    else:
        handler.setFormatter(logging.Formatter(TEXT_FORMAT))
    root = logging.getLogger()
    for old in list(root.handlers):
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(logging.WARNING)
    logging.getLogger("shopflow").setLevel(level)
    if log_format != "json":
        return {}
    # uvicorn's own handlers would print text; without its config its loggers reach the JSON root handler.
    for name in ("uvicorn", "uvicorn.error", "uvicorn.access"):
        logging.getLogger(name).setLevel(level)
    return {"log_config": None}
