"""shenbao.applications: creating and amending applications from the flow, the store and a
clock, no web context (the wizard and account pages are its callers, not its owners)."""
from __future__ import annotations

from engine import Run, answers_from_json
from shenbao.applications import (amend_application, create_application, duplicate_message, indexed, key_of,
                                  password_field, stored_columns, without_secrets)
from webjourney import PASSWORD, Person, apply, application_of

WANG = Person("王晓燕", "20071110822001207", "110108198504120144")


def _finished_run(flow, source, clock, answers):
    """A run at the summary step holding these answers (what the wizard ends with)."""
    state = {"step": flow.steps[-1].id, "answers": answers, "read": [s.id for s in flow.steps]}
    return Run(flow, source, clock, state=state)


def test_create_application__the_same_applicant_again__refused_with_the_gate_message(new_browser, clock, web,
                                                                                      store):
    apply(new_browser(), clock, web, WANG)
    first = application_of(store, WANG)
    answers = {**answers_from_json(web.flow, first.answers), password_field(web.flow): PASSWORD}
    run = _finished_run(web.flow, web.source, web.local_now, answers)
    assert run.complete
    made = create_application(web.flow, store, web.source, web.local_now, run, web.now())
    assert made == duplicate_message(web.flow) == web.flow.application.duplicate_message


def test_stored_columns__the_searched_answers_and_no_secret(new_browser, clock, web, store):
    apply(new_browser(), clock, web, WANG)
    app = application_of(store, WANG)
    columns = stored_columns(web.flow, web.source, web.local_now, app.answers)
    kept = indexed(web.flow)
    assert set(kept) >= set(web.flow.application.unique) | set(web.flow.application.login)
    assert columns["values"] == {k: app.answers.get(k) for k in kept}
    assert columns["identity_key"] == key_of(web.flow, app.answers) == app.identity_key
    assert app.values == {k: str(app.answers[k]) for k in kept if app.answers.get(k) not in (None, "")}
    assert password_field(web.flow) not in app.answers
    assert without_secrets(web.flow, {password_field(web.flow): "x", "email": "a@b.cn"}) == {"email": "a@b.cn"}


def test_amend_application__saved_with_its_audit_and_a_new_version(new_browser, clock, web, store):
    apply(new_browser(), clock, web, WANG)
    app = application_of(store, WANG)
    values = {**answers_from_json(web.flow, app.answers), "mobile": "13800001111"}
    saved = amend_application(web.flow, store, web.source, web.local_now, app, app.row_version, values, app.status,
                              web.now())
    assert saved.row_version > app.row_version and saved.answers["mobile"] == "13800001111"
    entry = store.audit_for(app.id)[-1]
    assert (entry.actor, entry.action, entry.data) == ("applicant", "amend", {"fields": ["mobile"]})
