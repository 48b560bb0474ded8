"""Reads compiled once per dialect and run on the driver's cursor: the statements of every request.

SQLAlchemy's `Connection.execute` looks up the statement's compiled form by its cache key and
builds an execution context and a result object on every call: on the dashboard, more time than
SQLite takes to run the statement (issue 10). A `Prepared` read does that work once per dialect:
its SQL, the order and processors of its parameters (constants bound by the statement itself
included) and, from the first result's description, its columns' result processors (a UTC
timestamp, JSON text on SQLite). Each call then runs through `Connection._cursor_execute`, the
connection's own path for a statement on a cursor: the same `before_cursor_execute` events (so
what a page sends is still counted and logged) and the same error handling (a driver error is
raised as SQLAlchemy's, a dropped connection invalidated), so `Database.run` retries it as any
other call. It runs in the transaction the connection is in and begins none of its own.

Only for SELECTs whose SQL does not depend on the values (no expanding IN, no literal binds):
`Prepared` refuses the others when it compiles them. This module knows no table.
"""
from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

Processor = Callable[[Any], Any]


@dataclass
class _Compiled:
    sql: str
    positional: tuple[str, ...] | None            # the names in order (qmark), None: by name (pyformat)
    defaults: dict[str, Any]                      # constants the statement binds itself
    renamed: dict[str, str]                       # caller's key → the name in the SQL
    binds: tuple[tuple[str, Processor], ...]      # (name, processor) for the parameters that have one
    results: list[Processor | None] | None = None  # per column, from the first description


class Prepared:
    """One SELECT, compiled once per dialect; `rows(conn, params)` runs it."""

    def __init__(self, statement: sa.Select[Any]):
        self.statement = statement
        self.keys = tuple(c.key for c in statement.selected_columns)
        self._types = [c.type for c in statement.selected_columns]
        self._compiled: dict[str, _Compiled] = {}

    def _compile(self, dialect: sa.Dialect) -> _Compiled:
        compiled = self.statement.compile(dialect=dialect)
        sql = str(compiled)
        if "POSTCOMPILE" in sql or compiled.literal_execute_params or compiled.post_compile_params:
            raise ValueError("Prepared: a statement whose SQL depends on its values")
        defaults, renamed, binds = {}, {}, []
        for bind, name in compiled.bind_names.items():
            if bind.required:
                renamed[bind.key] = name
            else:
                defaults[name] = bind.effective_value
            processor = bind.type.dialect_impl(dialect).bind_processor(dialect)
            if processor is not None:
                binds.append((name, processor))
        order = tuple(compiled.positiontup or ()) if compiled.positional else None
        return _Compiled(sql, order, defaults, renamed, tuple(dict.fromkeys(binds)))

    def rows(self, conn: sa.Connection, params: Mapping[str, Any] | None = None) -> list[tuple[Any, ...]]:
        """Every row, as tuples in the order of `keys`."""
        dialect = conn.dialect
        found = self._compiled.get(dialect.name)
        if found is None:
            found = self._compiled[dialect.name] = self._compile(dialect)
        values = dict(found.defaults)
        for key, value in (params or {}).items():
            values[found.renamed.get(key, key)] = value
        for name, processor in found.binds:
            values[name] = processor(values[name])
        sent: Any = values if found.positional is None else tuple(values[n] for n in found.positional)
        cursor = conn.connection.cursor()
        try:
            conn._cursor_execute(cursor, found.sql, sent)
            rows = cursor.fetchall()
            if found.results is None:
                found.results = [t.dialect_impl(dialect).result_processor(dialect, d[1])
                                 for t, d in zip(self._types, cursor.description)]
        finally:
            cursor.close()
        processors = [(i, p) for i, p in enumerate(found.results) if p is not None]
        if not processors:
            return [tuple(r) for r in rows]
        out = []
        for row in rows:
            cells = list(row)
            for i, processor in processors:
                cells[i] = processor(cells[i])
            out.append(tuple(cells))
        return out

    def first(self, conn: sa.Connection, params: Mapping[str, Any] | None = None) -> dict[str, Any] | None:
        """The first row by column key, or None."""
        found = self.rows(conn, params)
        return dict(zip(self.keys, found[0])) if found else None
