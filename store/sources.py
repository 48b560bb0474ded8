"""Reading data files row by row: CSV (UTF-8, with or without BOM) and YAML lists.

Each reader yields `Record`s whose values are in the dataset's column order, or a
`Record` carrying a problem (unknown, missing or repeated column, bad encoding, bad
YAML). A file that is not UTF-8 text (an invalid sequence, or a NUL byte, which neither
database stores) is refused with that one problem, at the line of the first bad byte,
whatever else is wrong with it (`encoding_problem`). Must not convert types or touch the
database: that is `values.py` and the importer.
"""
from __future__ import annotations

import codecs
import csv
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from .errors import ImportProblem

_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


@dataclass(frozen=True)
class Record:
    row: int
    line: int | None
    values: list[Any] = field(default_factory=list)
    problem: ImportProblem | None = None
    fatal: bool = False


BLOCK = 1 << 20


def scan_lines(path: Path) -> tuple[int, bool]:
    """Lines in a file (fast, for progress totals), and whether it holds a NUL byte."""
    count = 0
    last = b"\n"
    nul = False
    with path.open("rb") as stream:
        while block := stream.read(BLOCK):
            count += block.count(b"\n")
            nul = nul or b"\0" in block
            last = block[-1:]
    return count + (last != b"\n"), nul


def line_count(path: Path) -> int:
    return scan_lines(path)[0]


def first_bad_byte(path: Path) -> int | None:
    """Offset of the first byte that is not UTF-8 text (an invalid sequence or NUL)."""
    offset, pending = 0, b""
    with path.open("rb") as stream:
        while True:
            block = stream.read(BLOCK)
            data = pending + block
            found = [at for at in (data.find(b"\0"),) if at >= 0]
            try:
                _, used = codecs.utf_8_decode(data, "strict", not block)
            except UnicodeDecodeError as error:
                found.append(error.start)
                used = len(data)
            if found:
                return offset + min(found)
            if not block:
                return None
            offset, pending = offset + used, data[used:]


def line_at(path: Path, offset: int) -> int:
    """The 1-based line holding byte `offset`, counting lines as csv.reader does (a line
    ends at \\n, \\r\\n or a lone \\r)."""
    return LineFinder(path).line(offset)


class LineFinder:
    """Lines of byte offsets in increasing order, reading the file once, forwards."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.offset, self.breaks, self.after_cr = 0, 0, False

    def line(self, offset: int) -> int:
        if offset < self.offset:
            self.offset, self.breaks, self.after_cr = 0, 0, False
        with self.path.open("rb") as stream:
            stream.seek(self.offset)
            while self.offset < offset:
                data = stream.read(min(BLOCK, offset - self.offset))
                if not data:
                    break
                # \r\n is one break; a \n right after a \r at the end of the last read too
                self.breaks += (data.count(b"\n") + data.count(b"\r") - data.count(b"\r\n")
                                - (self.after_cr and data[:1] == b"\n"))
                self.after_cr = data[-1:] == b"\r"
                self.offset += len(data)
        return self.breaks + 1


def encoding_problem(path: Path) -> ImportProblem | None:
    """IMPORT_NOT_UTF8 at the line of the file's first bad byte, if it has one."""
    bad = first_bad_byte(path)
    return None if bad is None else ImportProblem(0, "IMPORT_NOT_UTF8", line=line_at(path, bad))


def _header_problems(names: list[str], columns: list[str]) -> list[ImportProblem]:
    found = [ImportProblem(0, "IMPORT_UNKNOWN_COLUMN", n, line=1) for n in names if n not in columns]
    found += [ImportProblem(0, "IMPORT_MISSING_COLUMN", c, line=1) for c in columns if c not in names]
    seen: set[str] = set()
    for name in names:
        if name in seen:
            found.append(ImportProblem(0, "IMPORT_DUPLICATE_COLUMN", name, line=1))
        seen.add(name)
    return found


def header_names(values: list[str] | None) -> list[str]:
    return [name.strip() for name in values or []]


def data_record(row: int, line: int | None, values: list[str], width: int,
                order: list[int] | None) -> Record:
    """A CSV record as row `row`: `values` in file order, `width` the header's length,
    `order` the file position of each column (None: the file has the dataset's order).
    A record of the wrong length carries no values: the importer reports it."""
    if len(values) != width:
        return Record(row, line, [])
    return Record(row, line, values if order is None else [values[i] for i in order])


def csv_records(path: Path, columns: list[str]) -> Iterator[Record]:
    """Row 1 is the first line after the header; `line` is where the record starts."""
    with path.open(encoding="utf-8-sig", newline="") as stream:
        reader = csv.reader(stream)
        try:
            header = header_names(next(reader, []))
            problems = _header_problems(header, columns)
            if problems:
                for problem in problems:
                    yield Record(0, 1, problem=problem, fatal=problem is problems[-1])
                return
            order = [header.index(c) for c in columns]
            identity = order == list(range(len(columns)))
            row, line = 0, reader.line_num + 1
            for values in reader:
                start, line = line, reader.line_num + 1
                if not values:
                    continue
                row += 1
                yield data_record(row, start, values, len(header), None if identity else order)
        except UnicodeDecodeError:
            problem = encoding_problem(path)
            yield Record(0, problem and problem.line, problem=problem, fatal=True)
        except csv.Error:
            yield Record(0, reader.line_num, problem=ImportProblem(
                0, "IMPORT_BAD_CSV", line=reader.line_num), fatal=True)


def yaml_records(path: Path, columns: list[str]) -> tuple[Iterator[Record], int]:
    """A YAML file holding a list of mappings keyed by column name. Parsed up front (YAML
    is for small files; use CSV for large ones); returns the records and their count."""
    try:
        with path.open(encoding="utf-8-sig") as stream:
            loader = _Loader(stream)
            try:
                node = loader.get_single_node()
            finally:
                loader.dispose()
    except UnicodeDecodeError:
        problem = encoding_problem(path)
        return iter([Record(0, problem and problem.line, problem=problem, fatal=True)]), 0
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        line = None if mark is None else mark.line + 1
        return iter([Record(0, line, problem=ImportProblem(0, "IMPORT_BAD_YAML", line=line),
                            fatal=True)]), 0
    if node is None:
        return iter([]), 0
    if not isinstance(node, yaml.SequenceNode):
        problem = ImportProblem(0, "IMPORT_NOT_A_LIST", line=node.start_mark.line + 1)
        return iter([Record(0, problem.line, problem=problem, fatal=True)]), 0
    return _yaml_rows(loader, node, columns), len(node.value)


def _yaml_rows(loader: Any, node: yaml.SequenceNode, columns: list[str]) -> Iterator[Record]:
    for row, item in enumerate(node.value, start=1):
        line = item.start_mark.line + 1
        if not isinstance(item, yaml.MappingNode):
            yield Record(row, line, problem=ImportProblem(row, "IMPORT_NOT_A_MAPPING", line=line))
            continue
        names = [key.value for key, _ in item.value]
        problems = [ImportProblem(row, p.code, p.column, line=line)
                    for p in _header_problems(names, columns)]
        if problems:
            yield from (Record(row, line, problem=p) for p in problems)
            continue
        try:
            mapping = loader.construct_object(item, deep=True)
        except yaml.YAMLError:
            yield Record(row, line, problem=ImportProblem(row, "IMPORT_BAD_YAML", line=line))
            continue
        yield Record(row, line, [mapping[c] for c in columns])
