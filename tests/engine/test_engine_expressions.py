"""engine.expressions: the closed expression language, compiled once and evaluated over plain data."""
from __future__ import annotations

from datetime import date

import pytest

from engine import ExpressionFailed
from engine.expressions import ExpressionSyntax, compile_expression


@pytest.mark.parametrize("source, names", [
    ("agency", {"agency"}),
    ("plan.opens <= now <= plan.closes", {"plan", "now"}),
    ("certificate.name if certificate is not none else none", {"certificate"}),
    ("row['code'] != 'none'", {"row"}),
    ("agency_points | length > 0", {"agency_points"}),
    ("stage in ['primary', 'junior']", {"stage"}),
])
def test_compile__names_read__all_found(source, names):
    assert compile_expression(source).names == names


def test_compile__bare_attribute__recorded():
    assert compile_expression("chosen_agency.name").attributes == {("chosen_agency", "name")}


@pytest.mark.parametrize("source, code", [
    ("name.upper()", "EXPR_002"),
    ("range(10)", "EXPR_002"),
    ("a + 1", "EXPR_002"),
    ("a ~ b", "EXPR_002"),
    ("name.__class__", "EXPR_003"),
    ("row[key]", "EXPR_003"),
    ("_secret", "EXPR_003"),
    ("a is divisibleby 3", "EXPR_004"),
    ("name | upper", "EXPR_005"),
    ("a ==", "EXPR_001"),
    ("a b", "EXPR_001"),
])
def test_compile__outside_the_language__refused_with_a_code(source, code):
    with pytest.raises(ExpressionSyntax) as caught:
        compile_expression(source)
    assert caught.value.code == code


def test_evaluate__filters_on_id_numbers():
    assert compile_expression("id_no | id_gender").evaluate({"id_no": "11010519491231002X"}) == "female"
    assert compile_expression("id_no | id_birth_date").evaluate({"id_no": "440524188001010014"}) == date(1880, 1, 1)
    assert compile_expression("id_no | id_gender").evaluate({"id_no": None}) is None


def test_evaluate__missing_name__fails_loudly():
    with pytest.raises(ExpressionFailed):
        compile_expression("agency == 'x'").evaluate({})


def test_evaluate__comparing_none_with_a_date__fails_loudly_instead_of_false():
    with pytest.raises(ExpressionFailed):
        compile_expression("plan.opens <= today").evaluate({"plan": None, "today": date(2026, 1, 1)})


def test_evaluate__rows_are_read_only():
    row = {"code": "a"}
    with pytest.raises((ExpressionFailed, ExpressionSyntax)):
        compile_expression("row.update({'code': 'b'})").evaluate({"row": row})
    assert row == {"code": "a"}


def test_evaluate__codes__a_text_of_codes_as_a_list_so_in_tests_whole_codes():
    stages = compile_expression("stage in row.stages | codes")
    assert stages.evaluate({"stage": "junior", "row": {"stages": "primary junior"}}) is True
    assert stages.evaluate({"stage": "junior", "row": {"stages": "primary, senior"}}) is False
    assert stages.evaluate({"stage": "prim", "row": {"stages": "primary junior"}}) is False   # never a part of a code
    assert stages.evaluate({"stage": "primary", "row": {"stages": None}}) is False
    assert compile_expression("row.stages | codes | length").evaluate({"row": {"stages": " a,b  c "}}) == 3
