"""Stored documents (the application form as PDF or HTML bytes), one per application and format.

A document is kept with the version key it was made for (the application's row_version
plus what else shaped it, decided by the caller); `get` hands the bytes out only while the
caller's key still matches, so a stale file is never served. The queue of work is implicit:
`stale` lists the applications whose document is missing or made for another key, and
`claim` leases one to one worker, so several processes warming at once do not make the
same file twice. Must not render anything, know HTTP or hold user-facing text.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from .codec import UtcDateTime, to_utc
from .schema import Id, applications as A, dataset_tables, metadata

# Column order matters on SQLite: the bytes come last, so reading a key does not walk the
# overflow pages of the content.
documents = sa.Table(
    "documents", metadata,
    sa.Column("application_id", Id, sa.ForeignKey("applications.id", ondelete="CASCADE"),
              primary_key=True),
    sa.Column("format", sa.Text, primary_key=True),
    sa.Column("version_key", sa.Text, nullable=False),  # '' while only claimed
    sa.Column("media_type", sa.Text),
    sa.Column("created_at", UtcDateTime, nullable=False),
    sa.Column("claimed_key", sa.Text),
    sa.Column("claimed_until", UtcDateTime),
    sa.Column("content", sa.LargeBinary),
)

D = documents


@dataclass(frozen=True)
class StoredDocument:
    content: bytes
    media_type: str
    version_key: str
    created_at: datetime


def _insert(conn: sa.Connection) -> Any:
    return pg_insert(D) if conn.dialect.name == "postgresql" else sqlite_insert(D)


def get(store: Any, application_id: int, fmt: str, version_key: str) -> StoredDocument | None:
    """The stored bytes if they were made for `version_key`, else None."""
    query = (sa.select(D.c.content, D.c.media_type, D.c.version_key, D.c.created_at)
             .where(D.c.application_id == application_id, D.c.format == fmt,
                    D.c.version_key == version_key, D.c.content.is_not(None)))
    row = store.db.read(lambda conn: conn.execute(query).first())
    return None if row is None else StoredDocument(bytes(row[0]), row[1], row[2], row[3])


def put(store: Any, application_id: int, fmt: str, version_key: str, content: bytes, media_type: str,
        now: datetime) -> bool:
    """Keep `content` as the document for `version_key` (replacing any other); releases a
    claim. False when the application no longer exists."""
    values = {"version_key": version_key, "media_type": media_type, "created_at": to_utc(now),
              "claimed_key": None, "claimed_until": None, "content": content}

    def body(conn: sa.Connection) -> None:
        statement = _insert(conn).values(application_id=application_id, format=fmt, **values)
        conn.execute(statement.on_conflict_do_update(index_elements=["application_id", "format"], set_=values))

    try:
        store.db.run(body)
    except sa.exc.IntegrityError:  # the application was removed meanwhile
        return False
    return True


def claim(store: Any, application_id: int, fmt: str, version_key: str, now: datetime,
          lease: timedelta) -> bool:
    """Lease the making of one document to this caller: True unless it is already made for
    `version_key`, or another caller holds an unexpired lease for that key."""
    at = to_utc(now)
    free = sa.or_(D.c.claimed_until.is_(None), D.c.claimed_until < at, D.c.claimed_key.is_(None),
                  D.c.claimed_key != version_key)
    update = (D.update()
              .where(D.c.application_id == application_id, D.c.format == fmt,
                     D.c.version_key != version_key, free)
              .values(claimed_key=version_key, claimed_until=at + lease))

    def body(conn: sa.Connection) -> bool:
        conn.execute(_insert(conn).values(application_id=application_id, format=fmt, version_key="",
                                          created_at=at)
                     .on_conflict_do_nothing(index_elements=["application_id", "format"]))
        return conn.execute(update).rowcount == 1

    try:
        return store.db.run(body)
    except sa.exc.IntegrityError:  # no such application
        return False


def stale(store: Any, fmt: str, key_suffix: str, now: datetime, limit: int = 50) -> list[int]:
    """Applications whose `fmt` document is missing or made for another key, newest change
    first, leaving out those leased to someone right now. An application's key is its
    row_version followed by `key_suffix`."""
    wanted = sa.cast(A.c.row_version, sa.Text).concat(key_suffix)
    joined = A.outerjoin(D, sa.and_(D.c.application_id == A.c.id, D.c.format == fmt))
    query = (sa.select(A.c.id).select_from(joined)
             .where(sa.or_(D.c.version_key.is_(None), D.c.version_key != wanted),
                    sa.or_(D.c.claimed_until.is_(None), D.c.claimed_until < to_utc(now)))
             .order_by(A.c.updated_at.desc(), A.c.id.desc()).limit(limit))
    return store.db.read(lambda conn: [int(r[0]) for r in conn.execute(query)])


def count_stale(store: Any, fmt: str, key_suffix: str) -> int:
    wanted = sa.cast(A.c.row_version, sa.Text).concat(key_suffix)
    joined = A.outerjoin(D, sa.and_(D.c.application_id == A.c.id, D.c.format == fmt))
    query = (sa.select(sa.func.count()).select_from(joined)
             .where(sa.or_(D.c.version_key.is_(None), D.c.version_key != wanted)))
    return store.db.read(lambda conn: int(conn.scalar(query) or 0))


def generations(store: Any, names: list[str]) -> dict[str, int]:
    """The change counter of each named dataset table (absent ones are left out)."""
    query = (sa.select(dataset_tables.c.name, dataset_tables.c.generation)
             .where(dataset_tables.c.name.in_(sorted(names))))
    return store.db.read(lambda conn: {str(n): int(g) for n, g in conn.execute(query)})


def sizes(store: Any) -> dict[str, tuple[int, int]]:
    """Format → (documents stored, bytes stored)."""
    query = (sa.select(D.c.format, sa.func.count(), sa.func.coalesce(sa.func.sum(sa.func.length(D.c.content)), 0))
             .where(D.c.content.is_not(None)).group_by(D.c.format))
    return store.db.read(lambda conn: {str(f): (int(n), int(b)) for f, n, b in conn.execute(query)})
