"""Staff accounts: the checks shared by the admin pages and `shenbao staff` (no bottle).

A user name is short ASCII; the role is one of the flow's roles; an account of a role that
`binds` to a dataset names an existing row of it (the key is kept as `Staff.bound`); an
account of a role bound to nothing names nothing. Passwords follow the flow's own
password rules, as the applicants' do. Problems are codes (`staff.account.<code>` in the
catalogue) or engine `Problem`s.
"""
from __future__ import annotations

import re
from datetime import date
from typing import Any, Mapping

from engine import Flow, Problem, check_field_value
from store import Staff, Store

from .applications import password_field

USERNAME = re.compile(r"^[a-z0-9][a-z0-9_.-]{2,31}$")


def password_problems(flow: Flow, password: str, again: str, today: date) -> list[Problem]:
    """The flow's normaliser and rules for its password and confirmation fields."""
    field = password_field(flow)
    confirm = next((f.id for f in flow.fields.values() if f.secret and f.rules.get("equals_field") == field), None)
    others = {confirm: again or None} if confirm is not None else {}
    return check_field_value(flow, field, password or None, today, others)[1]


def binding(flow: Flow, store: Store, role: str,
            typed: Mapping[str, str | None]) -> tuple[dict[str, str | None], str | None]:
    """(the account's binding columns, problem code or None): what an account of `role` is
    bound to, from `typed` (answer name of the role's binding → the row's key). A code is
    `role_unknown`, or `<answer>_needed` / `<answer>_unknown` for the binding's answer."""
    if role not in flow.roles or role not in flow.bindings:
        return {}, "role_unknown"
    found = flow.bindings[role]
    if found is None:
        return {"bound": None}, None
    code = typed.get(found.answer)
    if not code:
        return {}, f"{found.answer}_needed"
    if not store.rows(found.dataset, {found.key: code}):
        return {}, f"{found.answer}_unknown"
    return {"bound": code}, None


def problem_field(flow: Flow, role: str, code: str) -> str:
    """The form field a `binding` problem belongs to: the role's binding answer, else the role."""
    found = flow.bindings.get(role)
    return found.answer if found is not None and code.startswith(found.answer + "_") else "role"


def username_problem(store: Store, username: str) -> str | None:
    if not USERNAME.match(username):
        return "username_bad"
    if store.find_staff(username) is not None:
        return "username_taken"
    return None


def describe(staff: Staff) -> dict[str, Any]:
    return {"id": staff.id, "username": staff.username, "role": staff.role, "bound": staff.bound,
            "active": staff.active}
