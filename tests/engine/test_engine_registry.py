"""The registries (engine.rules, engine.normalize) against schemas/flow.schema.json and the catalogue.

The expected sets are built from the registries and the engine's code, never copied as
text: adding a rule without its schema entry or its message fails here.
"""
from __future__ import annotations

import ast
import json
import re
from datetime import date
from pathlib import Path

import pytest
import yaml

from engine import normalize, rules
from engine.images import ImageValue
from engine.rules import RULES, WARNINGS
from engine_flowtest import ROOT, make_run

SCHEMA = json.loads((ROOT / "schemas" / "flow.schema.json").read_text(encoding="utf-8"))
CATALOGUE = yaml.safe_load((ROOT / "locales" / "zh_CN" / "messages.yaml").read_text(encoding="utf-8"))
ENGINE = ROOT / "engine"


def test_schema__rule_names__exactly_the_registry_keys():
    assert SCHEMA["$defs"]["rules"]["propertyNames"]["enum"] == sorted(RULES)
    assert SCHEMA["$defs"]["field"]["properties"]["rules"] == {"$ref": "#/$defs/rules"}


def test_schema__warning_names__exactly_the_registry_keys():
    assert SCHEMA["$defs"]["warning"]["enum"] == sorted(WARNINGS)
    assert SCHEMA["$defs"]["field"]["properties"]["warnings"]["items"] == {"$ref": "#/$defs/warning"}


def test_schema__normalisers__exactly_the_registry_keys():
    assert SCHEMA["$defs"]["field"]["properties"]["normalize"]["items"]["enum"] == list(normalize.STEPS)


# -- which codes can the engine emit? ----------------------------------------------------------
SAMPLE_ARGUMENTS = {"bool": True, "int": 3, "str": "x", "regex": "^x$", "list": ["a"], "field": "other",
                    "formats": ["jpeg"], "pixels": [90, 120]}
BAD_VALUES = ["", "x", "1", "ab12345", "张三1", "11010519491231002Y", "000000194912310027", "110105194902290029",
              "110105194912310021", "110105203001010028", date(2999, 1, 1), date(1900, 1, 1),
              ImageValue("0" * 64, "png", 10, 10, 20_000_000), ImageValue("0" * 64, "png", 4000, 4000, 1)]
BAD_DOCUMENTS = [{"other": "different"}, {"other": date(2999, 1, 1)}]


def cerberus_codes() -> set[str]:
    """Codes of the Cerberus built-ins the registry uses, plus type/nullable that every field has."""
    names = {"type", "nullable"}
    for rule in RULES.values():
        if rule.cerberus is not None:
            names |= set(rule.cerberus(SAMPLE_ARGUMENTS[rule.argument]))
    return {rules._CERBERUS_CODES[name] for name in names}


def check_codes() -> dict[str, set[str]]:
    """Every code each domain check returns over a bank of bad values."""
    found: dict[str, set[str]] = {}
    for name, rule in RULES.items():
        if rule.check is None:
            continue
        found[name] = set()
        for value in BAD_VALUES:
            for document in BAD_DOCUMENTS:
                try:
                    code = rule.check(value, SAMPLE_ARGUMENTS[rule.argument], document, date(2026, 11, 29))
                except (TypeError, AttributeError):
                    continue  # a value of another type than the rule's field ever holds
                if code:
                    found[name].add(code[0] if isinstance(code, tuple) else code)
    return found


def literal_codes(call: str, position: int) -> set[str]:
    """String constants passed as argument `position` of calls to `call` anywhere in engine/."""
    codes = set()
    for path in ENGINE.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (isinstance(node, ast.Call) and getattr(node.func, "id", getattr(node.func, "attr", None)) == call
                    and len(node.args) > position and isinstance(node.args[position], ast.Constant)
                    and isinstance(node.args[position].value, str)):
                codes.add(node.args[position].value)
    return codes


def test_checks__every_domain_check__emits_at_least_one_code_from_the_bank():
    assert {name for name, codes in check_codes().items() if not codes} == set()


RULE_CODES = sorted(cerberus_codes() | set().union(*check_codes().values()) | literal_codes("Unacceptable", 0))
RUN_CODES = sorted(literal_codes("Problem", 1) - set(RULE_CODES))
# Codes known to lack a message; each entry is an xfail(strict) until the catalogue has it.
MISSING: dict[str, str] = {}


def _params(codes):
    return [pytest.param(code, marks=pytest.mark.xfail(strict=True, reason=MISSING[code])) if code in MISSING
            else code for code in codes]


def test_codes__found_from_the_registry__cover_what_the_tables_expect():
    expected = set()
    for path in (Path(__file__).parent / "cases").glob("*.yaml"):
        for group in yaml.safe_load(path.read_text(encoding="utf-8")):
            for test in group["tests"]:
                expected |= {c.split(":")[-1] for c in test.get("expect", [])}
    assert expected <= set(RULE_CODES)
    assert {"required", "not_an_option", "date_format", "id_checksum"} <= set(RULE_CODES)


@pytest.mark.parametrize("code", _params(RULE_CODES))
def test_catalogue__every_rule_and_normaliser_code__has_a_problem_message(code):
    assert f"problem.{code}" in CATALOGUE


@pytest.mark.parametrize("code", _params(RUN_CODES))
def test_catalogue__every_code_the_run_and_status_emit__has_a_problem_message(code):
    assert f"problem.{code}" in CATALOGUE


@pytest.mark.parametrize("name", sorted(WARNINGS))
def test_catalogue__every_warning__has_a_warning_message(name):
    assert f"warning.{name}" in CATALOGUE


@pytest.mark.parametrize("key", sorted(literal_codes("GateFailure", 1)))
def test_catalogue__gates_the_engine_raises_itself__have_a_message(key):
    assert key in CATALOGUE


# -- placeholders: a message may only use what the engine sends (and the field's label) -------
def placeholders(key: str) -> set[str]:
    return set(re.findall(r"{(\w+)}", CATALOGUE[key]))


def test_catalogue__maxlength_placeholders__filled_by_the_problem_params():
    run = make_run("steps: [{id: s, fields: [{id: x, type: text, rules: {maxlength: 2, minlength: 1}}]}]")
    [problem] = run.submit({"x": "abc"}).problems
    assert placeholders(f"problem.{problem.code}") <= set(problem.params) | {"label"}


def test_catalogue__warning_placeholders__filled_by_the_warning_params():
    run = make_run("steps: [{id: s, fields: [{id: x, type: text, warnings: [cert_no_standard]}]}]")
    [warning] = run.submit({"x": "12"}).warnings
    assert placeholders(f"warning.{warning.code}") <= set(warning.params) | {"label"}


def test_catalogue__not_before_field_placeholders__filled_by_the_problem_params():
    run = make_run("""
    steps:
      - id: s
        fields: [{id: a, type: date}, {id: x, type: date, rules: {not_before_field: a}}]
    """)
    [problem] = run.submit({"a": "2010-01-01", "x": "2009-01-01"}).problems
    assert placeholders(f"problem.{problem.code}") <= set(problem.params) | {"label"}
