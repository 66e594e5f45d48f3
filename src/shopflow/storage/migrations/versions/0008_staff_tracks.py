"""Staff exclusion in the camera workers: per-camera staff rules, the store's uniform, the rule that decided each
employee crossing and visit, and `staff_tracks` (the correction of a track decided to be staff, and its presence).

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-02
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# As in 0007: the organisation a request acts for; unset means no restriction.
CURRENT_ORG = "NULLIF(current_setting('shopflow.organisation_id', true), '')::integer"
ORG_STORES = f"(SELECT id FROM stores WHERE organisation_id = {CURRENT_ORG})"


def upgrade() -> None:
    with op.batch_alter_table("cameras") as batch:
        batch.add_column(sa.Column("staff_zones", sa.JSON(), nullable=False, server_default="[]"))
        batch.add_column(sa.Column("staff_after_minutes", sa.Double(), nullable=True))
    with op.batch_alter_table("store_privacy") as batch:
        batch.add_column(sa.Column("uniform", sa.JSON(), nullable=True))
    for table in ("crossings", "visits"):
        with op.batch_alter_table(table) as batch:
            batch.add_column(sa.Column("staff_rule", sa.String(length=16), nullable=True))
    op.create_table(
        "staff_tracks",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("camera_id", sa.Integer(), nullable=False),
        sa.Column("store_id", sa.Integer(), nullable=False),
        sa.Column("track_id", sa.BigInteger(), nullable=False),
        sa.Column("rule", sa.String(length=16), nullable=False),
        sa.Column("detail", sa.String(length=100), nullable=False),
        sa.Column("employee_id", sa.Integer(), nullable=True),
        sa.Column("first_seen_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_seen_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("crossings_corrected", sa.Integer(), nullable=False),
        sa.Column("visits_corrected", sa.Integer(), nullable=False),
        sa.Column("visitor_corrected", sa.Boolean(), nullable=False),
        sa.Column("event_key", sa.String(length=128), nullable=False),
        sa.CheckConstraint("rule IN ('face', 'uniform', 'staff_zone', 'long_stay')", name=op.f("ck_staff_tracks_rule")),
        sa.ForeignKeyConstraint(
            ["camera_id"], ["cameras.id"], name=op.f("fk_staff_tracks_camera_id_cameras"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["store_id"], ["stores.id"], name=op.f("fk_staff_tracks_store_id_stores"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["employee_id"], ["employees.id"], name=op.f("fk_staff_tracks_employee_id_employees"), ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_staff_tracks")),
        sa.UniqueConstraint("camera_id", "event_key", name=op.f("uq_staff_tracks_camera_id_event_key")),
    )
    op.create_index(op.f("ix_staff_tracks_store_id_first_seen_at"), "staff_tracks", ["store_id", "first_seen_at"])
    op.create_index(op.f("ix_staff_tracks_employee_id_first_seen_at"), "staff_tracks", ["employee_id", "first_seen_at"])
    if op.get_bind().dialect.name == "postgresql":
        op.execute("ALTER TABLE staff_tracks ENABLE ROW LEVEL SECURITY")
        op.execute("ALTER TABLE staff_tracks FORCE ROW LEVEL SECURITY")
        op.execute(
            "CREATE POLICY organisation_isolation ON staff_tracks "
            f"USING ({CURRENT_ORG} IS NULL OR store_id IN {ORG_STORES})"
        )


def downgrade() -> None:
    op.drop_index(op.f("ix_staff_tracks_employee_id_first_seen_at"), table_name="staff_tracks")
    op.drop_index(op.f("ix_staff_tracks_store_id_first_seen_at"), table_name="staff_tracks")
    op.drop_table("staff_tracks")  # its policy goes with it
    for table in ("visits", "crossings"):
        with op.batch_alter_table(table) as batch:
            batch.drop_column("staff_rule")
    with op.batch_alter_table("store_privacy") as batch:
        batch.drop_column("uniform")
    with op.batch_alter_table("cameras") as batch:
        batch.drop_column("staff_after_minutes")
        batch.drop_column("staff_zones")
