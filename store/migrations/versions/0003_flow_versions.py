"""The flow_versions table: every published flow version, by digest, with its name and text.

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-01
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import store.flow_versions  # noqa: F401  (registers the Core table on the shared MetaData)

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

TS = sa.DateTime()


def upgrade() -> None:
    op.create_table(
        "flow_versions",
        sa.Column("digest", sa.String(64), nullable=False),
        sa.Column("flow_id", sa.Text, nullable=False),
        sa.Column("version", sa.Text, nullable=False),
        sa.Column("text", sa.Text, nullable=False),
        sa.Column("published_at", TS, nullable=False),
        sa.PrimaryKeyConstraint("digest", name="pk_flow_versions"),
    )
    op.create_index("ix_flow_versions_flow_id_published_at", "flow_versions", ["flow_id", "published_at"])


def downgrade() -> None:
    op.drop_index("ix_flow_versions_flow_id_published_at", "flow_versions")
    op.drop_table("flow_versions")
