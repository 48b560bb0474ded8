"""Help pages may quote the flow: `{{notice.min_read_seconds}}` in locales/zh_CN/help/*.md is
replaced by the flow's value, so 申请须知 says “页面显示3秒后” only while the flow says 3.

A placeholder is `{{step.min_read_seconds}}`, `{{field.maxlength}}` / `{{field.minlength}}`
(a field's rule), `{{flow.version}}` or `{{flow.title}}`. `check_pages` reports every unknown
placeholder located as file:line:col HELP_001 with a did-you-mean (run by `shenbao check`);
`fill` replaces them (an unknown one is shown as [name], never a crash). Pure but for reading
the page files in `check_pages`.
"""
from __future__ import annotations

import difflib
import re
from pathlib import Path
from typing import Any, Mapping

from engine import Flow, FlowProblem

from .catalog import Catalog
from .flows import display_name

PLACEHOLDER = re.compile(r"\{\{\s*([A-Za-z0-9_.]+)\s*\}\}")


def values(flow: Flow, catalog: Catalog) -> dict[str, str]:
    """Every name a help page may quote, with its text."""
    found: dict[str, str] = {"flow.version": flow.version, "flow.title": catalog.text(flow.title)}
    for step in flow.steps:
        if step.min_read_seconds:
            found[f"{step.id}.min_read_seconds"] = _number(step.min_read_seconds)
        for fld in step.fields:
            for rule in ("maxlength", "minlength"):
                if rule in fld.rules:
                    found[f"{fld.id}.{rule}"] = str(fld.rules[rule])
    return found


def fill(text: str, known: Mapping[str, str]) -> str:
    return PLACEHOLDER.sub(lambda m: known.get(m.group(1), f"[{m.group(1)}]"), text)


def check_pages(folder: Path, flow: Flow, catalog: Catalog) -> list[FlowProblem]:
    known = values(flow, catalog)
    problems = []
    for path in sorted(folder.glob("*.md")):
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            for match in PLACEHOLDER.finditer(line):
                name = match.group(1)
                if name not in known:
                    close = difflib.get_close_matches(name, sorted(known), n=1)
                    hint = f"did you mean '{close[0]}'?" if close else "known: " + ", ".join(sorted(known))
                    problems.append(FlowProblem(display_name(path), number, match.start() + 1, "HELP_001",
                                                f"help page quotes '{name}', which flow '{flow.id}' does not have",
                                                hint))
    return problems


def _number(value: Any) -> str:
    return str(int(value)) if float(value).is_integer() else str(value)
