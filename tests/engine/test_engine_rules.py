"""engine.rules and engine.normalize, as table cases read from tests/engine/cases/*.yaml.

Each file is a list of groups in the JSON-Schema test suite's shape:

    - description: what the group is about
      field: {type, normalize, rules, warnings}     # the field under test, id `x`
      fields: [...]                                  # or several fields; then `data` is a mapping
      tests:
        - {description, data, valid: true, value: normalised value (optional)}
        - {description, data, expect: [problem codes]}       # refused
        - {description, data, warn: [warning names]}         # asks to confirm
        - {description, data, confirm: true, valid: true}    # confirmed every warning

A group becomes a one-step flow; each test is one submission through a fresh Run, so the
normalisers, the rules and the warnings are exercised exactly as a flow uses them.
"""
from __future__ import annotations

import random
from datetime import date, datetime
from functools import lru_cache
from pathlib import Path
from typing import Any

import pytest
import yaml

from engine import to_json
from engine.idnumber import CHECK_CHARS, WEIGHTS
from engine.images import ImageValue
from engine_flowtest import ROOT, FakeClock, make_flow, make_run

CASES = Path(__file__).parent / "cases"
NOW = datetime(2026, 11, 29, 9, 0)


def _groups() -> list[tuple[str, int, dict[str, Any]]]:
    found = []
    for path in sorted(CASES.glob("*.yaml")):
        for index, group in enumerate(yaml.safe_load(path.read_text(encoding="utf-8"))):
            found.append((path.stem, index, group))
    return found


GROUPS = _groups()
TABLE = [pytest.param(stem, index, test, id=f"{stem}:{group['description']}:{test['description']}")
         for stem, index, group in GROUPS for test in group["tests"]]


@lru_cache(maxsize=None)
def group_flow(stem: str, index: int):
    group = next(g for s, i, g in GROUPS if (s, i) == (stem, index))
    fields = group.get("fields") or [{"id": "x", **group["field"]}]
    return make_flow(yaml.safe_dump({"steps": [{"id": "s", "fields": fields}]}, allow_unicode=True))


def submit(flow, data: Any, confirm: bool = False):
    run = make_run(flow, clock=FakeClock(NOW))
    answers = data if isinstance(data, dict) else {"x": data}
    result = run.submit(answers)
    if confirm and result.warnings:
        result = run.submit(answers, [w.key for w in result.warnings])
    return run, result


def codes(problems) -> list[str]:
    return sorted(p.code if p.field == "x" else p.key for p in problems)


@pytest.mark.parametrize("stem, index, test", TABLE)
def test_table(stem, index, test):
    run, result = submit(group_flow(stem, index), test["data"], test.get("confirm", False))
    assert codes(result.problems) == sorted(test.get("expect", []))
    assert codes(result.warnings) == sorted(test.get("warn", []))
    assert result.advanced == bool(test.get("valid", False))
    if "value" in test:
        assert to_json(run.answers.get("x")) == test["value"]


def test_table__every_group_has_both_accepted_and_refused_values():
    for stem, _, group in GROUPS:
        outcomes = {bool(t.get("valid")) for t in group["tests"]}
        assert outcomes == {True, False}, f"{stem}: {group['description']}"


# -- every one-digit corruption of the public ID vectors -----------------------------------
ID_GROUP = next((s, i, g) for s, i, g in GROUPS if "vectors" in g)
VECTORS = ID_GROUP[2]["vectors"]


def expected_id_code(id_no: str) -> str | None:
    """An oracle written from GB 11643-1999, independent of engine.idnumber's code."""
    if not (len(id_no) == 18 and id_no[:17].isdigit() and (id_no[17].isdigit() or id_no[17] == "X")):
        return "id_format"
    if id_no.startswith("00"):
        return "id_region"
    try:
        born = datetime(int(id_no[6:10]), int(id_no[10:12]), int(id_no[12:14]))
    except ValueError:
        return "id_birth_date"
    if born > NOW:
        return "id_birth_date"
    total = sum(int(d) * w for d, w in zip(id_no[:17], WEIGHTS))
    return None if CHECK_CHARS[total % 11] == id_no[17] else "id_checksum"


def corruptions(vector: str) -> list[str]:
    return [vector[:i] + c + vector[i + 1:] for i in range(18) for c in "0123456789X" if c != vector[i]]


def test_id_vectors__valid_by_the_oracle():
    assert [expected_id_code(v) for v in VECTORS] == [None, None, None]


