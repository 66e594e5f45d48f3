"""How long customers stay in each zone over a range of local days: visits, mean, median and p90 dwell."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

import numpy as np
from sqlalchemy.orm import Session

from shopflow.reports.periods import DateRange, validate_range
from shopflow.reports.scope import Scope, resolve_scope
from shopflow.storage.repositories import CameraRepository, EventRepository


@dataclass(frozen=True, slots=True)
class ZoneDwell:
    camera_id: int
    camera_name: str
    zone: str
    configured: bool  # False: the zone has visits in the range but is no longer in the camera's configuration
    visits: int
    total_seconds: float
    mean_seconds: float | None  # None without visits
    median_seconds: float | None
    p90_seconds: float | None


@dataclass(frozen=True, slots=True)
class ZoneDwellReport:
    scope: Scope
    span: DateRange
    zones: tuple[ZoneDwell, ...]


def dwell_statistics(
    camera_id: int, camera_name: str, zone: str, configured: bool, dwell: Sequence[float]
) -> ZoneDwell:
    """Percentiles interpolate linearly between the two nearest visits (numpy's default, Excel's PERCENTILE.INC)."""
    if not dwell:
        return ZoneDwell(camera_id, camera_name, zone, configured, 0, 0.0, None, None, None)
    values = np.asarray(dwell, dtype=np.float64)
    return ZoneDwell(
        camera_id=camera_id,
        camera_name=camera_name,
        zone=zone,
        configured=configured,
        visits=int(values.size),
        total_seconds=float(values.sum()),
        mean_seconds=float(values.mean()),
        median_seconds=float(np.median(values)),
        p90_seconds=float(np.percentile(values, 90)),
    )


def zone_dwell_for(session: Session, scope: Scope, span: DateRange) -> ZoneDwellReport:
    start, end = span.utc_bounds(scope.timezone)
    dwell = EventRepository(session).dwell_by_zone(scope.store.id, start, end, camera_id=scope.camera_id)
    cameras = [scope.camera] if scope.camera is not None else CameraRepository(session).list_by_store(scope.store.id)
    zones: list[ZoneDwell] = []
    for camera in cameras:
        configured = [zone.name for zone in camera.zones]
        # Zones renamed or removed since still had visits: list them after the configured ones.
        former = sorted(zone for camera_id, zone in dwell if camera_id == camera.id and zone not in configured)
        for name in configured:
            zones.append(dwell_statistics(camera.id, camera.name, name, True, dwell.get((camera.id, name), [])))
        for name in former:
            zones.append(dwell_statistics(camera.id, camera.name, name, False, dwell[(camera.id, name)]))
    return ZoneDwellReport(scope, span, tuple(zones))


def zone_dwell(
    session: Session, store_id: int, since: date, until: date, *, camera_id: int | None = None
) -> ZoneDwellReport:
    """Customers' visits that began in since..until (local days), per camera and zone."""
    span = validate_range(since, until)
    return zone_dwell_for(session, resolve_scope(session, store_id, camera_id), span)
