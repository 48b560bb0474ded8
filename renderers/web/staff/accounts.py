"""Administrators manage staff accounts: add, change role and binding, disable, set a new
password. Disabling an account or changing its password ends its sessions; an
administrator cannot disable or demote their own account (nobody would be left to undo
it). Every change is audited. The checks are shenbao/people.py's, shared with `shenbao staff`.
"""
from __future__ import annotations

from typing import Any, Mapping

import bottle

from engine import Binding, Flow, staff_title_key
from shenbao import people
from shenbao.applications import password_field
from store import Duplicate, Staff

from .. import sessions
from ..context import Web
from ..forms import Errors, error_links
from .base import KIND, Desk


class Accounts:
    """One select per dataset a role binds to (named by the binding's answer), from the flow."""

    def __init__(self, desk: Desk):
        self.desk = desk

    @property
    def flow(self) -> Flow:
        return self.desk.flow

    def bindings(self) -> list[Binding]:
        """The flow's role bindings, one per answer (two roles may bind through the same one)."""
        found: dict[str, Binding] = {}
        for binding in self.flow.bindings.values():
            if binding is not None:
                found.setdefault(binding.answer, binding)
        return list(found.values())

    def bound_label(self, binding: Binding) -> str:
        return self.desk.web.catalog.first([staff_title_key(binding.dataset), "staff.accounts.bound"],
                                           dataset=binding.dataset)

    def account_text(self, code: str, field: str | None = None) -> str:
        found = next((b for b in self.bindings() if b.answer == field), None)
        if found is None:
            return self.desk.t(f"staff.account.{code}")
        kind = code.rsplit("_", 1)[-1]   # needed or unknown
        return self.desk.web.catalog.first([f"staff.account.{code}", f"staff.account.bound_{kind}"],
                                           label=self.bound_label(found))

    def form_values(self, who: Staff) -> dict[str, Any]:
        """The account's role, whether it is active and, in the select of its role's binding, its row."""
        found = self.flow.bindings.get(who.role)
        return {"role": who.role, "active": who.active, **({found.answer: who.bound} if found is not None else {})}

    def choices(self) -> dict[str, Any]:
        selects = []
        for binding in self.bindings():
            rows = self.desk.rows(binding.dataset)
            selects.append({"name": binding.answer, "label": self.bound_label(binding),
                            "options": [(str(r[binding.key]), self.desk.row_label(binding.dataset, r)) for r in rows]})
        return {"roles": [(r, self.desk.role_text(r)) for r in self.flow.roles], "selects": selects}

    def bound_name(self, who: Staff) -> str:
        found = self.flow.bindings.get(who.role)
        return self.desk.name_of(found.dataset, who.bound) if found is not None and who.bound else ""

    def binding_errors(self, role: str, typed: Mapping[str, Any], errors: Errors) -> dict[str, str | None]:
        fields, code = people.binding(self.flow, self.desk.store, role, typed)
        if code:
            field = people.problem_field(self.flow, role, code)
            errors.fields[field] = self.account_text(code, field)
        return fields

    def listing(self, me: Staff, errors: Errors | None = None, values: Mapping[str, Any] | None = None,
                notices: list[str] | None = None, status: int = 200) -> str:
        accounts = [dict(people.describe(s), bound_name=self.bound_name(s)) for s in self.desk.store.list_staff()]
        errors = errors or Errors()
        return self.desk.render("accounts.html", status, me=me, title=self.desk.t("staff.accounts.title"),
                                accounts=accounts, errors=errors, links=error_links(errors), values=values or {},
                                notices=notices or [], **self.choices())

    def password_errors(self, password: str, again: str, errors: Errors) -> None:
        for problem in people.password_problems(self.flow, password, again, self.desk.web.local_now().date()):
            name = "password" if problem.field == password_field(self.flow) else "password_confirm"
            errors.fields.setdefault(name, self.desk.texts.problem(problem))

    def add(self, me: Staff) -> str:
        forms = bottle.request.forms.decode()
        names = ("username", "role", *(b.answer for b in self.bindings()))
        values = {k: (forms.get(k) or "").strip() for k in names}
        errors = Errors()
        code = people.username_problem(self.desk.store, values["username"])
        if code:
            errors.fields["username"] = self.account_text(code)
        fields = self.binding_errors(values["role"], values, errors)
        self.password_errors(forms.get("password") or "", forms.get("password_confirm") or "", errors)
        if errors:
            return self.listing(me, errors, values, status=422)
        try:
            made = self.desk.store.create_staff(values["username"], forms.get("password") or "", values["role"],
                                                now=self.desk.web.now(), **fields)
        except Duplicate:
            errors.fields["username"] = self.account_text("username_taken")
            return self.listing(me, errors, values, status=422)
        self.desk.store.audit(self.desk.actor(me), "staff_add", data=people.describe(made), now=self.desk.web.now())
        return self.listing(me, notices=[self.desk.t("staff.accounts.added", username=made.username)])

    def page(self, me: Staff, who: Staff, errors: Errors | None = None, notices: list[str] | None = None,
             status: int = 200, values: Mapping[str, Any] | None = None) -> str:
        """The account's form: with `values` (a refused save), what the admin typed, else the account."""
        errors = errors or Errors()
        return self.desk.render("account.html", status, me=me, who=who, errors=errors, links=error_links(errors),
                                values=self.form_values(who) if values is None else values,
                                notices=notices or [], title=self.desk.t("staff.accounts.edit", username=who.username),
                                **self.choices())

    def edit(self, me: Staff, who: Staff) -> str:
        forms = bottle.request.forms.decode()
        role = (forms.get("role") or "").strip()
        active = forms.get("active") == "1"
        errors = Errors()
        typed = {b.answer: (forms.get(b.answer) or "").strip() or None for b in self.bindings()}
        fields = self.binding_errors(role, typed, errors)
        if who.id == me.id and (not active or role != me.role):
            errors.fields.setdefault("role" if role != me.role else "active", self.account_text("not_yourself"))
        if errors:
            return self.page(me, who, errors, status=422, values={**typed, "role": role, "active": active})
        changed = self.desk.store.update_staff(who.id, role=role, active=active, **fields)
        if not active or role != who.role:
            self.desk.store.delete_sessions_for(KIND, who.id)
        self.desk.store.audit(self.desk.actor(me), "staff_edit", now=self.desk.web.now(),
                              data={"before": people.describe(who), "after": people.describe(changed)})
        return self.page(me, changed, notices=[self.desk.t("staff.row.saved")])

    def set_password(self, me: Staff, who: Staff) -> str:
        forms = bottle.request.forms.decode()
        errors = Errors()
        self.password_errors(forms.get("password") or "", forms.get("password_confirm") or "", errors)
        if errors:
            return self.page(me, who, errors, status=422)
        self.desk.store.update_staff(who.id, password=forms.get("password") or "")
        if who.id != me.id:
            self.desk.store.delete_sessions_for(KIND, who.id)
        self.desk.store.audit(self.desk.actor(me), "staff_password", data={"username": who.username},
                              now=self.desk.web.now())
        return self.page(me, who, notices=[self.desk.t("staff.accounts.password_set")])


def install(app: bottle.Bottle, web: Web, desk: Desk) -> None:
    accounts = Accounts(desk)

    def target(me: Staff, staff_id: int) -> Staff:
        found = desk.store.get_staff(staff_id)
        if found is None:
            desk.refuse(me)
        return found

    @app.get("/staff/accounts")
    def listing() -> str:
        return accounts.listing(desk.need("accounts"))

    @app.post("/staff/accounts")
    def add() -> str:
        me = desk.need("accounts")
        sessions.check_csrf(web)
        return accounts.add(me)

    @app.get("/staff/accounts/<staff_id:int>")
    def show(staff_id: int) -> str:
        me = desk.need("accounts")
        return accounts.page(me, target(me, staff_id))

    @app.post("/staff/accounts/<staff_id:int>")
    def edit(staff_id: int) -> str:
        me = desk.need("accounts")
        sessions.check_csrf(web)
        return accounts.edit(me, target(me, staff_id))

    @app.post("/staff/accounts/<staff_id:int>/password")
    def password(staff_id: int) -> str:
        me = desk.need("accounts")
        sessions.check_csrf(web)
        return accounts.set_password(me, target(me, staff_id))
