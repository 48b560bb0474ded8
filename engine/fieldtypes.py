"""The field-type registry: what each `type:` of a flow field is, in one table.

Like pyxform's `question_type_dictionary` and Django's form fields, every field type is one
entry here: the kind of value it holds, whether the person types into it, whether it is a
choice (checked against its options), whether it is secret, whether it shows a `value:`
expression instead, the Cerberus type its values have, and how what was typed becomes its
value. The rest of the engine asks this table instead of comparing type names; each
renderer has one table of its own keyed by the same names (web widgets, console prompts,
printed cells), and a test keeps `schemas/flow.schema.json`'s type enum equal to the keys.
Adding a type is one entry here and one per renderer. No I/O.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable

from .images import normalize_image
from .normalize import normalize_text, parse_date

# Value kinds: what an expression, a rule or a document receives for the field.
KINDS = ("text", "date", "choice", "choices", "image", "secret", "any")
Normalizer = Callable[[Any, tuple[str, ...]], Any]


def _text(value: Any, steps: tuple[str, ...]) -> Any:
    return normalize_text(value, steps)


def _multiline(value: Any, steps: tuple[str, ...]) -> Any:
    return normalize_text(value, steps, multiline=True)


def _secret(value: Any, steps: tuple[str, ...]) -> Any:
    return normalize_text(value, ())  # a password is used exactly as typed


def _date(value: Any, steps: tuple[str, ...]) -> Any:
    return parse_date(value)


def _choice(value: Any, steps: tuple[str, ...]) -> Any:
    return normalize_text(value, ("trim",)) if isinstance(value, str) else value


def _choices(value: Any, steps: tuple[str, ...]) -> Any:
    items = value if isinstance(value, (list, tuple)) else ([] if value in (None, "") else [value])
    return [normalize_text(v, ("trim",)) for v in items if v not in (None, "")]


def _image(value: Any, steps: tuple[str, ...]) -> Any:
    return normalize_image(value)


def _shown(value: Any, steps: tuple[str, ...]) -> Any:
    return value


@dataclass(frozen=True)
class FieldType:
    kind: str
    normalize: Normalizer
    input: bool = True        # the person types, picks or uploads a value
    choice: bool = False      # has `options` and is checked against them
    secret: bool = False      # never shown back, kept in answers, printed or sent
    shows_value: bool = False  # displays its `value:` expression (needs one)
    cerberus: str | None = "string"  # the Cerberus type of its values (None: no type check)


FIELD_TYPES: dict[str, FieldType] = {
    "text": FieldType("text", _text),
    "textarea": FieldType("text", _multiline),
    "password": FieldType("secret", _secret, secret=True),
    "email": FieldType("text", _text),
    "date": FieldType("date", _date, cerberus="date"),
    "select": FieldType("choice", _choice, choice=True),
    "radio": FieldType("choice", _choice, choice=True),
    "checkbox": FieldType("choices", _choices, choice=True, cerberus="list"),
    "table_choice": FieldType("choice", _choice, choice=True),
    "image": FieldType("image", _image, cerberus=None),
    "photo": FieldType("image", _shown, input=False, shows_value=True, cerberus=None),
    "display": FieldType("any", _shown, input=False, shows_value=True, cerberus=None),
}
