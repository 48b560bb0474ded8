"""Staff search by kind: a b-tree index for a display name's beginning on PostgreSQL;
a covering (id, status) index on applications for the counts in a scope.

A name shorter than pg_trgm's three characters (most Chinese names are two or three) is
matched by its beginning, as a range of code points; the index is in collation "C" so the
range is the same whatever collation the database was made with. SQLite's
(field, value, application_id) index compares bytes (UTF-8 keeps code-point order) and
serves the same range, so SQLite needs nothing new.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-01
"""
from __future__ import annotations

from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_applications_id_status", "applications", ["id", "status"])
    bind = op.get_bind()
    if bind.dialect.name == "postgresql":
        op.execute('CREATE INDEX ix_application_values_field_value_c ON application_values '
                   '(field, value COLLATE "C")')


def downgrade() -> None:
    op.drop_index("ix_applications_id_status", "applications")
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP INDEX ix_application_values_field_value_c")
