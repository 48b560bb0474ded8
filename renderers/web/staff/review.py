"""One application, seen by staff: what was applied for, its status and history, and the
moves the flow allows this role from this status.

The buttons are exactly `allowed_transitions(flow, status, role)`; each move's form holds
the review fields its transition `requires`, rendered like any field (ids prefixed with
the target status, so two moves asking for a reason do not share an element id). The
move itself is `moves.move`: the engine checks it, the store saves it with the version
the staff member saw and writes the audit entry in the same transaction; a change made
meanwhile by someone else is refused with a clear message, never overwritten.
"""
from __future__ import annotations

from typing import Any, Mapping

import bottle

from engine import Context, ExpressionFailed, Field, Flow, Problem, allowed_transitions
from shenbao import moves, uploads
from shenbao.applications import display_name, recovery_email, secret_fields, step_view_of
from store import Application, Staff

from .. import sessions
from ..context import Web
from ..inputs import number
from ..forms import Errors, FieldModel, OptionModel, as_text, photo_uri
from ..widgets import WIDGETS, drawer_of
from .base import Desk
from .queue import Queue, bindings, identity_fields

SEP = "__"


class Review:
    """The staff page of one application, under the flow version that application runs under
    (its fields, statuses and moves: a later version never changes them behind its back)."""

    def __init__(self, desk: Desk, flow: Flow):
        self.desk, self.flow, self.web = desk, flow, desk.web
        self.texts = desk.texts_for(flow)

    @classmethod
    def of(cls, desk: Desk, app: Application) -> "Review":
        return cls(desk, desk.web.flow_of(app.flow_digest))

    def status_text(self, status: str | None) -> str:
        found = self.flow.statuses.get(status or "")
        return self.texts.text(found.message) if found else self.desk.status_text(status)

    # -- review fields ----------------------------------------------------------------
    def review_fields(self, status: str, to: str) -> list[Field]:
        wanted = moves.requires(self.flow, status, to)
        return [f for f in self.flow.review_fields if f.id in wanted]

    def field_model(self, fld: Field, prefix: str, value: Any, error: str | None) -> FieldModel:
        ctx = Context(self.flow, self.desk.store, self.web.local_now(), {})
        chosen = {str(v) for v in (value if isinstance(value, list) else [value]) if v not in (None, "")}
        options = tuple(OptionModel(str(o.value), self.texts.option_label(o.label, o.label_is_key),
                                    str(o.value) in chosen) for o in ctx.options(fld))
        return FieldModel(id=f"{prefix}{SEP}{fld.id}", type=fld.type, label=self.desk.t(fld.label),
                          help=self.desk.t(fld.help) if fld.help else None,
                          value="" if isinstance(value, list) else as_text(value), shown="", options=options,
                          columns=(), readonly=False, required=bool(fld.rules.get("required")), error=error,
                          input_type=WIDGETS[fld.type].input_type, widget=drawer_of(fld.type, False))

    def review_value(self, field_id: str, value: Any) -> list[str]:
        """A stored review value as lines: option labels for choices (materials by name)."""
        fld = next((f for f in self.flow.review_fields if f.id == field_id), None)
        items = value if isinstance(value, list) else [value]
        if fld is not None and fld.options is not None:
            ctx = Context(self.flow, self.desk.store, self.web.local_now(), {})
            labels = {str(o.value): self.texts.option_label(o.label, o.label_is_key) for o in ctx.options(fld)}
            return [labels.get(str(v), str(v)) for v in items]
        return [str(v) for v in items if v not in (None, "")]

    def problem_text(self, problem: Problem) -> str:
        if problem.code == "transition_not_allowed":
            params = problem.params
            return self.desk.t("problem.transition_not_allowed", role=self.desk.role_text(params.get("role", "")),
                               **{"from": self.status_text(params.get("from")),
                                  "to": self.status_text(params.get("to"))})
        return self.texts.problem(problem)

    def read_inputs(self, status: str, to: str) -> dict[str, Any]:
        forms = bottle.request.forms.decode()
        found: dict[str, Any] = {}
        for fld in self.review_fields(status, to):
            name = f"{to}{SEP}{fld.id}"
            found[fld.id] = WIDGETS[fld.type].read(forms, bottle.request.files, name)
        return found

    # -- the page ---------------------------------------------------------------------
    def move_forms(self, me: Staff, app: Application, failed: str | None = None,
                   typed: Mapping[str, Any] | None = None, errors: Errors | None = None) -> list[dict[str, Any]]:
        forms = []
        for to in allowed_transitions(self.flow, app.status, me.role):
            mine = to == failed
            fields = [self.field_model(f, to, (typed or {}).get(f.id) if mine else None,
                                       (errors.fields.get(f.id) if mine and errors else None))
                      for f in self.review_fields(app.status, to)]
            label = self.texts.catalog.first([f"staff.move.{to}", self.flow.statuses[to].message])
            forms.append({"to": to, "label": label, "fields": fields, "status": self.status_text(to),
                          "errors": (errors.page if mine and errors else [])})
        return forms

    def summary(self, app: Application) -> list[tuple[str, Any]]:
        answers = dict(app.answers)
        hidden = secret_fields(self.flow)
        steps = []
        for step in self.flow.steps:
            if step.kind != "form":
                continue
            try:
                view = step_view_of(self.flow, self.web.source, self.web.local_now, answers, step.id)
            except ExpressionFailed:  # an application without the answers this step reads (demo data)
                continue
            fields = [f for s in self.texts.sections(view.sections, Errors()) for f in s.fields
                      if f.type not in ("display", "photo") and f.id not in hidden]
            if fields:
                steps.append((self.desk.t(view.title), fields))
        return steps

    def page(self, me: Staff, app: Application, status: int = 200, notices: list[str] | None = None,
             page_errors: list[str] | None = None, **extra: Any) -> str:
        current = self.flow.statuses.get(app.status)
        shows = [(self.texts.label(fid), self.review_value(fid, app.status_data.get(fid)))
                 for fid in (current.shows if current else ()) if app.status_data.get(fid)]
        messages = [(self.desk.t(f"web.account.message.{m.scope}"), self.desk.local(m.created_at), m.body)
                    for m in self.desk.store.messages_for(app.id, values=app.values)]
        history = [self.history_row(e) for e in reversed(self.desk.store.audit_for(app.id))]
        extra.setdefault("moves", self.move_forms(me, app))
        email_field = self.flow.application.recovery_email
        extra.setdefault("email_value", recovery_email(self.flow, app) or "")
        extra.setdefault("email_error", None)
        extra.setdefault("message_value", "")
        extra.setdefault("message_error", None)
        return self.desk.render(
            "application.html", status, me=me, title=self.desk.t("staff.app.title", no=app.application_no), app=app,
            name=display_name(self.flow, app), photo=photo_uri(self.desk.store.get_application_photo(app.id)),
            status_text=self.status_text(app.status), shows=shows, final=bool(current and current.final),
            name_label=self.texts.label(self.flow.application.display_name)
            if self.flow.application.display_name else "",
            pairs=self.pairs(app), email_field=email_field,
            email_label=self.texts.label(email_field) if email_field else "",
            steps=self.summary(app), messages=messages, history=history, notices=notices or [],
            links=[("", e) for e in page_errors or []], **extra)

    def pairs(self, app: Application) -> list[tuple[str, str]]:
        """(label, value) of the identity fields and of the rows the application is bound to."""
        found = [(self.texts.label(f), app.values.get(f) or "") for f in identity_fields(self.desk)]
        names = Queue(self.desk)
        found += [(self.texts.label(b.answer), names.bound_name(b, app.values.get(b.answer)))
                  for b in bindings(self.desk)]
        return found

    def history_row(self, entry: Any) -> dict[str, Any]:
        data = entry.data or {}
        why = [entry.reason] if entry.reason else []
        review = data.get("review") or {}
        for fid, value in review.items():
            if fid != "reason" and value:
                values = self.desk.t("staff.separator").join(self.review_value(fid, value))
                why.append(self.desk.t("staff.history.review", label=self.texts.label(fid), values=values))
        if entry.action == "email_correct":
            why.append(self.desk.t("staff.history.email", old=data.get("from") or "", new=data.get("to") or ""))
        if entry.action == "message":
            why.append(data.get("body") or "")
        return {"at": self.desk.local(entry.at), "actor": entry.actor,
                "action": self.web.catalog.first([f"staff.action.{entry.action}", "staff.action.other"],
                                                 action=entry.action),
                "from": self.status_text(entry.from_status) if entry.from_status else "",
                "to": self.status_text(entry.to_status) if entry.to_status else "", "why": why}

    # -- actions ----------------------------------------------------------------------
    def post_move(self, me: Staff, app: Application) -> str:
        forms = bottle.request.forms.decode()
        to = forms.get("to") or ""
        row_version = number(forms.get("row_version"), 0)  # a spoilt one is simply stale
        inputs = self.read_inputs(app.status, to) if to in self.flow.statuses else {}
        result = moves.move(self.flow, self.desk.store, app, to, me.role, inputs, actor=self.desk.actor(me),
                            row_version=row_version, local_now=self.web.local_now(), now=self.web.now())
        if result.stale:
            return self.page(me, result.application, 409, page_errors=[self.desk.t("staff.move.stale")])
        if not result.done:
            errors = Errors()
            for problem in result.problems:
                if problem.field is None:
                    errors.page.append(self.problem_text(problem))
                else:
                    errors.fields.setdefault(problem.field, self.problem_text(problem))
            refused = any(p.code == "transition_not_allowed" for p in result.problems)
            return self.page(me, app, 403 if refused else 422,
                             page_errors=errors.page + list(errors.fields.values()),
                             moves=self.move_forms(me, app, to, inputs, errors))
        return self.page(me, result.application, notices=[
            self.desk.t("staff.move.done", status=self.status_text(result.application.status))])


def install(app: bottle.Bottle, web: Web, desk: Desk) -> None:

    @app.get("/staff/applications/<application_id:int>")
    def show(application_id: int) -> str:
        me = desk.need("review")
        found = desk.application(me, application_id)
        return Review.of(desk, found).page(me, found)

    @app.get("/staff/applications/<application_id:int>/uploads/<field_id>")
    def upload(application_id: int, field_id: str) -> bytes:
        """An uploaded image of an application this staff member may see (desk.application checks scope)."""
        me = desk.need("review")
        found = desk.application(me, application_id)
        image = uploads.image_of(web.flow_of(found.flow_digest), desk.store, found.answers, field_id)
        if image is None:
            bottle.abort(404)
        bottle.response.content_type = image[1]
        bottle.response.set_header("Cache-Control", "private, no-store")
        return image[0]

    @app.post("/staff/applications/<application_id:int>/status")
    def post_status(application_id: int) -> str:
        me = desk.need("review")
        found = desk.application(me, application_id)
        sessions.check_csrf(web)
        return Review.of(desk, found).post_move(me, found)

