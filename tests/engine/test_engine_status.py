"""engine.status: what an applicant may change after submitting, and staff transitions."""
from __future__ import annotations

from datetime import datetime

import pytest

from engine import Amendment, MemorySource, allowed_transitions, edit_rights, transition
from engine_flowtest import FakeClock, assert_flow, keys, make_flow

FLOW = make_flow("""
roles: [operator, reviewer, admin]
datasets:
  certificates: {key: [cert_no, id_no], columns: {cert_no: text, id_no: text, name: text, issuer: text}}
  points: {key: [code], columns: {code: text, agency: text, name: text, ends: datetime}}
  plans: {key: [agency], columns: {agency: text, opens: datetime, closes: datetime}}
  applications: {key: [cert_no], columns: {cert_no: text}}
  materials: {key: [code], columns: {code: text, name: text}}
lookups:
  certificate: {dataset: certificates, match: {cert_no: cert_no, id_no: id_no}}
  existing_application: {dataset: applications, match: {cert_no: cert_no}}
  plan: {dataset: plans, match: {agency: agency}}
  chosen_point: {dataset: points, match: {code: point}}
steps:
  - id: identity
    fields:
      - {id: cert_no, type: text, normalize: [nfkc, trim, upper], rules: {required: true}, warnings: [cert_no_standard]}
      - {id: id_no, type: text, normalize: [nfkc, trim, upper], rules: {required: true, cn_resident_id: true}}
    gates:
      - {id: no_existing_application, when: "existing_application is none", message: gate.exists}
  - id: certificate
    fields:
      - {id: name, type: text, prefill: "certificate.name if certificate is not none else none",
         readonly_when: "certificate is not none", rules: {required: true, chinese_name: true}}
      - {id: issuer, type: text, prefill: "certificate.issuer if certificate is not none else none",
         readonly_when: "certificate is not none", rules: {required: true}}
  - id: agency
    fields:
      - {id: agency, type: select, options: [{value: a1, label: o.a1}, {value: a2, label: o.a2}],
         rules: {required: true}}
      - {id: point, type: select, options: {dataset: points, value: code, label: name, filter: "row.agency == agency"},
         rules: {required: true}}
    gates:
      - {id: window_open, when: "plan is not none and plan.opens <= now <= plan.closes", message: gate.window}
  - id: login
    fields:
      - {id: password, type: password, rules: {required: true, password_strength: true}}
      - {id: school, type: text, rules: {required: true, maxlength: 10}}
review_fields:
  - {id: missing_materials, type: checkbox, options: {dataset: materials, value: code, label: name},
     rules: {required: true}}
  - {id: reason, type: textarea, normalize: [trim], rules: {required: true, maxlength: 20}}
statuses:
  submitted:
    message: status.submitted
    initial: true
    applicant_edit:
      steps: [identity, certificate, agency, login]
      when: "chosen_point is not none and now <= chosen_point.ends"
    transitions:
      - {to: confirmed, roles: [operator, admin]}
      - {to: materials_incomplete, roles: [operator, admin], requires: [missing_materials]}
      - {to: wrong_agency, roles: [operator, reviewer, admin]}
  materials_incomplete:
    message: status.materials_incomplete
    shows: [missing_materials]
    transitions: [{to: confirmed, roles: [operator, admin]}]
  wrong_agency:
    message: status.wrong_agency
    applicant_edit:
      fields: [agency, point]
      when: "plan is not none and plan.opens <= now <= plan.closes"
      then: submitted
  confirmed:
    message: status.confirmed
    transitions:
      - {to: failed, roles: [reviewer, admin], requires: [reason]}
      - {to: registered, roles: [reviewer]}
  failed: {message: status.failed, final: true, shows: [reason]}
  registered: {message: status.registered, final: true}
""")

DATA = {
    "certificates": [{"cert_no": "20071110822001207", "id_no": "110108198504120144", "name": "王晓燕",
                      "issuer": "北京市海淀区教育委员会"}],
    "points": [{"code": "p1", "agency": "a1", "name": "一号点", "ends": datetime(2026, 12, 31, 17)},
               {"code": "p2", "agency": "a2", "name": "二号点", "ends": datetime(2026, 12, 31, 17)}],
    "plans": [{"agency": "a1", "opens": datetime(2026, 9, 1), "closes": datetime(2026, 12, 31)},
              {"agency": "a2", "opens": datetime(2026, 9, 1), "closes": datetime(2026, 12, 31)}],
    "applications": [],
    "materials": [{"code": "contract", "name": "聘用合同"}, {"code": "ethics", "name": "师德表现证明"}],
}
NOW = datetime(2026, 11, 29, 9, 0)
TYPED_IN = {"cert_no": "20991110822009999", "id_no": "11010519491231002X", "name": "林秀英", "issuer": "某教育局",
            "agency": "a1", "point": "p1", "password": "abc12345#", "school": "实验小学"}


