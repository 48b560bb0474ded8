"""The validation-rule registry and the Cerberus schemas built from it.

`RULES` is the one place where a rule name used in a flow gets its meaning: either a
Cerberus built-in (required, lengths, regex, allowed) or a domain check run through
Cerberus' `check_with`. `WARNINGS` holds the soft checks that ask the applicant to
confirm instead of refusing. Checks return a problem code or None; no prose here.
The loader checks every rule name and argument against these dicts; a test keeps
schemas/ and the registry in step. No I/O.
"""
from __future__ import annotations

import re
import threading
from dataclasses import dataclass
from datetime import date
from typing import Any, Callable, Mapping

import cerberus

from . import idnumber
from .fieldtypes import FIELD_TYPES

# A check returns None, a problem code, or (code, params) when the message needs figures.
Check = Callable[[Any, Any, Mapping[str, Any], date], "str | tuple[str, dict[str, Any]] | None"]


@dataclass(frozen=True)
class Rule:
    """`argument` names the kind of argument the flow must give: bool, int, str, list,
    regex, field (the id of another field), formats (image formats) or pixels ([w, h]).
    `kinds` limits the rule to fields whose value kind (engine.fieldtypes) is listed."""

    argument: str
    cerberus: Callable[[Any], dict[str, Any]] | None = None
    check: Check | None = None
    kinds: frozenset[str] = frozenset()


_EMAIL = re.compile(r"^[A-Za-z0-9._%+\-]+@[A-Za-z0-9\-]+(\.[A-Za-z0-9\-]+)*\.[A-Za-z]{2,}$")
_MOBILE = re.compile(r"^1[3-9][0-9]{9}$")
_POSTCODE = re.compile(r"^[0-9]{6}$")
_TELEPHONE = re.compile(r"^(0[0-9]{2,3}-?[0-9]{7,8}(-[0-9]{1,6})?|1[3-9][0-9]{9})$")
_PASSWORD_SYMBOLS = set("#%*-_!@$&")
_NAME = re.compile(r"^[\u3400-\u4dbf\u4e00-\u9fff\U00020000-\U0003134fA-Za-z·•. ]+$")


def _when(flag: bool, code: str) -> str | None:
    return None if flag else code


def _email(value: Any, arg: Any, doc: Mapping[str, Any], today: date) -> str | None:
    return _when(bool(_EMAIL.match(value)) and len(value) <= 254, "email")


def _resident_id(value: Any, arg: Any, doc: Mapping[str, Any], today: date) -> str | None:
    return idnumber.check_id(value, today)


def _password(value: Any, arg: Any, doc: Mapping[str, Any], today: date) -> str | None:
    ok = (len(value) >= 8 and any(c.isascii() and c.isalpha() for c in value)
          and any(c.isdigit() for c in value) and any(c in _PASSWORD_SYMBOLS for c in value))
    return _when(ok, "password_strength")


def _equals_field(value: Any, other: Any, doc: Mapping[str, Any], today: date) -> str | None:
    return _when(value == doc.get(other), "equals_field")


def _not_before_field(value: Any, other: Any, doc: Mapping[str, Any], today: date) -> str | None:
    earlier = doc.get(other)
    return _when(earlier is None or not isinstance(earlier, date) or value >= earlier, "not_before_field")


def _not_future(value: Any, arg: Any, doc: Mapping[str, Any], today: date) -> str | None:
    return _when(value <= today, "not_future")


def _pattern(regex: re.Pattern[str], code: str) -> Check:
    return lambda value, arg, doc, today: _when(bool(regex.match(value)), code)


def _image_formats(value: Any, formats: Any, doc: Mapping[str, Any], today: date) -> Any:
    return None if value.format in formats else ("image_format", {"formats": "、".join(f.upper() for f in formats)})


