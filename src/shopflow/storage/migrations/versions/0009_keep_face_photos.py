"""A store may keep its employees' enrolment photos (off by default): the photo beside the embedding it gave.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-02
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("store_privacy") as batch:
        batch.add_column(sa.Column("keep_face_photos", sa.Boolean(), nullable=False, server_default=sa.false()))
    with op.batch_alter_table("employee_faces") as batch:
        batch.add_column(sa.Column("photo", sa.LargeBinary(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("employee_faces") as batch:
        batch.drop_column("photo")
    with op.batch_alter_table("store_privacy") as batch:
        batch.drop_column("keep_face_photos")
