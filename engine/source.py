"""Stage 1 of loading: read YAML text into plain data, remembering where each node was.

Returns the document as dicts/lists/scalars plus a map from a path (tuple of keys and
indexes) to its (line, col), both 1-based. The data is built straight from the parser's
events, so nothing is built before it is checked: anchors and aliases are refused as events
(an alias is never expanded, so a "billion laughs" file costs nothing), nesting deeper than
MAX_DEPTH and files larger than MAX_CHARS are refused with a message, duplicate keys and tags
are refused. Plain scalars are read as YAML 1.2 core (`yes`/`no`/`on`/`off` stay text and are
refused as ambiguous, with a hint to quote them). After a syntax error, reading resumes at the
next top-level key, so every broken block is reported. This stage knows nothing about flows.
"""
from __future__ import annotations

import re
from typing import Any, Iterator

import yaml

from .problems import FlowProblem

Path = tuple[Any, ...]
Positions = dict[Path, tuple[int, int]]

MAX_CHARS = 1_000_000  # 50 times the shipped flow (~20 000 characters); reference data belongs in datasets
MAX_DEPTH = 40

_Parser = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_TAG = "tag:yaml.org,2002:"
_NULL = re.compile(r"^(?:~|null|Null|NULL|)$")
_BOOL = {"true": True, "True": True, "TRUE": True, "false": False, "False": False, "FALSE": False}
_INT = re.compile(r"^(?:[-+]?[0-9]+|0o[0-7]+|0x[0-9a-fA-F]+)$")
_FLOAT = re.compile(r"^(?:[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?"
                    r"|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$")
_AMBIGUOUS = frozenset({"yes", "Yes", "YES", "no", "No", "NO", "on", "On", "ON", "off", "Off", "OFF"})
_FULLWIDTH_KEY = re.compile(r"^(\s*(?:-\s+)?)([A-Za-z_][A-Za-z0-9_.]*)\s*：")
_TOP_KEY = re.compile(r"^[A-Za-z_\"'][^#]*:")


def read_yaml(text: str, filename: str) -> tuple[Any, Positions, list[FlowProblem]]:
    """Parse `text`; return (data, positions, problems). Data is None when nothing usable was read."""
    if len(text) > MAX_CHARS:
        size = f"{len(text) / 1_000_000:.1f} million characters"
        return None, {}, [FlowProblem(filename, 1, 1, "YAML_010", f"the file is too large ({size}); "
                                      f"a flow may have at most {MAX_CHARS // 1_000_000} million",
                                      "put long lists (agencies, schools, codes) in a dataset file and "
                                      "name it under `datasets:` with `file:`")]
    reader = _Reader(filename)
    try:
        data = reader.document(yaml.parse(text, Loader=_Parser))
    except yaml.MarkedYAMLError:
        return None, {}, syntax_problems(text, filename)
    except yaml.YAMLError as exc:
        return None, {}, [FlowProblem(filename, 1, 1, "YAML_001", f"the file is not valid YAML: {exc}", "")]
    if data is _EMPTY:
        return None, {}, [FlowProblem(filename, 1, 1, "YAML_002", "the file is empty",
                                      "a flow starts with a `flow:` mapping")]
    return data, reader.positions, reader.problems


# -- syntax errors --------------------------------------------------------------------------
def syntax_problems(text: str, filename: str) -> list[FlowProblem]:
    """Every syntax error, reading on from the next top-level key after each one."""
    lines = text.split("\n")
    starts = [i for i, line in enumerate(lines) if _TOP_KEY.match(line)]
    problems: list[FlowProblem] = []
    begin = 0
    while True:
        padded = "\n" * begin + "\n".join(lines[begin:])
        try:
            for _ in yaml.parse(padded, Loader=yaml.SafeLoader):  # its messages are worded better than libyaml's
                pass
            return problems
        except yaml.MarkedYAMLError as exc:
            problem, resume_after = _syntax_problem(exc, filename, lines)
            problems.append(problem)
        except yaml.YAMLError:
            return problems
        following = [s for s in starts if s > max(resume_after, begin)]
        if not following:
            return problems
        begin = following[0]


