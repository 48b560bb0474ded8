"""Exceptions raised by the store: each carries a stable error *code*, never prose.

The web and CLI layers turn codes into text through `locales/`. This module must not
import anything from the rest of the store, SQLAlchemy, or a renderer.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any


class StoreError(Exception):
    """Base class: `code` is stable and meant for a message catalogue."""

    code = "STORE_ERROR"

    def __init__(self, code: str | None = None, **params: Any) -> None:
        self.code = code or type(self).code
        self.params = params
        super().__init__(self.code, params) if params else super().__init__(self.code)


class StoreBusy(StoreError):
    """The database stayed locked (SQLite) or kept failing to serialize (PostgreSQL)
    after the retry budget was spent. Nothing was written; the caller keeps its input
    and may simply try again."""

    code = "STORE_BUSY"


class StaleWrite(StoreError):
    """The row changed since the caller read it (optimistic locking): the save is refused."""

    code = "STORE_STALE_WRITE"


class NotFound(StoreError):
    code = "STORE_NOT_FOUND"


class Duplicate(StoreError):
    """A unique value is taken (e.g. an application for this certificate already exists)."""

    code = "STORE_DUPLICATE"


class InUse(StoreError):
    """A row cannot be deleted because other rows refer to it."""

    code = "STORE_IN_USE"


@dataclass(frozen=True)
class ImportProblem:
    """One reason a data file was refused. `row` is the 1-based data row (0: the header or
    the file as a whole); `line` is the line in the file when known."""

    row: int
    code: str
    column: str | None = None
    value: str | None = None
    line: int | None = None


class ImportFailed(StoreError):
    """A data file was refused; nothing was imported. `problems` lists every reason found
    (up to the importer's limit, `truncated` tells when more were left out)."""

    code = "IMPORT_FAILED"

    def __init__(self, problems: list[ImportProblem], truncated: bool = False) -> None:
        super().__init__(self.code, count=len(problems))
        self.problems = problems
        self.truncated = truncated
