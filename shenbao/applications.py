"""Creating and amending applications: the application layer's part of the applicant's work.

Functions of the flow, the store (or the engine's DataSource) and the clock; no web
context, no request. The web wizard and account pages call them; so can any other
renderer. The engine checks the answers; the store keeps them (hashing the password);
this module decides what is kept beside the answers (the searched columns, the photo)
and that no secret field is ever kept or sent back.
"""
from __future__ import annotations

import logging
from datetime import date, datetime
from typing import Any, Mapping

from engine import Clock, DataSource, Flow, Run, StepView, check_field_value, to_json
from store import (APPLICATIONS, Application, AuditEntry, Duplicate, Listed, Store, StoreBusy, identity_key,
                   name_key)

from . import documents, uploads

log = logging.getLogger("shenbao.applications")

# Why a finished run was not stored when the flow names no `identity.duplicate_message`.
ALREADY_EXISTS = "application.duplicate"
BUSY = "busy"


def indexed(flow: Flow) -> tuple[str, ...]:
    """The answers the store keeps searchable: identity, display name, recovery e-mail,
    the declared `searchable` ones and the answers roles bind through."""
    return flow.application.searchable


def bound_answers(flow: Flow) -> list[str]:
    """The answers roles bind through (the staff's scopes)."""
    return sorted({b.answer for b in flow.bindings.values() if b is not None})


def tallied(flow: Flow) -> list[str]:
    """What the staff counts are kept by (store/tallies.py): the answers roles bind through,
    and the display name's first two characters (the total of a two-character name search,
    the common one, in a scope or not)."""
    name = flow.application.display_name
    return bound_answers(flow) + ([name_key(name)] if name else [])


def duplicate_message(flow: Flow) -> str:
    """The message key shown when the identity fields are taken."""
    return flow.application.duplicate_message or ALREADY_EXISTS


def key_of(flow: Flow, answers: Mapping[str, Any]) -> str:
    """The application's identity key: the flow's `identity.unique` answers."""
    return identity_key([str(answers.get(f) or "") for f in flow.application.unique])


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
    """What the store keeps beside the answers: the identity key, the searchable values,
    and the photo shown by the flow's photo field (the registry's, when one was found)."""
    columns: dict[str, Any] = {"identity_key": key_of(flow, answers),
                               "values": {k: answers.get(k) for k in indexed(flow)}}
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
    Returns the application, or why not: the flow's duplicate message key, or BUSY."""
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
            status=flow.initial_status.id, answers=answers, password=password, numbering=flow.application.number,
            now=now, audit=audit, **stored_columns(flow, source, clock, answers))
    except Duplicate:
        return duplicate_message(flow)
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


def identity_values(flow: Flow, names: tuple[str, ...], typed: Mapping[str, Any], today: date) -> dict[str, str]:
    """What an applicant typed for the identity fields `names` (login or recovery), as
    the flow's normalisers make it (so it compares with the kept values)."""
    found = {}
    for fid in names:
        value, _problems = check_field_value(flow, fid, typed.get(fid) or None, today)
        found[fid] = "" if value is None else str(value)
    return found


def find_by_identity(store: Store, values: Mapping[str, str]) -> Application | None:
    """The application whose kept values are all `values` (None when one is empty)."""
    if not values or not all(values.values()):
        return None
    return store.find_application(values=values)


def own_rows(flow: Flow, app: Application) -> dict[str, dict[str, Any]]:
    """The application's own row of the builtin `applications` dataset, by its unique
    fields: an amendment's lookups must not find the application itself."""
    return {APPLICATIONS: {f: app.values.get(f) for f in flow.application.unique}}


def display_name(flow: Flow, app: Application | Listed) -> str:
    """How staff and mails address the applicant (the flow's `display_name` answer; in a list,
    `Listed`, its kept value: the flow keeps the display name, and a name search matches it)."""
    field = flow.application.display_name
    if not field:
        return app.application_no
    return str((app.answers if isinstance(app, Application) else app.values).get(field) or "")


def recovery_email(flow: Flow, app: Application) -> str | None:
    """Where a password-reset link goes (the flow's `recovery_email` answer), if any."""
    field = flow.application.recovery_email
    return (app.values.get(field) or None) if field else None


def demo_defaults(flow: Flow) -> dict[str, Any]:
    """What store.load_demo needs to turn the demo `applications` rows into applications."""
    return {"flow_id": flow.id, "flow_version": flow.version, "flow_digest": flow.digest,
            "status": flow.initial_status.id, "numbering": flow.application.number,
            "unique": flow.application.unique}
