"""Store-hour rollups: each store's camera rollups added up per UTC hour, so store-wide reports read few rows.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-01
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

COUNTS = (
    "entries",
    "exits",
    "customer_entries",
    "visits",
    "dwell_seconds_sum",
    "potential_customers",
    "groups",
    "visitors",
    "peak_occupancy",
)


def upgrade() -> None:
    op.create_table(
        "store_hourly_rollups",
        sa.Column("store_id", sa.Integer(), nullable=False),
        sa.Column("hour_start", sa.DateTime(timezone=True), nullable=False),
        sa.Column("entries", sa.Integer(), nullable=False),
        sa.Column("exits", sa.Integer(), nullable=False),
        sa.Column("customer_entries", sa.Integer(), nullable=False),
        sa.Column("visits", sa.Integer(), nullable=False),
        sa.Column("dwell_seconds_sum", sa.Double(), nullable=False),
        sa.Column("potential_customers", sa.Integer(), nullable=False),
        sa.Column("groups", sa.Integer(), nullable=False),
        sa.Column("visitors", sa.Integer(), nullable=False),
        sa.Column("peak_occupancy", sa.Integer(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["store_id"], ["stores.id"], name=op.f("fk_store_hourly_rollups_store_id_stores"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("store_id", "hour_start", name=op.f("pk_store_hourly_rollups")),
    )
    # Existing history, added up once; from here on the event writer keeps both tables in step.
    columns = ", ".join(COUNTS)
    sums = ", ".join(f"SUM({name})" for name in COUNTS)
    op.execute(
        f"INSERT INTO store_hourly_rollups (store_id, hour_start, {columns}, updated_at) "
        f"SELECT store_id, hour_start, {sums}, MAX(updated_at) FROM hourly_rollups GROUP BY store_id, hour_start"
    )


def downgrade() -> None:
    op.drop_table("store_hourly_rollups")
