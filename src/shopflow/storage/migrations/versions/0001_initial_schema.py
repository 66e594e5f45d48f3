"""Initial schema: organisations, stores, cameras, events, hourly rollups, employees, users and API keys.

Revision ID: 0001
Revises:
Create Date: 2026-11-29
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Event tables grow by millions of rows; SQLite only auto-increments a plain INTEGER primary key.
EVENT_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "organisations",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_organisations")),
    )
    op.create_table(
        "users",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("email", sa.String(length=320), nullable=False),
        sa.Column("password_hash", sa.Text(), nullable=False),
        sa.Column("role", sa.String(length=16), nullable=False),
        sa.Column("language", sa.String(length=8), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("language IN ('pt-BR', 'en')", name=op.f("ck_users_language")),
        sa.CheckConstraint("role IN ('owner', 'manager', 'viewer')", name=op.f("ck_users_role")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_users")),
        sa.UniqueConstraint("email", name=op.f("uq_users_email")),
    )
    op.create_table(
        "stores",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("timezone", sa.String(length=64), nullable=False),
        sa.Column("opening_hours", sa.JSON(), nullable=False),
        sa.Column("is_demo", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisations.id"],
            name=op.f("fk_stores_organisation_id_organisations"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_stores")),
    )
    op.create_index(op.f("ix_stores_organisation_id"), "stores", ["organisation_id"])
    op.create_table(
        "api_keys",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("store_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("key_hash", sa.String(length=255), nullable=False),
        sa.Column("prefix", sa.String(length=32), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_used_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["store_id"], ["stores.id"], name=op.f("fk_api_keys_store_id_stores"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_api_keys")),
        sa.UniqueConstraint("key_hash", name=op.f("uq_api_keys_key_hash")),
    )
    op.create_index(op.f("ix_api_keys_prefix"), "api_keys", ["prefix"])
    op.create_index(op.f("ix_api_keys_store_id"), "api_keys", ["store_id"])
    op.create_table(
        "cameras",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("store_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("source_url", sa.Text(), nullable=False),
        sa.Column("sample_fps", sa.Double(), nullable=False),
        sa.Column("imgsz", sa.Integer(), nullable=False),
        sa.Column("enabled", sa.Boolean(), nullable=False),
        sa.Column("lines", sa.JSON(), nullable=False),
        sa.Column("zones", sa.JSON(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("status_reason", sa.Text(), nullable=True),
        sa.Column("last_frame_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("measured_fps", sa.Double(), nullable=True),
        sa.Column("dropped_frames", sa.BigInteger(), nullable=False),
        sa.Column("is_demo", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "status IN ('online', 'offline', 'error', 'disabled', 'starting')", name=op.f("ck_cameras_status")
        ),
        sa.CheckConstraint("imgsz > 0", name=op.f("ck_cameras_imgsz_positive")),
        sa.CheckConstraint("sample_fps > 0", name=op.f("ck_cameras_sample_fps_positive")),
        sa.ForeignKeyConstraint(
            ["store_id"], ["stores.id"], name=op.f("fk_cameras_store_id_stores"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_cameras")),
    )
    op.create_index(op.f("ix_cameras_store_id"), "cameras", ["store_id"])
    op.create_table(
        "employees",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("store_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("role", sa.String(length=100), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("consent_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("embedding", sa.LargeBinary(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["store_id"], ["stores.id"], name=op.f("fk_employees_store_id_stores"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_employees")),
    )
    op.create_index(op.f("ix_employees_store_id"), "employees", ["store_id"])
    op.create_table(
        "camera_events",
        sa.Column("id", EVENT_ID, nullable=False),
        sa.Column("camera_id", sa.Integer(), nullable=False),
        sa.Column("store_id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("total_people", sa.Integer(), nullable=False),
        sa.Column("customers", sa.Integer(), nullable=False),
        sa.Column("employees", sa.Integer(), nullable=False),
        sa.Column("groups", sa.Integer(), nullable=False),
        sa.Column("potential_customers", sa.Integer(), nullable=False),
        sa.Column("processing_time_ms", sa.Double(), nullable=True),
        sa.Column("event_key", sa.String(length=128), nullable=False),
        sa.ForeignKeyConstraint(
            ["camera_id"], ["cameras.id"], name=op.f("fk_camera_events_camera_id_cameras"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["store_id"], ["stores.id"], name=op.f("fk_camera_events_store_id_stores"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_camera_events")),
        sa.UniqueConstraint("camera_id", "event_key", name=op.f("uq_camera_events_camera_id_event_key")),
    )
    op.create_index(op.f("ix_camera_events_camera_id_at"), "camera_events", ["camera_id", "at"])
    op.create_index(op.f("ix_camera_events_store_id_at"), "camera_events", ["store_id", "at"])
    op.create_table(
        "crossings",
        sa.Column("id", EVENT_ID, nullable=False),
        sa.Column("camera_id", sa.Integer(), nullable=False),
        sa.Column("store_id", sa.Integer(), nullable=False),
        sa.Column("line", sa.String(length=100), nullable=False),
        sa.Column("direction", sa.String(length=3), nullable=False),
        sa.Column("is_entry", sa.Boolean(), nullable=True),
        sa.Column("track_id", sa.BigInteger(), nullable=False),
        sa.Column("person_kind", sa.String(length=16), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("event_key", sa.String(length=128), nullable=False),
        sa.CheckConstraint("direction IN ('in', 'out')", name=op.f("ck_crossings_direction")),
        sa.CheckConstraint("person_kind IN ('customer', 'employee')", name=op.f("ck_crossings_person_kind")),
        sa.ForeignKeyConstraint(
            ["camera_id"], ["cameras.id"], name=op.f("fk_crossings_camera_id_cameras"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["store_id"], ["stores.id"], name=op.f("fk_crossings_store_id_stores"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_crossings")),
        sa.UniqueConstraint("camera_id", "event_key", name=op.f("uq_crossings_camera_id_event_key")),
    )
    op.create_index(op.f("ix_crossings_camera_id_at"), "crossings", ["camera_id", "at"])
    op.create_index(op.f("ix_crossings_store_id_at"), "crossings", ["store_id", "at"])
    op.create_table(
        "hourly_rollups",
        sa.Column("id", EVENT_ID, nullable=False),
        sa.Column("store_id", sa.Integer(), nullable=False),
        sa.Column("camera_id", sa.Integer(), nullable=False),
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
            ["camera_id"], ["cameras.id"], name=op.f("fk_hourly_rollups_camera_id_cameras"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["store_id"], ["stores.id"], name=op.f("fk_hourly_rollups_store_id_stores"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_hourly_rollups")),
        sa.UniqueConstraint(
            "store_id", "camera_id", "hour_start", name=op.f("uq_hourly_rollups_store_id_camera_id_hour_start")
        ),
    )
    op.create_index(op.f("ix_hourly_rollups_store_id_hour_start"), "hourly_rollups", ["store_id", "hour_start"])
    op.create_table(
        "party_tallies",
        sa.Column("id", EVENT_ID, nullable=False),
        sa.Column("camera_id", sa.Integer(), nullable=False),
        sa.Column("store_id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("potential_customers", sa.Integer(), nullable=False),
        sa.Column("groups", sa.Integer(), nullable=False),
        sa.Column("visitors", sa.Integer(), nullable=False),
        sa.Column("event_key", sa.String(length=128), nullable=False),
        sa.ForeignKeyConstraint(
            ["camera_id"], ["cameras.id"], name=op.f("fk_party_tallies_camera_id_cameras"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["store_id"], ["stores.id"], name=op.f("fk_party_tallies_store_id_stores"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_party_tallies")),
        sa.UniqueConstraint("camera_id", "event_key", name=op.f("uq_party_tallies_camera_id_event_key")),
    )
    op.create_index(op.f("ix_party_tallies_store_id_at"), "party_tallies", ["store_id", "at"])
    op.create_table(
        "visits",
        sa.Column("id", EVENT_ID, nullable=False),
        sa.Column("camera_id", sa.Integer(), nullable=False),
        sa.Column("store_id", sa.Integer(), nullable=False),
        sa.Column("zone", sa.String(length=100), nullable=False),
        sa.Column("track_id", sa.BigInteger(), nullable=False),
        sa.Column("person_kind", sa.String(length=16), nullable=False),
        sa.Column("entered_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("exited_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("dwell_seconds", sa.Double(), nullable=False),
        sa.Column("event_key", sa.String(length=128), nullable=False),
        sa.CheckConstraint("person_kind IN ('customer', 'employee')", name=op.f("ck_visits_person_kind")),
        sa.CheckConstraint("dwell_seconds >= 0", name=op.f("ck_visits_dwell_not_negative")),
        sa.ForeignKeyConstraint(
            ["camera_id"], ["cameras.id"], name=op.f("fk_visits_camera_id_cameras"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["store_id"], ["stores.id"], name=op.f("fk_visits_store_id_stores"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_visits")),
        sa.UniqueConstraint("camera_id", "event_key", name=op.f("uq_visits_camera_id_event_key")),
    )
    op.create_index(op.f("ix_visits_camera_id_entered_at"), "visits", ["camera_id", "entered_at"])
    op.create_index(op.f("ix_visits_store_id_entered_at"), "visits", ["store_id", "entered_at"])


def downgrade() -> None:
    # Dropping a table drops its indexes too.
    op.drop_table("visits")
    op.drop_table("party_tallies")
    op.drop_table("hourly_rollups")
    op.drop_table("crossings")
    op.drop_table("camera_events")
    op.drop_table("employees")
    op.drop_table("cameras")
    op.drop_table("api_keys")
    op.drop_table("stores")
    op.drop_table("users")
    op.drop_table("organisations")
