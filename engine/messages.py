"""The locale catalogue as a checked input, like the flow itself.

`read_catalogue` reads messages.yaml with the same reader as a flow (positions, duplicate keys
refused, YAML errors located, no anchors), and checks that it is a flat mapping of keys to
texts whose {placeholders} are well formed. `check_placeholders` compares each text's
placeholders with the parameters the message receives: from the flow (a gate's `params`, a
document text's `params`, nothing for labels and titles) and, for another catalogue, from the
reference catalogue's text of the same key. A placeholder nobody gives is shown literally to
applicants, so it is an error. No I/O: the caller passes the texts.
"""
from __future__ import annotations

import re
import string
from typing import Any, Collection, Iterator, Mapping

from .expressions import did_you_mean
from .model import Flow
from .problems import FlowProblem
from .source import Positions, read_yaml

_KEY = re.compile(r"^[A-Za-z][A-Za-z0-9_]*(\.[A-Za-z0-9_]+)*$")
_NAME = re.compile(r"^[a-z_][a-z0-9_]*$")


def read_catalogue(text: str, filename: str) -> tuple[dict[str, str] | None, Positions, list[FlowProblem]]:
    """Return (messages, positions, problems); messages is None when the file cannot be read at all."""
    data, positions, problems = read_yaml(text, filename)
    if data is None:
        empty = [p for p in problems if p.code == "YAML_002"]
        return ({}, {}, []) if empty and len(problems) == 1 else (None, {}, problems)
    if not isinstance(data, dict):
        return None, positions, problems + [FlowProblem(filename, 1, 1, "MSG_002", "the catalogue must be a "
                                                        "mapping of message keys to texts",
                                                        "each line reads key: text")]
    messages: dict[str, str] = {}
    for key, value in data.items():
        line, col = positions.get((key,), (1, 1))
        if isinstance(value, (dict, list)) or value is None:
            problems.append(FlowProblem(filename, line, col, "MSG_002", f"message '{key}' has no text",
                                        "write the text after the colon on the same line, or under `|` for "
                                        "several lines"))
            continue
        text_value = str(value).rstrip("\n")
        bad = _placeholder_problem(text_value)
        if bad:
            problems.append(FlowProblem(filename, line, col, "MSG_004", f"message '{key}': {bad}",
                                        "a placeholder is a name in braces, e.g. {closes}; write {{ or }} for a "
                                        "brace itself"))
        messages[key] = text_value
    return messages, positions, problems


def _placeholder_problem(text: str) -> str:
    try:
        names = [name for _, name, _, _ in string.Formatter().parse(text) if name is not None]
    except ValueError as exc:
        return f"a brace {{ or }} is not closed ({exc})"
    for name in names:
        if not _NAME.match(name):
            return f"'{{{name}}}' is not a placeholder name"
    return ""


def placeholders(text: str) -> set[str]:
    try:
        return {name for _, name, _, _ in string.Formatter().parse(text) if name}
    except ValueError:
        return set()


def received_parameters(flow: Flow, catalogue: Mapping[str, str] | None = None) -> dict[str, set[str]]:
    """The parameters each message key the flow uses is given when it is shown. A key that
    replaces a product text (`flow.texts`) is given what that text uses in `catalogue`."""
    received: dict[str, set[str]] = {}

    def give(key: str | None, params: Collection[str] = ()) -> None:
        if key:
            received.setdefault(key, set()).update(params)

    give(flow.title)
    for step in flow.steps:
        for key in (step.title, step.body, step.next_label):
            give(key)
        for section in step.sections:
            give(section.title)
            give(section.help)
        for gate in step.gates:
            give(gate.message, gate.params)
    for status in flow.statuses.values():
        give(status.message)
    for path_key, params in _document_texts([d.declared for d in flow.documents.values()]):
        give(path_key, params)
    for product, own in flow.texts.items():
        give(own, placeholders((catalogue or {}).get(product, "")))
    return received


def _document_texts(node: Any) -> Iterator[tuple[str, Collection[str]]]:
    if isinstance(node, Mapping):
        if isinstance(node.get("text"), str) and isinstance(node.get("params"), Mapping):
            yield node["text"], tuple(node["params"])
        for value in node.values():
            yield from _document_texts(value)
    elif isinstance(node, list):
        for value in node:
            yield from _document_texts(value)


def check_placeholders(messages: Mapping[str, str], positions: Positions, filename: str,
                       received: Mapping[str, Collection[str]],
                       reference: Mapping[str, str] | None = None) -> list[FlowProblem]:
    """A placeholder the message is never given; `reference` is the catalogue the program was written against."""
    problems = []
    for key, text in messages.items():
        given: set[str] | None = set(received[key]) if key in received else None
        if reference is not None and key in reference:
            given = (given or set()) | placeholders(reference[key])
        if given is None:
            continue
        for name in sorted(placeholders(text) - given):
            line, col = positions.get((key,), (1, 1))
            close = did_you_mean(name, given)
            what = ", ".join("{" + g + "}" for g in sorted(given))
            problems.append(FlowProblem(filename, line, col, "MSG_003", f"message '{key}' uses {{{name}}}, which it "
                                        "is never given, so applicants would see it as it is",
                                        close.replace("'", "{", 1).replace("'", "}", 1) if close else
                                        (f"it is given {what}" if given else "this message is given no values")))
    return problems
