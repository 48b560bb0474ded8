"""`shenbao check FLOW… [--locale DIR]`: load each flow and its message catalogue and print every
problem as file:line:col CODE message — hint.

The catalogue (DIR/messages.yaml, default locales/zh_CN) is checked like a flow: located YAML
errors, duplicate keys, malformed placeholders, and placeholders a message is never given (from
the flow, and for another catalogue from the shipped zh_CN text of the same key). The help
pages' placeholders ({{notice.min_read_seconds}}) are checked against the flow they quote
(shenbao/helppages.py): the product flow's by default, another flow's with --help-pages DIR.
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from engine import FlowError, check_placeholders, read_catalogue, received_parameters

from shenbao.catalog import load_catalog
from shenbao.flows import display_name, read_flow
from shenbao.helppages import check_pages
from shenbao.paths import DEFAULT_FLOW, LOCALES

REFERENCE = LOCALES / "zh_CN"


def add_check_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("flows", nargs="+", help="flow files to check")
    parser.add_argument("--locale", metavar="DIR", help="the folder holding the messages.yaml to check with "
                        "(default: locales/zh_CN)")
    parser.add_argument("--help-pages", metavar="DIR",
                        help="also check the placeholders of these help pages against each flow "
                             "(default: locales/zh_CN/help for the product flow)")


class _AnyKey:
    """The catalogue could not be read: do not report every key as missing on top of that."""

    def __contains__(self, key: Any) -> bool:
        return True

    def __iter__(self):
        return iter(())


def _catalogue(folder: Path) -> tuple[Any, Any, str, list[str]]:
    path = folder / "messages.yaml"
    name = display_name(path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        return None, {}, name, [f"{name}:1:1: IO_001 cannot read the message catalogue: {exc.strerror}"]
    messages, positions, problems = read_catalogue(text, name)
    return messages, positions, name, [str(p) for p in sorted(problems)]


def _help_problems(args: argparse.Namespace, path: str, flow: Any) -> list[Any]:
    chosen = getattr(args, "help_pages", None)  # callers that build the arguments may leave it out
    pages = Path(chosen) if chosen else (
        REFERENCE / "help" if Path(path).resolve() == DEFAULT_FLOW.resolve() else None)
    return check_pages(pages, flow, load_catalog()) if pages else []


def run_check(args: argparse.Namespace) -> int:
    folder = Path(getattr(args, "locale", None) or REFERENCE)
    messages, positions, name, lines = _catalogue(folder)
    reference = None
    if folder.resolve() != REFERENCE.resolve():
        reference = _catalogue(REFERENCE)[0]
    failed = bool(lines)
    for line in lines:
        print(line)
    for path in args.flows:
        try:
            flow = read_flow(path, message_keys=_AnyKey() if messages is None else messages.keys())
        except FlowError as exc:
            failed = True
            for problem in exc.problems:
                print(problem)
            print(f"{path}: {len(exc.problems)} problem(s)", file=sys.stderr)
            continue
        except OSError as exc:
            failed = True
            print(f"{path}:1:1: IO_001 cannot read the file: {exc.strerror}")
            continue
        received = received_parameters(flow, reference or messages)
        unknown = sorted(check_placeholders(messages or {}, positions, name, received, reference))
        unknown += _help_problems(args, path, flow)
        for problem in unknown:
            print(problem)
        if unknown:
            failed = True
            print(f"{name}: {len(unknown)} problem(s)", file=sys.stderr)
        else:
            print(f"{path}: ok ({flow.id} {flow.version}, {len(flow.steps)} steps, {len(flow.fields)} fields)",
                  file=sys.stderr)
    return 1 if failed else 0
