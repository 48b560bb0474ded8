"""Who on the staff may see and do what: the one place scope is decided.

A role is bound, by the flow's `roles: {role: {binds: {dataset, answer}}}`, to one row of a
dataset: an account of that role carries the row's key (`Staff.bound`) and sees the
applications whose kept answer `answer` is that key. A role without `binds` is bound to
nothing (sees everything); a role the flow does not declare sees nothing. A row of the
bound dataset is in scope when it is the account's row; a row of another dataset when its
column referencing the bound dataset (the dataset's `staff: {references}`; without one, the
column named like the binding's answer) holds the account's key. Every route asks
`in_scope`-style questions; list queries are narrowed by `query_scope`, which follows the
same rules. What each role may do beyond review is the explicit `CAN` table; which
reference data it may edit is the flow's (`staff_role`). The flow's own status catalogue
decides transitions, not this module. No I/O, no bottle, no text.
"""
from __future__ import annotations

from typing import Any, Mapping

from engine import Binding, Flow, StaffRole
from store import Application, Listed, Staff

# Capabilities every role of the flow has (always within its scope).
EVERY_ROLE = frozenset({"review", "message", "correct_email", "export"})
# Capabilities of the administration pages → roles that have them.
CAN: Mapping[str, frozenset[str]] = {
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
    column = scoping_column(flow, dataset, found)
    return column is not None and row.get(column) is not None and str(row.get(column)) == who.bound


def scoping_column(flow: Flow, dataset: str, found: Binding) -> str | None:
    """The column of `dataset` that names a row of the binding's dataset (see the module doc)."""
    declared = flow.datasets.get(dataset)
    if declared is None or declared.staff is None:
        return found.answer
    return next((c for c, target in declared.staff.references.items() if target == found.dataset), None)


def staff_role(flow: Flow, who: Staff, dataset: str) -> StaffRole | None:
    """What `who` may do on the staff pages of `dataset` (None: nothing, not even see them)."""
    declared = flow.datasets.get(dataset)
    if declared is None or declared.staff is None or not who.active or not bound(flow, who):
        return None
    return declared.staff.roles.get(who.role)


def editable_datasets(flow: Flow, who: Staff) -> list[str]:
    """The datasets whose staff pages `who` may open, in the flow's order."""
    return [name for name in flow.datasets if staff_role(flow, who, name) is not None]


def application_in_scope(flow: Flow, who: Staff, app: Application | Listed) -> bool:
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
