"""Accounts: users belong to an organisation and are granted stores, sign-in sessions, scoped API keys, an
audit log that also records organisation-wide actions, and (on PostgreSQL) row-level security by organisation.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-02
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# The organisation a request acts for, set per transaction by storage/tenancy.py; unset (background work,
# migrations, the CLI) means "no restriction".
CURRENT_ORG = "NULLIF(current_setting('shopflow.organisation_id', true), '')::integer"
ORG_STORES = f"(SELECT id FROM stores WHERE organisation_id = {CURRENT_ORG})"
ORG_CAMERAS = f"(SELECT id FROM cameras WHERE store_id IN {ORG_STORES})"
# Each table and the rule that says which of its rows belong to the current organisation.
POLICIES = {
    "organisations": f"id = {CURRENT_ORG}",
    "stores": f"organisation_id = {CURRENT_ORG}",
    "users": f"organisation_id = {CURRENT_ORG}",
    "cameras": f"store_id IN {ORG_STORES}",
    "camera_events": f"store_id IN {ORG_STORES}",
    "crossings": f"store_id IN {ORG_STORES}",
    "visits": f"store_id IN {ORG_STORES}",
    "party_tallies": f"store_id IN {ORG_STORES}",
    "hourly_rollups": f"store_id IN {ORG_STORES}",
    "store_hourly_rollups": f"store_id IN {ORG_STORES}",
    "heatmap_tallies": f"camera_id IN {ORG_CAMERAS}",
    "heatmap_hourly": f"camera_id IN {ORG_CAMERAS}",
    "employees": f"store_id IN {ORG_STORES}",
    "employee_faces": f"employee_id IN (SELECT id FROM employees WHERE store_id IN {ORG_STORES})",
    "api_keys": f"store_id IN {ORG_STORES}",
    "store_privacy": f"store_id IN {ORG_STORES}",
    "user_stores": f"store_id IN {ORG_STORES}",
    "audit_log": f"organisation_id = {CURRENT_ORG} OR store_id IN {ORG_STORES}",
}


def upgrade() -> None:
    connection = op.get_bind()
    with op.batch_alter_table("users") as batch:
        batch.add_column(sa.Column("organisation_id", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("active", sa.Boolean(), nullable=False, server_default=sa.true()))
        batch.create_foreign_key(
            batch.f("fk_users_organisation_id_organisations"), "organisations", ["organisation_id"], ["id"],
            ondelete="CASCADE",
        )  # fmt: skip
        batch.create_index(batch.f("ix_users_organisation_id"), ["organisation_id"])
    # Users made before organisations mattered join the first organisation (a single store's server has one).
    if connection.execute(sa.text("SELECT count(*) FROM users")).scalar():
        first = connection.execute(sa.text("SELECT min(id) FROM organisations")).scalar()
        if first is None:
            connection.execute(
                sa.text("INSERT INTO organisations (name, created_at) VALUES ('ShopFlow', CURRENT_TIMESTAMP)")
            )
            first = connection.execute(sa.text("SELECT min(id) FROM organisations")).scalar()
        connection.execute(sa.text("UPDATE users SET organisation_id = :org"), {"org": first})
    with op.batch_alter_table("users") as batch:
        batch.alter_column("organisation_id", existing_type=sa.Integer(), nullable=False)

    op.create_table(
        "user_stores",
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("store_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_user_stores_user_id_users"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["store_id"], ["stores.id"], name=op.f("fk_user_stores_store_id_stores"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("user_id", "store_id", name=op.f("pk_user_stores")),
    )
    op.create_index(op.f("ix_user_stores_store_id"), "user_stores", ["store_id"])
    op.create_table(
        "user_sessions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_seen_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint("kind IN ('browser', 'token', 'ticket')", name=op.f("ck_user_sessions_kind")),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_user_sessions_user_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_user_sessions")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_user_sessions_token_hash")),
    )
    op.create_index(op.f("ix_user_sessions_user_id"), "user_sessions", ["user_id"])
    op.create_index(op.f("ix_user_sessions_expires_at"), "user_sessions", ["expires_at"])
    with op.batch_alter_table("api_keys") as batch:
        batch.add_column(sa.Column("scope", sa.String(length=16), nullable=False, server_default="read"))
        batch.create_check_constraint(batch.f("ck_api_keys_scope"), "scope IN ('read', 'ingest', 'admin')")
    with op.batch_alter_table("audit_log") as batch:
        batch.alter_column("store_id", existing_type=sa.Integer(), nullable=True)
        batch.add_column(sa.Column("organisation_id", sa.Integer(), nullable=True))
        batch.create_foreign_key(
            batch.f("fk_audit_log_organisation_id_organisations"), "organisations", ["organisation_id"], ["id"],
            ondelete="CASCADE",
        )  # fmt: skip
        batch.create_index(batch.f("ix_audit_log_organisation_id"), ["organisation_id"])
        batch.create_index(batch.f("ix_audit_log_at"), ["at"])
    if connection.dialect.name == "postgresql":
        for table, rule in POLICIES.items():
            op.execute(f"ALTER TABLE {table} ENABLE ROW LEVEL SECURITY")
            # FORCE: the tables' owner (the account ShopFlow connects as) is held to the policy too.
            op.execute(f"ALTER TABLE {table} FORCE ROW LEVEL SECURITY")
            op.execute(f"CREATE POLICY organisation_isolation ON {table} USING ({CURRENT_ORG} IS NULL OR {rule})")


def downgrade() -> None:
    connection = op.get_bind()
    if connection.dialect.name == "postgresql":
        for table in POLICIES:
            op.execute(f"DROP POLICY IF EXISTS organisation_isolation ON {table}")
            op.execute(f"ALTER TABLE {table} NO FORCE ROW LEVEL SECURITY")
            op.execute(f"ALTER TABLE {table} DISABLE ROW LEVEL SECURITY")
    op.execute("DELETE FROM audit_log WHERE store_id IS NULL")
    with op.batch_alter_table("audit_log") as batch:
        batch.drop_index(batch.f("ix_audit_log_at"))
        batch.drop_index(batch.f("ix_audit_log_organisation_id"))
        batch.drop_constraint(batch.f("fk_audit_log_organisation_id_organisations"), type_="foreignkey")
        batch.drop_column("organisation_id")
        batch.alter_column("store_id", existing_type=sa.Integer(), nullable=False)
    with op.batch_alter_table("api_keys") as batch:
        batch.drop_constraint(batch.f("ck_api_keys_scope"), type_="check")
        batch.drop_column("scope")
    op.drop_index(op.f("ix_user_sessions_expires_at"), table_name="user_sessions")
    op.drop_index(op.f("ix_user_sessions_user_id"), table_name="user_sessions")
    op.drop_table("user_sessions")
    op.drop_index(op.f("ix_user_stores_store_id"), table_name="user_stores")
    op.drop_table("user_stores")
    with op.batch_alter_table("users") as batch:
        batch.drop_index(batch.f("ix_users_organisation_id"))
        batch.drop_constraint(batch.f("fk_users_organisation_id_organisations"), type_="foreignkey")
        batch.drop_column("active")
        batch.drop_column("organisation_id")
