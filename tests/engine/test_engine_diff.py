"""engine.diff: what changed between two flows, and whom it touches."""
from __future__ import annotations

from engine.diff import DRAFTS, SAFE, SUBMITTED, diff_flows, worst
from engine_flowtest import make_flow

BASE = """
flow: {id: f, version: "1", title: flow.title}
roles: [clerk]
steps:
  - id: terms
    kind: form
    title: step.terms.title
    fields:
      - id: accept
        type: radio
        options: [{value: accept, label: option.accept}, {value: decline, label: option.decline}]
        rules: {required: true}
    gates:
      - {id: accepted, when: "accept == 'accept'", message: gate.terms_accepted}
  - id: about
    kind: form
    title: step.application.title
    fields:
      - {id: name, type: text, rules: {maxlength: 30}}
  - id: done
    kind: summary
    title: step.done.title
statuses:
  submitted:
    message: status.submitted
    initial: true
    transitions: [{to: checked, roles: [clerk]}, {to: refused, roles: [clerk]}]
  checked: {message: status.confirmed, final: true}
  refused: {message: status.failed, final: true}
"""


def changes(edited: str) -> list[tuple[str, str]]:
    return [(c.code, c.impact) for c in diff_flows(make_flow(BASE), make_flow(edited))]


def test_diff__same_meaning_other_text__no_changes():
    assert changes(BASE.replace("flow:", "# a comment\nflow:")) == []


def test_diff__new_required_field__touches_submitted_applications():
    edited = BASE.replace("      - {id: name, type: text, rules: {maxlength: 30}}",
                          "      - {id: name, type: text, rules: {maxlength: 30}}\n"
                          "      - {id: phone, type: text, rules: {required: true}}")
    assert changes(edited) == [("field_added_required", SUBMITTED)]


def test_diff__new_optional_field_and_option__safe():
    edited = BASE.replace("      - {id: name, type: text, rules: {maxlength: 30}}",
                          "      - {id: name, type: text, rules: {maxlength: 30}}\n      - {id: phone, type: text}") \
        .replace("{value: decline, label: option.decline}]",
                 "{value: decline, label: option.decline}, {value: later, label: option.male}]")
    found = changes(edited)
    assert sorted(found) == [("field_added", SAFE), ("option_added", SAFE)] and worst(
        diff_flows(make_flow(BASE), make_flow(edited))) == SAFE


def test_diff__removed_option_status_and_stricter_rule__touch_submitted():
    edited = BASE.replace(", {value: decline, label: option.decline}", "") \
        .replace("{maxlength: 30}", "{maxlength: 20}") \
        .replace(", {to: refused, roles: [clerk]}", "").replace("  refused: {message: status.failed, final: true}\n", "")
    assert sorted(changes(edited)) == sorted([("option_removed", SUBMITTED), ("rule_changed", SUBMITTED),
                                              ("transition_removed", SUBMITTED), ("status_removed", SUBMITTED)])


def test_diff__gate_changed_and_looser_rule__drafts_and_safe():
    edited = BASE.replace("accept == 'accept'", "accept in ['accept']").replace("{maxlength: 30}", "{maxlength: 40}")
    assert sorted(changes(edited)) == [("gate_changed", DRAFTS), ("rule_changed", SAFE)]


def test_diff__labels_and_roles():
    edited = BASE.replace("step.application.title", "step.identity.title").replace("[clerk]}", "[clerk, head]}") \
        .replace("roles: [clerk]\n", "roles: [clerk, head]\n")
    assert sorted(changes(edited)) == sorted([("step_text", SAFE), ("role_added", SAFE),
                                              ("transition_changed", SUBMITTED), ("transition_changed", SUBMITTED)])


def test_diff_messages__added_removed_changed__by_key_and_safe():
    from engine.diff import diff_messages

    old = {"a.kept": "同", "b.changed": "旧文字", "c.removed": "删掉的"}
    new = {"a.kept": "同", "b.changed": "新文字", "d.added": "新增的"}
    found = [(c.code, c.impact, dict(c.params)) for c in diff_messages(old, new)]
    assert found == [("message_changed", SAFE, {"message": "b.changed", "old": "旧文字", "new": "新文字"}),
                     ("message_removed", SAFE, {"message": "c.removed", "old": "删掉的"}),
                     ("message_added", SAFE, {"message": "d.added", "new": "新增的"})]
    assert diff_messages(old, dict(old)) == []
