"""The queue of changed applications (their documents to make), read by `shenbao worker`.

Replaces the warmers' scan of every application for a stale document: a change enqueues
its application in the same transaction (store/jobs.py), workers claim due rows through
the index on `due_at` (FOR UPDATE SKIP LOCKED on PostgreSQL). Every application there is
at the upgrade is queued once, so documents made before it are checked (and those still
current skipped) without a scan ever again.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-01
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import store.jobs  # noqa: F401  (registers the Core table on the shared MetaData)

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
TS = sa.DateTime()


def upgrade() -> None:
    op.create_table(
        "changed_applications",
        sa.Column("application_id", ID, nullable=False),
        sa.Column("due_at", TS, nullable=False),
        sa.Column("attempts", sa.Integer, nullable=False, server_default="0"),
        sa.PrimaryKeyConstraint("application_id", name="pk_changed_applications"),
        sa.ForeignKeyConstraint(["application_id"], ["applications.id"], ondelete="CASCADE",
                                name="fk_changed_applications_application_id_applications"),
    )
    op.create_index("ix_changed_applications_due_at", "changed_applications", ["due_at"])
    op.execute("INSERT INTO changed_applications (application_id, due_at, attempts) "
               "SELECT id, updated_at, 0 FROM applications")


def downgrade() -> None:
    op.drop_index("ix_changed_applications_due_at", "changed_applications")
    op.drop_table("changed_applications")
