"""engine.run: the applicant's run through a flow, written as policy authors think of it."""
from __future__ import annotations

import json
from datetime import date, datetime

import pytest

from engine import ExpressionFailed, MemorySource, Run
from engine_flowtest import FakeClock, assert_flow, make_flow, make_run

IDENTITY = """
steps:
  - id: identity
    fields:
      - {id: cert_no, type: text, normalize: [nfkc, trim, upper], rules: {required: true, regex: "^[0-9A-Z]+$"},
         warnings: [cert_no_standard]}
      - {id: id_no, type: text, normalize: [nfkc, trim, upper], rules: {required: true, cn_resident_id: true}}
"""


# -- rules and normalisation seen through a step ------------------------------------------
def test_identity__empty_step__every_required_field_is_reported():
    assert_flow(IDENTITY, [{"answers": {}, "expect_problems": ["cert_no:required", "id_no:required"]}])


def test_identity__bad_checksum__refused_with_id_checksum():
    assert_flow(IDENTITY, [{"answers": {"cert_no": "20071110822001207", "id_no": "110105194912310021"},
                            "expect_problems": ["id_no:id_checksum"], "expect_step": "identity"}])


def test_identity__fullwidth_digits_and_lower_x__normalised_then_accepted():
    assert_flow(IDENTITY, [{"answers": {"cert_no": " ２００７１１１０８２２００１２０７ ", "id_no": "11010519491231002x"},
                            "expect_step": "done",
                            "expect_answers": {"cert_no": "20071110822001207", "id_no": "11010519491231002X"}}])


def test_identity__refused_step__keeps_what_was_typed_for_the_next_try():
    run = assert_flow(IDENTITY, [{"answers": {"cert_no": "20071110822001207", "id_no": "1101"},
                                  "expect_problems": ["id_no:id_format"],
                                  "expect_fields": {"cert_no": {"value": "20071110822001207"},
                                                    "id_no": {"value": "1101"}}}])
    assert run.answers["cert_no"] == "20071110822001207"


def test_text__emoji__refused_and_raw_input_shown_back():
    flow = "steps: [{id: s, fields: [{id: school, type: text, normalize: [nfkc, trim]}]}]"
    run = assert_flow(flow, [{"answers": {"school": "实验小学😀"}, "expect_problems": ["school:unsupported_chars"],
                              "expect_fields": {"school": {"value": None, "raw": "实验小学😀"}}}])
    assert_flow(flow, [{"answers": {"school": "实验小学"}, "expect_step": "done"}], run=run)
    assert run.view().fields == ()  # summary step shows no fields


def test_text__a_bad_character_among_characters_seen_before__still_refused():
    """engine.normalize keeps the characters it found usable (each is looked up once); a value of
    those with one it has not seen, or one it refuses, is looked at again and refused."""
    flow = "steps: [{id: s, fields: [{id: school, type: text, normalize: [trim]}]}]"
    run = assert_flow(flow, [{"answers": {"school": "实验小学"}, "expect_step": "done"}])
    assert run.answers["school"] == "实验小学"
    for bad in ("实验\u200b小学", "实验小学\u4db6", "实验\x00小学"):
        assert_flow(flow, [{"answers": {"school": bad}, "expect_problems": ["school:unsupported_chars"]}])


def test_date__typed_several_ways__all_parse_to_the_same_date():
    flow = "steps: [{id: s, fields: [{id: d, type: date, rules: {required: true, not_future: true}}]}]"
    for typed in ("2015-09-01", "2015/9/1", "2015年9月1日", "20150901", "２０１５－０９－０１"):
        assert_flow(flow, [{"answers": {"d": typed}, "expect_answers": {"d": date(2015, 9, 1)}}])


