"""Part of stage 3 (build): static types for the expression language.

Every name an expression reads has a type known at load time: a field's from its `type` and
options, a lookup's from its dataset's columns, `row` in an option filter from the filtered
dataset, `today` a date and `now` a date and time. `infer` walks a compiled expression's
tree and returns its type plus the problems a comparison, `in`, filter or prefill would
only show at run time: a date compared with text (the run would fail), a choice compared with
a value that is none of its options (the condition could never hold). No I/O.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Mapping

from jinja2 import nodes

from .expressions import Expression, did_you_mean
from .fieldtypes import FIELD_TYPES

ANY = "any"
NONE = "none"
ORDERED = frozenset({"text", "number", "date", "datetime"})
_COLUMN = {"text": "text", "date": "date", "datetime": "datetime", "image": "image", "number": "number"}
_KIND = {"text": "text", "secret": "text", "date": "date", "image": "image"}  # fieldtypes kind → type here
_WORDS = {"text": "text", "number": "a number", "date": "a date", "datetime": "a date and time",
          "bool": "true/false", "image": "a photo", "list": "a list", "record": "a dataset row",
          "records": "a list of dataset rows", NONE: "none"}


@dataclass(frozen=True)
class Type:
    """`kind` is one of the words above; `dataset` for rows; `options` the allowed values of a
    choice (None when they are not known at load time); `field` names the choice field."""

    kind: str
    dataset: str | None = None
    options: tuple[Any, ...] | None = None
    field: str | None = None
    item: "Type | None" = None

    def words(self) -> str:
        return _WORDS.get(self.kind, self.kind)


UNKNOWN = Type(ANY)
Problem = tuple[str, str, str]  # code, message, hint


@dataclass
class Scope:
    """What names mean while checking one flow. `columns` maps dataset → column → column type."""

    fields: Mapping[str, Mapping[str, Any]]
    lookups: Mapping[str, tuple[str, bool]]  # lookup id → (dataset, many)
    columns: Mapping[str, Mapping[str, str]]
    row: str | None = None
    extra: Mapping[str, Type] = field(default_factory=dict)  # names a section adds (a document's)

    def name(self, name: str) -> Type:
        if name in self.extra:
            return self.extra[name]
        if name == "row" and self.row is not None:
            return Type("record", dataset=self.row)
        if name == "today":
            return Type("date")
        if name == "now":
            return Type("datetime")
        if name in self.lookups:
            dataset, many = self.lookups[name]
            return Type("records" if many else "record", dataset=dataset)
        raw = self.fields.get(name)
        return field_type(raw, self.columns) if raw is not None else UNKNOWN


def field_type(raw: Mapping[str, Any], columns: Mapping[str, Mapping[str, str]]) -> Type:
    """The type of the value a field holds once answered."""
    kind = FIELD_TYPES[raw["type"]].kind if raw.get("type") in FIELD_TYPES else "any"
    if kind in _KIND:
        return Type(_KIND[kind])
    options = raw.get("options")
    if kind not in ("choice", "choices"):
        return UNKNOWN
    if isinstance(options, list):
        values = tuple(o.get("value") for o in options if isinstance(o, dict))
        kinds = {_python_kind(v) for v in values}
        one = Type(kinds.pop() if len(kinds) == 1 else ANY, options=values, field=raw.get("id"))
    elif isinstance(options, dict):
        column = columns.get(options.get("dataset"), {}).get(options.get("value"))
        one = Type(_COLUMN.get(column, ANY), field=raw.get("id"))
    else:
        return UNKNOWN
    return Type("list", item=one) if kind == "choices" else one


def _python_kind(value: Any) -> str:
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, (int, float)):
        return "number"
    if isinstance(value, str):
        return "text"
    return NONE if value is None else ANY


def infer(expr: Expression, scope: Scope) -> tuple[Type, list[Problem]]:
    """The expression's type and every type problem in it."""
    if expr.tree is None:
        return UNKNOWN, []
    checker = _Checker(expr.source, scope)
    return checker.type(expr.tree), checker.problems


def fits(target: Type, value: Type) -> bool:
    """May a value of type `value` be stored in (prefilled into) a field of type `target`?"""
    if ANY in (target.kind, value.kind) or NONE == value.kind:
        return True
    if target.kind == "list" or value.kind == "list":
        return target.kind == value.kind
    if target.kind == "date" and value.kind == "datetime":
        return True
    return target.kind == value.kind


