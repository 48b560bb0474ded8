"""The documents table: each application's form as stored bytes, per format, with the
version key it was made for and a lease for the worker making it.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-29
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

# The Core table lives in store/documents.py; importing it registers it on the shared
# MetaData wherever Alembic loads the revisions (upgrade, autogenerate), so a comparison
# with the database never proposes to drop it.
import store.documents  # noqa: F401

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

# Frozen copies of the store's column types: a revision must not follow later code.
ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
TS = sa.DateTime()


def upgrade() -> None:
    op.create_table(
        "documents",
        sa.Column("application_id", ID, nullable=False),
        sa.Column("format", sa.Text, nullable=False),
        sa.Column("version_key", sa.Text, nullable=False),
        sa.Column("media_type", sa.Text),
        sa.Column("created_at", TS, nullable=False),
        sa.Column("claimed_key", sa.Text),
        sa.Column("claimed_until", TS),
        sa.Column("content", sa.LargeBinary),
        sa.PrimaryKeyConstraint("application_id", "format", name="pk_documents"),
        sa.ForeignKeyConstraint(["application_id"], ["applications.id"], ondelete="CASCADE",
                                name="fk_documents_application_id_applications"),
    )


def downgrade() -> None:
    op.drop_table("documents")
