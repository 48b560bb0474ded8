"""Who on the staff may see and do what: the one place scope is decided.

A confirmation-point operator is bound to one point, an agency reviewer to one agency, an
administrator to nothing (sees everything). `in_scope` answers for an application, a
point or an agency alike, from the (agency, point) pair the target carries; every route
asks it, and list queries are narrowed by `query_scope`, which follows the same rules.
What each role may do beyond its scope (edit plans, manage accounts...) is the explicit
`CAN` table. The flow's own status catalogue decides transitions, not this module.
No I/O, no bottle, no text.
"""
from __future__ import annotations

from typing import Any, Mapping

from store import Application, Staff

# role → what the role is bound to ("point", "agency", or nothing)
BINDINGS: Mapping[str, str | None] = {"point_operator": "point", "agency_reviewer": "agency", "admin": None}

# capability → roles that have it (always within their scope)
CAN: Mapping[str, frozenset[str]] = {
    "review": frozenset({"point_operator", "agency_reviewer", "admin"}),
    "message": frozenset({"point_operator", "agency_reviewer", "admin"}),
    "correct_email": frozenset({"point_operator", "agency_reviewer", "admin"}),
    "export": frozenset({"point_operator", "agency_reviewer", "admin"}),
    "edit_notes": frozenset({"point_operator", "agency_reviewer", "admin"}),
    "edit_points": frozenset({"agency_reviewer", "admin"}),
    "edit_plans": frozenset({"agency_reviewer", "admin"}),
    "accounts": frozenset({"admin"}),
    "see_flow": frozenset({"admin"}),
}


def can(who: Staff, capability: str) -> bool:
    return who.active and who.role in CAN[capability] and bound(who)


def bound(who: Staff) -> bool:
    """An account whose role needs a point or agency must have one, or it sees nothing."""
    binding = BINDINGS.get(who.role, "unknown")
    if binding == "unknown":
        return False
    return binding is None or getattr(who, binding) is not None


def in_scope(who: Staff, *, agency: str | None, point: str | None) -> bool:
    """May `who` see or act on something belonging to `agency` and `point`? An application
    carries both; a point carries its code and its agency; an agency carries no point."""
    if not who.active or not bound(who):
        return False
    binding = BINDINGS[who.role]
    if binding is None:
        return True
    if binding == "agency":
        return agency is not None and agency == who.agency
    return point is not None and point == who.point


def application_in_scope(who: Staff, app: Application) -> bool:
    return in_scope(who, agency=app.agency, point=app.point)


def point_in_scope(who: Staff, point: Mapping[str, Any]) -> bool:
    return in_scope(who, agency=point.get("agency"), point=point.get("code"))


def agency_in_scope(who: Staff, agency: str) -> bool:
    return in_scope(who, agency=agency, point=None)


class OutOfScope(Exception):
    """An account that may see nothing asked for a list (never shown as an empty list)."""


def query_scope(who: Staff) -> dict[str, str]:
    """The filters that narrow a search to what `who` may see (as in `in_scope`)."""
    if not who.active or not bound(who):
        raise OutOfScope(who.username)
    binding = BINDINGS[who.role]
    return {} if binding is None else {binding: getattr(who, binding)}