def submitted(answers=TYPED_IN, data=DATA):
    """The application as the run hands it over (registry data applied), filled in through the run."""
    run = assert_flow(FLOW, [
        {"answers": {k: answers[k] for k in ("cert_no", "id_no")}, "expect_step": "certificate"},
        {"answers": {k: answers[k] for k in ("name", "issuer")}, "expect_step": "agency"},
        {"answers": {k: answers[k] for k in ("agency", "point")}, "expect_step": "login"},
        {"answers": {k: answers[k] for k in ("password", "school")}, "expect_step": "done"},
    ], data=data, now=NOW)
    return run.application()


def amendment(status, answers=None, now=NOW, data=DATA):
    answers = answers or submitted()
    return Amendment(FLOW, answers, status, MemorySource(data), FakeClock(now),
                     own={"applications": {"cert_no": answers["cert_no"]}})


# -- edit rights ----------------------------------------------------------------------------
def test_edit_rights__submitted_before_point_closes__every_input_but_the_password():
    rights = amendment("submitted").rights
    assert rights.allowed and rights.then is None
    assert rights.fields == {"cert_no", "id_no", "name", "issuer", "agency", "point", "school"}


def test_edit_rights__from_the_flows_editable_inputs_worked_out_once():
    """Flow.editable_inputs: every input but the secret ones, kept with the flow (edit_rights runs
    on every dashboard); a status's applicant_edit picks among them."""
    inputs = {f.id for f in FLOW.fields.values() if f.is_input and not f.secret}
    assert FLOW.editable_inputs == inputs and "password" not in FLOW.editable_inputs
    assert FLOW.editable_inputs is FLOW.editable_inputs
    assert amendment("submitted").rights.fields <= FLOW.editable_inputs


def test_edit_rights__submitted_after_point_closes__nothing():
    rights = amendment("submitted", now=datetime(2026, 12, 31, 17, 1)).rights
    assert not rights.allowed and rights.fields == frozenset()


def test_edit_rights__status_without_applicant_edit__nothing_and_submit_refused():
    am = amendment("confirmed")
    assert not am.rights.allowed
    result = am.submit({"school": "新学校"})
    assert not result.saved and keys(result.problems) == ["None:edit_not_allowed"]
    assert result.status == "confirmed" and result.answers["school"] == "实验小学"


def test_edit_rights__function_matches_the_amendment():
    answers = submitted()
    rights = edit_rights(FLOW, "wrong_agency", answers, MemorySource(DATA), NOW)
    assert rights.fields == {"agency", "point"} and rights.then == "submitted"


def test_edit_rights__wrong_agency_after_window__nothing():
    assert not amendment("wrong_agency", now=datetime(2027, 1, 1)).rights.allowed


# -- amending -------------------------------------------------------------------------------
def test_amend__school_changed__saved_same_status():
    answers = submitted()
    result = amendment("submitted", answers).submit({**answers, "school": "新学校"})
    assert result.saved and result.status == "submitted" and result.answers["school"] == "新学校"


def test_amend__views_only_steps_with_editable_fields():
    assert [v.step for v in amendment("submitted").view()] == ["identity", "certificate", "agency", "login"]
    assert [v.step for v in amendment("wrong_agency").view()] == ["agency"]


def test_amend__bad_value__refused_with_the_same_codes_as_the_run():
    answers = submitted()
    result = amendment("submitted", answers).submit({**answers, "school": "一所名字非常非常长的学校", "id_no": "1"})
    assert not result.saved
    assert keys(result.problems) == ["id_no:id_format", "school:maxlength"]


def test_amend__nonstandard_cert_no__warns_then_saves_when_confirmed():
    answers = submitted()
    am = amendment("submitted", answers)
    result = am.submit({**answers, "cert_no": "2000370100"})
    assert not result.saved and keys(result.warnings) == ["cert_no:cert_no_standard"]
    result = am.submit({**answers, "cert_no": "2000370100"}, confirm=["cert_no:cert_no_standard"])
    assert result.saved and result.answers["cert_no"] == "2000370100"


def test_amend__cert_changed_to_one_in_the_registry__typed_in_data_replaced_by_the_registry():
    answers = submitted()
    assert answers["name"] == "林秀英" and answers["issuer"] == "某教育局"
    result = amendment("submitted", answers).submit(
        {**answers, "cert_no": "20071110822001207", "id_no": "110108198504120144", "name": "乱填", "issuer": "乱填"})
    assert result.saved, (result.problems, result.gates)
    assert result.answers["name"] == "王晓燕" and result.answers["issuer"] == "北京市海淀区教育委员会"
    views = {f.id: f for v in amendment("submitted", dict(result.answers)).view() for s in v.sections
             for f in s.fields}
    assert views["name"].readonly and views["issuer"].readonly


def test_amend__own_application__does_not_trip_the_existing_application_gate():
    answers = submitted()
    data = {**DATA, "applications": [{"cert_no": answers["cert_no"]}]}
    result = amendment("submitted", answers, data=data).submit({**answers, "school": "新学校"})
    assert result.saved, result.gates