def test_date__tomorrow__refused_as_future_by_the_injected_clock():
    flow = "steps: [{id: s, fields: [{id: d, type: date, rules: {not_future: true}}]}]"
    assert_flow(flow, [{"answers": {"d": "2026-11-30"}, "expect_problems": ["d:not_future"]}],
                now=datetime(2026, 11, 29, 23, 59))
    assert_flow(flow, [{"answers": {"d": "2026-11-30"}, "expect_step": "done"}], now=datetime(2026, 11, 30, 0, 1))


def test_dates__employment_before_work_start__refused_on_the_later_field():
    flow = """
    steps:
      - id: s
        fields:
          - {id: work_start, type: date}
          - {id: employment_start, type: date, rules: {not_before_field: work_start}}
    """
    assert_flow(flow, [{"answers": {"work_start": "2010-09-01", "employment_start": "2009-09-01"},
                        "expect_problems": ["employment_start:not_before_field"]},
                       {"answers": {"work_start": "2010-09-01", "employment_start": "2010-09-01"},
                        "expect_step": "done"}])


def test_password__confirmation_differs__refused_on_the_confirmation():
    flow = """
    steps:
      - id: login
        fields:
          - {id: password, type: password, rules: {required: true, password_strength: true}}
          - {id: password_confirm, type: password, rules: {required: true, equals_field: password}}
    """
    assert_flow(flow, [{"answers": {"password": "abc12345#", "password_confirm": "abc12345$"},
                        "expect_problems": ["password_confirm:equals_field"]},
                       {"answers": {"password": "abc12345", "password_confirm": "abc12345"},
                        "expect_problems": ["password:password_strength"]},
                       {"answers": {"password": "abc12345#", "password_confirm": "abc12345#"},
                        "expect_step": "done"}])


def test_password__spaces_around__kept_as_typed():
    flow = "steps: [{id: s, fields: [{id: password, type: password, normalize: [trim], rules: {password_strength: true}}]}]"
    run = assert_flow(flow, [{"answers": {"password": " abc12345# "}, "expect_step": "done"}])
    assert run.answers["password"] == " abc12345# "


def test_choice__value_not_offered__refused_as_not_an_option():
    flow = """
    steps:
      - id: s
        fields:
          - {id: gender, type: radio, options: [{value: male, label: option.male}, {value: female, label: option.female}]}
    """
    assert_flow(flow, [{"answers": {"gender": "other"}, "expect_problems": ["gender:not_an_option"]},
                       {"answers": {"gender": "female"}, "expect_step": "done"}])


def test_choice__dataset_options_filtered_by_an_earlier_answer():
    flow = """
    datasets:
      subjects: {key: [code], columns: {code: text, name: text, stage: text}}
    steps:
      - id: s1
        fields: [{id: stage, type: select, options: [{value: primary, label: o.p}, {value: junior, label: o.j}]}]
      - id: s2
        fields:
          - {id: subject, type: select, rules: {required: true},
             options: {dataset: subjects, value: code, label: name, filter: "row.stage == stage"}}
    """
    data = {"subjects": [{"code": "primary_math", "name": "小学数学", "stage": "primary"},
                         {"code": "junior_math", "name": "初中数学", "stage": "junior"}]}
    run = assert_flow(flow, [{"answers": {"stage": "primary"}, "expect_step": "s2"},
                             {"answers": {"subject": "junior_math"}, "expect_problems": ["subject:not_an_option"]}],
                      data=data)
    assert [o.value for o in run.view().fields[0].options] == ["primary_math"]
    assert_flow(flow, [{"answers": {"subject": "primary_math"}, "expect_step": "done"}], run=run)


def test_checkbox__several_values__kept_as_a_list():
    flow = """
    steps:
      - id: s
        fields:
          - {id: materials, type: checkbox, options: [{value: a, label: o.a}, {value: b, label: o.b}]}
    """
    assert_flow(flow, [{"answers": {"materials": ["a", "x"]}, "expect_problems": ["materials:not_an_option"]},
                       {"answers": {"materials": ["a", "b"]}, "expect_answers": {"materials": ["a", "b"]}}])


