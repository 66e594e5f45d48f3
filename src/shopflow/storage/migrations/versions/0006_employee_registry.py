"""Employee registry: employee id, department, the consent record, erasure, 1 to 5 face embeddings, audit log.

Revision ID: 0006
Revises: 0004
Create Date: 2026-12-01
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("employees") as batch:
        batch.add_column(sa.Column("code", sa.String(length=64), nullable=True))
        batch.add_column(sa.Column("department", sa.String(length=100), nullable=False, server_default=""))
        batch.add_column(sa.Column("consent_by", sa.String(length=200), nullable=True))
        batch.add_column(sa.Column("consent_version", sa.String(length=50), nullable=True))
        batch.add_column(sa.Column("consent_method", sa.String(length=16), nullable=True))
        batch.add_column(sa.Column("erased_at", sa.DateTime(timezone=True), nullable=True))
        batch.create_unique_constraint(batch.f("uq_employees_store_id_code"), ["store_id", "code"])
        batch.create_check_constraint(
            batch.f("ck_employees_consent_method"), "consent_method IN ('face', 'no_biometrics')"
        )
    op.create_table(
        "employee_faces",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("employee_id", sa.Integer(), nullable=False),
        sa.Column("embedder", sa.String(length=50), nullable=False),
        sa.Column("embedding", sa.LargeBinary(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["employee_id"], ["employees.id"], name=op.f("fk_employee_faces_employee_id_employees"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_employee_faces")),
    )
    op.create_index(op.f("ix_employee_faces_employee_id"), "employee_faces", ["employee_id"])
    op.create_table(
        "audit_log",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("store_id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("actor", sa.String(length=200), nullable=False),
        sa.Column("action", sa.String(length=50), nullable=False),
        sa.Column("subject", sa.String(length=100), nullable=False),
        sa.Column("detail", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["store_id"], ["stores.id"], name=op.f("fk_audit_log_store_id_stores"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_log")),
    )
    op.create_index(op.f("ix_audit_log_store_id"), "audit_log", ["store_id"])


def downgrade() -> None:
    op.drop_index(op.f("ix_audit_log_store_id"), table_name="audit_log")
    op.drop_table("audit_log")
    op.drop_index(op.f("ix_employee_faces_employee_id"), table_name="employee_faces")
    op.drop_table("employee_faces")
    with op.batch_alter_table("employees") as batch:
        batch.drop_constraint(batch.f("ck_employees_consent_method"), type_="check")
        batch.drop_constraint(batch.f("uq_employees_store_id_code"), type_="unique")
        for column in ("erased_at", "consent_method", "consent_version", "consent_by", "department", "code"):
            batch.drop_column(column)
