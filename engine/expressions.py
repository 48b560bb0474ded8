"""The closed expression language used in gates, conditions, prefill and filters.

Expressions are Jinja2 expressions compiled once at load time in an immutable sandbox,
after an AST whitelist: constants, names, attribute and item access without a leading
underscore, comparisons, `in`, and/or/not, `x if c else y`, lists, the tests
none/defined/undefined and the filters in FILTERS. No calls, no arithmetic beyond a
minus sign, no other filters. Evaluation raises ExpressionFailed instead of ever
returning a silent False. No I/O.
"""
from __future__ import annotations

import difflib
from dataclasses import dataclass, field
from typing import Any, Callable, Iterable, Mapping

from jinja2 import StrictUndefined, TemplateSyntaxError, nodes
from jinja2.exceptions import SecurityError, UndefinedError
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


FILTERS: dict[str, Callable[[Any], Any]] = {
    "length": _length,
    "id_birth_date": _id_birth_date,
    "id_gender": _id_gender,
}
TESTS = {"none", "defined", "undefined"}
COMPARE_OPS = {"eq", "ne", "lt", "lteq", "gt", "gteq", "in", "notin"}
_ALLOWED_NODES = (nodes.Const, nodes.Name, nodes.Getattr, nodes.Getitem, nodes.Compare,
                  nodes.Operand, nodes.And, nodes.Or, nodes.Not, nodes.Test, nodes.Filter,
                  nodes.List, nodes.Tuple, nodes.CondExpr, nodes.Neg)

_ENV = ImmutableSandboxedEnvironment(undefined=StrictUndefined)
_ENV.filters = dict(FILTERS)
_ENV.tests = {name: _ENV.tests[name] for name in TESTS}


@dataclass(frozen=True)
class Expression:
    """A compiled, checked expression. `names` are the free names it reads;
    `attributes` are (name, attribute) pairs read directly off a name."""

    source: str
    names: frozenset[str]
    attributes: frozenset[tuple[str, str]]
    _function: Callable[..., Any] = field(repr=False, compare=False)

    def evaluate(self, context: Mapping[str, Any], where: str = "") -> Any:
        try:
            return self._function(**context)
        except (UndefinedError, TypeError, SecurityError, ValueError, KeyError,
                AttributeError) as exc:
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
        raise ExpressionSyntax("EXPR_001", f"expression {source!r} does not parse: {exc.message}",
                               "write a comparison such as `plan is not none`") from exc
    _check(tree, source)
    every = [tree, *tree.find_all(nodes.Node)]  # find_all leaves out the root itself
    names = frozenset(n.name for n in every if isinstance(n, nodes.Name))
    attributes = frozenset((n.node.name, n.attr) for n in every
                           if isinstance(n, nodes.Getattr) and isinstance(n.node, nodes.Name))
    return Expression(source, names, attributes, _ENV.compile_expression(source))


def _check(tree: nodes.Node, source: str) -> None:
    for node in [tree, *tree.find_all(nodes.Node)]:
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


def did_you_mean(word: str, candidates: Iterable[str]) -> str:
    """A 'did you mean' hint, or an empty string."""
    close = difflib.get_close_matches(word, list(candidates), n=1, cutoff=0.6)
    return f"did you mean '{close[0]}'?" if close else ""