# -- warnings that ask for confirmation ---------------------------------------------------
def test_cert_no__nonstandard_length__asks_to_confirm_then_continues():
    run = assert_flow(IDENTITY, [
        {"answers": {"cert_no": "200037010088", "id_no": "370102197410011110"},
         "expect_warnings": ["cert_no:cert_no_standard"], "expect_step": "identity"},
        {"answers": {"cert_no": "200037010088", "id_no": "370102197410011110"},
         "confirm": ["cert_no:cert_no_standard"], "expect_step": "done"},
    ])
    [decision] = run.decisions
    assert (decision.key, decision.value, decision.choice) == ("cert_no:cert_no_standard", "200037010088", "continue")


def test_cert_no__confirmed_then_changed__asks_again_for_the_new_value():
    run = assert_flow(IDENTITY + """
  - id: next
    fields: [{id: other, type: text}]
""", [
        {"answers": {"cert_no": "200037010088", "id_no": "370102197410011110"},
         "confirm": ["cert_no:cert_no_standard"], "expect_step": "next"},
        {"back": True, "expect_step": "identity"},
        {"answers": {"cert_no": "200037010088", "id_no": "370102197410011110"}, "expect_step": "next"},
        {"back": True},
        {"answers": {"cert_no": "2000370100", "id_no": "370102197410011110"},
         "expect_warnings": ["cert_no:cert_no_standard"]},
    ])
    assert run.state()["confirmed"] == {"cert_no:cert_no_standard": "200037010088"}


def test_cert_no__warning_and_problem_together__problem_first_warning_later():
    assert_flow(IDENTITY, [
        {"answers": {"cert_no": "200037010088", "id_no": "1"}, "expect_problems": ["id_no:id_format"]},
        {"answers": {"cert_no": "200037010088", "id_no": "370102197410011110"},
         "expect_warnings": ["cert_no:cert_no_standard"]},
    ])


def test_cert_no__standard_lengths__no_warning():
    for cert_no in ("981110522175425", "20071110822001207"):
        assert_flow(IDENTITY, [{"answers": {"cert_no": cert_no, "id_no": "11010519491231002X"}, "expect_step": "done"}])


def test_decline__records_the_choice_to_fix():
    run = assert_flow(IDENTITY, [{"answers": {"cert_no": "2000370100", "id_no": "11010519491231002X"},
                                  "expect_warnings": ["cert_no:cert_no_standard"]}])
    run.decline("cert_no:cert_no_standard")
    assert [(d.key, d.choice) for d in run.decisions] == [("cert_no:cert_no_standard", "fix")]


# -- gates and lookups --------------------------------------------------------------------
CERT_FLOW = """
datasets:
  certificates: {key: [cert_no, id_no], columns: {cert_no: text, id_no: text, name: text, state: text,
                 banned_until: date}}
  applications: {key: [cert_no], columns: {cert_no: text}}
lookups:
  certificate: {dataset: certificates, match: {cert_no: cert_no, id_no: id_no}}
  existing_application: {dataset: applications, match: {cert_no: cert_no}}
steps:
  - id: identity
    fields:
      - {id: cert_no, type: text, rules: {required: true}}
      - {id: id_no, type: text, normalize: [nfkc, upper], rules: {required: true, cn_resident_id: true}}
    gates:
      - {id: no_existing_application, when: "existing_application is none", message: gate.exists}
      - {id: not_revoked, when: "certificate is none or certificate.state != 'revoked'", message: gate.revoked}
      - id: not_banned
        when: "certificate is none or certificate.banned_until is none or today > certificate.banned_until"
        message: gate.banned
        params: {until: certificate.banned_until}
  - id: details
    fields:
      - {id: name, type: text, prefill: "certificate.name if certificate is not none else none",
         readonly_when: "certificate is not none", rules: {required: true, chinese_name: true}}
"""
CERT_DATA = {
    "certificates": [
        {"cert_no": "1001", "id_no": "11010519491231002X", "name": "林秀英", "state": "valid", "banned_until": None},
        {"cert_no": "1002", "id_no": "34052419800101001X", "name": "何俊峰", "state": "revoked", "banned_until": None},
        {"cert_no": "1003", "id_no": "440524188001010014", "name": "黄伯庸", "state": "valid",
         "banned_until": date(2030, 6, 30)},
    ],
    "applications": [{"cert_no": "2001"}],
}


