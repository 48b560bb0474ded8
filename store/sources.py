"""Reading data files row by row: CSV (UTF-8, with or without BOM) and YAML lists.

Each reader yields `Record`s whose values are in the dataset's column order, or a
`Record` carrying a problem (unknown, missing or repeated column, bad encoding, bad
YAML). Must not convert types or touch the database: that is `values.py` and the importer.
"""
from __future__ import annotations

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


def line_count(path: Path) -> int:
    """Lines in a file (fast, for progress totals)."""
    count = 0
    last = b"\n"
    with path.open("rb") as stream:
        while block := stream.read(1 << 20):
            count += block.count(b"\n")
            last = block[-1:]
    return count + (last != b"\n")


def _header_problems(names: list[str], columns: list[str]) -> list[ImportProblem]:
    found = [ImportProblem(0, "IMPORT_UNKNOWN_COLUMN", n, line=1) for n in names if n not in columns]
    found += [ImportProblem(0, "IMPORT_MISSING_COLUMN", c, line=1) for c in columns if c not in names]
    seen: set[str] = set()
    for name in names:
        if name in seen:
            found.append(ImportProblem(0, "IMPORT_DUPLICATE_COLUMN", name, line=1))
        seen.add(name)
    return found


def csv_records(path: Path, columns: list[str]) -> Iterator[Record]:
    """Row 1 is the first line after the header; `line` is where the record starts."""
    with path.open(encoding="utf-8-sig", newline="") as stream:
        reader = csv.reader(stream)
        try:
            header = [name.strip() for name in next(reader, [])]
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
                if len(values) != len(header):
                    yield Record(row, start, [])
                    continue
                yield Record(row, start, values if identity else [values[i] for i in order])
        except UnicodeDecodeError:
            yield Record(0, None, problem=ImportProblem(0, "IMPORT_NOT_UTF8"), fatal=True)
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
        return iter([Record(0, None, problem=ImportProblem(0, "IMPORT_NOT_UTF8"), fatal=True)]), 0
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
