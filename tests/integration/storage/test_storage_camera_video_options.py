"""Migration 0003 (camera loop_video / realtime_pace, the `finished` status) keeps every existing row."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import text

from shopflow.domain.cameras import CameraStatus
from shopflow.storage import migrate
from shopflow.storage.db import Database
from shopflow.storage.repositories import CameraRepository, EventRepository, StoreRepository

BEFORE = "0002"


def test_upgrade_and_downgrade_keep_cameras_and_their_events(empty_url: str) -> None:
    migrate.upgrade(empty_url, BEFORE)
    database = Database.from_url(empty_url)
    try:
        with database.engine.begin() as connection:
            # Rows as the previous schema stored them, written with plain SQL (the models are ahead of it).
            connection.execute(
                text("INSERT INTO organisations (name, created_at) VALUES ('Acme', :t)"), {"t": "2024-01-01"}
            )
            connection.execute(
                text(
                    "INSERT INTO stores (organisation_id, name, timezone, opening_hours, is_demo, created_at) "
                    "VALUES (1, 'Centro', 'UTC', '{}', false, :t)"
                ),
                {"t": "2024-01-01"},
            )
            connection.execute(
                text(
                    "INSERT INTO cameras (store_id, name, source_url, sample_fps, imgsz, enabled, lines, zones, "
                    "status, dropped_frames, is_demo, created_at, updated_at) VALUES (1, 'Porta', 'rtsp://x/s', 5, "
                    "480, true, '[]', '[]', 'online', 0, false, :t, :t)"
                ),
                {"t": "2024-01-01"},
            )
            connection.execute(
                text(
                    "INSERT INTO crossings (camera_id, store_id, line, direction, is_entry, track_id, person_kind, "
                    "at, event_key) VALUES (1, 1, 'door', 'in', true, 1, 'customer', :t, 'k1')"
                ),
                {"t": datetime(2024, 1, 1, tzinfo=UTC)},
            )
        database.dispose()

        # SQLite rebuilds the cameras table for this migration; its foreign keys must not cascade the rows away.
        migrate.upgrade(empty_url)
        with database.session() as session:
            cameras = CameraRepository(session)
            camera = cameras.get(1)
            assert (camera.name, camera.loop_video, camera.realtime_pace, camera.status) == (
                "Porta",
                False,
                True,
                CameraStatus.ONLINE,
            )
            cameras.set_status(1, CameraStatus.FINISHED, "the video file has been analysed to its end")
            assert len(EventRepository(session).crossings(1, limit=10).items) == 1
            assert StoreRepository(session).get(1).name == "Centro"
        with database.session() as session:
            assert CameraRepository(session).get(1).status is CameraStatus.FINISHED
        database.dispose()

        migrate.downgrade(empty_url, BEFORE)
        with database.engine.connect() as connection:
            assert connection.execute(text("SELECT status FROM cameras")).scalar_one() == "offline"
            assert connection.execute(text("SELECT count(*) FROM crossings")).scalar_one() == 1
    finally:
        database.dispose()
