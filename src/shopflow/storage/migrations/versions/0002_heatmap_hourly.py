"""Heatmaps: person-seconds per grid cell per camera and hour, and the keys of the tallies already added.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-29
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Same as 0001: SQLite only auto-increments a plain INTEGER primary key.
EVENT_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "heatmap_hourly",
        sa.Column("id", EVENT_ID, nullable=False),
        sa.Column("camera_id", sa.Integer(), nullable=False),
        sa.Column("hour_start", sa.DateTime(timezone=True), nullable=False),
        sa.Column("columns", sa.Integer(), nullable=False),
        sa.Column("rows", sa.Integer(), nullable=False),
        sa.Column("cells", sa.LargeBinary(), nullable=False),
        sa.Column("frame_width", sa.Integer(), nullable=False),
        sa.Column("frame_height", sa.Integer(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("columns > 0 AND rows > 0", name=op.f("ck_heatmap_hourly_grid_size_positive")),
        sa.ForeignKeyConstraint(
            ["camera_id"], ["cameras.id"], name=op.f("fk_heatmap_hourly_camera_id_cameras"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_heatmap_hourly")),
        sa.UniqueConstraint(
            "camera_id",
            "hour_start",
            "columns",
            "rows",
            name=op.f("uq_heatmap_hourly_camera_id_hour_start_columns_rows"),
        ),
    )
    op.create_table(
        "heatmap_tallies",
        sa.Column("id", EVENT_ID, nullable=False),
        sa.Column("camera_id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("event_key", sa.String(length=128), nullable=False),
        sa.ForeignKeyConstraint(
            ["camera_id"], ["cameras.id"], name=op.f("fk_heatmap_tallies_camera_id_cameras"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_heatmap_tallies")),
        sa.UniqueConstraint("camera_id", "event_key", name=op.f("uq_heatmap_tallies_camera_id_event_key")),
    )


def downgrade() -> None:
    op.drop_table("heatmap_tallies")
    op.drop_table("heatmap_hourly")
