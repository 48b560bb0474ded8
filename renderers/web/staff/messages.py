"""Messages (留言) from staff: to one applicant, or to every applicant of a row a role binds to.

Applicants see them on their dashboard after logging in (the store's `messages_for`).
The groups are the flow's role bindings: for each answer a role binds through, every row
of its dataset in the writer's scope is a group (the applicants whose answer is that row),
so an account bound to a row writes to its row's applicants and to those of rows that
name its row, an account bound to nothing to any; each message and its audit entry are
written in one transaction.
"""
from __future__ import annotations

from typing import Any

import bottle

from engine import Binding
from shenbao import scope
from store import Application, AuditEntry, Staff, post_message_audited

from .. import sessions
from ..context import Web
from ..forms import Errors, error_links
from .base import Desk
from .review import Review

MAX_BODY = 1000


def checked_body(desk: Desk, typed: str | None) -> tuple[str, str | None]:
    body = (typed or "").replace("\r\n", "\n").strip()
    if not body:
        return body, desk.t("staff.message.empty")
    if len(body) > MAX_BODY:
        return body, desk.t("staff.message.too_long", max=MAX_BODY)
    return body, None


def send(desk: Desk, me: Staff, kind: str, target: str | int, body: str, application_id: int | None = None) -> int:
    audit = AuditEntry(desk.actor(me), "message", application_id=application_id,
                       data={"scope": kind, "target": str(target), "body": body})
    return post_message_audited(desk.store, kind, target, me.id, body, audit, desk.web.now())


class Board:
    def __init__(self, desk: Desk):
        self.desk = desk

    def groups(self) -> dict[str, Binding]:
        """Answer → binding, for every answer a role binds through (the message scopes)."""
        found: dict[str, Binding] = {}
        for binding in self.desk.flow.bindings.values():
            if binding is not None:
                found.setdefault(binding.answer, binding)
        return found

    def label(self, binding: Binding, row: dict[str, Any]) -> str:
        return self.desk.web.catalog.first([f"staff.message.to_{binding.answer}", "staff.message.to_group"],
                                           name=self.desk.row_label(binding.dataset, row))

    def targets(self, me: Staff) -> list[tuple[str, str]]:
        """("ANSWER:KEY", label) for every group `me` may write to, widest first."""
        found = []
        for answer, binding in reversed(list(self.groups().items())):
            found += [(f"{answer}:{row[binding.key]}", self.label(binding, row))
                      for row in self.desk.in_scope(me, binding.dataset)]
        return found

    def allowed(self, me: Staff, target: str) -> tuple[str, str] | None:
        kind, _, code = target.partition(":")
        binding = self.groups().get(kind)
        row = self.desk.row(binding.dataset, code) if binding is not None else None
        if binding is not None and row is not None and scope.row_in_scope(self.desk.flow, me, binding.dataset, row):
            return kind, code
        return None

    def page(self, me: Staff, errors: Errors | None = None, values: dict[str, Any] | None = None,
             notices: list[str] | None = None, status: int = 200) -> str:
        targets = self.targets(me)
        sent = []
        for value, label in targets:
            kind, _, code = value.partition(":")
            for m in self.desk.store.messages_by_target(kind, code):
                sent.append({"to": label, "at": self.desk.local(m.created_at), "body": m.body, "sort": m.created_at})
        sent.sort(key=lambda m: m["sort"], reverse=True)
        errors = errors or Errors()
        return self.desk.render("messages.html", status, me=me, title=self.desk.t("staff.messages.title"),
                                targets=targets, sent=sent, errors=errors, links=error_links(errors),
                                values=values or {}, notices=notices or [])

    def post(self, me: Staff) -> str:
        forms = bottle.request.forms.decode()
        target = forms.get("target") or ""
        body, problem = checked_body(self.desk, forms.get("body"))
        errors = Errors()
        found = self.allowed(me, target)
        if found is None:
            errors.fields["target"] = self.desk.t("staff.message.bad_target")
        if problem:
            errors.fields["body"] = problem
        if errors:
            status = 403 if found is None and target else 422
            return self.page(me, errors, {"target": target, "body": body}, status=status)
        assert found is not None
        send(self.desk, me, found[0], found[1], body)
        return self.page(me, notices=[self.desk.t("staff.message.sent")])


def to_applicant(desk: Desk, review: Review, me: Staff, app: Application) -> str:
    body, problem = checked_body(desk, bottle.request.forms.decode().get("body"))
    if problem:
        return review.page(me, app, 422, page_errors=[problem], message_value=body, message_error=problem)
    send(desk, me, "applicant", app.id, body, app.id)
    return review.page(me, app, notices=[desk.t("staff.message.sent")])


def install(app: bottle.Bottle, web: Web, desk: Desk) -> None:
    board = Board(desk)

    @app.get("/staff/messages")
    def messages_page() -> str:
        return board.page(desk.need("message"))

    @app.post("/staff/messages")
    def messages_post() -> str:
        me = desk.need("message")
        sessions.check_csrf(web)
        return board.post(me)

    @app.post("/staff/applications/<application_id:int>/message")
    def message_one(application_id: int) -> str:
        me = desk.need("message")
        found = desk.application(me, application_id)
        sessions.check_csrf(web)
        return to_applicant(desk, Review.of(desk, found), me, found)
