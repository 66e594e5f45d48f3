"""Cameras: loop_video and realtime_pace for video-file sources, and a `finished` status for a file played once.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-29
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

OLD_STATUSES = "status IN ('online', 'offline', 'error', 'disabled', 'starting')"
NEW_STATUSES = "status IN ('online', 'offline', 'error', 'disabled', 'starting', 'finished')"


def upgrade() -> None:
    # batch_alter_table rebuilds the table on SQLite (which cannot alter a CHECK) and is plain ALTER elsewhere.
    with op.batch_alter_table("cameras") as batch:
        # Existing cameras are live cameras or files analysed once at their own pace: the server defaults.
        batch.add_column(sa.Column("loop_video", sa.Boolean(), server_default=sa.false(), nullable=False))
        batch.add_column(sa.Column("realtime_pace", sa.Boolean(), server_default=sa.true(), nullable=False))
        batch.drop_constraint(op.f("ck_cameras_status"), type_="check")
        batch.create_check_constraint(op.f("ck_cameras_status"), NEW_STATUSES)


def downgrade() -> None:
    op.execute(sa.text("UPDATE cameras SET status = 'offline' WHERE status = 'finished'"))
    with op.batch_alter_table("cameras") as batch:
        batch.drop_constraint(op.f("ck_cameras_status"), type_="check")
        batch.create_check_constraint(op.f("ck_cameras_status"), OLD_STATUSES)
        batch.drop_column("realtime_pace")
        batch.drop_column("loop_video")
