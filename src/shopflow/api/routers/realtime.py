"""WebSocket /api/realtime?store_id=N: live counts about once a second, and each new crossing and visit.

Messages (JSON):
- {"type": "counts", "store_id", "at", "cameras": [{camera_id, name, is_demo, status, live, people, customers,
  employees, groups, potential_customers, zones, lines, at}], "totals": {people, customers, employees, groups,
  potential_customers}}. `live` is true when this server process analyses the camera now; otherwise the
  figures are the camera's latest stored snapshot (another process may be running it).
- {"type": "event", "event": "crossing", store_id, camera_id, line, direction, is_entry, person_kind, track_id, at}
- {"type": "event", "event": "visit", store_id, camera_id, zone, person_kind, track_id, entered_at, exited_at,
  dwell_seconds}
- {"type": "error", "message"}, then the socket closes (code 4404 unknown store, 4422 bad store_id).

It needs the same credentials as the rest of the API (the dashboard's cookie from one of its own pages, or
`Authorization: Bearer`); without them the handshake is refused (close code 1008). A store the caller may not
see is "does not exist".
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from datetime import UTC, datetime
from typing import Any

import anyio
from fastapi import APIRouter, WebSocket, WebSocketDisconnect
from sqlalchemy.exc import SQLAlchemyError
from starlette.websockets import WebSocketState

from shopflow.api.deps import RuntimeDep
from shopflow.api.errors import ShopFlowError
from shopflow.api.params import MAX_ID
from shopflow.api.security import identify
from shopflow.services.access import Caller, require_store
from shopflow.services.context import ServerContext
from shopflow.services.realtime import Message, counts_message
from shopflow.storage.db import Database
from shopflow.storage.errors import NotFoundError
from shopflow.storage.event_records import SnapshotRecord
from shopflow.storage.records import CameraRecord
from shopflow.storage.repositories import CameraRepository, EventRepository

log = logging.getLogger(__name__)

router = APIRouter(tags=["realtime"])

COUNTS_EVERY_SECONDS = 1.0
CAMERAS_EVERY_SECONDS = 5.0  # how often the store's camera list and stored snapshots are read again
POLICY_VIOLATION = 1008  # RFC 6455: not signed in, or a page of another site
TOTALS = ("people", "customers", "employees", "groups", "potential_customers")


def _store_cameras(
    database: Database, caller: Caller, store_id: int
) -> tuple[list[CameraRecord], dict[int, SnapshotRecord]]:
    with database.read_session() as session:
        require_store(session, caller, store_id)
        cameras = CameraRepository(session).list_by_store(store_id)
        latest = EventRepository(session).latest_snapshot_per_camera(store_id)
    return cameras, latest


def _counts(
    runtime: ServerContext, store_id: int, cameras: list[CameraRecord], latest: dict[int, SnapshotRecord]
) -> Message:
    entries: list[dict[str, Any]] = []
    for camera in cameras:
        entry: dict[str, Any] = {
            "camera_id": camera.id,
            "name": camera.name,
            "is_demo": camera.is_demo,
            "status": camera.status.value,
        }
        live = runtime.hub.counts(camera.id) if runtime.is_running(camera.id) else None
        snapshot = latest.get(camera.id)
        if live is not None:
            entry.update(live=True, **counts_message(live))
        elif snapshot is not None:
            entry.update(
                live=False,
                people=snapshot.total_people,
                customers=snapshot.customers,
                employees=snapshot.employees,
                groups=snapshot.groups,
                potential_customers=snapshot.potential_customers,
                zones={},
                lines={},
                at=snapshot.at.isoformat().replace("+00:00", "Z"),
            )
        else:
            entry.update(live=False, zones={}, lines={}, at=None, **dict.fromkeys(TOTALS, 0))
        entries.append(entry)
    return {
        "type": "counts",
        "store_id": store_id,
        "at": datetime.now(UTC).isoformat().replace("+00:00", "Z"),
        "cameras": entries,
        "totals": {name: sum(int(entry[name]) for entry in entries) for name in TOTALS},
    }


def _store_id(raw: str | None) -> int | None:
    if raw is None or not raw.strip().isdigit():
        return None
    value = int(raw)
    return value if 1 <= value <= MAX_ID else None  # no store has a larger id; the database would refuse it


async def _refuse(websocket: WebSocket, code: int, message: str) -> None:
    await websocket.send_json({"type": "error", "message": message})
    await websocket.close(code=code, reason=message[:120])


@router.websocket("/api/realtime")
async def realtime(websocket: WebSocket, runtime: RuntimeDep) -> None:
    try:
        caller = await identify(websocket, runtime)
    except ShopFlowError as error:
        # Refused before the handshake completes: the browser sees a failed connection, nothing is streamed.
        log.info("realtime: refused a connection: %s", error.message)
        await websocket.close(code=POLICY_VIOLATION, reason=error.message[:120])
        return
    await websocket.accept()
    store_id = _store_id(websocket.query_params.get("store_id"))
    if store_id is None:
        await _refuse(websocket, 4422, "store_id: give the store's number, e.g. /api/realtime?store_id=1")
        return
    try:
        cameras, latest = await anyio.to_thread.run_sync(_store_cameras, runtime.database, caller, store_id)
    except NotFoundError:
        await _refuse(websocket, 4404, f"store {store_id} does not exist")
        return
    subscription = runtime.broker.subscribe(store_id)
    # The client sends nothing we need; reading is how a closed socket is noticed.
    disconnected = asyncio.ensure_future(_until_disconnected(websocket))
    try:
        cameras_read_at = time.monotonic()
        next_counts = time.monotonic()
        while not disconnected.done():
            now = time.monotonic()
            if now >= next_counts:
                if now - cameras_read_at >= CAMERAS_EVERY_SECONDS:
                    cameras_read_at = now
                    try:
                        cameras, latest = await anyio.to_thread.run_sync(
                            _store_cameras, runtime.database, caller, store_id
                        )
                    except SQLAlchemyError as error:  # keep the dashboard going on what it had; live counts go on
                        log.warning("realtime: could not re-read the cameras of store %s: %s", store_id, error)
                await websocket.send_json(_counts(runtime, store_id, cameras, latest))
                next_counts = now + COUNTS_EVERY_SECONDS
                continue
            message = asyncio.ensure_future(subscription.queue.get())
            done, _ = await asyncio.wait(
                {message, disconnected}, timeout=next_counts - now, return_when=asyncio.FIRST_COMPLETED
            )
            if message in done:
                await websocket.send_json(message.result())
            else:
                message.cancel()
    except (WebSocketDisconnect, NotFoundError, OSError):
        pass  # the client left, or the store was deleted while it watched
    finally:
        client_left = disconnected.done()
        disconnected.cancel()
        runtime.broker.unsubscribe(subscription)
        if not client_left and websocket.application_state is WebSocketState.CONNECTED:
            with contextlib.suppress(RuntimeError, OSError):  # already closing
                await websocket.close()


async def _until_disconnected(websocket: WebSocket) -> None:
    while (await websocket.receive())["type"] != "websocket.disconnect":
        pass
