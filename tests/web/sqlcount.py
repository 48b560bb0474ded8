"""Counting what a request asks of the database: statements and transactions.

`Counter(engine)` listens to SQLAlchemy's `before_cursor_execute` (every statement sent,
BEGIN and session settings included) and `begin` (every transaction). `statements` leaves
out the transaction control and per-connection settings (BEGIN, COMMIT, PRAGMA, SET) so
it counts the queries a page really asks for; `sent` counts everything, round trips.
"""
from __future__ import annotations

import re
from typing import Any, Callable

import sqlalchemy as sa
from sqlalchemy import event

_CONTROL = re.compile(r"^\s*(BEGIN|COMMIT|ROLLBACK|PRAGMA|SET|SAVEPOINT|RELEASE)\b", re.I)


class Counter:
    def __init__(self, engine: sa.Engine):
        self.engine = engine
        self.sql: list[str] = []
        self.transactions = 0
        self.on = False

    def _execute(self, conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        if self.on:
            self.sql.append(statement)

    def _begin(self, conn: Any) -> None:
        if self.on:
            self.transactions += 1

    def __enter__(self) -> Counter:
        event.listen(self.engine, "before_cursor_execute", self._execute)
        event.listen(self.engine, "begin", self._begin)
        return self

    def __exit__(self, *exc: object) -> None:
        event.remove(self.engine, "before_cursor_execute", self._execute)
        event.remove(self.engine, "begin", self._begin)

    def measure(self, action: Callable[[], Any]) -> tuple[int, int]:
        """(statements, transactions) of one action."""
        self.sql, self.transactions, self.on = [], 0, True
        try:
            action()
        finally:
            self.on = False
        return self.statements, self.transactions

    @property
    def statements(self) -> int:
        return sum(1 for s in self.sql if not _CONTROL.match(s))

    def shown(self) -> str:
        return "\n".join(" ".join(s.split())[:160] for s in self.sql)
