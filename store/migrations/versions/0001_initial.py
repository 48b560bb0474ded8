"""The fixed tables: applications, drafts, sessions, throttle, password resets, mail
outbox, staff, messages, audit log, counters and the dataset-table registry.

Revision ID: 0001
Revises:
Create Date: 2026-01-01
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

# Frozen copies of the store's column types: a revision must not follow later code.
ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
JSON = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")
TS = sa.DateTime()


def _id() -> sa.Column[int]:
    return sa.Column("id", ID, primary_key=True, autoincrement=True)


def upgrade() -> None:
    op.create_table(
        "applications", _id(),
        sa.Column("application_no", sa.String(32), nullable=False),
        sa.Column("flow_id", sa.Text, nullable=False),
        sa.Column("flow_version", sa.Text, nullable=False),
        sa.Column("flow_digest", sa.String(64), nullable=False),
        sa.Column("cert_no", sa.Text, nullable=False),
        sa.Column("id_no", sa.Text, nullable=False),
        sa.Column("agency", sa.Text),
        sa.Column("point", sa.Text),
        sa.Column("status", sa.Text, nullable=False),
        sa.Column("status_data", JSON, nullable=False),
        sa.Column("answers", JSON, nullable=False),
        sa.Column("password_hash", sa.Text, nullable=False),
        sa.Column("email", sa.Text),
        sa.Column("photo", sa.LargeBinary),
        sa.Column("row_version", sa.Integer, nullable=False),
        sa.Column("created_at", TS, nullable=False),
        sa.Column("updated_at", TS, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_applications"),
    )
    op.create_index("ix_applications_application_no", "applications", ["application_no"], unique=True)
    op.create_index("ix_applications_cert_no", "applications", ["cert_no"], unique=True)
    for column in ("id_no", "agency", "point", "status"):
        op.create_index(f"ix_applications_{column}", "applications", [column])

    op.create_table(
        "counters",
        sa.Column("name", sa.Text, nullable=False),
        sa.Column("value", sa.BigInteger, nullable=False),
        sa.PrimaryKeyConstraint("name", name="pk_counters"),
    )
    op.create_table(
        "drafts",
        sa.Column("token_hash", sa.String(64), nullable=False),
        sa.Column("state", JSON, nullable=False),
        sa.Column("created_at", TS, nullable=False),
        sa.Column("updated_at", TS, nullable=False),
        sa.PrimaryKeyConstraint("token_hash", name="pk_drafts"),
    )
    op.create_index("ix_drafts_updated_at", "drafts", ["updated_at"])

    op.create_table(
        "sessions",
        sa.Column("token_hash", sa.String(64), nullable=False),
        sa.Column("kind", sa.Text, nullable=False),
        sa.Column("subject", sa.Text, nullable=False),
        sa.Column("csrf_secret", sa.Text, nullable=False),
        sa.Column("created_at", TS, nullable=False),
        sa.Column("last_seen_at", TS, nullable=False),
        sa.PrimaryKeyConstraint("token_hash", name="pk_sessions"),
        sa.CheckConstraint("kind IN ('applicant', 'staff')", name="ck_sessions_kind"),
    )
    op.create_index("ix_sessions_kind_subject", "sessions", ["kind", "subject"])
    op.create_index("ix_sessions_last_seen_at", "sessions", ["last_seen_at"])

    op.create_table(
        "throttle", _id(),
        sa.Column("key", sa.Text, nullable=False),
        sa.Column("at", TS, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_throttle"),
    )
    op.create_index("ix_throttle_key_at", "throttle", ["key", "at"])
    op.create_index("ix_throttle_at", "throttle", ["at"])

    op.create_table(
        "password_resets",
        sa.Column("token_hash", sa.String(64), nullable=False),
        sa.Column("application_id", ID, nullable=False),
        sa.Column("created_at", TS, nullable=False),
        sa.Column("expires_at", TS, nullable=False),
        sa.Column("used_at", TS),
        sa.PrimaryKeyConstraint("token_hash", name="pk_password_resets"),
        sa.ForeignKeyConstraint(["application_id"], ["applications.id"], ondelete="CASCADE",
                                name="fk_password_resets_application_id_applications"),
    )
    op.create_index("ix_password_resets_application_id", "password_resets", ["application_id"])

    op.create_table(
        "mail_outbox", _id(),
        sa.Column("to_addr", sa.Text, nullable=False),
        sa.Column("subject", sa.Text, nullable=False),
        sa.Column("body", sa.Text, nullable=False),
        sa.Column("created_at", TS, nullable=False),
        sa.Column("attempts", sa.Integer, nullable=False),
        sa.Column("last_error", sa.Text),
        sa.Column("next_attempt_at", TS),
        sa.Column("sent_at", TS),
        sa.PrimaryKeyConstraint("id", name="pk_mail_outbox"),
    )
    op.create_index("ix_mail_outbox_next_attempt_at", "mail_outbox", ["next_attempt_at"])

    op.create_table(
        "staff", _id(),
        sa.Column("username", sa.Text, nullable=False),
        sa.Column("password_hash", sa.Text, nullable=False),
        sa.Column("role", sa.Text, nullable=False),
        sa.Column("agency", sa.Text),
        sa.Column("point", sa.Text),
        sa.Column("active", sa.Boolean, nullable=False),
        sa.Column("created_at", TS, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_staff"),
    )
    op.create_index("ix_staff_username", "staff", ["username"], unique=True)
    op.create_index("ix_staff_agency", "staff", ["agency"])
    op.create_index("ix_staff_point", "staff", ["point"])

    op.create_table(
        "messages", _id(),
        sa.Column("scope", sa.Text, nullable=False),
        sa.Column("target", sa.Text, nullable=False),
        sa.Column("author", ID, nullable=False),
        sa.Column("body", sa.Text, nullable=False),
        sa.Column("created_at", TS, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_messages"),
        sa.ForeignKeyConstraint(["author"], ["staff.id"], name="fk_messages_author_staff"),
        sa.CheckConstraint("scope IN ('applicant', 'point', 'agency')", name="ck_messages_scope"),
    )
    op.create_index("ix_messages_scope_target", "messages", ["scope", "target"])
    op.create_index("ix_messages_author", "messages", ["author"])

    op.create_table(
        "audit_log", _id(),
        sa.Column("at", TS, nullable=False),
        sa.Column("actor", sa.Text, nullable=False),
        sa.Column("application_id", ID),
        sa.Column("action", sa.Text, nullable=False),
        sa.Column("from_status", sa.Text),
        sa.Column("to_status", sa.Text),
        sa.Column("reason", sa.Text),
        sa.Column("data", JSON),
        sa.PrimaryKeyConstraint("id", name="pk_audit_log"),
    )
    op.create_index("ix_audit_log_application_id", "audit_log", ["application_id"])
    _audit_append_only()

    op.create_table(
        "dataset_tables",
        sa.Column("name", sa.Text, nullable=False),
        sa.Column("signature", sa.String(64), nullable=False),
        sa.Column("generation", sa.Integer, nullable=False),
        sa.Column("row_count", sa.BigInteger, nullable=False),
        sa.Column("updated_at", TS, nullable=False),
        sa.PrimaryKeyConstraint("name", name="pk_dataset_tables"),
    )


def _audit_append_only() -> None:
    """The database itself refuses to change or remove audit rows."""
    if op.get_context().dialect.name == "postgresql":
        op.execute("CREATE FUNCTION audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS "
                   "$$ BEGIN RAISE EXCEPTION 'AUDIT_APPEND_ONLY'; END $$")
        op.execute("CREATE TRIGGER audit_log_no_change BEFORE UPDATE OR DELETE ON audit_log "
                   "FOR EACH ROW EXECUTE FUNCTION audit_log_append_only()")
        op.execute("CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log "
                   "FOR EACH STATEMENT EXECUTE FUNCTION audit_log_append_only()")
    else:
        for event in ("UPDATE", "DELETE"):
            op.execute(f"CREATE TRIGGER audit_log_no_{event.lower()} BEFORE {event} ON audit_log "
                       "BEGIN SELECT RAISE(ABORT, 'AUDIT_APPEND_ONLY'); END")


def downgrade() -> None:
    if op.get_context().dialect.name == "postgresql":
        op.execute("DROP TABLE audit_log")
        op.execute("DROP FUNCTION audit_log_append_only()")
    else:
        op.drop_table("audit_log")
    for table in ("dataset_tables", "messages", "staff", "mail_outbox", "password_resets",
                  "throttle", "sessions", "drafts", "counters", "applications"):
        op.drop_table(table)
