"""/api/cameras: configuration CRUD, connection tests, and the live picture (snapshot and MJPEG stream).

Every change re-syncs the camera workers after the request's transaction has committed (a background task),
so a new, changed or deleted camera starts, restarts or stops without a server restart.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from typing import Any

import anyio
from fastapi import APIRouter, Depends, Query, Response, status
from fastapi.responses import StreamingResponse

from shopflow.api.deps import RuntimeDep
from shopflow.api.errors import ConflictError
from shopflow.api.params import MAX_ID, CameraIdPath
from shopflow.api.schemas.cameras import (
    CameraCreate,
    CameraOut,
    CameraUpdate,
    ConnectionTestIn,
    ConnectionTestOut,
    LiveCountsOut,
)
from shopflow.api.security import CameraServiceDep, get_caller
from shopflow.pipeline.probe import ProbeResult
from shopflow.services.context import ServerContext
from shopflow.storage.records import CameraRecord

router = APIRouter(prefix="/api/cameras", tags=["cameras"], dependencies=[Depends(get_caller)])

SNAPSHOT_WAIT_SECONDS = 3.0
STREAM_POLL_SECONDS = 0.05
STREAM_IDLE_SECONDS = 5.0  # a stream of a camera that stopped running ends after this long without a picture
BOUNDARY = "frame"
NO_CACHE = {"Cache-Control": "no-store"}
NOT_LIVE: dict[int | str, dict[str, Any]] = {
    409: {"description": "the camera is not running here (disabled, failing, or a server without cameras)"}
}


def _out(runtime: ServerContext, record: CameraRecord) -> CameraOut:
    return CameraOut.of(record, running=runtime.is_running(record.id))


def _probe_out(result: ProbeResult) -> ConnectionTestOut:
    return ConnectionTestOut(
        ok=result.ok,
        message=result.message,
        width=result.width,
        height=result.height,
        snapshot_jpeg_base64=result.jpeg_base64,
    )


@router.get("", response_model=list[CameraOut])
def list_cameras(
    cameras: CameraServiceDep,
    runtime: RuntimeDep,
    store_id: int | None = Query(None, ge=1, le=MAX_ID, description="only this store's cameras"),
) -> list[CameraOut]:
    return [_out(runtime, record) for record in cameras.list(store_id)]


@router.post("", response_model=CameraOut, status_code=status.HTTP_201_CREATED)
def create_camera(body: CameraCreate, cameras: CameraServiceDep, runtime: RuntimeDep) -> CameraOut:
    return _out(runtime, cameras.create(body.to_new()))


@router.post("/test-connection", response_model=ConnectionTestOut)
async def test_new_connection(body: ConnectionTestIn, cameras: CameraServiceDep) -> ConnectionTestOut:
    """Open a source once before saving it. An unreachable camera is a verdict (ok=false), not an error."""
    return _probe_out(await anyio.to_thread.run_sync(cameras.test_connection, body.source_url, None, body.rotation))


@router.get("/{camera_id}", response_model=CameraOut)
def get_camera(camera_id: CameraIdPath, cameras: CameraServiceDep, runtime: RuntimeDep) -> CameraOut:
    return _out(runtime, cameras.get(camera_id))


@router.patch("/{camera_id}", response_model=CameraOut)
def update_camera(
    camera_id: CameraIdPath, body: CameraUpdate, cameras: CameraServiceDep, runtime: RuntimeDep
) -> CameraOut:
    return _out(runtime, cameras.update(camera_id, body.to_changes()))


@router.delete("/{camera_id}", status_code=status.HTTP_204_NO_CONTENT)
def delete_camera(camera_id: CameraIdPath, cameras: CameraServiceDep) -> Response:
    """Delete the camera with its events (disable it instead to keep its history)."""
    cameras.delete(camera_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.post("/{camera_id}/test-connection", response_model=ConnectionTestOut)
async def test_connection(camera_id: CameraIdPath, cameras: CameraServiceDep) -> ConnectionTestOut:
    """Open the saved camera's source once, its picture turned by the camera's rotation. An unreachable camera is a
    verdict (ok=false), not an error."""
    return _probe_out(await anyio.to_thread.run_sync(cameras.test_connection, None, camera_id))


@router.get("/{camera_id}/live", response_model=LiveCountsOut, responses=NOT_LIVE)
async def live_counts(camera_id: CameraIdPath, cameras: CameraServiceDep, runtime: RuntimeDep) -> LiveCountsOut:
    """Who the camera sees in its latest analysed frame."""
    await anyio.to_thread.run_sync(cameras.get, camera_id)
    counts = runtime.hub.counts(camera_id) if runtime.is_running(camera_id) else None
    if counts is None:
        raise ConflictError(_not_live(runtime, camera_id))
    return LiveCountsOut(
        camera_id=counts.camera_id,
        at=counts.at,
        people=counts.people,
        customers=counts.customers,
        employees=counts.employees,
        groups=counts.groups,
        potential_customers=counts.potential_customers,
        zones=dict(counts.zones),
        lines={name: {"in": tally.entries, "out": tally.exits} for name, tally in counts.lines.items()},
    )


def _not_live(runtime: ServerContext, camera_id: int) -> str:
    if not runtime.start_pipeline:
        return "this server runs without the camera pipeline, so there is no live picture"
    if not runtime.is_running(camera_id):
        return f"camera {camera_id} is not running (disabled, finished or failing): see its status"
    return f"camera {camera_id} has no analysed frame yet; try again in a few seconds"


@router.get(
    "/{camera_id}/snapshot.jpg",
    response_class=Response,
    responses={200: {"content": {"image/jpeg": {}}, "description": "the latest annotated frame"}, **NOT_LIVE},
)
async def snapshot(camera_id: CameraIdPath, cameras: CameraServiceDep, runtime: RuntimeDep) -> Response:
    await anyio.to_thread.run_sync(cameras.get, camera_id)
    if not runtime.is_running(camera_id):
        raise ConflictError(_not_live(runtime, camera_id))
    picture = await anyio.to_thread.run_sync(runtime.hub.fresh_picture, camera_id, SNAPSHOT_WAIT_SECONDS)
    if picture is None:
        raise ConflictError(_not_live(runtime, camera_id))
    return Response(content=picture.jpeg, media_type="image/jpeg", headers=NO_CACHE)


@router.get(
    "/{camera_id}/stream.mjpg",
    response_class=StreamingResponse,
    responses={200: {"content": {f"multipart/x-mixed-replace; boundary={BOUNDARY}": {}}}, **NOT_LIVE},
)
async def stream(camera_id: CameraIdPath, cameras: CameraServiceDep, runtime: RuntimeDep) -> StreamingResponse:
    """Annotated frames as MJPEG (an <img> tag shows it), up to 5 a second, until the client goes away."""
    await anyio.to_thread.run_sync(cameras.get, camera_id)
    if not runtime.is_running(camera_id):
        raise ConflictError(_not_live(runtime, camera_id))
    return StreamingResponse(
        _mjpeg(runtime, camera_id),
        media_type=f"multipart/x-mixed-replace; boundary={BOUNDARY}",
        headers=NO_CACHE,
    )


async def _mjpeg(runtime: ServerContext, camera_id: int) -> AsyncIterator[bytes]:
    hub = runtime.hub
    # Polling costs little and keeps no thread per viewer; pictures come at most 5 times a second anyway.
    with hub.watch(camera_id):
        seq = -1
        last_picture = time.monotonic()
        while True:
            picture = hub.picture(camera_id)
            if picture is not None and picture.seq != seq:
                seq, last_picture = picture.seq, time.monotonic()
                yield (
                    f"--{BOUNDARY}\r\nContent-Type: image/jpeg\r\nContent-Length: {len(picture.jpeg)}\r\n\r\n".encode()
                    + picture.jpeg
                    + b"\r\n"
                )
                continue
            if time.monotonic() - last_picture > STREAM_IDLE_SECONDS and not runtime.is_running(camera_id):
                return
            await asyncio.sleep(STREAM_POLL_SECONDS)