def _max_bytes(value: Any, limit: Any, doc: Mapping[str, Any], today: date) -> Any:
    return None if value.size <= limit else ("image_bytes", {"max_kb": limit // 1024,
                                                              "kb": -(-value.size // 1024)})


def _pixels(too: str) -> Check:
    def check(value: Any, pair: Any, doc: Mapping[str, Any], today: date) -> Any:
        width, height = pair
        fits = value.width >= width and value.height >= height if too == "small" else \
            value.width <= width and value.height <= height
        return None if fits else (f"image_{too}", {"width": width, "height": height,
                                                   "got": f"{value.width}×{value.height}"})
    return check


_IMAGE = frozenset({"image"})

RULES: dict[str, Rule] = {
    "required": Rule("bool", cerberus=lambda arg: {"nullable": not arg, "empty": not arg}),
    "minlength": Rule("int", cerberus=lambda n: {"minlength": n}),
    "maxlength": Rule("int", cerberus=lambda n: {"maxlength": n}),
    "regex": Rule("regex", cerberus=lambda pattern: {"regex": pattern}),
    "allowed": Rule("list", cerberus=lambda values: {"allowed": values}),
    "email": Rule("bool", check=_email),
    "cn_resident_id": Rule("bool", check=_resident_id),
    "password_strength": Rule("bool", check=_password),
    "equals_field": Rule("field", check=_equals_field),
    "not_before_field": Rule("field", check=_not_before_field),
    "not_future": Rule("bool", check=_not_future),
    "mobile": Rule("bool", check=_pattern(_MOBILE, "mobile")),
    "postcode": Rule("bool", check=_pattern(_POSTCODE, "postcode")),
    "telephone": Rule("bool", check=_pattern(_TELEPHONE, "telephone")),
    "chinese_name": Rule("bool", check=_pattern(_NAME, "chinese_name")),
    "formats": Rule("formats", check=_image_formats, kinds=_IMAGE),
    "max_bytes": Rule("int", check=_max_bytes, kinds=_IMAGE),
    "min_pixels": Rule("pixels", check=_pixels("small"), kinds=_IMAGE),
    "max_pixels": Rule("pixels", check=_pixels("large"), kinds=_IMAGE),
}


def _cert_no_standard(value: Any) -> dict[str, Any] | None:
    """Standard certificate numbers are 15 or 17 digits (older hand-issued ones are not)."""
    if value is None or (value.isdigit() and len(value) in (15, 17)):
        return None
    return {"value": value, "length": len(value)}


WARNINGS: dict[str, Callable[[Any], "dict[str, Any] | None"]] = {
    "cert_no_standard": _cert_no_standard,
}

# Cerberus error rule name → problem code (params are built from the constraint).
_CERBERUS_CODES = {"nullable": "required", "required": "required", "empty": "required",
                   "maxlength": "maxlength", "minlength": "minlength", "regex": "regex",
                   "allowed": "not_an_option", "type": "not_an_option"}


# The Cerberus rules a value can be judged by without Cerberus, when its type is one of _SURE_TYPES.
_SURE_RULES = frozenset({"nullable", "type", "empty", "minlength", "maxlength", "allowed", "regex", "check_with"})
_SURE_TYPES = {"string": str, "date": date}
_UNTYPED_RULES = frozenset({"nullable", "check_with"})  # a field with no Cerberus type: an image
Problem = tuple[str, str, dict[str, Any]]
Judge = Callable[[Any, Mapping[str, Any], date], "list[Problem] | None"]
_NONE: list[Problem] = []  # shared, never changed: no problem found


def _judge(fid: str, schema: Mapping[str, Any], checks: list[tuple[Check, Any]],
           other: Mapping[tuple[str, str], dict[str, Any]]) -> Judge | None:
    """For a field schema of only nullable, type (string or date), empty, lengths, allowed, regex
    and domain checks (`check_with`), or of only nullable and checks (no type: an image, whose
    value Cerberus judges by its checks alone): a function of (value, document, today) that
    gives the field's problems exactly as Cerberus 1.3.8 finds them when the value passes every
    built-in rule (then the problems are the failing domain checks), and None for a value that
    fails one (Cerberus' to judge, with its codes and params). None for other schemas (every
    value goes to Cerberus).

    Cerberus' order of rules, mirrored: nullable, type, empty, then as defined. None where nullable
    drops every other rule (a domain check does nothing with None). `empty` runs only when the
    schema has it (a field without `required` has none, and "" then goes through the lengths,
    allowed, regex and the checks); where it has it, "" drops all later rules. Lengths, allowed
    and regex do not apply to a date (not Iterable, not a string); a date schema with `allowed`
    is left to Cerberus. Strings are `type(value) is str` (a subclass goes to Cerberus). Two
    failing checks of one field are Cerberus' too (`validate`): it sorts its errors after each one,
    and equal-path errors come out of its sort in an order of their own, not the checks'."""
    nullable = schema.get("nullable") is True

    def run_checks(value: Any, document: Mapping[str, Any], today: date) -> list[Problem]:
        found: list[Problem] = []
        for check, arg in checks:
            got = check(value, arg, document, today)
            params: dict[str, Any] = {}
            if isinstance(got, tuple):
                got, params = got
            if got:
                found.append((fid, got, {**other.get((fid, got), {}), **params}))
        return found

    if "type" not in schema and _UNTYPED_RULES.issuperset(schema):
        def judge_untyped(value: Any, document: Mapping[str, Any], today: date) -> list[Problem] | None:
            if value is None:
                return _NONE if nullable else None
            return run_checks(value, document, today) if checks else _NONE
        return judge_untyped
    kind = _SURE_TYPES.get(schema.get("type"))  # type: ignore[arg-type]
    if kind is None or not _SURE_RULES.issuperset(schema) or (kind is date and "allowed" in schema):
        return None

    if kind is date:
        def judge_date(value: Any, document: Mapping[str, Any], today: date) -> list[Problem] | None:
            if value is None:
                return _NONE if nullable else None
            if not isinstance(value, date):
                return None
            return run_checks(value, document, today) if checks else _NONE
        return judge_date
    has_empty, empty = "empty" in schema, schema.get("empty") is True
    shortest, longest = schema.get("minlength", 0), schema.get("maxlength", float("inf"))
    allowed = schema.get("allowed")
    pattern = schema.get("regex")
    try:
        regex = None if pattern is None else re.compile(pattern if pattern.endswith("$") else pattern + "$")
    except re.error:  # reported by the loader, which may build the validator first
        return None

    def judge_str(value: Any, document: Mapping[str, Any], today: date) -> list[Problem] | None:
        if value is None:
            return _NONE if nullable else None
        if type(value) is not str:
            return None
        if has_empty and not value:
            return _NONE if empty else None
        if not shortest <= len(value) <= longest or (allowed is not None and value not in allowed) \
                or (regex is not None and not regex.match(value)):
            return None
        return run_checks(value, document, today) if checks else _NONE
    return judge_str


class FieldValidator:
    """Cerberus validation for a fixed set of fields; one Cerberus validator per thread
    (Cerberus validators keep per-call state and are expensive to build).

    Cerberus is asked only about the values that fail one of its built-in rules: a value that
    passes them (most fields of a step, typed as asked) is judged in Python (`_judge`), its
    problems the failing domain checks, which took 40 % off validating a step-7 submission and
    more off one with a wrong field (issue 10). tests/engine/test_engine_rules.py checks the
    result against Cerberus' for random documents of every field of every flow."""

    def __init__(self, fields: Mapping[str, tuple[str, Mapping[str, Any]]],
                 labels: Mapping[str, str] | None = None):
        """`fields` maps field id → (field type, rules as written in the flow); `labels` maps
        every field id to its label key, so a rule naming another field can say which."""
        self._labels = labels or {}
        self._other: dict[tuple[str, str], dict[str, Any]] = {}
        self._checks: dict[str, list[tuple[Check, Any]]] = {}
        self._schema = {fid: self._field_schema(fid, ftype, rules) for fid, (ftype, rules) in fields.items()}
        self._order = {fid: index for index, fid in enumerate(self._schema)}
        self._judges = {fid: judge for fid, schema in self._schema.items()
                        if (judge := _judge(fid, schema, self._checks.get(fid, []), self._other)) is not None}
        self._local = threading.local()

    def _field_schema(self, fid: str, ftype: str, rules: Mapping[str, Any]) -> dict[str, Any]:
        schema: dict[str, Any] = {"nullable": True}
        cerberus_type = FIELD_TYPES[ftype].cerberus if ftype in FIELD_TYPES else "string"
        if cerberus_type is not None:
            schema["type"] = cerberus_type
        checks = []
        for name, arg in rules.items():
            rule = RULES.get(name)
            if rule is None:
                continue  # reported by the loader; a flow with it is never built
            if rule.cerberus is not None:
                schema.update(rule.cerberus(arg))
            elif rule.check is not None and arg is not False:
                checks.append(self._bind(fid, rule.check, arg))
                self._checks.setdefault(fid, []).append((rule.check, arg))
                if rule.argument == "field":
                    self._other[(fid, name)] = {"other_label": self._labels.get(arg, arg)}
        if checks:
            schema["check_with"] = checks
        return schema

    def _bind(self, fid: str, check: Check, arg: Any) -> Callable[..., None]:
        def run(field: str, value: Any, error: Callable[..., None]) -> None:
            if value is None:
                return
            found = check(value, arg, self._local.document, self._local.today)
            if isinstance(found, tuple):
                self._local.params[(field, found[0])] = found[1]
                found = found[0]
            if found:
                error(field, found)
        return run

    def _validator(self) -> cerberus.Validator:
        validator = getattr(self._local, "validator", None)
        if validator is None:
            validator = self._local.validator = cerberus.Validator(self._schema, allow_unknown=True)
        return validator

    def validate(self, document: Mapping[str, Any], today: date) -> list[Problem]:
        """Return (field, code, params) for every failing rule, in schema order."""
        judges, schema = self._judges, self._schema
        asked: dict[str, Any] = {}
        found: list[Problem] = []
        try:
            for fid, value in document.items():
                judge = judges.get(fid)
                got = judge(value, document, today) if judge is not None else None
                if got is None:
                    if fid in schema:
                        asked[fid] = value
                elif got:
                    if len(got) > 1:  # Cerberus' order of two failing checks of a field is its sort's
                        return self._cerberus(document, document, today)
                    found += got
        except Exception:  # a check given a value of another type: raise what Cerberus raises first
            return self._cerberus(document, document, today)
        if asked:
            found += self._cerberus(asked, document, today)
        if len(found) > 1:
            order, last = self._order, len(self._order)
            found.sort(key=lambda item: order.get(item[0], last))
        return found

    def _cerberus(self, asked: Mapping[str, Any], document: Mapping[str, Any],
                  today: date) -> list[tuple[str, str, dict[str, Any]]]:
        """Cerberus' problems with the values `asked`; the domain checks read the whole `document`."""
        validator = self._validator()
        self._local.document, self._local.today, self._local.params = document, today, {}
        # normalize=False: values arrive normalised by engine.normalize, and the schemas hold no
        # Cerberus normalisation rules; Cerberus' normalisation pass (a copy and re-check of the
        # schema on every call) was 80-90% of its cost (bench/engine.py).
        if validator.validate(dict(asked), normalize=False):
            return []
        found = []
        for error in validator._errors:
            field = error.document_path[0] if error.document_path else error.field
            if error.rule is None or error.rule == "check_with":
                code = str(error.info[0])
                found.append((field, code, {**self._other.get((field, code), {}),
                                            **self._local.params.get((field, code), {})}))
            else:
                code = _CERBERUS_CODES.get(error.rule, error.rule)
                found.append((field, code, _params(error.rule, error.constraint)))
        order, last = self._order, len(self._order)
        return sorted(found, key=lambda item: order.get(item[0], last))


def _params(rule: str, constraint: Any) -> dict[str, Any]:
    if rule == "maxlength":
        return {"max": constraint}
    if rule == "minlength":
        return {"min": constraint}
    return {}
