"""The flow in words: gate conditions, field rules, lookups and statuses as plain Chinese,
for the diagram and the specification.

A condition is worded from its syntax tree (Jinja2's, the same parser the engine compiles
with), never shown as the raw expression: `plan.opens <= now <= plan.closes` becomes
“当前时间在所选注册机构的初审注册计划的网上申报开始时间至网上申报截止时间之间”. Every
word comes from locales/zh_CN (`explain.*`, the flow's own labels); names without a label
are shown as their id, so a new flow is worded without code. Pure: values in, text out.
"""
from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

from jinja2 import Environment, nodes
from jinja2.parser import Parser

from engine import Field, Flow

from .catalog import Catalog

_ENV = Environment()
_TIME_TYPES = frozenset({"date", "datetime"})
_ORDER_OPS = frozenset({"lt", "lteq", "gt", "gteq"})


def parse(source: str) -> nodes.Node:
    return Parser(_ENV, source, state="variable").parse_expression()


@dataclass(frozen=True)
class Words:
    """Wording of one flow through the catalogue."""

    flow: Flow
    catalog: Catalog
    row: str | None = None  # the dataset `row` stands for (an option filter)

    def for_rows(self, dataset: str) -> "Words":
        return replace(self, row=dataset)

    def t(self, key: str, **params: Any) -> str:
        return self.catalog.text(key, **params)

    def first(self, keys: list[str], fallback: str, **params: Any) -> str:
        for key in keys:
            if self.catalog.has(key):
                return self.catalog.text(key, **params)
        return fallback

    # -- names ---------------------------------------------------------------------------
    def lookup_label(self, lookup_id: str) -> str:
        return self.first([f"explain.lookup.{lookup_id}"], lookup_id)

    def dataset_label(self, name: str) -> str:
        return self.first([f"explain.dataset.{name}"], name)

    def column_label(self, dataset: str, column: str) -> str:
        return self.first([f"explain.column.{dataset}.{column}", f"explain.column.{column}"], column)

    def role_label(self, role: str) -> str:
        return self.first([f"staff.role.{role}"], role)

    def field_label(self, fid: str) -> str:
        fld = self._field(fid)
        return self.t(fld.label) if fld is not None else fid

    def status_label(self, status: str) -> str:
        return self.t(self.flow.statuses[status].message)

    def step_label(self, step_id: str) -> str:
        return self.t(self.flow.step(step_id).title)

    def _field(self, fid: str) -> Field | None:
        return self.flow.fields.get(fid) or next((f for f in self.flow.review_fields if f.id == fid), None)

    # -- conditions ----------------------------------------------------------------------
    def condition(self, source: str) -> str:
        """A condition (gate, edit rule) as a sentence."""
        return self._bool(parse(source))

    def value(self, source: str) -> str:
        """A value expression (a prefill, a displayed value) as words: “信息系统中的教师资格证书的姓名”."""
        return self._value(parse(source))

    def _bool(self, node: nodes.Node) -> str:
        if isinstance(node, nodes.And):
            return self.t("explain.and", left=self._bool(node.left), right=self._bool(node.right))
        if isinstance(node, nodes.Or):
            return self.t("explain.or", left=self._bool(node.left), right=self._bool(node.right))
        if isinstance(node, nodes.Not):
            if isinstance(node.node, nodes.Test):
                return self._test(node.node, negated=True)
            return self.t("explain.not", inner=self._bool(node.node))
        if isinstance(node, nodes.Test):
            return self._test(node, negated=False)
        if isinstance(node, nodes.Compare):
            return self._compare(node)
        if isinstance(node, nodes.Const) and isinstance(node.value, bool):
            return self.t("explain.always" if node.value else "explain.never")
        return self.t("explain.is_true", inner=self._value(node))

    def _test(self, node: nodes.Test, negated: bool) -> str:
        inner = node.node
        kind = "lookup" if isinstance(inner, nodes.Name) and inner.name in self._lookups() else "value"
        if node.name == "none":
            key = f"explain.{kind}.{'found' if negated else 'not_found'}"
        else:
            key = f"explain.{'not_defined' if (node.name == 'defined') == negated else 'defined'}"
        return self.t(key, inner=self._value(inner))

    def _compare(self, node: nodes.Compare) -> str:
        parts = [node.expr] + [op.expr for op in node.ops]
        ops = [op.op for op in node.ops]
        if len(ops) == 2 and ops[0] in ("lt", "lteq") and ops[1] in ("lt", "lteq"):
            return self.t("explain.between", value=self._value(parts[1]), low=self._value(parts[0]),
                          high=self._value(parts[2]))
        sentences = []
        for left, op, right in zip(parts, ops, parts[1:]):
            timed = op in _ORDER_OPS and (self._is_time(left) or self._is_time(right))
            key = f"explain.op.{op}" + (".time" if timed else "")
            sentences.append(self.t(key, left=self._value(left), right=self._value(right, near=left)))
        return self.t("explain.list.and").join(sentences)

    def _value(self, node: nodes.Node, near: nodes.Node | None = None) -> str:  # noqa: C901 - one per node type
        if isinstance(node, nodes.Name):
            return self._name(node.name)
        if isinstance(node, nodes.Getattr):
            return self.t("explain.of", owner=self._value(node.node), part=self._attribute(node.node, node.attr))
        if isinstance(node, nodes.Getitem):
            return self.t("explain.of", owner=self._value(node.node), part=str(node.arg.value))  # type: ignore
        if isinstance(node, nodes.Const):
            return self._constant(node.value, near)
        if isinstance(node, (nodes.List, nodes.Tuple)):
            return self.t("explain.list.or").join(self._value(i, near) for i in node.items)
        if isinstance(node, nodes.Filter):
            return self.t(f"explain.filter.{node.name}", inner=self._value(node.node))  # type: ignore[arg-type]
        if isinstance(node, nodes.Neg):
            return "-" + self._value(node.node)
        if isinstance(node, nodes.CondExpr):
            other = self._value(node.expr2) if node.expr2 is not None else self.t("explain.none")
            return self.t("explain.if", test=self._bool(node.test), yes=self._value(node.expr1), no=other)
        return self._bool(node)

    def _name(self, name: str) -> str:
        if name in ("now", "today", "row"):
            return self.t(f"explain.name.{name}")
        if name in self._lookups():
            return self.lookup_label(name)
        return self.field_label(name)

    def _attribute(self, owner: nodes.Node, attr: str) -> str:
        dataset = self._dataset_of(owner)
        return self.column_label(dataset, attr) if dataset else attr

    def _dataset_of(self, node: nodes.Node) -> str | None:
        if isinstance(node, nodes.Name) and node.name == "row":
            return self.row
        if isinstance(node, nodes.Name):
            lookup = self._lookups().get(node.name)
            return lookup.dataset if lookup else None
        return None

    def _is_time(self, node: nodes.Node) -> bool:
        if isinstance(node, nodes.Name):
            fld = self._field(node.name)
            return node.name in ("now", "today") or (fld is not None and fld.type == "date")
        if isinstance(node, nodes.Getattr):
            dataset = self._dataset_of(node.node)
            return bool(dataset) and self.flow.datasets[dataset].columns.get(node.attr) in _TIME_TYPES
        return False

    def _constant(self, value: Any, near: nodes.Node | None) -> str:
        if value is None:
            return self.t("explain.none")
        if isinstance(value, bool):
            return self.t(f"explain.{'true' if value else 'false'}")
        if isinstance(near, nodes.Name):
            fld = self._field(near.name)
            if fld is not None and fld.options is not None:
                label = next((lbl for v, lbl in fld.options.static if v == value), None)
                if label is not None:
                    return self.t("explain.quoted", text=self.t(label))
        return self.t("explain.quoted", text=str(value)) if isinstance(value, str) else str(value)

    def _lookups(self) -> dict[str, Any]:
        return {lk.id: lk for lk in self.flow.lookups}
