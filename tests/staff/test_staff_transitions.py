"""Every move of the flow's status catalogue, for every role, over HTTP: the buttons on an
application's page are exactly `allowed_transitions`, a forged move is refused with a
message and changes nothing, and each allowed move is seen by the applicant (status
message, missing materials by name, reason) and recorded in the audit log."""
from __future__ import annotations

import pytest

from engine import allowed_transitions
from staffsupport import (AT_JINXIU, FLOW, FOR_JINXIU, applicant_dashboard, applied, bring_to, buttons, clone,
                          inputs_for, make_staff, move, staff_browser)

ROLES = sorted(FOR_JINXIU)
ALLOWED = [(status.id, t.to, role) for status in FLOW.statuses.values() for t in status.transitions
           for role in sorted(t.roles)]


def test_catalogue__has_moves_for_every_role():
    assert {role for _f, _t, role in ALLOWED} == set(FLOW.roles) == set(ROLES)


@pytest.mark.parametrize("status", list(FLOW.statuses))
def test_moves__from_each_status__buttons_are_the_flows_and_nothing_else_passes(status, new_browser, clock, web,
                                                                                 store):
    make_staff(store)
    first = applied(new_browser, clock, web, store, AT_JINXIU)
    app = bring_to(store, first, status)
    for role in ROLES:
        b = staff_browser(new_browser, FOR_JINXIU[role])
        b.get(f"/staff/applications/{app.id}")
        assert buttons(b) == allowed_transitions(FLOW, status, role), role
        if not buttons(b):
            key = "staff.app.no_moves_final" if FLOW.statuses[status].final else "staff.app.no_moves"
            assert web.t(key) in b.text
        for to in FLOW.statuses:
            if to in allowed_transitions(FLOW, status, role):
                continue
            move(b, app, to, status=403, **inputs_for(status, to))
            expected = web.t("problem.transition_not_allowed", role=web.t(f"staff.role.{role}"),
                             **{"from": web.t(FLOW.statuses[status].message), "to": web.t(FLOW.statuses[to].message)})
            assert expected in b.summary(), (role, to, b.summary())
            assert store.get_application(app.id).status == status
        move(b, app, "no_such_status", status=403)
    assert store.get_application(app.id).row_version == app.row_version   # nothing was written


@pytest.mark.parametrize("role", ROLES)
def test_moves__every_allowed_move_of_a_role__done_and_seen_by_the_applicant(role, new_browser, clock, web, store):
    staff = make_staff(store)
    first = applied(new_browser, clock, web, store, AT_JINXIU)
    mine = [(f, t) for f, t, r in ALLOWED if r == role]
    b = staff_browser(new_browser, FOR_JINXIU[role])
    for n, (status, to) in enumerate(mine):
        app, person = clone(store, first, n + 1)
        app = bring_to(store, app, status)
        move(b, app, to, **inputs_for(status, to))
        assert web.t("staff.move.done", status=web.t(FLOW.statuses[to].message)) in b.notices(), b.summary()
        saved = store.get_application(app.id)
        assert saved.status == to and saved.row_version == app.row_version + 1
        entry = store.audit_for(app.id)[-1]
        assert (entry.actor, entry.action, entry.from_status, entry.to_status) == (
            f"staff:{staff[FOR_JINXIU[role]].username}", "transition", status, to)
        assert entry.reason == inputs_for(status, to).get("reason")
        seen = applicant_dashboard(new_browser, person)
        assert web.t(FLOW.statuses[to].message) in seen.text
        if "missing_materials" in FLOW.statuses[to].shows:
            assert web.t("field.missing_materials.label") in seen.text
            assert "聘用合同" in seen.text and "培训学时证明（360学时）" in seen.text
        if "reason" in FLOW.statuses[to].shows:
            assert "培训学时不足360学时。" in seen.text
    assert len(mine) == sum(1 for _f, _t, r in ALLOWED if r == role)


def test_moves__required_review_fields__refused_with_the_fields_message(new_browser, clock, web, store):
    make_staff(store)
    app = applied(new_browser, clock, web, store, AT_JINXIU)
    b = staff_browser(new_browser, "jinxiu")
    move(b, app, "materials_incomplete", status=422)                      # nothing ticked
    assert web.t("problem.required.select", label=web.t("field.missing_materials.label")) in b.text
    move(b, app, "materials_incomplete", status=422, missing_materials=["id_card_copy"])
    assert web.t("problem.not_an_option", label=web.t("field.missing_materials.label")) in b.text
    assert store.get_application(app.id).status == "submitted"
    app = bring_to(store, store.get_application(app.id), "confirmed")
    r = staff_browser(new_browser, "haidian")
    move(r, app, "deferred", status=422, reason="   ")
    assert web.t("problem.required", label=web.t("field.reason.label")) in r.text
    move(r, app, "failed", status=422, reason="x" * 501)
    assert 'id="failed__reason"' in r.html and "x" * 501 in r.html      # what was typed is kept
    assert store.get_application(app.id).status == "confirmed"


def test_moves__someone_else_moved_first__second_refused_not_overwritten(new_browser, clock, web, store):
    make_staff(store)
    app = applied(new_browser, clock, web, store, AT_JINXIU)
    one, two = staff_browser(new_browser, "jinxiu"), staff_browser(new_browser, "admin")
    move(one, app, "confirmed")
    move(two, app, "materials_incomplete", status=409, row_version=app.row_version, **inputs_for("submitted",
                                                                                                 "materials_incomplete"))
    assert web.t("staff.move.stale") in two.summary()
    assert web.t("status.confirmed") in two.text                    # the page shows what is true now
    assert store.get_application(app.id).status == "confirmed"
    assert [e.to_status for e in store.audit_for(app.id) if e.action == "transition"] == ["confirmed"]


def test_moves__applicant_amended_meanwhile__staff_move_refused(new_browser, clock, web, store):
    make_staff(store)
    app = applied(new_browser, clock, web, store, AT_JINXIU)
    b = staff_browser(new_browser, "jinxiu")
    b.get(f"/staff/applications/{app.id}")
    store.update_application(app.id, app.row_version, answers={**app.answers, "mobile": "13800000000"})
    move(b, app, "confirmed", status=409)
    assert store.get_application(app.id).status == "submitted"