def test_amend__wrong_agency_fixed__goes_back_to_submitted():
    answers = submitted()
    result = amendment("wrong_agency", answers).submit({"agency": "a2", "point": "p2"})
    assert result.saved and result.status == "submitted"
    assert (result.answers["agency"], result.answers["point"]) == ("a2", "p2")


def test_amend__wrong_agency__point_of_the_old_agency_refused():
    answers = submitted()
    result = amendment("wrong_agency", answers).submit({"agency": "a2", "point": "p1"})
    assert not result.saved and keys(result.problems) == ["point:not_an_option"]
    assert result.status == "wrong_agency"


def test_amend__wrong_agency__other_fields_sent_are_ignored():
    answers = submitted()
    result = amendment("wrong_agency", answers).submit({"agency": "a2", "point": "p2", "school": "偷改"})
    assert result.saved and result.answers["school"] == "实验小学"


def test_amend__password__never_editable_here():
    answers = submitted()
    result = amendment("submitted", answers).submit({**answers, "password": "new12345#"})
    assert result.saved and result.answers["password"] == answers["password"]


# -- transitions ----------------------------------------------------------------------------
def move(status, to, role, inputs=None):
    return transition(FLOW, status, to, role, inputs or {}, MemorySource(DATA), NOW)


def test_transition__allowed_role__allowed():
    assert move("submitted", "confirmed", "operator").allowed


@pytest.mark.parametrize("status, to, role", [
    ("submitted", "confirmed", "reviewer"),      # role not listed
    ("submitted", "registered", "admin"),        # no such transition
    ("registered", "confirmed", "admin"),        # final status
    ("confirmed", "registered", "admin"),        # admin not listed on this one
    ("nonexistent", "confirmed", "admin"),
])
def test_transition__not_in_the_catalogue__refused(status, to, role):
    result = move(status, to, role)
    assert not result.allowed and keys(result.problems) == ["None:transition_not_allowed"]


def test_transition__required_review_field_missing__refused():
    result = move("submitted", "materials_incomplete", "operator", {})
    assert not result.allowed and keys(result.problems) == ["missing_materials:required"]


def test_transition__required_checkbox_empty_list__refused():
    result = move("submitted", "materials_incomplete", "operator", {"missing_materials": []})
    assert not result.allowed and keys(result.problems) == ["missing_materials:required"]


def test_transition__review_values_checked_like_answers():
    result = move("submitted", "materials_incomplete", "operator", {"missing_materials": ["contract", "diploma"]})
    assert keys(result.problems) == ["missing_materials:not_an_option"]
    result = move("confirmed", "failed", "reviewer", {"reason": "x" * 21})
    assert keys(result.problems) == ["reason:maxlength"] and result.problems[0].params == {"max": 20}
    result = move("confirmed", "failed", "reviewer", {"reason": "  材料不实  "})
    assert result.allowed and result.inputs == {"reason": "材料不实"}


def test_transition__inputs_not_required_by_the_move__dropped():
    result = move("submitted", "confirmed", "operator", {"reason": "无关"})
    assert result.allowed and dict(result.inputs) == {}


def test_allowed_transitions__by_role():
    assert allowed_transitions(FLOW, "submitted", "reviewer") == ["wrong_agency"]
    assert allowed_transitions(FLOW, "confirmed", "reviewer") == ["failed", "registered"]
    assert allowed_transitions(FLOW, "registered", "admin") == []


def test_amend__recheck_gate_of_a_step_not_edited__checked_at_every_modification():
    flow = make_flow("""
    datasets:
      plans: {key: [agency], columns: {agency: text, closes: datetime}}
    lookups:
      plan: {dataset: plans, match: {agency: agency}}
    steps:
      - id: agency
        fields: [{id: agency, type: text}]
        gates: [{id: window_open, when: "plan is not none and now <= plan.closes", message: gate.window_open,
                 recheck: submit}]
      - id: contact
        fields: [{id: phone, type: text}]
    statuses:
      submitted: {message: status.submitted, initial: true, applicant_edit: {fields: [phone]},
                  transitions: [{to: done, roles: [admin]}]}
      done: {message: status.done, final: true}
    roles: [admin]
    """)
    source = MemorySource({"plans": [{"agency": "a1", "closes": datetime(2026, 11, 29, 17, 0)}]})
    answers = {"agency": "a1", "phone": "1"}
    before = Amendment(flow, answers, "submitted", source, FakeClock(datetime(2026, 11, 29, 16, 0)))
    assert before.submit({"phone": "2"}).saved
    after = Amendment(flow, answers, "submitted", source, FakeClock(datetime(2026, 11, 29, 17, 5)))
    result = after.submit({"phone": "2"})
    assert not result.saved and [g.id for g in result.gates] == ["window_open"]