def _syntax_problem(exc: yaml.MarkedYAMLError, filename: str, lines: list[str]) -> tuple[FlowProblem, int]:
    """Locate a syntax error where a person would look for it, with a hint in their terms.

    Also returns the 0-based line after which reading may resume."""
    problem = exc.problem or str(exc)
    mark = exc.problem_mark or exc.context_mark
    resume_after = mark.line if mark else len(lines)
    if "end of stream" in problem and exc.context_mark is not None:
        mark = exc.context_mark  # the end of the file is not where the mistake is; where it opened is
        resume_after = mark.line
    line, col = (mark.line + 1, mark.column + 1) if mark else (1, 1)
    fullwidth = _fullwidth_colon(lines, exc)
    if fullwidth is not None:
        at, key, column = fullwidth
        return FlowProblem(filename, at + 1, column + 1, "YAML_009",
                           f"the colon after '{key}' is a full-width colon '：' (全角冒号)",
                           f"type an ordinary colon and a space: `{key}: `"), max(resume_after, at)
    what = f"{exc.context}, {problem}" if exc.context and "scanning for the next token" not in exc.context \
        else problem
    if "'\\t'" in problem:
        hint = "indent with spaces; YAML does not allow tabs here"
    elif "expected <block end>" in problem:
        what = "this line is not indented like the lines around it"
        hint = "keys of the same mapping, and items of the same list, start in the same column"
    elif "mapping values are not allowed" in problem:
        hint = "a value that contains ': ' needs quotes, e.g. when: \"a: b\""
    elif "unknown escape character" in problem:
        what = "a backslash inside double quotes starts an escape such as \\n"
        hint = "write patterns in single quotes, e.g. regex: '^\\d{6}$'"
    elif exc.context and "quoted scalar" in exc.context:
        hint = "a quote opened here is never closed"
    else:
        hint = "check indentation and quoting around this place"
    return FlowProblem(filename, line, col, "YAML_001", f"the file is not valid YAML: {what}", hint), resume_after


def _fullwidth_colon(lines: list[str], exc: yaml.MarkedYAMLError) -> tuple[int, str, int] | None:
    """A key typed with '：' makes the parser complain a line later: find it near the error."""
    marks = [m.line for m in (exc.context_mark, exc.problem_mark) if m is not None]
    if not marks:
        return None
    for index in range(max(marks), max(min(marks) - 3, -1), -1):
        match = _FULLWIDTH_KEY.match(lines[index]) if index < len(lines) else None
        if match:
            return index, match.group(2), match.end() - 1
    return None


# -- building from events ---------------------------------------------------------------------
_EMPTY = object()
_SKIP = object()


