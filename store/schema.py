"""The fixed tables, as SQLAlchemy Core `Table` objects used to build queries.

The database schema itself is created by the Alembic revisions in `store/migrations/`;
a test compares the two so they cannot drift. Reference-data tables (`ds_<name>`) are
not here: they follow the flow's dataset declarations (see `datasets.py`).
This module must not open connections or run DDL.
"""
from __future__ import annotations

import sqlalchemy as sa

from .codec import Json, UtcDateTime

NAMING = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

metadata = sa.MetaData(naming_convention=NAMING)

# A 64-bit id on PostgreSQL; on SQLite only INTEGER PRIMARY KEY aliases the rowid.
Id = sa.BigInteger().with_variant(sa.Integer(), "sqlite")

SESSION_KINDS = ("applicant", "staff")
# A message goes to one application (scope 'applicant', target its id) or to every
# application whose kept answer named by the scope holds the target (a role's binding).
APPLICANT_SCOPE = "applicant"

applications = sa.Table(
    "applications", metadata,
    sa.Column("id", Id, primary_key=True, autoincrement=True),
    sa.Column("application_no", sa.String(32), nullable=False),
    sa.Column("flow_id", sa.Text, nullable=False),
    sa.Column("flow_version", sa.Text, nullable=False),
    sa.Column("flow_digest", sa.String(64), nullable=False),
    sa.Column("identity_key", sa.Text, nullable=False),
    sa.Column("status", sa.Text, nullable=False),
    sa.Column("status_data", Json, nullable=False),
    sa.Column("answers", Json, nullable=False),
    sa.Column("password_hash", sa.Text, nullable=False),
    sa.Column("photo", sa.LargeBinary),
    sa.Column("row_version", sa.Integer, nullable=False),
    sa.Column("created_at", UtcDateTime, nullable=False),
    sa.Column("updated_at", UtcDateTime, nullable=False),
    sa.Index(None, "application_no", unique=True),
    sa.Index(None, "identity_key", unique=True),
    sa.Index(None, "status"),
    sa.Index(None, "id", "status"),   # covering: counts in a scope read the status from the index
)