@pytest.mark.parametrize("cert_no, id_no, gate", [
    ("2001", "11010519491231002X", "no_existing_application"),
    ("1002", "34052419800101001X", "not_revoked"),
    ("1003", "440524188001010014", "not_banned"),
])
def test_identity__registry_says_no__stopped_by_the_matching_gate(cert_no, id_no, gate):
    assert_flow(CERT_FLOW, [{"answers": {"cert_no": cert_no, "id_no": id_no}, "expect_gates": [gate],
                             "expect_step": "identity"}], data=CERT_DATA)


def test_identity__ban_over__gate_passes_the_day_after():
    steps = [{"answers": {"cert_no": "1003", "id_no": "440524188001010014"}}]
    assert_flow(CERT_FLOW, [{**steps[0], "expect_gates": ["not_banned"],
                             "expect_gate_params": {"not_banned": {"until": date(2030, 6, 30)}}}],
                data=CERT_DATA, now=datetime(2030, 6, 30, 12))
    assert_flow(CERT_FLOW, [{**steps[0], "expect_step": "details"}], data=CERT_DATA, now=datetime(2030, 7, 1))


def test_details__certificate_found__prefilled_readonly_and_typed_value_ignored():
    assert_flow(CERT_FLOW, [
        {"answers": {"cert_no": "1001", "id_no": "11010519491231002X"}, "expect_step": "details",
         "expect_fields": {"name": {"value": "林秀英", "readonly": True, "required": True}}},
        {"answers": {"name": "冒名顶替"}, "expect_step": "done", "expect_answers": {"name": "林秀英"}},
    ], data=CERT_DATA)


def test_details__certificate_not_found__typed_in_and_checked():
    assert_flow(CERT_FLOW, [
        {"answers": {"cert_no": "9999", "id_no": "11010519491231002X"}, "expect_step": "details",
         "expect_fields": {"name": {"value": None, "readonly": False}}},
        {"answers": {"name": "<b>王</b>"}, "expect_problems": ["name:chinese_name"]},
        {"answers": {"name": "欧阳·䶮"}, "expect_step": "done", "expect_answers": {"name": "欧阳·䶮"}},
    ], data=CERT_DATA)


def test_lookups__one_submission__data_source_asked_once_per_question():
    class Counting(MemorySource):
        calls: list[tuple[str, tuple]] = []

        def rows(self, dataset, match):
            self.calls.append((dataset, tuple(sorted(match.items()))))
            return super().rows(dataset, match)

    source = Counting(CERT_DATA)
    run = Run(make_flow(CERT_FLOW), source, FakeClock())
    assert run.submit({"cert_no": "1001", "id_no": "11010519491231002X"}).advanced
    assert len(source.calls) == len(set(source.calls)), source.calls


def test_gate__expression_fails_on_missing_row__raises_instead_of_false():
    flow = """
    datasets:
      plans: {key: [agency], columns: {agency: text, opens: datetime}}
    lookups:
      plan: {dataset: plans, match: {agency: agency}}
    steps:
      - id: s
        fields: [{id: agency, type: text}]
        gates: [{id: open, when: "plan.opens <= now", message: gate.open}]
    """
    run = make_run(flow, {"plans": []})
    with pytest.raises(ExpressionFailed):
        run.submit({"agency": "nowhere"})


def test_gate__condition_not_boolean__raises_instead_of_guessing():
    flow = "steps: [{id: s, fields: [{id: a, type: text}], gates: [{id: g, when: a, message: gate.g}]}]"
    with pytest.raises(ExpressionFailed):
        make_run(flow).submit({"a": "yes"})


