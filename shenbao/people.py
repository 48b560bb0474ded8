"""Staff accounts: the checks shared by the admin pages and `shenbao staff` (no bottle).

A user name is short ASCII; the role is one of the flow's roles that scope.py knows how
to bind; a point operator is bound to an existing point (and to its agency), a reviewer
to an existing agency, an administrator to nothing. Passwords follow the flow's own
password rules, as the applicants' do. Problems are codes (`staff.account.<code>` in the
catalogue) or engine `Problem`s.
"""
from __future__ import annotations

import re
from datetime import date
from typing import Any

from engine import Flow, Problem, check_field_value
from store import Staff, Store

from .applications import password_field
from .scope import BINDINGS

USERNAME = re.compile(r"^[a-z0-9][a-z0-9_.-]{2,31}$")


def password_problems(flow: Flow, password: str, again: str, today: date) -> list[Problem]:
    """The flow's normaliser and rules for its password and confirmation fields."""
    field = password_field(flow)
    confirm = next((f.id for f in flow.fields.values() if f.secret and f.rules.get("equals_field") == field), None)
    others = {confirm: again or None} if confirm is not None else {}
    return check_field_value(flow, field, password or None, today, others)[1]


def binding(flow: Flow, store: Store, role: str, agency: str | None,
            point: str | None) -> tuple[str | None, str | None, str | None]:
    """(agency, point, problem code or None): what an account of `role` is bound to."""
    if role not in flow.roles or role not in BINDINGS:
        return None, None, "role_unknown"
    kind = BINDINGS[role]
    if kind is None:
        return None, None, None
    if kind == "point":
        if not point:
            return None, None, "point_needed"
        rows = store.rows("points", {"code": point})
        return (rows[0].get("agency"), point, None) if rows else (None, None, "point_unknown")
    if not agency:
        return None, None, "agency_needed"
    rows = store.rows("agencies", {"code": agency})
    return (agency, None, None) if rows else (None, None, "agency_unknown")


def username_problem(store: Store, username: str) -> str | None:
    if not USERNAME.match(username):
        return "username_bad"
    if store.find_staff(username) is not None:
        return "username_taken"
    return None


def describe(staff: Staff) -> dict[str, Any]:
    return {"id": staff.id, "username": staff.username, "role": staff.role, "agency": staff.agency,
            "point": staff.point, "active": staff.active}
