"""Moving an application to another status, as a staff member: the one code path shared by
the staff pages and `shenbao status` (for testers).

The engine's `transition` decides whether the role may make the move and checks the
review fields the move requires; the store then saves the new status and its review
values with optimistic locking and writes the audit entry in the same transaction.
No bottle, no text: outcomes carry engine `Problem`s for the caller to word.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, Mapping

from engine import DataSource, Flow, Problem, to_json, transition
from store import Application, AuditEntry, StaleWrite, Store

@dataclass(frozen=True)
class Move:
    done: bool
    application: Application
    problems: tuple[Problem, ...] = ()
    inputs: Mapping[str, Any] | None = None
    stale: bool = False


def requires(flow: Flow, status: str, to: str) -> tuple[str, ...]:
    """The review fields a move asks for ((): none, or no such move)."""
    found = flow.statuses.get(status)
    move = next((t for t in found.transitions if t.to == to), None) if found else None
    return move.requires if move else ()


def check(flow: Flow, source: DataSource, status: str, to: str, role: str, inputs: Mapping[str, Any],
          local_now: datetime) -> tuple[bool, Mapping[str, Any], tuple[Problem, ...]]:
    if status not in flow.statuses or to not in flow.statuses:
        return False, {}, (Problem(None, "transition_not_allowed", {"from": status, "to": to, "role": role}),)
    result = transition(flow, status, to, role, inputs, source, local_now)
    return result.allowed, result.inputs, tuple(result.problems)


def move(flow: Flow, store: Store, app: Application, to: str, role: str, inputs: Mapping[str, Any], *,
         actor: str, row_version: int, local_now: datetime, now: datetime) -> Move:
    """Check and save one move; `row_version` is the version the staff member looked at (a
    page older than the application is refused as stale before anything else is judged)."""
    if row_version != app.row_version:
        return Move(False, app, (), {}, stale=True)
    allowed, values, problems = check(flow, store, app.status, to, role, inputs, local_now)
    if not allowed:
        return Move(False, app, problems, values)
    review = {k: to_json(v) for k, v in values.items()}
    audit = AuditEntry(actor, "transition", reason=review.get("reason"),
                       data={"role": role, "review": review})
    try:
        saved = store.update_application(app.id, row_version, now=now, audit=audit, status=to,
                                         status_data=review)
    except StaleWrite:
        latest = store.get_application(app.id)
        return Move(False, latest or app, (), values, stale=True)
    return Move(True, saved, (), values)