def test_gates__first_failure_only__later_gates_may_rely_on_earlier_ones():
    flow = """
    steps:
      - id: s
        fields: [{id: a, type: text}]
        gates:
          - {id: given, when: "a is not none", message: gate.given}
          - {id: long, when: "a | length > 3", message: gate.long}
    """
    assert_flow(flow, [{"answers": {}, "expect_gates": ["given"]},
                       {"answers": {"a": "ab"}, "expect_gates": ["long"]},
                       {"answers": {"a": "abcd"}, "expect_step": "done"}])


# -- visible_when, readonly_when, prefill, display ----------------------------------------
VISIBLE = """
steps:
  - id: s
    fields:
      - {id: has_title, type: radio, options: [{value: "yes", label: o.y}, {value: "no", label: o.n}],
         rules: {required: true}}
      - {id: title, type: text, visible_when: "has_title == 'yes'", rules: {required: true}}
"""


def test_visible_when__hidden_required_field__neither_shown_nor_required():
    run = assert_flow(VISIBLE, [{"answers": {"has_title": "no", "title": "教授"}, "expect_step": "done"}])
    assert run.application() == {"has_title": "no", "title": None}


def test_visible_when__shown_by_same_step_choice__required():
    assert_flow(VISIBLE, [{"answers": {"has_title": "yes"}, "expect_problems": ["title:required"]}])


def test_visible_when__shown_by_same_step_choice__value_kept():
    assert_flow(VISIBLE, [{"answers": {"has_title": "yes", "title": "教授"}, "expect_answers": {"title": "教授"}}])


def test_visible_when__depends_on_earlier_step__hidden_in_view():
    flow = """
    steps:
      - id: s1
        fields: [{id: kind, type: radio, options: [{value: a, label: o.a}, {value: b, label: o.b}]}]
      - id: s2
        fields: [{id: extra, type: text, visible_when: "kind == 'a'"}, {id: always, type: text}]
    """
    assert_flow(flow, [{"answers": {"kind": "b"}, "expect_fields": {"extra": None, "always": {"value": None}}}])
    assert_flow(flow, [{"answers": {"kind": "a"}, "expect_fields": {"extra": {"value": None}}}])


def test_prefill__editable__a_default_the_applicant_may_change():
    flow = """
    steps:
      - id: s1
        fields: [{id: id_no, type: text}]
      - id: s2
        fields: [{id: gender, type: radio, prefill: "id_no | id_gender",
                  options: [{value: male, label: o.m}, {value: female, label: o.f}]}]
    """
    run = assert_flow(flow, [{"answers": {"id_no": "11010519491231002X"},
                              "expect_fields": {"gender": {"value": "female", "readonly": False}}},
                             {"answers": {"gender": "male"}, "expect_answers": {"gender": "male"}}])
    assert run.application()["gender"] == "male"


def test_display__value_follows_earlier_answers_and_is_not_an_answer():
    flow = """
    steps:
      - id: s1
        fields: [{id: name, type: text}]
      - id: s2
        fields: [{id: show_name, type: display, value: name}]
    """
    run = assert_flow(flow, [{"answers": {"name": "张堃"},
                              "expect_fields": {"show_name": {"value": "张堃", "readonly": True}}},
                             {"answers": {"show_name": "篡改"}, "expect_step": "done"}])
    assert "show_name" not in run.answers


# -- back navigation and reading time -----------------------------------------------------
THREE_STEPS = """
steps:
  - {id: notice, kind: notice, min_read_seconds: 5}
  - id: one
    fields: [{id: a, type: text, rules: {required: true}}]
  - id: two
    fields: [{id: b, type: text, rules: {required: true}}]
"""


