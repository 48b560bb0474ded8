"""The closed expression language used in gates, conditions, prefill and filters.

Expressions use Jinja2's expression syntax, parsed once at load time by Jinja's parser and
checked against an AST whitelist: constants, names, attribute and item access without a
leading underscore, comparisons, `in`, and/or/not, `x if c else y`, lists, the tests
none/defined/undefined and the filters in FILTERS. No calls, no arithmetic beyond a
minus sign, no other filters. The checked tree is then compiled into a tree of small Python
closures over plain data (nothing else is reachable from it, so no sandbox is needed at run
time, and evaluation costs no template context). Evaluation raises ExpressionFailed
instead of ever returning a silent False. No I/O.
"""
from __future__ import annotations

import difflib
from dataclasses import dataclass, field
from typing import Any, Callable, Iterable, Mapping

import operator
from collections.abc import Mapping as AbcMapping

from jinja2 import TemplateSyntaxError, nodes
from jinja2.parser import Parser
from jinja2.sandbox import ImmutableSandboxedEnvironment

from . import idnumber
from .problems import ExpressionFailed


def _length(value: Any) -> int:
    return 0 if value is None else len(value)


def _id_birth_date(value: Any) -> Any:
    return idnumber.birth_date(value) if isinstance(value, str) else None


def _id_gender(value: Any) -> Any:
    return idnumber.gender(value) if isinstance(value, str) else None


def _codes(value: Any) -> list[str]:
    """A text of codes separated by spaces or commas (a dataset column such as an agency's
    `stages: kindergarten primary junior`) as a list, so `x in row.stages | codes` tests one
    code, never a part of one. None gives an empty list."""
    if value is None:
        return []
    if not isinstance(value, str):
        raise TypeError(f"codes applies to text, not {value!r}")
    return [word for word in value.replace(",", " ").replace("，", " ").split() if word]


FILTERS: dict[str, Callable[[Any], Any]] = {
    "length": _length,
    "id_birth_date": _id_birth_date,
    "id_gender": _id_gender,
    "codes": _codes,
}
TESTS = {"none", "defined", "undefined"}
COMPARE_OPS = {"eq", "ne", "lt", "lteq", "gt", "gteq", "in", "notin"}
_ALLOWED_NODES = (nodes.Const, nodes.Name, nodes.Getattr, nodes.Getitem, nodes.Compare,
                  nodes.Operand, nodes.And, nodes.Or, nodes.Not, nodes.Test, nodes.Filter,
                  nodes.List, nodes.Tuple, nodes.CondExpr, nodes.Neg)

_ENV = ImmutableSandboxedEnvironment()  # used for parsing only
Names = Mapping[str, Any]
Compiled = Callable[[Names], Any]


@dataclass(frozen=True)
class Expression:
    """A compiled, checked expression. `names` are the free names it reads;
    `attributes` are (name, attribute) pairs read directly off a name."""

    source: str
    names: frozenset[str]
    attributes: frozenset[tuple[str, str]]
    _function: Compiled = field(repr=False, compare=False)
    tree: nodes.Node | None = field(default=None, repr=False, compare=False)  # for engine.typecheck

    def evaluate(self, names: Names, where: str = "") -> Any:
        """Evaluate over `names` (any mapping; only the names the expression reads are asked for)."""
        try:
            return self._function(names)
        except (TypeError, ValueError, LookupError, AttributeError) as exc:
            raise ExpressionFailed(self.source, where, exc) from exc


class ExpressionSyntax(Exception):
    """An expression that does not parse or uses something outside the language."""

    def __init__(self, code: str, message: str, hint: str = ""):
        self.code, self.message, self.hint = code, message, hint
        super().__init__(message)


def compile_expression(source: str) -> Expression:
    """Parse, whitelist-check and compile. Raises ExpressionSyntax."""
    try:
        parser = Parser(_ENV, source, state="variable")
        tree = parser.parse_expression()
        if not parser.stream.eos:
            raise TemplateSyntaxError("unexpected text after the expression",
                                      parser.stream.current.lineno)
    except TemplateSyntaxError as exc:
        message = (exc.message or "").replace("end of template", "end of the expression")
        raise ExpressionSyntax("EXPR_001", f"expression {source!r} does not parse: {message}",
                               _syntax_hint(source, message)) from exc
    _check(tree, source)
    every = [tree, *tree.find_all(nodes.Node)]  # find_all leaves out the root itself
    names = frozenset(n.name for n in every if isinstance(n, nodes.Name))
    attributes = frozenset((n.node.name, n.attr) for n in every
                           if isinstance(n, nodes.Getattr) and isinstance(n.node, nodes.Name))
    return Expression(source, names, attributes, _compile(tree), tree)


# Words people bring from other languages, and what this one says instead.
NAME_HINTS = {"null": "write `none` (e.g. `x is none`)", "nil": "write `none`", "None": "write `none`",
              "len": "write `x | length`", "today()": "write `today`"}


def _syntax_hint(source: str, message: str) -> str:
    """What a policy editor most likely meant, from the shape of what they wrote."""
    stripped = source.replace("==", "").replace("!=", "").replace(">=", "").replace("<=", "")
    if "=" in stripped:
        return "to compare, write `==` (one `=` is not a comparison), e.g. `agency == 'x'`"
    if source.count("'") % 2 or source.count('"') % 2:
        return "a quote is opened but not closed"
    if source.count("(") != source.count(")"):
        return "brackets ( ) do not match"
    if "end of the expression" in message:
        return "the expression stops before it is complete: finish it, e.g. `agency == 'x'`"
    return "write a comparison such as `plan is not none`"


