"""The queues of background work: changed applications (their documents to make) and the
mail outbox, claimed by any number of workers on any machine.

A change to an application enqueues it in the same transaction as the change
(`enqueue_change`, called by applications.py): a job is never lost between the two, and
an application changed again while queued stays one row (its due time moves). A worker
`claim_changes` a batch: the rows it takes are leased (`due_at` pushed past the lease) in
one statement that on PostgreSQL reads them `FOR UPDATE SKIP LOCKED`, so concurrent
workers take disjoint batches without waiting on each other; on SQLite the write lock
(BEGIN IMMEDIATE) serializes the claims. `finish_change` deletes the row only if it is
still the claimed one (a change during the work re-queued it). A worker that dies leaves
its rows to be claimed again when the lease ends. The same holds for mail
(`claim_mail_batch` on `mail_outbox`, whose due time is `next_attempt_at`). Both queues
are read through an index on the due time: no scan of the applications.
Must not know documents, mail servers or text.
"""
from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from .codec import UtcDateTime, to_utc
from .records import Mail
from .schema import Id, mail_outbox, metadata

changed_applications = sa.Table(
    "changed_applications", metadata,
    sa.Column("application_id", Id, sa.ForeignKey("applications.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("due_at", UtcDateTime, nullable=False),
    sa.Column("attempts", sa.Integer, nullable=False, server_default="0"),
    sa.Index(None, "due_at"),
)
C = changed_applications


def enqueue_change(conn: sa.Connection, application_id: int, at: datetime) -> None:
    """Inside the transaction that changed the application."""
    insert = (pg_insert if conn.dialect.name == "postgresql" else sqlite_insert)(C)
    conn.execute(insert.values(application_id=application_id, due_at=to_utc(at), attempts=0)
                 .on_conflict_do_update(index_elements=["application_id"],
                                        set_={"due_at": to_utc(at), "attempts": 0}))


def claim_changes(store: Any, now: datetime, lease: timedelta, limit: int = 10) -> list[tuple[int, datetime]]:
    """Lease up to `limit` due changes to this caller: (application id, lease end) each."""
    at = to_utc(now)
    due = (sa.select(C.c.application_id).where(C.c.due_at <= at).order_by(C.c.due_at, C.c.application_id)
           .limit(limit).with_for_update(skip_locked=True))
    statement = (C.update().where(C.c.application_id.in_(due.scalar_subquery()))
                 .values(due_at=at + lease, attempts=C.c.attempts + 1)
                 .returning(C.c.application_id, C.c.due_at))
    rows = store.db.run(lambda conn: conn.execute(statement).all(), durable=False)
    return sorted(((int(r[0]), r[1]) for r in rows), key=lambda r: r[0])


def finish_change(store: Any, application_id: int, leased_until: datetime) -> bool:
    """Done with it: False when it changed again meanwhile (it stays queued)."""
    statement = C.delete().where(C.c.application_id == application_id, C.c.due_at == to_utc(leased_until))
    return store.db.run(lambda conn: conn.execute(statement).rowcount == 1, durable=False)


def retry_change(store: Any, application_id: int, leased_until: datetime, at: datetime) -> None:
    """The work failed: try again at `at` (unless it changed again meanwhile)."""
    statement = (C.update().where(C.c.application_id == application_id, C.c.due_at == to_utc(leased_until))
                 .values(due_at=to_utc(at)))
    store.db.run(lambda conn: conn.execute(statement), durable=False)


def queued_changes(store: Any) -> int:
    return store.db.read(lambda conn: int(conn.scalar(sa.select(sa.func.count()).select_from(C)) or 0))


def claim_mail_batch(store: Any, now: datetime, lease: timedelta, limit: int = 20) -> list[Mail]:
    """Lease up to `limit` due, unsent mails to this caller (their next attempt moves past the
    lease: a sender that dies leaves them to be retried after)."""
    at = to_utc(now)
    M = mail_outbox
    due = (sa.select(M.c.id).where(M.c.sent_at.is_(None), M.c.next_attempt_at <= at)
           .order_by(M.c.next_attempt_at, M.c.id).limit(limit).with_for_update(skip_locked=True))
    statement = (M.update().where(M.c.id.in_(due.scalar_subquery())).values(next_attempt_at=at + lease)
                 .returning(*M.c))
    rows = store.db.run(lambda conn: conn.execute(statement).all())
    return sorted((Mail(**r._mapping) for r in rows), key=lambda m: m.id)
