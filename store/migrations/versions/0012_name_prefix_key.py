"""Staff search by a name's first two characters: a (field, substr(value, 1, 2),
application_id) index on application_values, on both databases.

A two-character name search (a Chinese given name is mostly one or two characters, so two
typed characters are the common staff search; pg_trgm needs three) is an equality on the
first two characters, and the index walks its applications in id order: a list page of them
stops after a page, however many there are (store/applications.py, `PREFIX_KEY`). On
PostgreSQL the index also INCLUDEs `value`: the planner reads an expression index alone
(an index-only scan, no table pages) only when the expression's column is in it, and then a
page costs a few index pages even where its row estimate is low (ANALYZE cannot see that a
prefix is frequent among names only), and the list's total counts from the index alone.
SQLite, without INCLUDE, has `value` as a last column, for the same reason.

On a live PostgreSQL database the index can be built without blocking writes before the
upgrade, and the upgrade then finds it and builds nothing (the statement is
`PREFIX_KEY_CONCURRENTLY`):

    CREATE INDEX CONCURRENTLY IF NOT EXISTS ix_application_values_field_prefix_key
        ON application_values (field, substr(value, 1, 2), application_id) INCLUDE (value);

Without that, the upgrade builds it inside its transaction (all revisions run in one, under
an advisory lock: `store/migrate.py`), which holds off writes to application_values (not
reads) while it builds. An invalid index left by an interrupted CONCURRENTLY build is
dropped and rebuilt.

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-01
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None

NAME = "ix_application_values_field_prefix_key"
COLUMNS = "(field, substr(value, 1, 2), application_id)"
PG_COLUMNS = f"{COLUMNS} INCLUDE (value)"
SQLITE_COLUMNS = "(field, substr(value, 1, 2), application_id, value)"   # SQLite has no INCLUDE
PREFIX_KEY_CONCURRENTLY = f"CREATE INDEX CONCURRENTLY IF NOT EXISTS {NAME} ON application_values {PG_COLUMNS}"


def upgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name == "postgresql":
        valid = bind.execute(sa.text(
            "SELECT i.indisvalid FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid "
            "WHERE c.relname = :name AND c.relnamespace = current_schema()::regnamespace"),
            {"name": NAME}).scalar()
        if valid is False:
            op.execute(f"DROP INDEX {NAME}")
        op.execute(f"CREATE INDEX IF NOT EXISTS {NAME} ON application_values {PG_COLUMNS}")
    else:
        op.execute(f"CREATE INDEX IF NOT EXISTS {NAME} ON application_values {SQLITE_COLUMNS}")


def downgrade() -> None:
    op.execute(f"DROP INDEX IF EXISTS {NAME}")
