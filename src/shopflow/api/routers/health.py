"""GET /api/health: is the server up, does its database answer, is the detector loaded, are cameras online."""

from __future__ import annotations

import logging
import time

from fastapi import APIRouter, Response

from shopflow import __version__
from shopflow.api.deps import RuntimeDep
from shopflow.api.schemas.health import CameraCounts, DatabaseHealth, HealthOut
from shopflow.domain.cameras import CameraStatus
from shopflow.storage.repositories import CameraRepository

log = logging.getLogger(__name__)

router = APIRouter(prefix="/api", tags=["health"])


@router.get(
    "/health",
    response_model=HealthOut,
    responses={503: {"model": HealthOut, "description": "the database does not answer"}},
)
def health(runtime: RuntimeDep, response: Response) -> HealthOut:
    started = time.perf_counter()
    try:
        with runtime.database.read_session() as session:
            statuses = CameraRepository(session).status_counts()
    except Exception as error:  # any failure to answer is what this endpoint reports, not a crash
        log.warning("health check: the database did not answer: %s", error)
        response.status_code = 503
        return HealthOut(
            status="unavailable",
            version=__version__,
            database=DatabaseHealth(ok=False, error=f"the database did not answer ({type(error).__name__})"),
            detector_loaded=runtime.detector_loaded,
            cameras=CameraCounts(online=0, total=0),
        )
    latency_ms = round(1000 * (time.perf_counter() - started), 2)
    return HealthOut(
        status="ok",
        version=__version__,
        database=DatabaseHealth(ok=True, latency_ms=latency_ms),
        detector_loaded=runtime.detector_loaded,
        cameras=CameraCounts(online=statuses.get(CameraStatus.ONLINE, 0), total=sum(statuses.values())),
    )
