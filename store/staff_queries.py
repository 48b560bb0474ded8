"""Queries the staff side needs that the store's parts do not offer (yet).

`status_counts` groups applications by a kept answer (e.g. a bound one) and status in one query;
`post_message_audited` writes a message (留言) and its audit entry in one transaction;
`check_row` tells which values of a reference row its declared column types refuse,
all at once (the same converters as the importer and `update_row`). Uses only the
store's public tables and converters; must not hold user-facing text.
"""
from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import datetime
from typing import Any

import sqlalchemy as sa

from .errors import StoreError
from .records import AuditEntry
from .schema import audit_log, messages
from .values import converter

def status_counts(store: Any, by: str, *, where: Mapping[str, str] | None = None) -> dict[tuple[str | None, str], int]:
    """(kept value of answer `by`, status) → number of applications, within `where`."""
    return dict(store.count_by_value(by, where=where))


_SCOPE = re.compile(r"^[a-z][a-z0-9_]{0,63}$")


def valid_scope(scope: str) -> bool:
    """'applicant', or the name of a kept answer (a role's binding): a flow id."""
    return isinstance(scope, str) and bool(_SCOPE.match(scope))


def post_message_audited(store: Any, scope: str, target: str | int, author: int, body: str,
                         audit: AuditEntry, now: datetime | None = None) -> int:
    """Store a message and its audit entry (which gets the message id in `data`) together."""
    if not valid_scope(scope):
        raise StoreError("STORE_MESSAGE_SCOPE", scope=scope)
    at = store._now(now)

    def body_(conn: sa.Connection) -> int:
        message_id = conn.execute(messages.insert().values(
            scope=scope, target=str(target), author=author, body=body, created_at=at,
        ).returning(messages.c.id)).scalar_one()
        conn.execute(audit_log.insert().values(
            at=at, actor=audit.actor, action=audit.action, application_id=audit.application_id,
            from_status=audit.from_status, to_status=audit.to_status, reason=audit.reason,
            data={**dict(audit.data or {}), "message_id": message_id}))
        return message_id

    return store.db.run(body_)


def check_row(columns: Mapping[str, str], values: Mapping[str, Any]) -> dict[str, str]:
    """Column → IMPORT_ code for each value its declared type refuses (empty: all good)."""
    refused: dict[str, str] = {}
    for column, value in values.items():
        kind = columns.get(column)
        if kind is None:
            refused[column] = "DATASET_UNKNOWN_COLUMN"
            continue
        try:
            converter(kind, None)(value)
        except ValueError as error:
            refused[column] = str(error)
    return refused


def typed_value(kind: str, value: Any) -> Any:
    """A raw value as its column type stores it (after `check_row` accepted it)."""
    return converter(kind, None)(value)
