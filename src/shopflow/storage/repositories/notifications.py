"""PostgreSQL NOTIFY / LISTEN: how one server process tells the others that events were stored."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Sequence

import psycopg
from psycopg import sql
from sqlalchemy import func, select
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

from shopflow.storage.db import normalise_url

log = logging.getLogger(__name__)

EVENTS_CHANNEL = "shopflow_events"
MAX_PAYLOAD_BYTES = 7900  # PostgreSQL refuses payloads of 8000 bytes or more
RETRY_SECONDS = (0.5, 1.0, 2.0, 5.0, 10.0)


class NotificationRepository:
    def __init__(self, session: Session) -> None:
        self._session = session

    def notify(self, channel: str, payloads: Sequence[str]) -> None:
        """Queue one notification per payload; PostgreSQL delivers them when the session's transaction commits."""
        if self._session.get_bind().dialect.name != "postgresql":
            raise NotImplementedError("notifications need PostgreSQL")
        for payload in payloads:
            if len(payload.encode()) > MAX_PAYLOAD_BYTES:
                raise ValueError(f"notification payload of {len(payload.encode())} bytes is too large")
            self._session.execute(select(func.pg_notify(channel, payload)))


def libpq_url(url: str) -> str:
    """The DATABASE_URL as psycopg itself takes it (no SQLAlchemy driver suffix)."""
    parsed = make_url(normalise_url(url))
    if parsed.get_backend_name() != "postgresql":
        raise ValueError("LISTEN needs a PostgreSQL database")
    return parsed.set(drivername="postgresql").render_as_string(hide_password=False)


class NotificationListener:
    """LISTENs on one channel on its own connection and thread, reconnecting when the connection drops.

    `on_payload` runs on the listener thread with each notification's payload.
    """

    def __init__(
        self,
        url: str,
        channel: str,
        on_payload: Callable[[str], None],
        *,
        poll_seconds: float = 0.1,
        connect_timeout_seconds: int = 5,
    ) -> None:
        self._conninfo = libpq_url(url)
        self._channel = channel
        self._on_payload = on_payload
        self._poll_seconds = poll_seconds
        self._connect_timeout = connect_timeout_seconds
        self._stop = threading.Event()
        self._listening = threading.Event()
        self._thread = threading.Thread(target=self._run, name=f"listen-{channel}", daemon=True)

    @property
    def listening(self) -> bool:
        return self._listening.is_set()

    def start(self, wait_seconds: float = 5.0) -> bool:
        """Start listening; True once LISTEN is in place (False if it was not within `wait_seconds`)."""
        self._thread.start()
        return self._listening.wait(wait_seconds)

    def stop(self, timeout: float = 5.0) -> None:
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join(timeout)

    def _run(self) -> None:
        attempt = 0
        while not self._stop.is_set():
            try:
                self._listen()
                attempt = 0
            except psycopg.Error as error:
                self._listening.clear()
                wait = RETRY_SECONDS[min(attempt, len(RETRY_SECONDS) - 1)]
                attempt += 1
                log.warning("listening for %s failed, retrying in %g s: %s", self._channel, wait, error)
                self._stop.wait(wait)

    def _listen(self) -> None:
        with psycopg.connect(self._conninfo, autocommit=True, connect_timeout=self._connect_timeout) as connection:
            connection.execute(sql.SQL("LISTEN {}").format(sql.Identifier(self._channel)))
            self._listening.set()
            log.info("listening for %s", self._channel)
            while not self._stop.is_set():
                # The timeout bounds how long stop() waits; notifications arriving meanwhile are queued, not lost.
                for notification in connection.notifies(timeout=self._poll_seconds):
                    try:
                        self._on_payload(notification.payload)
                    except Exception:  # one bad payload or subscriber must not end the listening
                        log.exception("handling a %s notification failed", self._channel)
        self._listening.clear()