def _check(tree: nodes.Node, source: str) -> None:
    for node in [tree, *tree.find_all(nodes.Node)]:
        if isinstance(node, nodes.Call) and isinstance(node.node, nodes.Name) and node.node.name == "len":
            raise ExpressionSyntax("EXPR_002", f"expression {source!r} calls len(), which flows may not use",
                                   "write `x | length` instead of `len(x)`")
        if not isinstance(node, _ALLOWED_NODES):
            raise ExpressionSyntax("EXPR_002", f"expression {source!r} uses {type(node).__name__.lower()}, "
                                   "which flows may not use",
                                   "use comparisons, and/or/not, `in`, `is none` and attribute access")
        if isinstance(node, nodes.Getattr) and node.attr.startswith("_"):
            raise ExpressionSyntax("EXPR_003", f"expression {source!r} reads a private attribute "
                                   f"'{node.attr}'", "attribute names may not start with _")
        if isinstance(node, nodes.Getitem) and not (
                isinstance(node.arg, nodes.Const) and not str(node.arg.value).startswith("_")):
            raise ExpressionSyntax("EXPR_003", f"expression {source!r} uses a computed index",
                                   "index with a constant, e.g. row['code']")
        if isinstance(node, nodes.Operand) and node.op not in COMPARE_OPS:
            raise ExpressionSyntax("EXPR_002", f"expression {source!r} uses operator {node.op}", "")
        if isinstance(node, nodes.Test) and (node.name not in TESTS or node.args or node.kwargs):
            raise ExpressionSyntax("EXPR_004", f"expression {source!r} uses unknown test '{node.name}'",
                                   "allowed tests: " + ", ".join(sorted(TESTS)))
        if isinstance(node, nodes.Filter) and (node.name not in FILTERS or node.args or node.kwargs):
            raise ExpressionSyntax("EXPR_005", f"expression {source!r} uses unknown filter '{node.name}'",
                                   "allowed filters: " + ", ".join(sorted(FILTERS)))
        if isinstance(node, nodes.Name) and node.name.startswith("_"):
            raise ExpressionSyntax("EXPR_003", f"expression {source!r} names '{node.name}'",
                                   "names may not start with _")


_COMPARE: dict[str, Callable[[Any, Any], Any]] = {
    "eq": operator.eq, "ne": operator.ne, "lt": operator.lt, "lteq": operator.le, "gt": operator.gt,
    "gteq": operator.ge, "in": lambda a, b: a in b, "notin": lambda a, b: a not in b}


def _attribute(value: Any, name: str) -> Any:
    """`a.b`: a mapping's key, else a public attribute (e.g. a date's `year`)."""
    if isinstance(value, AbcMapping):
        return value[name]
    if value is None:
        raise AttributeError(f"none has no attribute '{name}'")
    return getattr(value, name)


def _compile(node: nodes.Node) -> Compiled:  # noqa: C901 - one branch per whitelisted node type
    """Turn a whitelisted Jinja AST node into a closure over the names mapping."""
    if isinstance(node, nodes.Const):
        value = node.value
        return lambda names: value
    if isinstance(node, nodes.Name):
        name = node.name
        return lambda names: names[name]
    if isinstance(node, nodes.Getattr):
        inner, attr = _compile(node.node), node.attr
        return lambda names: _attribute(inner(names), attr)
    if isinstance(node, nodes.Getitem):
        inner, key = _compile(node.node), node.arg.value  # type: ignore[attr-defined]
        return lambda names: inner(names)[key]
    if isinstance(node, (nodes.List, nodes.Tuple)):
        items = [_compile(item) for item in node.items]
        return lambda names: [item(names) for item in items]
    if isinstance(node, nodes.Not):
        inner = _compile(node.node)
        return lambda names: not inner(names)
    if isinstance(node, nodes.Neg):
        inner = _compile(node.node)
        return lambda names: -inner(names)
    if isinstance(node, nodes.And):
        left, right = _compile(node.left), _compile(node.right)
        return lambda names: left(names) and right(names)
    if isinstance(node, nodes.Or):
        left, right = _compile(node.left), _compile(node.right)
        return lambda names: left(names) or right(names)
    if isinstance(node, nodes.CondExpr):
        test, yes = _compile(node.test), _compile(node.expr1)
        no = _compile(node.expr2) if node.expr2 is not None else (lambda names: None)
        return lambda names: yes(names) if test(names) else no(names)
    if isinstance(node, nodes.Filter):
        inner, function = _compile(node.node), FILTERS[node.name]  # type: ignore[arg-type]
        return lambda names: function(inner(names))
    if isinstance(node, nodes.Test):
        return _compile_test(node)
    if isinstance(node, nodes.Compare):
        return _compile_compare(node)
    raise ExpressionSyntax("EXPR_002", f"unsupported expression node {type(node).__name__}")


def _compile_test(node: nodes.Test) -> Compiled:
    inner = _compile(node.node)
    if node.name == "none":
        return lambda names: inner(names) is None

    def defined(names: Names) -> bool:
        try:
            inner(names)
        except (LookupError, AttributeError):
            return False
        return True
    if node.name == "defined":
        return defined
    return lambda names: not defined(names)


def _compile_compare(node: nodes.Compare) -> Compiled:
    first = _compile(node.expr)
    steps = [(_COMPARE[op.op], _compile(op.expr)) for op in node.ops]

    def compare(names: Names) -> bool:
        left = first(names)
        for test, operand in steps:
            right = operand(names)
            if not test(left, right):
                return False
            left = right
        return True
    return compare


def did_you_mean(word: str, candidates: Iterable[str]) -> str:
    """A 'did you mean' hint, or an empty string."""
    close = difflib.get_close_matches(word, list(candidates), n=1, cutoff=0.6)
    return f"did you mean '{close[0]}'?" if close else ""
