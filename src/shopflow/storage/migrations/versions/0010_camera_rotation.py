"""Cameras: `rotation`, the quarter turn clockwise that brings a camera mounted upside down or sideways upright.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-02
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Written out rather than imported: a migration keeps the rule it was written with.
ROTATIONS = "rotation IN (0, 90, 180, 270)"


def upgrade() -> None:
    # Existing cameras were counted as their pictures arrive: no turn.
    with op.batch_alter_table("cameras") as batch:
        batch.add_column(sa.Column("rotation", sa.Integer(), server_default="0", nullable=False))
        batch.create_check_constraint(op.f("ck_cameras_rotation"), ROTATIONS)


def downgrade() -> None:
    with op.batch_alter_table("cameras") as batch:
        batch.drop_constraint(op.f("ck_cameras_rotation"), type_="check")
        batch.drop_column("rotation")
