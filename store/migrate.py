"""Alembic, configured in code: no alembic.ini at the repository root.

`upgrade(db)` runs every revision in `store/migrations/versions/` up to head in one
transaction (on PostgreSQL under an advisory lock, on SQLite under BEGIN IMMEDIATE), so
several processes starting at once migrate exactly once. Must not create reference-data
tables: those follow the flow (see `datasets.py`).
"""
from __future__ import annotations

from pathlib import Path

import sqlalchemy as sa
from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory

from .db import Database

MIGRATIONS = Path(__file__).resolve().parent / "migrations"
# An arbitrary constant naming this application's advisory lock on PostgreSQL.
_PG_LOCK_ID = 0x5348454E42414F


def config(connection: sa.Connection | None = None) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.set_main_option("path_separator", "os")
    cfg.attributes["connection"] = connection
    return cfg


def head() -> str | None:
    return ScriptDirectory.from_config(config()).get_current_head()


def current(db: Database) -> str | None:
    def body(conn: sa.Connection) -> str | None:
        return MigrationContext.configure(conn).get_current_revision()

    return db.read(body)


def upgrade(db: Database, revision: str = "head") -> None:
    def body(conn: sa.Connection) -> None:
        if conn.dialect.name == "postgresql":
            conn.execute(sa.text("SELECT pg_advisory_xact_lock(:id)"), {"id": _PG_LOCK_ID})
        command.upgrade(config(conn), revision)

    db.run(body)
