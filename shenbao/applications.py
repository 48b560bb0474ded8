"""Creating and amending applications: the application layer's part of the applicant's work.

Functions of the flow, the store (or the engine's DataSource) and the clock; no web
context, no request. The web wizard and account pages call them; so can any other
renderer. The engine checks the answers; the store keeps them (hashing the password);
this module decides what is kept beside the answers (the searched columns, the photo)
and that no secret field is ever kept or sent back.
"""
from __future__ import annotations

import logging
from datetime import datetime
from typing import Any, Mapping

from engine import Clock, DataSource, Flow, Run, StepView, to_json
from store import Application, AuditEntry, Duplicate, Store, StoreBusy

from . import documents, uploads

log = logging.getLogger("shenbao.applications")

# Answers that the store keeps in indexed columns as well (they are what staff search by).
INDEXED = ("cert_no", "id_no", "agency", "point", "email")
# Why a finished run was not stored: the message key shown on its last form step.
ALREADY_EXISTS = "gate.application_exists"
BUSY = "busy"


def password_field(flow: Flow) -> str:
    """The secret field the others are compared with (the password, not its confirmation)."""
    return next(f.id for f in flow.fields.values() if f.secret and "equals_field" not in f.rules)


def secret_fields(flow: Flow) -> set[str]:
    return {f.id for f in flow.fields.values() if f.secret}


def without_secrets(flow: Flow, values: Mapping[str, Any]) -> dict[str, Any]:
    """`values` minus the secret (password) fields: nothing kept or sent back holds them."""
    secret = secret_fields(flow)
    return {k: v for k, v in values.items() if k not in secret}


def step_view_of(flow: Flow, source: DataSource, clock: Clock, answers: Mapping[str, Any], step_id: str) -> StepView:
    """How one step looks for a set of stored answers (e.g. the registry photo of step 4)."""
    state = {"step": step_id, "answers": dict(answers), "read": [s.id for s in flow.steps]}
    return Run(flow, source, clock, state=state).view()


def stored_columns(flow: Flow, source: DataSource, clock: Clock, answers: Mapping[str, Any]) -> dict[str, Any]:
    """What the store keeps beside the answers: the searched columns, and the photo shown
    by the flow's photo field (the registry's, when the certificate was found)."""
    columns = {k: answers.get(k) for k in INDEXED}
    step = next((s.id for s in flow.steps for f in s.fields if f.type == "photo"), None)
    photo = None
    if step is not None:
        photo = next((f.value for f in step_view_of(flow, source, clock, answers, step).fields
                      if f.type == "photo"), None)
    columns["photo"] = bytes(photo) if isinstance(photo, (bytes, bytearray)) else None
    return columns


def stored_answers(flow: Flow, values: Mapping[str, Any]) -> dict[str, Any]:
    """The answers as the store keeps them: JSON values, no secret field."""
    return {k: to_json(v) for k, v in without_secrets(flow, values).items()}


def create_application(flow: Flow, store: Store, source: DataSource, clock: Clock, run: Run,
                       now: datetime) -> Application | str:
    """Store a finished run (`now`: this moment, timezone-aware, on the flow's wall clock).
    Returns the application, or why not: ALREADY_EXISTS (a message key) or BUSY."""
    values = run.application()
    password = values.get(password_field(flow))
    answers = stored_answers(flow, values)
    try:
        uploads.keep(flow, store, values, now)
    except StoreBusy:
        return BUSY
    audit = AuditEntry("applicant", "submit", data={"decisions": [vars(d) for d in run.decisions]})
    try:
        created = store.create_application(
            flow_id=flow.id, flow_version=flow.version, flow_digest=flow.digest,
            status=flow.initial_status.id, answers=answers, password=password,
            now=now, audit=audit, **stored_columns(flow, source, clock, answers))
    except Duplicate:
        return ALREADY_EXISTS
    except StoreBusy:
        log.warning("store busy while creating an application")
        return BUSY
    documents.changed(store, created.id)
    return created


def amend_application(flow: Flow, store: Store, source: DataSource, clock: Clock, app: Application,
                      row_version: int, values: Mapping[str, Any], status: str, now: datetime) -> Application:
    """Save an applicant's amendment (optimistic locking: raises StaleWrite when the
    application changed meanwhile, Duplicate when it now clashes with another)."""
    answers = stored_answers(flow, values)
    uploads.keep(flow, store, values, now)
    changed = sorted(k for k in answers if answers[k] != app.answers.get(k))
    saved = store.update_application(
        app.id, row_version, now=now, audit=AuditEntry("applicant", "amend", data={"fields": changed}),
        answers=answers, status=status, flow_version=flow.version, flow_digest=flow.digest,
        **stored_columns(flow, source, clock, answers))
    documents.changed(store, saved.id)
    return saved
