"""The uploads table: the bytes of uploaded files (the `image` field type), by content digest.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-01
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import store.uploads  # noqa: F401  (registers the Core table on the shared MetaData, as 0002 does)

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

TS = sa.DateTime()  # a frozen copy of the store's timestamp type


def upgrade() -> None:
    op.create_table(
        "uploads",
        sa.Column("digest", sa.Text, nullable=False),
        sa.Column("media_type", sa.Text, nullable=False),
        sa.Column("size", sa.Integer, nullable=False),
        sa.Column("created_at", TS, nullable=False),
        sa.Column("content", sa.LargeBinary, nullable=False),
        sa.PrimaryKeyConstraint("digest", name="pk_uploads"),
    )


def downgrade() -> None:
    op.drop_table("uploads")