class _Reader:
    def __init__(self, filename: str):
        self.filename = filename
        self.positions: Positions = {}
        self.problems: list[FlowProblem] = []
        self._deep_reported = False
        self._aliases_reported: set[str] = set()

    def _problem(self, mark: Any, code: str, message: str, hint: str = "") -> None:
        self.problems.append(FlowProblem(self.filename, mark.line + 1, mark.column + 1, code, message, hint))

    def document(self, events: Iterator[yaml.Event]) -> Any:
        data: Any = _EMPTY
        for event in events:
            if isinstance(event, yaml.DocumentStartEvent) and data is _EMPTY:
                data = self.node(next(events), events, (), 0)
            elif isinstance(event, yaml.DocumentStartEvent):
                self._problem(event.start_mark, "YAML_001", "the file holds more than one YAML document",
                              "remove the `---` line; a flow is one document")
                self._skip(next(events), events)
        return data

    def node(self, event: yaml.Event, events: Iterator[yaml.Event], path: Path, depth: int) -> Any:
        mark = event.start_mark
        self.positions[path] = (mark.line + 1, mark.column + 1)
        if isinstance(event, yaml.AliasEvent):
            self._anchor(event, "*")
            return None
        if getattr(event, "anchor", None) is not None:
            self._anchor(event, "&")
        if isinstance(event, (yaml.MappingStartEvent, yaml.SequenceStartEvent)) and depth >= MAX_DEPTH:
            if not self._deep_reported:
                self._problem(mark, "YAML_011", f"the file is nested more than {MAX_DEPTH} levels deep here",
                              "a flow needs only a few levels: check the indentation")
                self._deep_reported = True
            self._skip(event, events)
            return None
        if isinstance(event, yaml.MappingStartEvent):
            self._tag(event, "map")
            return self._mapping(events, path, depth + 1)
        if isinstance(event, yaml.SequenceStartEvent):
            self._tag(event, "seq")
            items = []
            for index, item in enumerate(iter(lambda: next(events), None)):
                if isinstance(item, yaml.SequenceEndEvent):
                    return items
                items.append(self.node(item, events, path + (index,), depth + 1))
            return items
        return self.scalar(event)

    def _mapping(self, events: Iterator[yaml.Event], path: Path, depth: int) -> dict[str, Any]:
        result: dict[str, Any] = {}
        for key_event in iter(lambda: next(events), None):
            if isinstance(key_event, yaml.MappingEndEvent):
                return result
            key = self._key(key_event, events)
            value_event = next(events)
            if key is _SKIP:
                self._skip(value_event, events)
                continue
            if key in result:
                first = self.positions.get(path + (key,), (0, 0))
                self._problem(key_event.start_mark, "YAML_003", f"duplicate key '{key}'",
                              f"it was already given at line {first[0]}; keep one")
                self._skip(value_event, events)
                continue
            result[key] = self.node(value_event, events, path + (key,), depth)
            mark = key_event.start_mark
            self.positions[path + (key,)] = (mark.line + 1, mark.column + 1)
        return result

    def _key(self, event: yaml.Event, events: Iterator[yaml.Event]) -> Any:
        if not isinstance(event, yaml.ScalarEvent):
            if isinstance(event, yaml.AliasEvent):
                self._anchor(event, "*")
            else:
                self._problem(event.start_mark, "YAML_005", "a key must be a plain value", "")
                self._skip(event, events)
            return _SKIP
        if event.anchor is not None:
            self._anchor(event, "&")
        if event.value == "<<" and not event.style and event.tag is None:
            self._problem(event.start_mark, "YAML_004", "merge keys (<<) are not allowed", "write the keys out in full")
            return _SKIP
        key = self.scalar(event, is_key=True)
        return key if isinstance(key, str) else str(key)

    def scalar(self, event: yaml.ScalarEvent, is_key: bool = False) -> Any:
        value, tag = event.value, event.tag
        if tag not in (None, "!"):
            return self._tagged(event)
        if event.style or tag == "!":  # quoted or block text
            return value
        if not is_key and self._plain_checks(event):
            return value.lower() in ("yes", "on")  # refused anyway; read as meant, so no problem follows from it
        return resolve_plain(value)

    def _plain_checks(self, event: yaml.ScalarEvent) -> bool:
        """Report an ambiguous yes/no (returns True) or a key typed with a full-width colon."""
        value = event.value
        if value in _AMBIGUOUS:
            meaning = "true" if value.lower() in ("yes", "on", "y") else "false"
            self._problem(event.start_mark, "YAML_008", f"unquoted '{value}' is read as {meaning} by some YAML "
                          "readers and as text by others",
                          f"write '{value}' in quotes if it is text, or {meaning} if you mean yes/no")
            return True
        match = _FULLWIDTH_KEY.match(value)
        if match and "\n" not in value:
            mark = event.start_mark
            self.problems.append(FlowProblem(self.filename, mark.line + 1, mark.column + match.end(), "YAML_009",
                                             f"the colon after '{match.group(2)}' is a full-width colon '：' (全角冒号)",
                                             f"type an ordinary colon and a space: `{match.group(2)}: `"))
        return False

    def _tagged(self, event: yaml.ScalarEvent) -> Any:
        tag, value = event.tag, event.value
        if tag.startswith("!"):
            self._problem(event.start_mark, "YAML_006", f"custom tag {tag} is not allowed", "remove the tag")
            return value
        kind = tag[len(_TAG):] if tag.startswith(_TAG) else ""
        if kind == "str":
            return value
        resolved = resolve_plain(value)
        wanted = {"int": int, "float": float, "bool": bool, "null": type(None)}.get(kind)
        if wanted is not None and type(resolved) is wanted:
            return resolved
        self._problem(event.start_mark, "YAML_006", f"tag {tag} is not allowed", "remove the tag")
        return value

    def _tag(self, event: yaml.Event, kind: str) -> None:
        if event.tag not in (None, "!", _TAG + kind):
            self._problem(event.start_mark, "YAML_006", f"tag {event.tag} is not allowed", "remove the tag")

    def _anchor(self, event: yaml.Event, sign: str) -> None:
        if sign == "*" and event.anchor in self._aliases_reported:
            return  # one line per alias name is enough (a "billion laughs" file uses each many times)
        if sign == "*":
            self._aliases_reported.add(event.anchor)
        self._problem(event.start_mark, "YAML_007", f"anchors and aliases ({sign}{event.anchor}) are not allowed",
                      "write the repeated part out in full")

    def _skip(self, event: yaml.Event, events: Iterator[yaml.Event]) -> None:
        """Consume the events of one node without building it (anchors in it are still refused)."""
        depth = 1 if isinstance(event, (yaml.MappingStartEvent, yaml.SequenceStartEvent)) else 0
        if isinstance(event, yaml.AliasEvent) or getattr(event, "anchor", None) is not None:
            self._anchor(event, "*" if isinstance(event, yaml.AliasEvent) else "&")
        while depth:
            event = next(events)
            if isinstance(event, yaml.AliasEvent) or getattr(event, "anchor", None) is not None:
                self._anchor(event, "*" if isinstance(event, yaml.AliasEvent) else "&")
            if isinstance(event, (yaml.MappingStartEvent, yaml.SequenceStartEvent)):
                depth += 1
            elif isinstance(event, (yaml.MappingEndEvent, yaml.SequenceEndEvent)):
                depth -= 1


def resolve_plain(value: str) -> Any:
    """A plain (unquoted) scalar as YAML 1.2's core schema reads it. Dates stay text."""
    if _NULL.match(value):
        return None
    if value in _BOOL:
        return _BOOL[value]
    if _INT.match(value):
        return int(value, 0) if value[:2] in ("0o", "0x") else int(value)
    if _FLOAT.match(value):
        lowered = value.lower()
        if lowered.endswith((".inf", ".nan")):
            return float(lowered.replace(".", ""))
        return float(value)
    return value
