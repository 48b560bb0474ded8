"""Evaluation context: answers, lookups over the data source, and the injected clock.

`Context` builds the names an expression may read (every field, every lookup, `today`,
`now`) lazily and memoises lookups, so a data source is asked at most once per distinct
match. The data source is anything with `rows(dataset, match)`; the engine never knows
whether it is a file, a test double or a database. No I/O of its own.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Callable, Mapping, Protocol, Sequence

from .model import Field, Flow, Options
from .problems import ExpressionFailed

Clock = Callable[[], datetime]


class DataSource(Protocol):
    """Reference data: rows of `dataset` whose columns equal `match` (all rows when empty)."""

    def rows(self, dataset: str, match: Mapping[str, Any]) -> Sequence[Mapping[str, Any]]: ...


class MemorySource:
    """A DataSource over in-memory tables (demo files, tests)."""

    def __init__(self, tables: Mapping[str, Sequence[Mapping[str, Any]]]):
        self.tables = {name: [dict(row) for row in rows] for name, rows in tables.items()}

    def rows(self, dataset: str, match: Mapping[str, Any]) -> Sequence[Mapping[str, Any]]:
        rows = self.tables.get(dataset, [])
        if not match:
            return rows
        return [row for row in rows if all(row.get(k) == v for k, v in match.items())]


@dataclass(frozen=True)
class Option:
    value: Any
    label: str
    label_is_key: bool
    row: Mapping[str, Any] = field(default_factory=dict)


class Context:
    """The names expressions read, for one set of answers at one moment."""

    def __init__(self, flow: Flow, source: DataSource, now: datetime, answers: Mapping[str, Any],
                 memo: dict[tuple[Any, ...], Any] | None = None):
        """`memo` may be shared by the contexts of one action: its entries are keyed by the
        values they depend on, so a data source is asked once per distinct question."""
        self.flow, self.source, self.now = flow, source, now
        self.answers = answers
        self._names: dict[str, Any] | None = None
        self._memo: dict[tuple[Any, ...], Any] = {} if memo is None else memo

    def names(self) -> dict[str, Any]:
        if self._names is None:
            names: dict[str, Any] = {fid: self.answers.get(fid) for fid in self.flow.fields}
            for review in self.flow.review_fields:
                names[review.id] = self.answers.get(review.id)
            names["today"], names["now"] = self.now.date(), self.now
            for lookup in self.flow.lookups:
                match = {col: expr.evaluate(names, f"lookup {lookup.id}") for col, expr in lookup.match.items()}
                if any(v is None for v in match.values()):
                    names[lookup.id] = [] if lookup.many else None
                    continue
                rows = self._rows(lookup.dataset, match)
                names[lookup.id] = list(rows) if lookup.many else (rows[0] if rows else None)
            self._names = names
        return self._names

    def _rows(self, dataset: str, match: Mapping[str, Any]) -> Sequence[Mapping[str, Any]]:
        key = (dataset, tuple(sorted(match.items())))
        if key not in self._memo:
            self._memo[key] = self.source.rows(dataset, match)
        return self._memo[key]

    def evaluate(self, expr: Any, where: str) -> Any:
        return None if expr is None else expr.evaluate(self.names(), where)

    def options(self, fld: Field) -> list[Option]:
        spec: Options | None = fld.options
        if spec is None:
            return []
        if spec.dataset is None:
            return [Option(value, label, True) for value, label in spec.static]
        names = self.names()
        memo_key = ("options", fld.id, tuple(names.get(n) for n in sorted(spec.filter.names - {"row"}))
                    if spec.filter else ())
        if memo_key not in self._memo:
            result = []
            for row in self._rows(spec.dataset, {}):
                if spec.filter is not None and not spec.filter.evaluate({**names, "row": row},
                                                                        f"options of {fld.id}"):
                    continue
                result.append(Option(row[spec.value], str(row[spec.label]), False, row))
            self._memo[memo_key] = result
        return self._memo[memo_key]


def check_expression_value(value: Any, where: str, source: str) -> bool:
    """Conditions must give a real boolean; anything else is a flow error, not False."""
    if isinstance(value, bool):
        return value
    raise ExpressionFailed(source, where, TypeError(f"condition gave {value!r}, not true/false"))
