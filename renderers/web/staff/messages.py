"""Messages (留言) from staff: to one applicant, or to every applicant of a point or agency.

Applicants see them on their dashboard after logging in (the store's `messages_for`).
A point operator writes to their point's applicants, a reviewer to their agency's or to
one of its points', an administrator to any; each message and its audit entry are
written in one transaction.
"""
from __future__ import annotations

from typing import Any

import bottle

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

    def targets(self, me: Staff) -> list[tuple[str, str]]:
        """("agency:CODE" or "point:CODE", label) for every group `me` may write to."""
        found = [(f"agency:{a['code']}", self.desk.t("staff.message.to_agency", name=a["name"]))
                 for a in self.desk.agencies_in_scope(me)]
        found += [(f"point:{p['code']}", self.desk.t("staff.message.to_point", name=p["name"]))
                  for p in self.desk.points_in_scope(me)]
        return found

    def allowed(self, me: Staff, target: str) -> tuple[str, str] | None:
        kind, _, code = target.partition(":")
        agency = self.desk.agency(code) if kind == "agency" else None
        if agency is not None and scope.row_in_scope(self.desk.flow, me, "agencies", agency):
            return kind, code
        point = self.desk.point(code) if kind == "point" else None
        if point is not None and scope.row_in_scope(self.desk.flow, me, "points", point):
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
