"""The COPY path's reading of a CSV file: the file's own bytes for PostgreSQL, no Python per row.

Stage: part of the importer (see importer.py), used on PostgreSQL for CSV files. A record
goes to `COPY … FROM STDIN (FORMAT csv)` as the file has it when one regular expression
over the raw bytes vouches for it: each field is in a form that csv.reader (the reference
path's parser) and PostgreSQL read alike and that the reference path's checks accept as it
stands (unquoted or plainly quoted text, a code for a text key, a valid `YYYY-MM-DD`
date, a `YYYY-MM-DD HH:MM[:SS]` datetime, a plain decimal number, an empty image; a
required column filled), and the record ends with the header's line ending. One call of
the expression covers up to `chunk_size` records, so no Python runs per row.

Any other record (a blank line, a stray quote, an odd line ending, a date with spaces, a
photo, a bad value) is parsed by csv.reader and checked by the reference path's own
`check`: its problems are the reference's, and if it passes it is sent re-written in a
canonical form. A record both parsers would read differently can therefore never reach
COPY as it stands (e.g. an unquoted `\\.` line, PostgreSQL's end-of-data marker).
Row numbers are the order of the records; lines are counted from the file only for a
problem. Must not touch the database (the importer does) or hold user-facing text.
"""
from __future__ import annotations

import csv
import re
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import replace
from datetime import date, datetime
from pathlib import Path
from typing import Any, Protocol

from .errors import ImportProblem
from .sources import BLOCK, LineFinder, Record, _header_problems, data_record, encoding_problem, header_names

Check = Callable[[Record], "tuple[Any, ...] | None"]


class Problems(Protocol):
    items: list[ImportProblem]

    def add(self, problem: ImportProblem) -> None: ...

    def only(self, problem: ImportProblem) -> None: ...

    @property
    def full(self) -> bool: ...


# -- what a field may look like to be sent as it is --------------------------------------

_DAY = (rb"(?!0000)(?:[0-9]{4}-(?:(?:0[1-9]|1[0-2])-(?:0[1-9]|1[0-9]|2[0-8])"
        rb"|(?:0[13-9]|1[0-2])-(?:29|30)|(?:0[13578]|1[02])-31)"
        rb"|(?:[0-9]{2}(?:0[48]|[2468][048]|[13579][26])|(?:[02468][048]|[13579][26])00)-02-29)")
_TIME = rb"[ T](?:[01][0-9]|2[0-3]):[0-5][0-9](?::[0-5][0-9])?"
_NUMBER = rb"-?[0-9]{1,1000}+(?:\.[0-9]{1,1000}+)?"
_CODE = rb"[A-Za-z0-9][A-Za-z0-9_.-]{0,39}+"
_NO_DOTS = rb"(?![A-Za-z0-9_.-]*?\.\.)"      # only where the buffer holds a '..' at all
_NEVER = rb"(?!)"


def _field(kind: str, quotes: bool, dots: bool, limit: int) -> bytes:
    """The pattern of one field of `kind` (see `_kind`): unquoted, or (when the buffer
    holds quotes at all) wholly quoted with no doubled quote inside and not empty (an
    empty quoted field is '' to PostgreSQL but None to the reference)."""
    plain = {"text": rb"[^\",\r\n]{0,%d}+" % limit, "filled": rb"[^\",\r\n]{1,%d}+" % limit,
             "code": (_NO_DOTS if dots else b"") + _CODE, "date": _DAY, "datetime": _DAY + _TIME,
             "number": _NUMBER, "empty": b"", "never": _NEVER}
    base, optional = kind.rstrip("?"), kind.endswith("?")
    unquoted = plain[base]
    if base in ("date", "datetime", "number") and optional:
        unquoted = b"(?:" + unquoted + b")?"
    if not quotes or base in ("empty", "never"):
        return unquoted
    inner = rb"[^\"]{1,%d}+" % limit if base in ("text", "filled") else plain[base]
    return b"(?:" + unquoted + b'|"' + inner + b'")'


def _kind(column_type: str, key: bool, required: bool) -> str:
    if column_type == "text":
        return "code" if key else "filled" if required else "text"
    if column_type == "image":   # a named image is read by the reference's converter
        return "never" if key or required else "empty"
    return column_type if key or required else column_type + "?"


class _Patterns:
    """Compiled record patterns for one header, per (buffer has quotes, has '..')."""

    def __init__(self, kinds: list[str], eol: bytes, chunk: int) -> None:
        self.kinds, self.eol, self.chunk = kinds, eol, chunk
        self.limit = csv.field_size_limit()
        self._compiled: dict[tuple[bool, bool], tuple[re.Pattern[bytes], re.Pattern[bytes]]] = {}

    def get(self, quotes: bool, dots: bool) -> tuple[re.Pattern[bytes], re.Pattern[bytes]]:
        key = (quotes, dots)
        if key not in self._compiled:
            fields = b",".join(_field(k, quotes, dots, self.limit) for k in self.kinds)
            record = b"(?:" + fields + re.escape(self.eol) + b")"
            self._compiled[key] = (re.compile(record + b"{0,%d}+" % self.chunk), re.compile(record))
        return self._compiled[key]


class _Fatal(Exception):
    def __init__(self, problem: ImportProblem) -> None:
        self.problem = problem


_LINE = re.compile(rb"[^\r\n]*+(?:\r\n|\r|\n)")


