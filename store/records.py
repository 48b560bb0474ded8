"""The plain, frozen values the store hands out (one per fixed table).

Records never carry secrets: no password hash, no session token. This module must not
import SQLAlchemy or touch the database.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Mapping, Sequence


@dataclass(frozen=True)
class Application:
    id: int
    application_no: str
    flow_id: str
    flow_version: str
    flow_digest: str
    identity_key: str
    status: str
    status_data: Mapping[str, Any]
    answers: Mapping[str, Any]
    row_version: int
    created_at: datetime
    updated_at: datetime
    # The answers kept searchable (field → value, as the flow's `application:` section says).
    values: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Listed:
    """An application as a list of them shows it (the staff's work list): its kept values (the
    display name among them: a flow keeps it), not its answers or status data. A page of them
    reads a page of these columns, not a page of whole answer documents (issue 10)."""
    id: int
    application_no: str
    flow_digest: str
    status: str
    updated_at: datetime
    values: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Numbering:
    """How application numbers look: prefix, the year or not, digits of the sequence."""

    prefix: str
    year: bool = True
    digits: int = 6


IDENTITY_SEPARATOR = "\x1f"


def identity_key(values: Sequence[str]) -> str:
    """The unique key of an identity made of several answers (one answer: itself)."""
    return IDENTITY_SEPARATOR.join(values)


@dataclass(frozen=True)
class Session:
    kind: str
    subject: str
    csrf_secret: str
    created_at: datetime
    last_seen_at: datetime


@dataclass(frozen=True)
class Staff:
    id: int
    username: str
    role: str
    active: bool
    created_at: datetime
    bound: str | None = None


@dataclass(frozen=True)
class Mail:
    id: int
    to_addr: str
    subject: str
    body: str
    created_at: datetime
    attempts: int
    last_error: str | None
    next_attempt_at: datetime | None
    sent_at: datetime | None


@dataclass(frozen=True)
class Message:
    id: int
    scope: str
    target: str
    author: int
    body: str
    created_at: datetime


@dataclass(frozen=True)
class AuditEntry:
    """What to record; `at` and `id` are filled in by the store when written."""

    actor: str
    action: str
    application_id: int | None = None
    from_status: str | None = None
    to_status: str | None = None
    reason: str | None = None
    data: Mapping[str, Any] | None = None
    at: datetime | None = None
    id: int | None = None


@dataclass(frozen=True)
class SyncReport:
    """What `sync_datasets` did to each dataset table: created, recreated or unchanged."""

    actions: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class ImportReport:
    dataset: str
    rows: int
    seconds: float
