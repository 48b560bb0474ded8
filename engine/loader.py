"""`load_flow`: the whole loading pipeline, one line per stage (see STYLE.md).

read YAML with positions → check against the JSON Schema → build the model and cross-check.
Every problem of a stage is reported together; a later stage runs only on what the earlier
one accepted. The caller passes the text, the schemas and the locale keys: no file access.
"""
from __future__ import annotations

from typing import Any, Collection, Mapping

from .build import build_flow
from .model import Flow
from .problems import FlowError
from .schema import check_schema
from .source import read_yaml


def load_flow(text: str, filename: str, schemas: Mapping[str, Mapping[str, Any]],
              message_keys: Collection[str]) -> Flow:
    """Return the built Flow, or raise FlowError listing every problem found."""
    data, positions, problems = read_yaml(text, filename)
    if data is None:
        raise FlowError(problems)
    problems += check_schema(data, positions, filename, schemas)
    if problems:
        raise FlowError(problems)
    flow, problems = build_flow(data, positions, filename, text, message_keys)
    if flow is None:
        raise FlowError(problems)
    return flow