class _Checker:
    def __init__(self, source: str, scope: Scope):
        self.source, self.scope = source, scope
        self.problems: list[Problem] = []

    def problem(self, code: str, message: str, hint: str) -> None:
        self.problems.append((code, f"expression {self.source!r} {message}", hint))

    def type(self, node: nodes.Node) -> Type:  # noqa: C901 - one branch per node type
        if isinstance(node, nodes.Const):
            return Type(_python_kind(node.value))
        if isinstance(node, nodes.Name):
            return self.scope.name(node.name)
        if isinstance(node, (nodes.Getattr, nodes.Getitem)):
            return self.attribute(node)
        if isinstance(node, (nodes.List, nodes.Tuple)):
            items = [self.type(item) for item in node.items]
            kinds = {t.kind for t in items}
            return Type("list", item=items[0] if len(kinds) == 1 else UNKNOWN)
        if isinstance(node, (nodes.And, nodes.Or)):
            self.type(node.left)
            self.type(node.right)
            return Type("bool") if isinstance(node, nodes.And) else UNKNOWN
        if isinstance(node, nodes.Not):
            self.type(node.node)
            return Type("bool")
        if isinstance(node, nodes.Neg):
            self.type(node.node)
            return Type("number")
        if isinstance(node, nodes.CondExpr):
            self.type(node.test)
            yes = self.type(node.expr1)
            no = self.type(node.expr2) if node.expr2 is not None else Type(NONE)
            return yes if yes.kind == no.kind or no.kind == NONE else UNKNOWN
        if isinstance(node, nodes.Test):
            self.type(node.node)
            return Type("bool")
        if isinstance(node, nodes.Filter):
            return self.filter(node)
        if isinstance(node, nodes.Compare):
            return self.compare(node)
        return UNKNOWN

    def attribute(self, node: nodes.Getattr | nodes.Getitem) -> Type:
        inner = self.type(node.node)
        attr = node.attr if isinstance(node, nodes.Getattr) else node.arg.value  # type: ignore[union-attr]
        if inner.kind == "record" and inner.dataset in self.scope.columns:
            return Type(_COLUMN.get(self.scope.columns[inner.dataset].get(attr, ""), ANY))
        if inner.kind in ("date", "datetime") and attr in ("year", "month", "day"):
            return Type("number")
        return UNKNOWN

    def filter(self, node: nodes.Filter) -> Type:
        inner = self.type(node.node)  # type: ignore[arg-type]
        takes: dict[str, tuple[frozenset[str], Type]] = {
            "length": (frozenset({"text", "list", "records"}), Type("number")),
            "id_birth_date": (frozenset({"text"}), Type("date")),
            "id_gender": (frozenset({"text"}), Type("text")),
            "codes": (frozenset({"text"}), Type("list", item=Type("text")))}
        accepted, result = takes.get(node.name, (frozenset(), UNKNOWN))
        if accepted and inner.kind not in accepted | {ANY, NONE}:
            self.problem("EXPR_006", f"applies `{node.name}` to {inner.words()}",
                         f"`{node.name}` works on " + " or ".join(_WORDS[k] for k in sorted(accepted)))
        return result

    def compare(self, node: nodes.Compare) -> Type:
        left_node, left = node.expr, self.type(node.expr)
        for operand in node.ops:
            right = self.type(operand.expr)
            if operand.op in ("in", "notin"):
                self.membership(left_node, left, operand.expr, right)
            else:
                self.pair(operand.op, left_node, left, operand.expr, right)
            left_node, left = operand.expr, right
        return Type("bool")

    def pair(self, op: str, left_node: nodes.Node, left: Type, right_node: nodes.Node, right: Type) -> None:
        for choice, other in ((left, right_node), (right, left_node)):
            if choice.options is not None and isinstance(other, nodes.Const) and op in ("eq", "ne"):
                self.option_value(choice, other.value)
                return
        if ANY in (left.kind, right.kind) or NONE in (left.kind, right.kind):
            return
        if left.kind != right.kind and \
                not (op in ("eq", "ne") and {left.kind, right.kind} <= {"bool", "number"}):
            self.problem("EXPR_006", f"compares {left.words()} with {right.words()}, which can never work",
                         _mismatch_hint(left, right))
        elif op not in ("eq", "ne") and left.kind not in ORDERED:
            self.problem("EXPR_006", f"orders {left.words()} with <, >, <= or >=",
                         "only text, numbers, dates and times can be ordered")

    def membership(self, left_node: nodes.Node, left: Type, right_node: nodes.Node, right: Type) -> None:
        if right.kind not in ("list", "text", "records", ANY, NONE):
            self.problem("EXPR_006", f"uses `in` with {right.words()} on the right",
                         "the right side of `in` is a list, e.g. agency in ['a', 'b'], or a text")
            return
        if right.kind == "text" and left.field is not None:
            self.problem("EXPR_006", f"tests whether the answer of '{left.field}' is part of a text, "
                         "which also holds for a part of a longer code",
                         "to test a list of codes kept in a text column, write e.g. "
                         f"`{left.field} in row.stages | codes`")
            return
        if left.options is not None and isinstance(right_node, (nodes.List, nodes.Tuple)):
            for item in right_node.items:
                if isinstance(item, nodes.Const):
                    self.option_value(left, item.value)
        item = right.item if right.kind == "list" else None
        if item is not None and item.options is not None and isinstance(left_node, nodes.Const):
            self.option_value(item, left_node.value)

    def option_value(self, choice: Type, value: Any) -> None:
        options = choice.options or ()
        if value in options or value is None:
            return
        shown = ", ".join(repr(o) for o in options)
        close = did_you_mean(str(value), [str(o) for o in options])
        self.problem("EXPR_007", f"compares '{choice.field}' with {value!r}, which is not one of its options, "
                     "so it can never hold", close or f"its options: {shown}")


def _mismatch_hint(left: Type, right: Type) -> str:
    kinds = {left.kind, right.kind}
    if "date" in kinds and "text" in kinds:
        return "a date is compared with another date: a date field, a dataset's date column or `today`"
    if kinds == {"date", "datetime"}:
        return "compare a date with `today` and a date and time with `now`"
    return "compare values of the same kind"

