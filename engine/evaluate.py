"""Evaluation context: answers, lookups over the data source, and the injected clock.

`Context` builds the names an expression may read (every field, every lookup, `today`,
`now`) lazily and memoises lookups, so a data source is asked at most once per distinct
match. The data source is anything with `rows(dataset, match)`; the engine never knows
whether it is a file, a test double or a database. No I/O of its own.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Callable, Iterator, Mapping, Protocol, Sequence

from .model import Field, Flow, Lookup, Options
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


class Context(Mapping[str, Any]):
    """The names expressions read, for one set of answers at one moment.

    A lazy mapping: a field's value, `today`, `now`, or a lookup (computed on first use,
    its rows memoised by the match values)."""

    def __init__(self, flow: Flow, source: DataSource, now: datetime, answers: Mapping[str, Any],
                 memo: dict[tuple[Any, ...], Any] | None = None):
        """`memo` may be shared by the contexts of one action: its entries are keyed by the
        values they depend on, so a data source is asked once per distinct question."""
        self.flow, self.source, self.now = flow, source, now
        self.answers = answers
        self._lookups = {lookup.id: lookup for lookup in flow.lookups}
        self._fields = flow.field_names
        self._values: dict[str, Any] = {"today": now.date(), "now": now}
        self._memo: dict[tuple[Any, ...], Any] = {} if memo is None else memo

    def __getitem__(self, name: str) -> Any:
        if name in self._values:
            return self._values[name]
        if name in self._lookups:
            value = self._values[name] = self._lookup(self._lookups[name])
            return value
        if name in self._fields:
            return self.answers.get(name)
        raise KeyError(name)

    def __iter__(self) -> Iterator[str]:
        return iter([*self._fields, *self._lookups, "today", "now"])

    def __len__(self) -> int:
        return len(self._fields) + len(self._lookups) + 2

    def names(self) -> dict[str, Any]:
        """Every name with its value (lookups computed)."""
        return {name: self[name] for name in self}

    def _lookup(self, lookup: Lookup) -> Any:
        match = {col: expr.evaluate(self, f"lookup {lookup.id}") for col, expr in lookup.match.items()}
        if any(v is None for v in match.values()):
            return [] if lookup.many else None
        rows = self._rows(lookup.dataset, match)
        return list(rows) if lookup.many else (rows[0] if rows else None)

    def _rows(self, dataset: str, match: Mapping[str, Any]) -> Sequence[Mapping[str, Any]]:
        key = (dataset, tuple(sorted(match.items())))
        if key not in self._memo:
            self._memo[key] = self.source.rows(dataset, match)
        return self._memo[key]

    def evaluate(self, expr: Any, where: str) -> Any:
        return None if expr is None else expr.evaluate(self, where)

    def options(self, fld: Field) -> list[Option]:
        spec: Options | None = fld.options
        if spec is None:
            return []
        if spec.dataset is None:
            return [Option(value, label, True) for value, label in spec.static]
        rows = self._rows(spec.dataset, {})
        free = sorted(spec.filter.names - {"row"}) if spec.filter else []
        if not free:
            return _unfiltered_options(fld, spec, rows)
        memo_key = ("options", fld.id, tuple(self[n] for n in free))
        if memo_key not in self._memo:
            self._memo[memo_key] = _filter_options(fld, spec, rows, self)
        return self._memo[memo_key]


class _WithRow(Mapping[str, Any]):
    """The names of a context plus `row`, for an option filter."""

    __slots__ = ("names", "row")

    def __init__(self, names: Mapping[str, Any], row: Mapping[str, Any]):
        self.names, self.row = names, row

    def __getitem__(self, name: str) -> Any:
        return self.row if name == "row" else self.names[name]

    def __iter__(self) -> Iterator[str]:
        return iter(["row", *self.names])

    def __len__(self) -> int:
        return len(self.names) + 1


def _filter_options(fld: Field, spec: Options, rows: Sequence[Mapping[str, Any]],
                    names: Mapping[str, Any]) -> list[Option]:
    where = f"options of {fld.id}"
    result = []
    for row in rows:
        if spec.filter is None or spec.filter.evaluate(_WithRow(names, row), where):
            result.append(Option(row[spec.value], str(row[spec.label]), False, row))  # type: ignore[index]
    return _ordered(result, spec.order)


def _ordered(options: list[Option], column: str | None) -> list[Option]:
    """Options by the declared column (stable; rows without a value last), else as the rows came."""
    if column is None:
        return options
    return sorted(options, key=lambda o: (o.row.get(column) is None, o.row.get(column) or 0))


# Options whose filter reads nothing but `row` depend only on the rows: keep them while the
# data source hands out the same row list (it does until that dataset changes).
_STATIC_OPTIONS: dict[tuple[int, str], tuple[Sequence[Mapping[str, Any]], list[Option]]] = {}


def _unfiltered_options(fld: Field, spec: Options, rows: Sequence[Mapping[str, Any]]) -> list[Option]:
    key = (id(fld), fld.id)
    hit = _STATIC_OPTIONS.get(key)
    if hit is not None and hit[0] is rows:
        return hit[1]
    result = _filter_options(fld, spec, rows, {})
    _STATIC_OPTIONS[key] = (rows, result)  # holding `rows` keeps its id from being reused
    return result


def check_expression_value(value: Any, where: str, source: str) -> bool:
    """Conditions must give a real boolean; anything else is a flow error, not False."""
    if isinstance(value, bool):
        return value
    raise ExpressionFailed(source, where, TypeError(f"condition gave {value!r}, not true/false"))
