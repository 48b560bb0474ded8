"""The audit log refuses an INSERT that would take the place of an existing row.

SQLite's `INSERT OR REPLACE` (and `REPLACE`) deletes the conflicting row without firing
DELETE triggers (unless recursive_triggers is on), so the first revision's triggers let
an audit row be rewritten. A BEFORE INSERT trigger now refuses any id already present.
On PostgreSQL, `INSERT ... ON CONFLICT DO UPDATE` is an UPDATE and the existing row
trigger refuses it already; nothing to add there (tests/store check both).

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-01
"""
from __future__ import annotations

from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    if op.get_context().dialect.name == "sqlite":
        op.execute("CREATE TRIGGER audit_log_no_replace BEFORE INSERT ON audit_log "
                   "WHEN NEW.id IS NOT NULL AND EXISTS (SELECT 1 FROM audit_log WHERE id = NEW.id) "
                   "BEGIN SELECT RAISE(ABORT, 'AUDIT_APPEND_ONLY'); END")


def downgrade() -> None:
    if op.get_context().dialect.name == "sqlite":
        op.execute("DROP TRIGGER audit_log_no_replace")