class CopyScan:
    """One pass over a CSV file: `read_header()`, then `segments()` yields the COPY data
    (CSV, columns in the header's order) while no problem is known; problems go to
    `problems` exactly as the reference path would report them."""

    def __init__(self, path: Path, columns: Mapping[str, str], key: Sequence[str],
                 required: Sequence[str], check: Check, problems: Problems, chunk: int) -> None:
        self.path, self.check, self.problems, self.chunk = path, check, problems, chunk
        self.columns = list(columns)
        self.kinds = {c: _kind(t, c in key, c in required) for c, t in columns.items()}
        self.rows = 0
        self.header: list[str] = []
        self._stream = path.open("rb")
        self._buf, self._pos, self._offset, self._eof = b"", 0, 0, False
        self._quotes = self._dots = False
        self._last_line = b""
        self._lines_of = LineFinder(path)

    def close(self) -> None:
        self._stream.close()

    def read_header(self) -> bool:
        """The header's names; False when the file is refused already (problems recorded)."""
        try:
            self._more()
            if self._buf.startswith(b"\xef\xbb\xbf"):
                self._pos = 3
            values, _ = self._parse_one()
        except (_Fatal, UnicodeDecodeError) as error:
            self._stop(error)
            return False
        names = header_names(values)
        problems = _header_problems(names, self.columns)
        for problem in problems:
            self.problems.add(problem)
        if problems:
            self._stop(None)
            return False
        self.header = names
        self._order = [names.index(c) for c in self.columns]
        self._at = [self.columns.index(n) for n in names]
        self.eol = self._last_line[len(self._last_line.rstrip(b"\r\n")):] or b"\n"
        self._patterns = _Patterns([self.kinds[n] for n in names], self.eol, self.chunk)
        return True

    def segments(self) -> Iterator[bytes]:
        """The records as COPY data, in file order, while there is no problem; then the
        rest is still read for the report (up to the problem limit) and nothing more is
        yielded."""
        try:
            yield from self._scan()
        except (_Fatal, UnicodeDecodeError) as error:
            self._stop(error)
            return
        if self.problems.items:
            self._stop(None)

    def _stop(self, error: BaseException | None) -> None:
        """A refused file: a bad byte anywhere is its one problem, else a fatal one counts."""
        bad = encoding_problem(self.path)
        if bad is None and isinstance(error, UnicodeDecodeError):   # the file changed meanwhile
            bad = ImportProblem(0, "IMPORT_NOT_UTF8")
        if bad is not None:
            self.problems.only(bad)
        elif isinstance(error, _Fatal):
            self.problems.add(error.problem)

    def _scan(self) -> Iterator[bytes]:
        while True:
            if self._pos == len(self._buf) and not self._more():
                return
            many, one = self._patterns.get(self._quotes, self._dots)
            end = many.match(self._buf, self._pos).end()   # type: ignore[union-attr]
            if end > self._pos:
                chunk = self._buf[self._pos:end]
                self.rows += len(one.findall(chunk)) if self._quotes else chunk.count(self.eol)
                self._pos = end
                if not self.problems.items:
                    yield chunk
                continue
            if not self._eof and self._buf.find(self.eol, self._pos) < 0 and self._more():
                continue   # the record goes on in the next block
            values, start = self._parse_one()
            if values is None:
                return
            if values:
                yield from self._divert(values, start)
                if self.problems.full:
                    return

    def _divert(self, values: list[str], start: int) -> Iterator[bytes]:
        """A record the pattern does not vouch for, through the reference's check."""
        self.rows += 1
        record = data_record(self.rows, None, values, len(self.header), self._order)
        before = len(self.problems.items)
        checked = self.check(record)
        if len(self.problems.items) > before:
            line = self._lines_of.line(start)
            self.problems.items[before:] = [replace(p, line=line) for p in self.problems.items[before:]]
        if checked is not None and not self.problems.items:
            fields = [_copy_field(checked[at]) for at in self._at]
            yield ",".join(fields).encode() + self.eol

    def _parse_one(self) -> tuple[list[str] | None, int]:
        """One record by csv.reader from the current position (None at the end)."""
        start = self._offset + self._pos
        reader = csv.reader(self._lines())
        try:
            return next(reader, None), start
        except csv.Error:
            line = self._lines_of.line(start) - 1 + reader.line_num
            raise _Fatal(ImportProblem(0, "IMPORT_BAD_CSV", line=line)) from None

    def _lines(self) -> Iterator[str]:
        """Lines as a text file opened with newline='' gives them (ending at \\n, \\r\\n or
        a lone \\r), reading on as needed."""
        while True:
            found = _LINE.match(self._buf, self._pos)
            if found is None or (found.end() == len(self._buf) and self._buf.endswith(b"\r")):
                if self._more():
                    continue
                if found is None and self._pos == len(self._buf):
                    return
            end = len(self._buf) if found is None else found.end()
            self._last_line = self._buf[self._pos:end]
            self._pos = end
            yield self._last_line.decode("utf-8")

    def _more(self) -> bool:
        if self._eof:
            return False
        block = self._stream.read(BLOCK)
        if not block:
            self._eof = True
            return False
        self._offset += self._pos
        self._buf = self._buf[self._pos:] + block
        self._pos = 0
        self._quotes, self._dots = b'"' in self._buf, b".." in self._buf
        return True


def _copy_field(value: Any) -> str:
    """A checked value as COPY's CSV reads it back to the same value (None: unquoted empty)."""
    if value is None:
        return ""
    if isinstance(value, str):
        return '"' + value.replace('"', '""') + '"'
    if isinstance(value, datetime):
        return value.isoformat(" ")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, bytes):
        return "\\x" + value.hex()
    return str(value)   # Decimal
