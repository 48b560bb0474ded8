"""Correcting an applicant's recovery email on their behalf (the manual: an applicant who
typed a wrong address asks the staff who handle their application to put it right).

The new address is normalised and checked by the engine with the flow's own rules for its
`recovery_email` field (engine.check_field_value, so unsupported characters are refused as
in the form), saved in the answers and the kept values with the version the staff member saw,
and the change is audited (old and new address, who) in the same transaction.
"""
from __future__ import annotations

import bottle

from engine import check_field_value
from shenbao.applications import display_name, recovery_email
from store import Application, AuditEntry, Staff, StaleWrite

from .. import sessions
from ..context import Web
from ..password import mask_email
from ..inputs import number
from .base import Desk
from .review import Review

def checked_email(desk: Desk, field: str, typed: str) -> tuple[str, str | None]:
    """(normalised address, problem text or None): the engine's normaliser and rules for the
    flow's recovery email field, as in the applicant's form (unsupported characters refused too)."""
    value, problems = check_field_value(desk.flow, field, typed, desk.web.local_now().date())
    own = [p for p in problems if p.field == field]
    return (value if value is not None else typed.strip()), (desk.texts.problem(own[0]) if own else None)


def correct(desk: Desk, review: Review, me: Staff, app: Application) -> str:
    field = desk.flow.application.recovery_email
    if field is None:
        desk.refuse(me)
    forms = bottle.request.forms.decode()
    value, problem = checked_email(desk, field, forms.get(field) or "")
    if problem is not None:
        return review.page(me, app, 422, page_errors=[problem], email_value=value, email_error=problem)
    row_version = number(forms.get("row_version"), 0)  # a spoilt one is simply stale
    old = recovery_email(desk.flow, app)
    if value == old:
        return review.page(me, app, notices=[desk.t("staff.email.unchanged")])
    audit = AuditEntry(desk.actor(me), "email_correct", data={"from": old, "to": value})
    try:
        saved = desk.store.update_application(app.id, row_version, now=desk.web.now(), audit=audit,
                                              values={**app.values, field: value},
                                              answers={**app.answers, field: value})
    except StaleWrite:
        latest = desk.store.get_application(app.id) or app
        return review.page(me, latest, 409, page_errors=[desk.t("staff.move.stale")])
    tell_old_address(desk, app, value)
    days = desk.web.settings.reset_hold_days
    notices = [desk.t("staff.email.done", email=value)] + ([desk.t("staff.email.held", days=days)] if days else [])
    return review.page(me, saved, notices=notices)


def tell_old_address(desk: Desk, app: Application, new: str) -> None:
    """The address that was replaced is told, so a correction nobody asked for is noticed
    (password resets by mail wait `reset_hold_days` meanwhile: see password.py)."""
    old = recovery_email(desk.flow, app)
    if not old:
        return
    web = desk.web
    body = web.t("mail.email_corrected.body", name=display_name(desk.flow, app), application_no=app.application_no,
                 masked=mask_email(new), days=web.settings.reset_hold_days)
    web.store.enqueue_mail(old, web.t("mail.email_corrected.subject"), body, web.now())
    web.mailer.deliver_due()


def install(app: bottle.Bottle, web: Web, desk: Desk) -> None:
    @app.post("/staff/applications/<application_id:int>/email")
    def post_email(application_id: int) -> str:
        me = desk.need("correct_email")
        found = desk.application(me, application_id)
        sessions.check_csrf(web)
        return correct(desk, Review.of(desk, found), me, found)