@pytest.mark.parametrize("vector", VECTORS)
def test_id_vectors__every_one_digit_corruption__refused_with_the_right_code(vector):
    flow = group_flow(*ID_GROUP[:2])
    variants = corruptions(vector)
    assert len(variants) == 18 * 10
    wrong = {}
    for variant in variants:
        _, result = submit(flow, variant)
        got = codes(result.problems)
        want = [expected_id_code(variant)]
        if result.advanced or got != want:
            wrong[variant] = (got, want)
    assert wrong == {}
    # the corruptions do reach every code of the check, not only the checksum
    assert {expected_id_code(v) for v in variants} >= {"id_format", "id_checksum"}


def test_id_vectors__corruptions_typed_full_width_lower_case__same_codes():
    flow = group_flow(*ID_GROUP[:2])
    to_wide = str.maketrans("0123456789X", "０１２３４５６７８９ｘ")
    for variant in corruptions(VECTORS[0])[::7]:
        _, result = submit(flow, variant.translate(to_wide))
        assert codes(result.problems) == [expected_id_code(variant)], variant


# -- what Cerberus is not asked (engine.rules._judge) -------------------------------------------
class _Text(str):
    """A str subclass: Cerberus' string, sent to it."""


_LENGTHS = ({}, {"minlength": 2}, {"maxlength": 3}, {"minlength": 1, "maxlength": 1})
# values that pass the domain checks too (mobile, postcode, email, resident ID, "^a"), so that the
# checks' own results are compared with Cerberus', not only the built-in rules'
_VALUES = [None, "", " ", "a", "ab", "abc", "abcd", "北京", "x" * 300, 0, 7, True, False, 1.5, [], ["a"], ("a",),
           {"a": 1}, b"ab", date(2015, 9, 1), datetime(2015, 9, 1, 8, 0), date(2999, 1, 1),
           "13912345678", "139", "100080", "a@b.cn", "11010519491231002X", "110105194912310021", "a1",
           _Text("a"), ["a", "ab"], ImageValue("0" * 64, "png", 400, 500, 20_000),
           ImageValue("0" * 64, "gif", 10, 10, 20_000_000)]
_EXTRAS = ({}, {"required": True}, {"required": False}, {"not_future": True}, {"regex": "^a"},
           {"allowed": ["a", "ab"]}, {"required": True, "equals_field": "other"},
           {"mobile": True}, {"required": True, "email": True}, {"postcode": True}, {"cn_resident_id": True},
           {"required": True, "regex": "^a", "chinese_name": True}, {"regex": "^1", "mobile": True},
           {"allowed": ["a", "100080", "13912345678"], "postcode": True}, {"required": True, "not_future": True},
           {"required": False, "mobile": True}, {"mobile": True, "postcode": True},
           {"formats": ["png", "jpeg"]}, {"required": True, "max_bytes": 100_000, "min_pixels": [300, 400]})


def _validators():
    """FieldValidators for each field type with each length, `required` and plain, with and without
    a domain check; and those of every step of the product flow and the test flows."""
    from engine.fieldtypes import FIELD_TYPES
    from engine.rules import FieldValidator
    found = []
    for ftype in FIELD_TYPES:
        for lengths in _LENGTHS:
            for extra in _EXTRAS:
                found.append(FieldValidator({"x": (ftype, {**lengths, **extra}), "other": ("text", {})}))
    from shenbao.flows import read_flow
    for path in (ROOT / "flows" / "teacher_registration.yaml", ROOT / "tests" / "flows" / "event_signup.yaml"):
        flow = read_flow(path)
        found += [step.validator for step in flow.steps] + [flow.review_validator]
    return found


def _outcome(call):
    try:
        return call()
    except Exception as exc:  # a domain check given a value of another type: the same either way
        return type(exc)


def test_validator__values_not_sent_to_cerberus__problems_exactly_as_cerberus_finds_them():
    chooser = random.Random(7)
    validators, compared = _validators(), 0
    for validator in validators:
        fields = list(validator._schema) + ["unknown"]
        for _ in range(60):
            document = {fid: chooser.choice(_VALUES) for fid in fields if chooser.random() < 0.8}
            today = date(2026, 11, 29)
            assert _outcome(lambda: validator.validate(document, today)) == \
                _outcome(lambda: validator._cerberus(document, document, today)), document
            compared += 1
    assert compared > 10_000 and sum(bool(v._judges) for v in validators) > 100