# The answers the flow declares searchable or identifying (`application:` section, and the
# answers roles bind through), one row per field: exact lookups and counts per bound answer
# are served by the (field, value, application_id) index alone. On PostgreSQL a pg_trgm
# index on `value` (TRIGRAM_INDEX, made by the migration when the extension can be created)
# serves substring search.
application_values = sa.Table(
    "application_values", metadata,
    sa.Column("application_id", Id, sa.ForeignKey("applications.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("field", sa.Text, primary_key=True),
    sa.Column("value", sa.Text, nullable=False),
    sa.Index(None, "field", "value", "application_id"),
)
TRIGRAM_INDEX = "ix_application_values_value_trgm"
# On PostgreSQL, (field, value COLLATE "C"): a name's beginning as a range of characters (by code)
# (revision 0008); SQLite's (field, value) index already compares bytes.
PREFIX_INDEX = "ix_application_values_field_value_c"
# (field, substr(value, 1, 2), application_id) on both databases (revision 0012): a name's first two
# characters as a key whose applications the index lists in id order (store/applications.py).
PREFIX_KEY_INDEX = "ix_application_values_field_prefix_key"

counters = sa.Table(
    "counters", metadata,
    sa.Column("name", sa.Text, primary_key=True),
    sa.Column("value", sa.BigInteger, nullable=False),
)

drafts = sa.Table(
    "drafts", metadata,
    sa.Column("token_hash", sa.String(64), primary_key=True),
    sa.Column("state", Json, nullable=False),
    sa.Column("created_at", UtcDateTime, nullable=False),
    sa.Column("updated_at", UtcDateTime, nullable=False),
    sa.Index(None, "updated_at"),
)

sessions = sa.Table(
    "sessions", metadata,
    sa.Column("token_hash", sa.String(64), primary_key=True),
    sa.Column("kind", sa.Text, nullable=False),
    sa.Column("subject", sa.Text, nullable=False),
    sa.Column("csrf_secret", sa.Text, nullable=False),
    sa.Column("created_at", UtcDateTime, nullable=False),
    sa.Column("last_seen_at", UtcDateTime, nullable=False),
    sa.CheckConstraint(sa.column("kind").in_(SESSION_KINDS), name="kind"),
    sa.Index(None, "kind", "subject"),
    sa.Index(None, "last_seen_at"),
)

throttle = sa.Table(
    "throttle", metadata,
    sa.Column("id", Id, primary_key=True, autoincrement=True),
    sa.Column("key", sa.Text, nullable=False),
    sa.Column("at", UtcDateTime, nullable=False),
    sa.Index(None, "key", "at"),
    sa.Index(None, "at"),
)

password_resets = sa.Table(
    "password_resets", metadata,
    sa.Column("token_hash", sa.String(64), primary_key=True),
    sa.Column("application_id", Id, sa.ForeignKey("applications.id", ondelete="CASCADE"),
              nullable=False),
    sa.Column("created_at", UtcDateTime, nullable=False),
    sa.Column("expires_at", UtcDateTime, nullable=False),
    sa.Column("used_at", UtcDateTime),
    sa.Index(None, "application_id"),
)

mail_outbox = sa.Table(
    "mail_outbox", metadata,
    sa.Column("id", Id, primary_key=True, autoincrement=True),
    sa.Column("to_addr", sa.Text, nullable=False),
    sa.Column("subject", sa.Text, nullable=False),
    sa.Column("body", sa.Text, nullable=False),
    sa.Column("created_at", UtcDateTime, nullable=False),
    sa.Column("attempts", sa.Integer, nullable=False),
    sa.Column("last_error", sa.Text),
    sa.Column("next_attempt_at", UtcDateTime),
    sa.Column("sent_at", UtcDateTime),
    sa.Index(None, "next_attempt_at"),
)

staff = sa.Table(
    "staff", metadata,
    sa.Column("id", Id, primary_key=True, autoincrement=True),
    sa.Column("username", sa.Text, nullable=False),
    sa.Column("password_hash", sa.Text, nullable=False),
    sa.Column("role", sa.Text, nullable=False),
    sa.Column("bound", sa.Text),   # the key of the row the role binds to (flow `roles: binds`)
    sa.Column("active", sa.Boolean(), nullable=False),
    sa.Column("created_at", UtcDateTime, nullable=False),
    sa.Index(None, "username", unique=True),
    sa.Index(None, "bound"),
)

messages = sa.Table(
    "messages", metadata,
    sa.Column("id", Id, primary_key=True, autoincrement=True),
    sa.Column("scope", sa.Text, nullable=False),
    sa.Column("target", sa.Text, nullable=False),
    sa.Column("author", Id, sa.ForeignKey("staff.id"), nullable=False),
    sa.Column("body", sa.Text, nullable=False),
    sa.Column("created_at", UtcDateTime, nullable=False),
    sa.CheckConstraint(sa.column("scope") != "", name="scope"),
    sa.Index(None, "scope", "target"),
    sa.Index(None, "author"),
)

# Append-only: database triggers refuse UPDATE and DELETE (see the first revision).
audit_log = sa.Table(
    "audit_log", metadata,
    sa.Column("id", Id, primary_key=True, autoincrement=True),
    sa.Column("at", UtcDateTime, nullable=False),
    sa.Column("actor", sa.Text, nullable=False),
    sa.Column("application_id", Id),
    sa.Column("action", sa.Text, nullable=False),
    sa.Column("from_status", sa.Text),
    sa.Column("to_status", sa.Text),
    sa.Column("reason", sa.Text),
    sa.Column("data", Json),
    sa.Index(None, "application_id"),
)

# One row per reference dataset table: what shape it was built with, and a generation
# number bumped on every change so other processes can tell their cache is stale.
dataset_tables = sa.Table(
    "dataset_tables", metadata,
    sa.Column("name", sa.Text, primary_key=True),
    sa.Column("signature", sa.String(64), nullable=False),
    sa.Column("generation", sa.Integer, nullable=False),
    sa.Column("row_count", sa.BigInteger, nullable=False),
    sa.Column("updated_at", UtcDateTime, nullable=False),
)
