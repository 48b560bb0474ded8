"""engine.check_field_value: one field's value checked outside a run, as the form checks it."""
from __future__ import annotations

from datetime import date

from engine import check_field_value
from engine_flowtest import make_flow

FLOW = make_flow("""
steps:
  - id: contact
    fields:
      - {id: email, type: email, normalize: [nfkc, trim, lower], rules: {required: true, email: true}}
      - {id: password, type: password, rules: {required: true, password_strength: true}}
      - {id: password_again, type: password, rules: {required: true, equals_field: password}}
""")
TODAY = date(2026, 11, 29)


def test_check_field_value__normalised_like_the_form():
    assert check_field_value(FLOW, "email", " Wang.XY＠163.COM ", TODAY) == ("wang.xy@163.com", [])


def test_check_field_value__unsupported_characters__refused_before_the_rules():
    value, problems = check_field_value(FLOW, "email", "wang\u200b@163.com", TODAY)
    assert value is None and [p.key for p in problems] == ["email:unsupported_chars"]


def test_check_field_value__rules_of_its_step():
    assert [p.key for p in check_field_value(FLOW, "email", "not-an-address", TODAY)[1]] == ["email:email"]
    assert [p.key for p in check_field_value(FLOW, "email", "  ", TODAY)[1]] == ["email:required"]


def test_check_field_value__compared_with_the_other_values_given():
    _, problems = check_field_value(FLOW, "password", "Abc#12345", TODAY, {"password_again": "Abc#1234"})
    assert [p.key for p in problems] == ["password_again:equals_field"]
    assert check_field_value(FLOW, "password", "Abc#12345", TODAY, {"password_again": "Abc#12345"})[1] == []
