"""The message catalogue each flow version was published with (issue 11 E).

`flow_catalogues` holds each catalogue once, by the digest of its texts (key → text, as JSON);
`flow_versions.catalogue` names the one a version was published with (or last had its texts
fixed with). Versions published before this revision get NULL: their catalogue was not recorded,
and `shenbao diff` says so instead of pretending no text changed.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-01
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import store.flow_versions  # noqa: F401  (registers the Core tables on the shared MetaData)

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None

TS = sa.DateTime()


def upgrade() -> None:
    op.create_table(
        "flow_catalogues",
        sa.Column("digest", sa.String(64), nullable=False),
        sa.Column("messages", sa.Text, nullable=False),
        sa.Column("recorded_at", TS, nullable=False),
        sa.PrimaryKeyConstraint("digest", name="pk_flow_catalogues"),
    )
    with op.batch_alter_table("flow_versions") as batch:  # SQLite adds a foreign key by rebuilding the table
        batch.add_column(sa.Column("catalogue", sa.String(64), nullable=True))
        batch.create_foreign_key("fk_flow_versions_catalogue_flow_catalogues", "flow_catalogues",
                                 ["catalogue"], ["digest"])


def downgrade() -> None:
    with op.batch_alter_table("flow_versions") as batch:
        batch.drop_constraint("fk_flow_versions_catalogue_flow_catalogues", type_="foreignkey")
        batch.drop_column("catalogue")
    op.drop_table("flow_catalogues")
