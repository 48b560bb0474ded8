"""Published flow versions: each one kept by its digest with its version name and full text.

`publish` records a version (idempotent for the same digest); `live` is the latest one
published for a flow id; `by_digest` returns a version with its text, so a draft or an application
made under an older version can still be run under it. Each version names the message catalogue
(key → text) it was published with (`catalogue`, a digest into `flow_catalogues`, where each
catalogue is kept once; None for versions published before catalogues were recorded);
`set_catalogue` gives the live version a fixed text without a new flow version; one can read a
catalogue back (`stored_messages`). `draft_digests` counts the live drafts per flow digest (for `shenbao diff
--database`). Must not parse flows or word anything itself.
"""
from __future__ import annotations

import hashlib
import json
from collections import Counter
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Mapping

import sqlalchemy as sa

from .codec import UtcDateTime, untag
from .schema import applications, drafts, metadata

flow_catalogues = sa.Table(
    "flow_catalogues", metadata,
    sa.Column("digest", sa.String(64), primary_key=True),
    sa.Column("messages", sa.Text, nullable=False),           # JSON: key → text, keys sorted
    sa.Column("recorded_at", UtcDateTime, nullable=False),
)
C = flow_catalogues

flow_versions = sa.Table(
    "flow_versions", metadata,
    sa.Column("digest", sa.String(64), primary_key=True),
    sa.Column("flow_id", sa.Text, nullable=False),
    sa.Column("version", sa.Text, nullable=False),
    sa.Column("text", sa.Text, nullable=False),
    sa.Column("published_at", UtcDateTime, nullable=False),
    sa.Column("catalogue", sa.String(64), sa.ForeignKey("flow_catalogues.digest"), nullable=True),
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
    catalogue: str | None = None  # digest of the message catalogue; None: not recorded


def _encoded(messages: Mapping[str, str]) -> str:
    return json.dumps(dict(sorted(messages.items())), ensure_ascii=False, separators=(",", ":"))


def catalogue_digest(messages: Mapping[str, str]) -> str:
    """The digest of what a catalogue says (not of its file: a comment edit keeps it)."""
    return hashlib.sha256(_encoded(messages).encode("utf-8")).hexdigest()


def _record_catalogue(conn: sa.Connection, messages: Mapping[str, str], at: datetime) -> str:
    digest = catalogue_digest(messages)
    if conn.execute(sa.select(C.c.digest).where(C.c.digest == digest)).first() is None:
        conn.execute(C.insert().values(digest=digest, messages=_encoded(messages), recorded_at=at))
    return digest


def publish(store: Any, *, flow_id: str, version: str, digest: str, text: str, at: datetime,
            messages: Mapping[str, str] | None = None) -> bool:
    """Record a version, with the catalogue it is published with; False when that digest was
    already published (nothing changes then)."""
    def body(conn: sa.Connection) -> bool:
        if conn.execute(sa.select(V.c.digest).where(V.c.digest == digest)).first() is not None:
            return False
        catalogue = _record_catalogue(conn, messages, at) if messages is not None else None
        conn.execute(V.insert().values(digest=digest, flow_id=flow_id, version=version, text=text,
                                       published_at=at, catalogue=catalogue))
        return True
    return store.db.run(body)


def set_catalogue(store: Any, digest: str, messages: Mapping[str, str], at: datetime) -> bool:
    """Give a published version this catalogue (a text fix: the flow, its digest and its drafts and
    applications stay as they are; the previous catalogue stays stored). False when it had it."""
    def body(conn: sa.Connection) -> bool:
        catalogue = _record_catalogue(conn, messages, at)
        done = conn.execute(V.update().where(V.c.digest == digest,
                                             sa.or_(V.c.catalogue.is_(None), V.c.catalogue != catalogue))
                            .values(catalogue=catalogue))
        return done.rowcount > 0
    return store.db.run(body)


def stored_messages(store: Any, catalogue: str | None) -> dict[str, str] | None:
    """The catalogue with this digest (key → text), or None when it is not recorded."""
    if catalogue is None:
        return None
    query = sa.select(C.c.messages).where(C.c.digest == catalogue)
    found = store.db.read(lambda conn: conn.execute(query).scalar())
    return None if found is None else json.loads(found)


def forget(store: Any, flow_id: str) -> None:
    """Drop every published version of a flow: for a throw-away database only (`shenbao preview`
    serves each save of the files, not what was published at its first page)."""
    store.db.run(lambda conn: conn.execute(V.delete().where(V.c.flow_id == flow_id)))


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
