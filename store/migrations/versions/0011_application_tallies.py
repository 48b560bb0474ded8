"""Counts kept as applications change: `application_tallies` and the set of `tallied_fields`
(see store/tallies.py).

The revision backfills what the database alone can say: every application counted per
status (the all-scope rows). Which answers are tallied comes from the flow (the answers its
roles bind through): the first `sync_tallies` with the flow (every `shenbao serve`,
`shenbao init`) records them and rebuilds the per-answer rows in one transaction.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-01
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None

_KEY = ("scope_field", "scope_value", "field", "value", "status")


def upgrade() -> None:
    op.create_table(
        "tallied_fields",
        sa.Column("field", sa.Text, nullable=False),
        sa.PrimaryKeyConstraint("field", name="pk_tallied_fields"),
    )
    op.create_table(
        "application_tallies",
        *(sa.Column(name, sa.Text, nullable=False) for name in _KEY),
        sa.Column("n", sa.BigInteger, nullable=False),
        sa.PrimaryKeyConstraint(*_KEY, name="pk_application_tallies"),
    )
    op.execute("INSERT INTO application_tallies (scope_field, scope_value, field, value, status, n) "
               "SELECT '', '', '', '', status, count(*) FROM applications GROUP BY status")


def downgrade() -> None:
    op.drop_table("application_tallies")
    op.drop_table("tallied_fields")