def test_notice__submitted_too_early__waits_the_remaining_seconds():
    assert_flow(THREE_STEPS, [
        {"answers": {}, "expect_gates": ["min_read_time"], "expect_gate_params": {"min_read_time": {"seconds": 5}}},
        {"wait": 3.2, "answers": {}, "expect_gates": ["min_read_time"],
         "expect_gate_params": {"min_read_time": {"seconds": 2}}},
        {"wait": 1.8, "answers": {}, "expect_step": "one"},
    ])


def test_notice__view__tells_the_seconds_left():
    clock = FakeClock()
    run = make_run(THREE_STEPS, clock=clock)
    assert run.view().wait_seconds == 5
    clock.advance(2)
    assert run.view().wait_seconds == 3


def test_back__answers_kept_on_every_step_and_notice_not_reread():
    run = assert_flow(THREE_STEPS, [
        {"wait": 5, "answers": {}, "expect_step": "one"},
        {"answers": {"a": "first"}, "expect_step": "two"},
        {"answers": {"b": "second"}, "expect_problems": [], "expect_step": "done"},
    ])
    assert run.back().id == "done"  # a finished run stays finished
    run = assert_flow(THREE_STEPS, [
        {"wait": 5, "answers": {}, "expect_step": "one"},
        {"answers": {"a": "first"}, "expect_step": "two"},
        {"back": True, "expect_step": "one", "expect_fields": {"a": {"value": "first"}}},
        {"back": True, "expect_step": "notice"},
        {"answers": {}, "expect_step": "one"},
        {"answers": {"a": "first"}, "expect_step": "two"},
    ])
    assert run.view().can_go_back


def test_back__from_first_step__stays_there():
    run = make_run(THREE_STEPS)
    assert run.back().id == "notice" and not run.view().can_go_back


def test_back__after_changing_an_answer_upstream__later_answers_survive():
    run = assert_flow(THREE_STEPS, [
        {"wait": 5, "answers": {}},
        {"answers": {"a": "first"}},
        {"answers": {"b": "second"}, "expect_step": "done"},
    ])
    run = assert_flow(THREE_STEPS, [
        {"wait": 5, "answers": {}},
        {"answers": {"a": "first"}},
        {"back": True},
        {"answers": {"a": "changed"}, "expect_step": "two", "expect_fields": {"b": {"value": None}}},
        {"answers": {"b": "second"}, "expect_answers": {"a": "changed", "b": "second"}},
    ])


# -- state() round trip -------------------------------------------------------------------
STATEFUL = """
steps:
  - {id: notice, kind: notice, min_read_seconds: 3}
  - id: identity
    fields:
      - {id: cert_no, type: text, normalize: [nfkc, trim], warnings: [cert_no_standard]}
      - {id: born, type: date}
  - id: login
    fields:
      - {id: password, type: password, rules: {required: true, password_strength: true}}
      - {id: email, type: email, normalize: [trim, lower], rules: {email: true}}
"""


def test_state__round_trip__same_step_answers_and_confirmations():
    flow = make_flow(STATEFUL)
    clock = FakeClock()
    run = assert_flow(flow, [
        {"wait": 3, "answers": {}},
        {"answers": {"cert_no": "2000370100", "born": "1980-01-01"}, "confirm": ["cert_no:cert_no_standard"],
         "expect_step": "login"},
        {"answers": {"password": "abc12345#", "email": "bad"}, "expect_problems": ["email:email"]},
    ], run=Run(flow, MemorySource({}), clock))
    state = json.loads(json.dumps(run.state()))  # JSON-safe
    again = Run(flow, MemorySource({}), clock, state)
    assert again.step.id == "login"
    assert again.answers == {k: v for k, v in run.answers.items() if k != "password"}
    assert again.answers["born"] == date(1980, 1, 1)
    assert again.state() == state
    assert_flow(flow, [{"back": True}, {"answers": {"cert_no": "2000370100", "born": "1980-01-01"},
                                        "expect_step": "login"}], run=again)


