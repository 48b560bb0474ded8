"""`load_flow`: the whole loading pipeline, one line per stage (see STYLE.md).

read YAML with positions → check against the JSON Schema → build the model and cross-check.
Every problem of every stage is reported together, sorted by position: when the schema refuses
part of the data, the build still runs on the rest (skipping what it cannot use), so one schema
error does not hide the cross-reference errors. The caller passes the text, the schemas, the
locale keys and (optionally) how to tell whether a dataset file exists: no file access here.
"""
from __future__ import annotations

from typing import Any, Callable, Collection, Mapping

from .build import build_flow
from .model import Flow
from .problems import FlowError
from .schema import check_schema
from .source import read_yaml

# Refusals after which part of the document is missing (an alias, a merged block, a subtree too deep).
LOST_STRUCTURE = frozenset({"YAML_004", "YAML_007", "YAML_011"})


def load_flow(text: str, filename: str, schemas: Mapping[str, Mapping[str, Any]],
              message_keys: Collection[str], file_exists: Callable[[str], bool] | None = None,
              legacy: bool = False) -> Flow:
    """Return the built Flow, or raise FlowError listing every problem found. `legacy`: the text of
    a version published earlier (its documents may use the older dotted paths, engine/docbuild.py)."""
    data, positions, problems = read_yaml(text, filename)
    if data is None or any(p.code in LOST_STRUCTURE for p in problems):
        raise FlowError(problems)  # what later stages would say about the missing parts is noise
    refused = check_schema(data, positions, filename, schemas)
    flow, built = build_flow(data, positions, filename, text, message_keys, tolerant=bool(problems or refused),
                             file_exists=file_exists, legacy=legacy)
    problems += refused + _not_repeated(built, refused)
    if flow is None or problems:
        raise FlowError(problems)
    return flow


def _not_repeated(built: list, refused: list) -> list:
    """A build problem at the place of a schema problem says the same thing again: keep the schema's."""
    places = {(p.line, p.col) for p in refused}
    return sorted({p for p in built if (p.line, p.col) not in places})
