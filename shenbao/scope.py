"""Who on the staff may see and do what: the one place scope is decided.

A role is bound, by the flow's `roles: {role: {binds: {dataset, answer}}}`, to one row of a
dataset: an account of that role carries the row's key (`Staff.bound`) and sees the
applications whose kept answer `answer` is that key. A role without `binds` is bound to
nothing (sees everything); a role the flow does not declare sees nothing. A row of the
bound dataset is in scope when it is the account's row; a row of another dataset when its
column named like the binding's answer holds the account's key (e.g. a row that names its
parent row). Every route asks `in_scope`-style questions; list queries are narrowed by
`query_scope`, which follows the same rules. What each role may do beyond review is the
explicit `CAN` table. The flow's own status catalogue decides transitions, not this module.
No I/O, no bottle, no text.
"""
from __future__ import annotations

from typing import Any, Mapping

from engine import Binding, Flow
from store import Application, Staff

# Capabilities every role of the flow has (always within its scope).
EVERY_ROLE = frozenset({"review", "message", "correct_email", "export", "edit_notes"})
# Capabilities of the reference-data and administration pages → roles that have them.
CAN: Mapping[str, frozenset[str]] = {
    "edit_points": frozenset({"agency_reviewer", "admin"}),
    "edit_plans": frozenset({"agency_reviewer", "admin"}),
    "accounts": frozenset({"admin"}),
    "see_flow": frozenset({"admin"}),
}
CAPABILITIES = tuple(sorted(EVERY_ROLE | set(CAN)))
_UNKNOWN = "unknown"


def binding(flow: Flow, role: str) -> Binding | None | str:
    """The role's binding, None for a role bound to nothing, "unknown" for no such role."""
    return flow.bindings[role] if role in flow.bindings else _UNKNOWN


def can(flow: Flow, who: Staff, capability: str) -> bool:
    allowed = capability in EVERY_ROLE or who.role in CAN.get(capability, frozenset())
    return who.active and allowed and bound(flow, who)


def bound(flow: Flow, who: Staff) -> bool:
    """An account whose role binds to a row must name one, or it sees nothing."""
    found = binding(flow, who.role)
    if found == _UNKNOWN:
        return False
    return found is None or bool(who.bound)


def row_in_scope(flow: Flow, who: Staff, dataset: str, row: Mapping[str, Any]) -> bool:
    """May `who` see or act on this row of `dataset` (see the module doc)?"""
    if not who.active or not bound(flow, who):
        return False
    found = binding(flow, who.role)
    if not isinstance(found, Binding):
        return True
    if dataset == found.dataset:
        return row.get(found.key) is not None and str(row.get(found.key)) == who.bound
    return row.get(found.answer) is not None and str(row.get(found.answer)) == who.bound


def application_in_scope(flow: Flow, who: Staff, app: Application) -> bool:
    if not who.active or not bound(flow, who):
        return False
    found = binding(flow, who.role)
    return not isinstance(found, Binding) or app.values.get(found.answer) == who.bound


def is_bound(flow: Flow, who: Staff) -> bool:
    """Is `who`'s role bound to a row (rather than seeing everything)?"""
    return isinstance(binding(flow, who.role), Binding)


class OutOfScope(Exception):
    """An account that may see nothing asked for a list (never shown as an empty list)."""


def query_scope(flow: Flow, who: Staff) -> dict[str, str]:
    """The kept values that narrow a search to what `who` may see (as in `application_in_scope`)."""
    if not who.active or not bound(flow, who):
        raise OutOfScope(who.username)
    found = binding(flow, who.role)
    return {found.answer: str(who.bound)} if isinstance(found, Binding) else {}
