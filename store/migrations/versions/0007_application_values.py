"""Searchable answers kept generically: `application_values`, and `applications.identity_key`.

The flow's `application:` section names the answers staff search by and the fields that
identify an applicant; the store no longer has a column per field of one flow. Each kept
answer is a row (application_id, field, value); `(field, value, application_id)` serves an
exact lookup and a count per bound answer from the index alone. On PostgreSQL a pg_trgm
GIN index serves the display-name substring search, when the extension can be created
(without it the search still works, by a scan). `identity_key` holds the flow's
`identity.unique` values joined by U+001F, unique: one application per identity.

The revision moves the first flow's identity, e-mail and name data from the old columns
(and the answers) into the new form, then drops those columns. The names below are the
old columns' names, frozen here as in the earlier revisions.

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

ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
# The old searched columns (the first flow's identity, e-mail and bound answers), moved into
# application_values; the indexed ones lose their index first.
_OLD = ("cert_no", "id_no", "email", "agency", "point")
_INDEXED = ("cert_no", "id_no", "agency", "point")


def upgrade() -> None:
    op.create_table(
        "application_values",
        sa.Column("application_id", ID, nullable=False),
        sa.Column("field", sa.Text, nullable=False),
        sa.Column("value", sa.Text, nullable=False),
        sa.ForeignKeyConstraint(["application_id"], ["applications.id"], ondelete="CASCADE",
                                name="fk_application_values_application_id_applications"),
        sa.PrimaryKeyConstraint("application_id", "field", name="pk_application_values"),
    )
    op.create_index("ix_application_values_field_value_application_id", "application_values",
                    ["field", "value", "application_id"])
    bind = op.get_bind()
    if bind.dialect.name == "postgresql":
        _trigram_index(bind)
    for column in _OLD:
        op.execute(f"INSERT INTO application_values (application_id, field, value) "
                   f"SELECT id, '{column}', {column} FROM applications WHERE {column} IS NOT NULL AND {column} <> ''")
    name = ("answers ->> 'name'" if bind.dialect.name == "postgresql" else "json_extract(answers, '$.name')")
    op.execute(f"INSERT INTO application_values (application_id, field, value) "
               f"SELECT id, 'name', {name} FROM applications WHERE {name} IS NOT NULL AND {name} <> ''")
    # SQLite adds a NOT NULL column only with a default, and must not rebuild the table (its
    # DROP would cascade to the rows that reference applications); ALTER TABLE DROP COLUMN is fine.
    sqlite = bind.dialect.name == "sqlite"
    op.add_column("applications", sa.Column("identity_key", sa.Text, nullable=not sqlite,
                                            server_default="" if sqlite else None))
    op.execute("UPDATE applications SET identity_key = cert_no")
    if not sqlite:
        op.alter_column("applications", "identity_key", existing_type=sa.Text, nullable=False)
    for column in _INDEXED:
        op.drop_index(f"ix_applications_{column}", "applications")
    for column in _OLD:
        op.drop_column("applications", column)
    op.create_index("ix_applications_identity_key", "applications", ["identity_key"], unique=True)
    # A staff account's row of the dataset its role binds to (the first flow's accounts
    # named a point or, for reviewers, an agency).
    op.add_column("staff", sa.Column("bound", sa.Text, nullable=True))
    op.execute("UPDATE staff SET bound = COALESCE(point, agency)")
    op.create_index("ix_staff_bound", "staff", ["bound"])


def _trigram_index(bind: sa.Connection) -> None:
    """The substring index, or nothing when pg_trgm cannot be created (no superuser)."""
    savepoint = bind.begin_nested()
    try:
        # in `public` (not the schema a deployment or test migrates into), named by schema
        # wherever it already lives
        bind.execute(sa.text("CREATE EXTENSION IF NOT EXISTS pg_trgm WITH SCHEMA public"))
        schema = bind.scalar(sa.text("SELECT n.nspname FROM pg_extension e JOIN pg_namespace n "
                                     "ON n.oid = e.extnamespace WHERE e.extname = 'pg_trgm'"))
        bind.execute(sa.text(f'CREATE INDEX ix_application_values_value_trgm ON application_values '
                             f'USING gin (value "{schema}".gin_trgm_ops)'))
    except sa.exc.DBAPIError:
        savepoint.rollback()
    else:
        savepoint.commit()


def downgrade() -> None:
    op.drop_index("ix_staff_bound", "staff")
    op.drop_column("staff", "bound")
    op.drop_index("ix_applications_identity_key", "applications")
    for column in _OLD:
        op.add_column("applications", sa.Column(column, sa.Text, nullable=True))
    for column in _OLD:
        op.execute(f"UPDATE applications SET {column} = (SELECT value FROM application_values v "
                   f"WHERE v.application_id = applications.id AND v.field = '{column}')")
    op.drop_column("applications", "identity_key")
    op.create_index("ix_applications_cert_no", "applications", ["cert_no"], unique=True)
    for column in _INDEXED[1:]:
        op.create_index(f"ix_applications_{column}", "applications", [column])
    op.drop_table("application_values")
