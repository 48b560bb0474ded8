"""Staff search by kind: a b-tree index for a display name's beginning on PostgreSQL;
a covering (id, status) index on applications for the counts in a scope.

A name shorter than pg_trgm's three characters (most Chinese names are two or three) is
matched by its beginning, as a range of code points; the index is in collation "C" so the
range is the same whatever collation the database was made with. SQLite's
(field, value, application_id) index compares bytes (UTF-8 keeps code-point order) and
serves the same range, so SQLite needs nothing new.

It also makes the pg_trgm index of revision 0006 where that one found the extension made
in another schema (one database, several schemas: its operator class was not on the search
path), naming the operator class by the extension's schema.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-01
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_applications_id_status", "applications", ["id", "status"])
    bind = op.get_bind()
    if bind.dialect.name == "postgresql":
        op.execute('CREATE INDEX ix_application_values_field_value_c ON application_values '
                   '(field, value COLLATE "C")')
        _trigram_index(bind)


def _trigram_index(bind: sa.Connection) -> None:
    """The substring index, unless it exists or pg_trgm can be neither found nor created."""
    savepoint = bind.begin_nested()
    try:
        schema = bind.scalar(sa.text("SELECT n.nspname FROM pg_extension e JOIN pg_namespace n "
                                     "ON n.oid = e.extnamespace WHERE e.extname = 'pg_trgm'"))
        if schema is None:
            bind.execute(sa.text("CREATE EXTENSION pg_trgm"))
            schema = bind.scalar(sa.text("SELECT current_schema()"))
        quoted = bind.dialect.identifier_preparer.quote_identifier(schema)
        bind.execute(sa.text(f"CREATE INDEX IF NOT EXISTS ix_application_values_value_trgm "
                             f"ON application_values USING gin (value {quoted}.gin_trgm_ops)"))
    except sa.exc.DBAPIError:
        savepoint.rollback()
    else:
        savepoint.commit()


def downgrade() -> None:
    op.drop_index("ix_applications_id_status", "applications")
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP INDEX ix_application_values_field_value_c")
        # the trigram index stays: revision 0006 owns it