def test_state__password__never_in_the_snapshot_even_when_refused():
    run = assert_flow(STATEFUL, [
        {"wait": 3, "answers": {}},
        {"answers": {"cert_no": "20071110822001207"}},
        {"answers": {"password": "Secret#123", "email": "Z@163.com"}, "expect_step": "done"},
    ])
    assert "Secret#123" not in json.dumps(run.state(), ensure_ascii=False)
    refused = assert_flow(STATEFUL, [
        {"wait": 3, "answers": {}},
        {"answers": {"cert_no": "20071110822001207"}},
        {"answers": {"password": "weak\x00secret", "email": "z@163.com"},
         "expect_problems": ["password:unsupported_chars"]},
    ])
    assert "secret" not in json.dumps(refused.state(), ensure_ascii=False)


def test_state__view_of_password__never_carries_the_value():
    run = assert_flow(STATEFUL, [
        {"wait": 3, "answers": {}},
        {"answers": {"cert_no": "20071110822001207"}},
        {"answers": {"password": "Secret#123", "email": "bad"}, "expect_problems": ["email:email"]},
    ])
    [password] = [f for f in run.view().fields if f.id == "password"]
    assert password.secret and password.value is None


def test_state__restored_during_reading_time__still_waits():
    flow, clock = make_flow(STATEFUL), FakeClock()
    run = Run(flow, MemorySource({}), clock)
    clock.advance(1)
    again = Run(flow, MemorySource({}), clock, run.state())
    assert again.view().wait_seconds == 2
    assert [g.id for g in again.submit({}).gates] == ["min_read_time"]


# -- gates that must still hold at the final submit (recheck: submit) ---------------------
RECHECK = """
datasets:
  plans: {key: [agency], columns: {agency: text, closes: datetime}}
lookups:
  plan: {dataset: plans, match: {agency: agency}}
steps:
  - id: agency
    fields: [{id: agency, type: text, rules: {required: true}}]
    gates:
      - {id: has_plan, when: "plan is not none", message: gate.has_plan}
      - {id: window_open, when: "now <= plan.closes", message: gate.window_open, params: {closes: plan.closes},
         recheck: submit}
  - id: more
    fields: [{id: school, type: text}]
  - id: last
    fields: [{id: email, type: text, rules: {required: true}}]
"""
RECHECK_DATA = {"plans": [{"agency": "a1", "closes": datetime(2026, 11, 29, 17, 0)}]}


def test_recheck__window_closes_between_passing_and_submitting__refused_with_its_message_answers_kept():
    clock = FakeClock(datetime(2026, 11, 29, 16, 59))
    run = make_run(RECHECK, RECHECK_DATA, clock)
    assert run.submit({"agency": "a1"}).advanced
    assert run.submit({"school": "实验小学"}).advanced
    clock.now = datetime(2026, 11, 29, 17, 5)
    result = run.submit({"email": "a@example.com"})
    assert not result.advanced and run.step.id == "last"
    assert [(g.id, g.message, dict(g.params)) for g in result.gates] == [
        ("window_open", "gate.window_open", {"closes": datetime(2026, 11, 29, 17, 0)})]
    assert run.answers == {"agency": "a1", "school": "实验小学", "email": "a@example.com"}


def test_recheck__only_at_the_final_submit__not_at_each_step_between():
    clock = FakeClock(datetime(2026, 11, 29, 16, 59))
    run = make_run(RECHECK, RECHECK_DATA, clock)
    assert run.submit({"agency": "a1"}).advanced
    clock.now = datetime(2026, 11, 29, 17, 5)
    assert run.submit({"school": "实验小学"}).advanced        # step 2 is no submission
    assert not run.submit({"email": "a@example.com"}).advanced


