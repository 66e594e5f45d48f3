"""Camera changes made from the dashboard: checks, saving through the repository, and the pipeline re-sync.

The same steps as the API's camera endpoints (repository write, commit, then `resync`), so a camera added,
changed or deleted here starts, restarts or stops without a server restart.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np

from shopflow.pipeline.probe import ProbeResult, probe_source
from shopflow.pipeline.sources import SourceError, SourceKind, parse_source_spec
from shopflow.storage.records import CameraRecord, LineConfig, ZoneConfig
from shopflow.storage.repositories import CameraRepository
from shopflow.web.context import DashboardRuntime

DEFAULT_SAMPLE_FPS = 5.0


class CameraInputError(ValueError):
    """Something typed into the camera form that cannot be saved; the message says what to fix."""


def check_source(value: str, *, file_must_exist: bool = True) -> str:
    value = value.strip()
    if not value:
        raise CameraInputError("give the camera's address (rtsp://..., http://..., a video file or a device number)")
    try:
        spec = parse_source_spec(value)
    except SourceError as error:
        raise CameraInputError(str(error)) from None
    if file_must_exist and spec.kind is SourceKind.FILE and not Path(spec.target).is_file():
        raise CameraInputError(f"video file not found on the server: {spec.for_logs}")
    return value


def is_file_source(value: str) -> bool:
    try:
        return parse_source_spec(value.strip()).kind is SourceKind.FILE
    except SourceError:
        return False


@dataclass(frozen=True, slots=True)
class Snapshot:
    """A test picture and its size in pixels (what mouse clicks on it are measured in)."""

    jpeg: bytes
    width: int
    height: int


def snapshot_of(result: ProbeResult) -> Snapshot | None:
    if not result.ok or result.jpeg is None:
        return None
    image = cv2.imdecode(np.frombuffer(result.jpeg, dtype=np.uint8), cv2.IMREAD_COLOR)
    if image is None:
        return None
    height, width = image.shape[:2]
    return Snapshot(result.jpeg, int(width), int(height))


def probe_camera_source(rt: DashboardRuntime, source: str, camera_id: int | None = None) -> ProbeResult:
    """Open the source once (blocks for seconds: run it off the event loop). With `camera_id` and the source
    unchanged (still shown redacted), the saved full URL is used, credentials included."""
    if camera_id is not None:
        with rt.database.session() as session:
            cameras = CameraRepository(session)
            if source.strip() == cameras.get(camera_id).source_url:
                source = cameras.get_source(camera_id).source_url
    try:
        check_source(source, file_must_exist=False)
    except CameraInputError as error:
        return ProbeResult(False, str(error))
    return probe_source(source)


@dataclass(frozen=True, slots=True)
class CameraForm:
    store_id: int
    name: str
    source_url: str
    lines: Sequence[LineConfig]
    zones: Sequence[ZoneConfig]
    loop_video: bool = False
    sample_fps: float = DEFAULT_SAMPLE_FPS


def save_camera(rt: DashboardRuntime, form: CameraForm, camera_id: int | None = None) -> CameraRecord:
    """Create (camera_id None) or update a camera, then bring the pipeline in step. Raises CameraInputError,
    GeometryError or storage's errors with a message for the person."""
    name = form.name.strip()
    if not name:
        raise CameraInputError("give the camera a name")
    with rt.database.session() as session:
        cameras = CameraRepository(session)
        if camera_id is None:
            record = cameras.create(
                form.store_id,
                name,
                check_source(form.source_url),
                sample_fps=form.sample_fps,
                imgsz=rt.settings.yolo_imgsz,
                lines=form.lines,
                zones=form.zones,
                loop_video=form.loop_video,
            )
        else:
            # A source still shown redacted (user:***@host) was not changed: keep the saved one.
            unchanged = form.source_url.strip() == cameras.get(camera_id).source_url
            record = cameras.update(
                camera_id,
                name=name,
                source_url=None if unchanged else check_source(form.source_url),
                sample_fps=form.sample_fps,
                lines=form.lines,
                zones=form.zones,
                loop_video=form.loop_video,
            )
    rt.resync()
    return record


def set_enabled(rt: DashboardRuntime, camera_id: int, enabled: bool) -> CameraRecord:
    with rt.database.session() as session:
        record = CameraRepository(session).update(camera_id, enabled=enabled)
    rt.resync()
    return record


def delete_camera(rt: DashboardRuntime, camera_id: int) -> None:
    with rt.database.session() as session:
        CameraRepository(session).delete(camera_id)
    rt.resync()


def get_camera(rt: DashboardRuntime, camera_id: int) -> CameraRecord:
    with rt.database.session() as session:
        return CameraRepository(session).get(camera_id)
