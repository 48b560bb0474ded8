"""Published flow versions: each one kept by its digest with its version name and full text.

`publish` records a version (idempotent for the same digest); `live` is the latest one
published for a flow id; `text_of` returns a version's text, so a draft or an application
made under an older version can still be run under it. `draft_digests` counts the live
drafts per flow digest (for `shenbao diff --database`). Must not parse flows or hold text for
people.
"""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa

from .codec import UtcDateTime, untag
from .schema import applications, drafts, metadata

flow_versions = sa.Table(
    "flow_versions", metadata,
    sa.Column("digest", sa.String(64), primary_key=True),
    sa.Column("flow_id", sa.Text, nullable=False),
    sa.Column("version", sa.Text, nullable=False),
    sa.Column("text", sa.Text, nullable=False),
    sa.Column("published_at", UtcDateTime, nullable=False),
    sa.Index("ix_flow_versions_flow_id_published_at", "flow_id", "published_at"),
)
V = flow_versions


@dataclass(frozen=True)
class FlowVersion:
    digest: str
    flow_id: str
    version: str
    text: str
    published_at: datetime


def publish(store: Any, *, flow_id: str, version: str, digest: str, text: str, at: datetime) -> bool:
    """Record a version; False when that digest was already published (nothing changes then)."""
    def body(conn: sa.Connection) -> bool:
        if conn.execute(sa.select(V.c.digest).where(V.c.digest == digest)).first() is not None:
            return False
        conn.execute(V.insert().values(digest=digest, flow_id=flow_id, version=version, text=text,
                                       published_at=at))
        return True
    return store.db.run(body)


def live(store: Any, flow_id: str) -> FlowVersion | None:
    query = (sa.select(V).where(V.c.flow_id == flow_id)
             .order_by(V.c.published_at.desc(), V.c.version.desc()).limit(1))
    row = store.db.read(lambda conn: conn.execute(query).first())
    return None if row is None else FlowVersion(**row._mapping)


def by_digest(store: Any, digest: str) -> FlowVersion | None:
    row = store.db.read(lambda conn: conn.execute(sa.select(V).where(V.c.digest == digest)).first())
    return None if row is None else FlowVersion(**row._mapping)


def history(store: Any, flow_id: str) -> list[FlowVersion]:
    query = sa.select(V).where(V.c.flow_id == flow_id).order_by(V.c.published_at)
    return store.db.read(lambda conn: [FlowVersion(**r._mapping) for r in conn.execute(query)])


def draft_digests(store: Any) -> Counter[tuple[str, str]]:
    """How many wizard drafts were started under each flow digest, by the step they are at."""
    def body(conn: sa.Connection) -> Counter[tuple[str, str]]:
        found: Counter[tuple[str, str]] = Counter()
        for (state,) in conn.execute(sa.select(drafts.c.state)):
            run = untag(state).get("run") if isinstance(state, dict) else None
            if isinstance(run, dict) and isinstance(run.get("digest"), str):
                found[(run["digest"], str(run.get("step")))] += 1
        return found
    return store.db.read(body)


def application_digests(store: Any, flow_id: str) -> list[tuple[str, str, dict[str, Any]]]:
    """(flow digest, status, answers) of every application of the flow."""
    query = sa.select(applications.c.flow_digest, applications.c.status, applications.c.answers) \
        .where(applications.c.flow_id == flow_id)
    return store.db.read(lambda conn: [(r[0], r[1], untag(r[2]) if r[2] else {}) for r in conn.execute(query)])


def application_ids(store: Any, flow_id: str, digest: str) -> list[int]:
    """The applications made (or last moved) under one flow version."""
    query = sa.select(applications.c.id).where(applications.c.flow_id == flow_id,
                                               applications.c.flow_digest == digest).order_by(applications.c.id)
    return store.db.read(lambda conn: [r[0] for r in conn.execute(query)])