def test_recheck__earlier_gates_of_its_step_checked_first__plan_gone_says_so():
    clock = FakeClock(datetime(2026, 11, 29, 16, 0))
    data = {"plans": [dict(RECHECK_DATA["plans"][0])]}
    run = make_run(RECHECK, data, clock)
    assert run.submit({"agency": "a1"}).advanced and run.submit({}).advanced
    run.source.tables["plans"].clear()                       # type: ignore[attr-defined]
    assert [g.id for g in run.submit({"email": "a@example.com"}).gates] == ["has_plan"]


def test_recheck__window_still_open__submitted():
    assert_flow(RECHECK, [{"answers": {"agency": "a1"}}, {"answers": {}},
                          {"answers": {"email": "a@example.com"}, "expect_step": "done"}],
                data=RECHECK_DATA, now=datetime(2026, 11, 29, 16, 59))


# -- option order ---------------------------------------------------------------------------
def test_options__declared_order_column__sorted_by_it_not_by_code():
    flow = make_flow("""
    datasets:
      degrees: {key: [code], columns: {code: text, name: text, rank: number}}
    steps:
      - id: s
        fields:
          - {id: degree, type: select, options: {dataset: degrees, value: code, label: name, order: rank}}
    """)
    rows = [{"code": "bachelor", "name": "学士", "rank": 30}, {"code": "doctor", "name": "博士", "rank": 10},
            {"code": "master", "name": "硕士", "rank": 20}, {"code": "none", "name": "无", "rank": 90}]
    run = Run(flow, MemorySource({"degrees": rows}), FakeClock())
    assert [o.label for o in run.view().fields[0].options] == ["博士", "硕士", "学士", "无"]


def test_options__order_names_no_column__refused_at_load():
    from engine import FlowError
    with pytest.raises(FlowError, match="REF_004"):
        make_flow("""
        datasets:
          degrees: {key: [code], columns: {code: text, name: text}}
        steps:
          - id: s
            fields:
              - {id: degree, type: select, options: {dataset: degrees, value: code, label: name, order: rank}}
        """)


def test_preview__choice_narrows_another_in_the_same_step__options_narrowed_nothing_stored():
    flow = make_flow("""
    datasets:
      subjects: {key: [code], columns: {code: text, name: text, stage: text}}
    steps:
      - id: s
        fields:
          - {id: stage, type: select, options: [{value: primary, label: o.p}, {value: senior, label: o.s}]}
          - {id: subject, type: select, options: {dataset: subjects, value: code, label: name,
                                                  filter: "row.stage == stage"}}
    """)
    rows = [{"code": "p_math", "name": "小学数学", "stage": "primary"},
            {"code": "s_physics", "name": "高中物理", "stage": "senior"}]
    run = Run(flow, MemorySource({"subjects": rows}), FakeClock())
    view = run.preview({"stage": "primary"})
    assert [o.value for o in view.fields[1].options] == ["p_math"]
    assert run.answers == {} and [o.value for o in run.view().fields[1].options] == []
    refused = run.submit({"stage": "primary", "subject": "s_physics"})      # 小学 with 高中物理
    assert [p.key for p in refused.problems] == ["subject:not_an_option"]


def test_lookup_index_columns__match_covering_the_key__left_to_the_key_index() -> None:
    flow = make_flow("""
    datasets:
      certificates: {key: [cert_no, id_no], columns: {cert_no: text, id_no: text, name: text}}
      points: {key: [code], columns: {code: text, agency: text}}
    lookups:
      certificate: {dataset: certificates, match: {cert_no: cert_no, id_no: id_no}}
      by_name: {dataset: certificates, match: {cert_no: cert_no, name: name}}
      chosen_point: {dataset: points, match: {code: point}}
      agency_points: {dataset: points, match: {agency: agency}, many: true}
    steps:
      - id: s
        fields: [{id: cert_no, type: text}, {id: id_no, type: text}, {id: name, type: text},
                 {id: point, type: text}, {id: agency, type: text}]
    """)
    # the unique key index finds the one row of a lookup that matches every key column
    assert flow.lookup_index_columns() == {"certificates": {"cert_no", "name"}, "points": {"agency"}}
