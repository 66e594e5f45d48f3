"""Cameras: configuration, live status, and the full source URL (for the pipeline only)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete, func, select, update
from sqlalchemy.orm import Session

from shopflow.domain.cameras import (
    DEFAULT_IMGSZ,
    DEFAULT_SAMPLE_FPS,
    MAX_SAMPLE_FPS,
    CameraStatus,
    check_imgsz,
    check_rotation,
)
from shopflow.domain.geometry import check_geometry_counts
from shopflow.domain.problems import InputError
from shopflow.domain.urls import redact_url
from shopflow.storage.columns import require_utc
from shopflow.storage.errors import NotFoundError
from shopflow.storage.models import CameraRow, StoreRow
from shopflow.storage.records import CameraRecord, CameraSource, LineConfig, ZoneConfig, check_unique_names
from shopflow.storage.repositories.heatmaps import HeatmapRepository
from shopflow.storage.repositories.rollups import RollupRepository


@dataclass(frozen=True, slots=True)
class CameraRouting:
    """What the event writer needs to file a camera's events: its store and its lines' inside sides."""

    camera_id: int
    store_id: int
    lines: dict[str, LineConfig]


@dataclass(frozen=True, slots=True)
class CountingSetup:
    """What decides how a store's unique visitors are counted (reports/visitors.py)."""

    cameras: int
    with_entrance_lines: int  # cameras with at least one counting line


def _lines(value: Iterable[LineConfig]) -> list[LineConfig]:
    lines = list(value)
    check_geometry_counts(len(lines), 0)
    check_unique_names("line", [line.name for line in lines])
    return lines


def _zones(value: Iterable[ZoneConfig]) -> list[ZoneConfig]:
    zones = list(value)
    check_geometry_counts(0, len(zones))
    check_unique_names("zone", [zone.name for zone in zones])
    return zones


MAX_STAFF_AFTER_MINUTES = 24 * 60


def check_staff_after(minutes: float | None) -> None:
    if minutes is not None and not 0 < minutes <= MAX_STAFF_AFTER_MINUTES:
        raise InputError(
            f"the long-stay rule must be above 0 and at most {MAX_STAFF_AFTER_MINUTES} minutes, got {minutes:g}",
            "staff_after_range",
            max=MAX_STAFF_AFTER_MINUTES,
        )


def _check_sampling(sample_fps: float | None, imgsz: int | None) -> None:
    if sample_fps is not None and not 0.0 < sample_fps <= MAX_SAMPLE_FPS:
        raise InputError(
            f"sample_fps must be above 0 and at most {MAX_SAMPLE_FPS:g}, got {sample_fps:g}",
            "sample_fps_range",
            max=MAX_SAMPLE_FPS,
        )
    if imgsz is not None:
        check_imgsz(imgsz)


def _name(value: str) -> str:
    value = value.strip()
    if not value:
        raise InputError("a camera needs a name", "camera_name_missing")
    return value


def _source(value: str) -> str:
    value = value.strip()
    if not value:
        raise InputError(
            "a camera needs a source URL (rtsp://..., http://..., a file path or a device number)",
            "camera_source_missing",
        )
    return value


def _stored_lines(row: CameraRow) -> tuple[LineConfig, ...]:
    return tuple(LineConfig.from_json(item) for item in row.lines or [])


def _stored_zones(row: CameraRow) -> tuple[ZoneConfig, ...]:
    return tuple(ZoneConfig.stored(item) for item in row.zones or [])


def _stored_staff_zones(row: CameraRow) -> tuple[ZoneConfig, ...]:
    return tuple(ZoneConfig.stored(item) for item in row.staff_zones or [])


def _record(row: CameraRow) -> CameraRecord:
    return CameraRecord(
        id=row.id,
        store_id=row.store_id,
        name=row.name,
        source_url=redact_url(row.source_url),
        sample_fps=row.sample_fps,
        imgsz=row.imgsz,
        enabled=row.enabled,
        lines=_stored_lines(row),
        zones=_stored_zones(row),
        status=CameraStatus(row.status),
        status_reason=row.status_reason,
        last_frame_at=row.last_frame_at,
        measured_fps=row.measured_fps,
        dropped_frames=row.dropped_frames,
        is_demo=row.is_demo,
        created_at=row.created_at,
        updated_at=row.updated_at,
        loop_video=row.loop_video,
        realtime_pace=row.realtime_pace,
        staff_zones=_stored_staff_zones(row),
        staff_after_minutes=row.staff_after_minutes,
        rotation=row.rotation,
    )


