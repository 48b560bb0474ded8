"""Running many scenario files the way CI does: collect files, directories and globs, select
with `-k`, keep one result per scenario, and write the results as JUnit XML and JSON.

Renderer-free: the caller passes a function that plays one scenario file and returns a
`Result`; the console plays through the engine, a web player could play through WSGI.
Results are values; the caller decides what to print.
"""
from __future__ import annotations

import glob
import json
import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable, Sequence

SCENARIO_SUFFIXES = (".yaml", ".yml")


@dataclass
class Result:
    """One scenario file's outcome. `error` is set when the file is not a valid scenario
    (nothing was played); `failure` when an expectation was not met."""

    path: str
    name: str
    seconds: float = 0.0
    failure: str | None = None
    error: str | None = None
    line: int | None = None
    tags: tuple[str, ...] = ()
    actions: int = 0
    transcript: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.failure is None and self.error is None

    def to_json(self) -> dict[str, Any]:
        return {"path": self.path, "name": self.name, "outcome": "passed" if self.ok else "failed",
                "seconds": round(self.seconds, 4), "actions": self.actions, "tags": list(self.tags),
                "line": self.line, "failure": self.failure, "error": self.error}


def collect(patterns: Iterable[str | Path]) -> tuple[list[Path], list[str]]:
    """Scenario files named by files, directories (every *.yaml in them, recursively) and
    globs, each once, in the order given (sorted within a directory or glob); and the
    patterns that named nothing."""
    found: list[Path] = []
    empty: list[str] = []
    for pattern in patterns:
        text = str(pattern)
        path = Path(text)
        if path.is_dir():
            hits = sorted(p for p in path.rglob("*") if p.suffix in SCENARIO_SUFFIXES and p.is_file())
        elif path.is_file():
            hits = [path]
        else:
            hits = sorted(Path(p) for p in glob.glob(text, recursive=True) if Path(p).is_file())
        if not hits:
            empty.append(text)
        found += [h for h in hits if h.resolve() not in {f.resolve() for f in found}]
    return found, empty


_WORD = re.compile(r"\s*(\(|\)|[^\s()]+)")


def selects(expr: str | None, words: Iterable[str]) -> bool:
    """pytest-like `-k`: words joined by `and`, `or`, `not` and parentheses; a word matches
    when it is part of the scenario's name, file name or one of its tags (case-insensitive)."""
    if not expr:
        return True
    haystack = [w.lower() for w in words]
    python: list[str] = []
    for token in _WORD.findall(expr):
        if token in ("and", "or", "not", "(", ")"):
            python.append(token)
        else:
            python.append(str(any(token.lower() in w for w in haystack)))
    try:
        return bool(eval(" ".join(python), {"__builtins__": {}}, {}))  # only True/False/and/or/not/()
    except (SyntaxError, TypeError) as exc:
        raise ValueError(f"-k {expr!r}: not an expression of words with and/or/not") from exc


def summary(results: Sequence[Result]) -> str:
    passed = sum(1 for r in results if r.ok)
    return f"{passed} passed, {len(results) - passed} failed"


def write_junit(results: Sequence[Result], target: str | Path, suite: str) -> None:
    """JUnit XML as CI servers read it: one <testcase> per scenario, <failure> or <error>."""
    failures = sum(1 for r in results if r.failure is not None and r.error is None)
    errors = sum(1 for r in results if r.error is not None)
    total = sum(r.seconds for r in results)
    root = ET.Element("testsuites", tests=str(len(results)), failures=str(failures), errors=str(errors),
                      time=f"{total:.3f}")
    node = ET.SubElement(root, "testsuite", name=suite, tests=str(len(results)), failures=str(failures),
                         errors=str(errors), skipped="0", time=f"{total:.3f}")
    for result in results:
        case = ET.SubElement(node, "testcase", classname=Path(result.path).stem, name=result.name,
                             file=result.path, time=f"{result.seconds:.3f}")
        if result.line is not None:
            case.set("line", str(result.line))
        if result.error is not None:
            ET.SubElement(case, "error", message=result.error.splitlines()[0]).text = result.error
        elif result.failure is not None:
            ET.SubElement(case, "failure", message=result.failure.splitlines()[0]).text = result.failure
        if result.transcript and not result.ok:
            ET.SubElement(case, "system-out").text = "\n".join(result.transcript)
    ET.indent(root)
    Path(target).write_bytes(ET.tostring(root, encoding="utf-8", xml_declaration=True) + b"\n")


def write_json(results: Sequence[Result], target: str | Path, coverage: dict[str, Any] | None = None) -> None:
    passed = sum(1 for r in results if r.ok)
    data: dict[str, Any] = {"passed": passed, "failed": len(results) - passed,
                            "scenarios": [r.to_json() for r in results]}
    if coverage is not None:
        data["coverage"] = coverage
    Path(target).write_text(json.dumps(data, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
