"""The demo store: a camera that plays the bundled sample video in a loop, so a fresh install shows something.

It is labelled as a demo everywhere (`is_demo` on the store and the camera), so nobody takes its figures for a
real store's.
"""

from __future__ import annotations

import logging
from importlib import resources
from pathlib import Path

from shopflow.domain.cameras import DEFAULT_SAMPLE_FPS
from shopflow.storage.db import Database
from shopflow.storage.records import CameraRecord, LineConfig, ZoneConfig
from shopflow.storage.repositories import CameraRepository, StoreRepository

log = logging.getLogger(__name__)

DEMO_ORGANISATION = "Demo"
DEMO_STORE = "Loja Demo"
DEMO_TIMEZONE = "America/Sao_Paulo"
DEMO_CAMERA = "Câmera demo (vídeo de exemplo)"
SAMPLE_VIDEO = "vtest.avi"
DEMO_LINES = (LineConfig("entrada", (0.40, 0.98), (0.40, 0.28)),)
DEMO_ZONES = (ZoneConfig("praça", ((0.45, 0.35), (0.95, 0.35), (0.95, 0.80), (0.45, 0.80))),)
DEMO_SAMPLE_FPS = DEFAULT_SAMPLE_FPS


def sample_video() -> Path:
    """The bundled sample video (OpenCV's vtest.avi) inside the installed package."""
    resource = resources.files("shopflow.assets").joinpath(SAMPLE_VIDEO)
    # An installed package is a folder on disk, so the resource is a real file OpenCV can open.
    path = Path(str(resource))
    if not path.is_file():
        raise FileNotFoundError(f"the sample video is missing from the installation: {path}")
    return path


def ensure_demo(database: Database, *, force: bool, imgsz: int) -> CameraRecord | None:
    """Create the demo store and camera when the database has no camera at all, or when `force` (`--demo`).

    An existing demo camera is kept (enabled again when forced) and pointed at this installation's sample video
    if the file it named has gone (a moved or reinstalled virtual environment). Returns the demo camera, or
    None when there is none and none was needed.
    """
    video = str(sample_video())
    with database.session() as session:
        cameras = CameraRepository(session)
        existing = cameras.list_demo()
        if existing:
            demo = existing[0]
            source = cameras.get_source(demo.id).source_url
            if Path(source).name == SAMPLE_VIDEO and not Path(source).is_file():
                log.info("demo camera %s: sample video moved to %s", demo.id, video)
                demo = cameras.update(demo.id, source_url=video)
            if force and not demo.enabled:
                demo = cameras.update(demo.id, enabled=True)
            return demo
        if cameras.count() and not force:
            return None
        stores = StoreRepository(session)
        store = next((s for s in stores.list_all() if s.is_demo), None)
        if store is None:
            # The server's organisation, so its owner sees the demo beside their own stores.
            owner = stores.server_organisation(DEMO_ORGANISATION)
            store = stores.create(owner, DEMO_STORE, timezone=DEMO_TIMEZONE, is_demo=True)
        demo = cameras.create(
            store.id,
            DEMO_CAMERA,
            video,
            sample_fps=DEMO_SAMPLE_FPS,
            imgsz=imgsz,
            lines=DEMO_LINES,
            zones=DEMO_ZONES,
            is_demo=True,
            loop_video=True,
            realtime_pace=True,
        )
    log.info("created the demo store %s with camera %s playing %s", store.id, demo.id, SAMPLE_VIDEO)
    return demo