def _source_record(row: CameraRow) -> CameraSource:
    return CameraSource(
        id=row.id,
        store_id=row.store_id,
        name=row.name,
        source_url=row.source_url,
        sample_fps=row.sample_fps,
        imgsz=row.imgsz,
        lines=_stored_lines(row),
        zones=_stored_zones(row),
        loop_video=row.loop_video,
        realtime_pace=row.realtime_pace,
        staff_zones=_stored_staff_zones(row),
        staff_after_minutes=row.staff_after_minutes,
        rotation=row.rotation,
    )


class CameraRepository:
    def __init__(self, session: Session) -> None:
        self._session = session

    def create(
        self,
        store_id: int,
        name: str,
        source_url: str,
        *,
        sample_fps: float = DEFAULT_SAMPLE_FPS,
        imgsz: int = DEFAULT_IMGSZ,
        enabled: bool = True,
        lines: Sequence[LineConfig] = (),
        zones: Sequence[ZoneConfig] = (),
        is_demo: bool = False,
        loop_video: bool = False,
        realtime_pace: bool = True,
        rotation: int = 0,
    ) -> CameraRecord:
        if self._session.get(StoreRow, store_id) is None:
            raise NotFoundError("store", store_id)
        _check_sampling(sample_fps, imgsz)
        check_rotation(rotation)
        row = CameraRow(
            store_id=store_id,
            name=_name(name),
            source_url=_source(source_url),
            sample_fps=float(sample_fps),
            imgsz=imgsz,
            enabled=enabled,
            lines=[line.to_json() for line in _lines(lines)],
            zones=[zone.to_json() for zone in _zones(zones)],
            status=CameraStatus.OFFLINE.value if enabled else CameraStatus.DISABLED.value,
            dropped_frames=0,
            is_demo=is_demo,
            loop_video=loop_video,
            realtime_pace=realtime_pace,
            rotation=rotation,
        )
        self._session.add(row)
        self._session.flush()
        return _record(row)

    def get(self, camera_id: int) -> CameraRecord:
        return _record(self._row(camera_id))

    def list_by_store(self, store_id: int) -> list[CameraRecord]:
        query = select(CameraRow).where(CameraRow.store_id == store_id).order_by(CameraRow.id)
        return [_record(row) for row in self._session.scalars(query)]

    def counting_setup(self, store_id: int) -> CountingSetup:
        """How many cameras the store has and how many have a counting line (every line has an inside side, so
        every line is an entrance line). Reads only the lines, which the visitors rule asks for on every report."""
        lines = list(self._session.scalars(select(CameraRow.lines).where(CameraRow.store_id == store_id)))
        return CountingSetup(cameras=len(lines), with_entrance_lines=sum(1 for value in lines if value))

    def list_demo(self) -> list[CameraRecord]:
        """The demo cameras (the bundled sample video), oldest first."""
        query = select(CameraRow).where(CameraRow.is_demo.is_(True)).order_by(CameraRow.id)
        return [_record(row) for row in self._session.scalars(query)]

    def count(self) -> int:
        return self._session.scalar(select(func.count()).select_from(CameraRow)) or 0

    def status_counts(self) -> dict[CameraStatus, int]:
        """How many cameras are in each status (statuses no camera has are absent)."""
        query = select(CameraRow.status, func.count()).group_by(CameraRow.status)
        return {CameraStatus(status): count for status, count in self._session.execute(query)}

    def update(
        self,
        camera_id: int,
        *,
        name: str | None = None,
        source_url: str | None = None,
        sample_fps: float | None = None,
        imgsz: int | None = None,
        enabled: bool | None = None,
        lines: Sequence[LineConfig] | None = None,
        zones: Sequence[ZoneConfig] | None = None,
        loop_video: bool | None = None,
        realtime_pace: bool | None = None,
        rotation: int | None = None,
    ) -> CameraRecord:
        """Change the given fields; None leaves a field as it is. Disabling sets the status to `disabled`,
        enabling a disabled camera sets it to `offline` until the pipeline reports otherwise.

        A new rotation turns the lines and zones not given in the same call (staff zones too) and the stored
        heatmaps with the picture, so each stays on its spot of the floor; lines and zones given with it are taken
        as drawn on the new picture."""
        row = self._row(camera_id)
        _check_sampling(sample_fps, imgsz)
        if rotation is not None:
            check_rotation(rotation)
            turn = (rotation - row.rotation) % 360
            if turn:
                lines = [line.turned(turn) for line in _stored_lines(row)] if lines is None else lines
                zones = [zone.turned(turn) for zone in _stored_zones(row)] if zones is None else zones
                row.staff_zones = [zone.turned(turn).to_json() for zone in _stored_staff_zones(row)]
                row.rotation = rotation
                HeatmapRepository(self._session).turn(camera_id, turn)
        if name is not None:
            row.name = _name(name)
        if source_url is not None:
            row.source_url = _source(source_url)
        if sample_fps is not None:
            row.sample_fps = float(sample_fps)
        if imgsz is not None:
            row.imgsz = imgsz
        if lines is not None:
            row.lines = [line.to_json() for line in _lines(lines)]
        if zones is not None:
            row.zones = [zone.to_json() for zone in _zones(zones)]
        if loop_video is not None:
            row.loop_video = loop_video
        if realtime_pace is not None:
            row.realtime_pace = realtime_pace
        if enabled is not None and enabled != row.enabled:
            row.enabled = enabled
            row.status = CameraStatus.OFFLINE.value if enabled else CameraStatus.DISABLED.value
            row.status_reason = None
        self._session.flush()
        return _record(row)

    def set_staff_rules(self, camera_id: int, zones: Sequence[ZoneConfig], after_minutes: float | None) -> CameraRecord:
        """Replace the camera's staff rules: staff-only zones, and the stay after which anyone is staff."""
        check_staff_after(after_minutes)
        row = self._row(camera_id)
        row.staff_zones = [zone.to_json() for zone in _zones(zones)]
        row.staff_after_minutes = None if after_minutes is None else float(after_minutes)
        self._session.flush()
        return _record(row)

    def delete(self, camera_id: int) -> None:
        """Delete the camera with its events and hourly rollups (disable it instead to keep its history)."""
        store_id = self._session.scalar(select(CameraRow.store_id).where(CameraRow.id == camera_id))
        result = self._session.execute(delete(CameraRow).where(CameraRow.id == camera_id))
        if result.rowcount == 0 or store_id is None:  # type: ignore[attr-defined]
            raise NotFoundError("camera", camera_id)
        # Its camera rollups went with it (ON DELETE CASCADE); the store's totals must lose them too.
        RollupRepository(self._session).rebuild_store(store_id)

    def set_status(
        self,
        camera_id: int,
        status: CameraStatus,
        reason: str | None = None,
        *,
        last_frame_at: datetime | None = None,
        measured_fps: float | None = None,
        dropped_frames: int | None = None,
    ) -> None:
        """What the pipeline reports about a running camera. `reason` is always replaced (None clears it);
        the measurements are only replaced when given."""
        values: dict[str, object] = {"status": CameraStatus(status).value, "status_reason": reason}
        if last_frame_at is not None:
            values["last_frame_at"] = require_utc(last_frame_at, "last_frame_at")
        if measured_fps is not None:
            values["measured_fps"] = measured_fps
        if dropped_frames is not None:
            values["dropped_frames"] = dropped_frames
        # Only an enabled camera's status is the pipeline's to say: a worker's last report, written just after the
        # camera was disabled, must not turn `disabled` back into `online`.
        running = update(CameraRow).where(CameraRow.id == camera_id, CameraRow.enabled.is_(True))
        result = self._session.execute(running.values(**values))
        if result.rowcount == 0 and self._session.get(CameraRow, camera_id) is None:  # type: ignore[attr-defined]
            raise NotFoundError("camera", camera_id)

    def list_enabled(self, store_id: int | None = None) -> list[CameraSource]:
        """Cameras the pipeline should run, with their full source URLs."""
        query = select(CameraRow).where(CameraRow.enabled.is_(True)).order_by(CameraRow.id)
        if store_id is not None:
            query = query.where(CameraRow.store_id == store_id)
        return [_source_record(row) for row in self._session.scalars(query)]

    def get_source(self, camera_id: int) -> CameraSource:
        """One camera's full configuration for the pipeline, enabled or not."""
        return _source_record(self._row(camera_id))

    def routing(self, camera_ids: Iterable[int]) -> dict[int, CameraRouting]:
        """Store and lines of each camera that exists; missing ids are simply absent from the answer."""
        ids = sorted(set(camera_ids))
        if not ids:
            return {}
        query = select(CameraRow.id, CameraRow.store_id, CameraRow.lines).where(CameraRow.id.in_(ids))
        routing: dict[int, CameraRouting] = {}
        for camera_id, store_id, lines in self._session.execute(query):
            configs = (LineConfig.from_json(item) for item in lines or [])
            routing[camera_id] = CameraRouting(camera_id, store_id, {line.name: line for line in configs})
        return routing

    def _row(self, camera_id: int) -> CameraRow:
        row = self._session.get(CameraRow, camera_id)
        if row is None:
            raise NotFoundError("camera", camera_id)
        return row
