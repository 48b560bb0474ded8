"""Uploaded files (the `image` field type's bytes), kept by the SHA-256 of their content.

An answer holds only the reference (engine.ImageValue.to_json: digest, format, size); the
bytes are put here when a draft holding a fresh upload is saved, and read back for the staff
page and the printed form. Content-addressed: the same photo uploaded twice is one row, and a
row is never changed. Must not know HTTP, render anything or hold user-facing text.
"""
from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from .codec import UtcDateTime, to_utc
from .schema import metadata

uploads = sa.Table(
    "uploads", metadata,
    sa.Column("digest", sa.Text, primary_key=True),      # SHA-256 of the content, hex
    sa.Column("media_type", sa.Text, nullable=False),
    sa.Column("size", sa.Integer, nullable=False),
    sa.Column("created_at", UtcDateTime, nullable=False),
    sa.Column("content", sa.LargeBinary, nullable=False),
)
U = uploads


def put(store: Any, digest: str, media_type: str, content: bytes, now: datetime) -> None:
    """Keep `content` under its digest (nothing happens when it is kept already)."""
    values = {"digest": digest, "media_type": media_type, "size": len(content), "created_at": to_utc(now),
              "content": content}

    def body(conn: sa.Connection) -> None:
        insert = pg_insert(U) if conn.dialect.name == "postgresql" else sqlite_insert(U)
        conn.execute(insert.values(**values).on_conflict_do_nothing(index_elements=["digest"]))

    store.db.run(body)


def get(store: Any, digest: str) -> tuple[bytes, str] | None:
    """(the bytes, their media type), or None when nothing is kept under `digest`."""
    query = sa.select(U.c.content, U.c.media_type).where(U.c.digest == digest)
    row = store.db.read(lambda conn: conn.execute(query).first())
    return None if row is None else (bytes(row[0]), str(row[1]))
