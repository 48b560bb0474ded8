"""Stage 2 of loading: check the plain data against schemas/flow.schema.json.

Every violation is reported (jsonschema's `iter_errors`), each located at the YAML node
it concerns. The schema files are passed in as parsed JSON by the caller; this module
reads no files.
"""
from __future__ import annotations

import re
from typing import Any, Mapping

import jsonschema
from referencing import Registry, Resource

from .expressions import did_you_mean
from .problems import FlowProblem
from .source import Positions


def check_schema(data: Any, positions: Positions, filename: str,
                 schemas: Mapping[str, Mapping[str, Any]]) -> list[FlowProblem]:
    """Return one problem per schema violation. `schemas` maps file name → schema."""
    main = schemas["flow.schema.json"]
    registry = Registry().with_resources(
        (name, Resource.from_contents(schema)) for name, schema in schemas.items())
    validator = jsonschema.Draft202012Validator(main, registry=registry)
    problems = []
    for error in validator.iter_errors(data):
        for leaf in _leaves(error):
            problems.append(_to_problem(leaf, positions, filename, data))
    return sorted(set(problems))


def _leaves(error: jsonschema.ValidationError) -> list[jsonschema.ValidationError]:
    """For oneOf/anyOf, report the branch that got furthest instead of a vague summary."""
    if error.validator in ("oneOf", "anyOf") and error.context:
        best = jsonschema.exceptions.best_match(error.context)
        return [best] if best is not None else [error]
    return [error]


_ITEMS = {"steps": "step", "fields": "field", "review_fields": "review field", "gates": "gate",
          "sections": "section", "transitions": "transition", "options": "option"}
_NAMED = {"statuses": "status", "datasets": "dataset", "lookups": "lookup"}
_ID = re.compile(r"^[a-z][a-z0-9_]*$")


def _where(path: tuple[Any, ...], data: Any) -> str:
    """Name the place the way a policy editor reads the file: step 'identity' › field 'name' › type."""
    parts: list[str] = []
    node, parent = data, None
    for key in path:
        child = node[key] if isinstance(node, (dict, list)) else None
        if isinstance(key, int) and parent in _ITEMS:
            ident = child.get("id") if isinstance(child, dict) else None
            parts[-1] = f"{_ITEMS[parent]} '{ident}'" if isinstance(ident, str) else f"{_ITEMS[parent]} {key + 1}"
        elif isinstance(key, str) and parent in _NAMED and len(parts) == 1:
            parts[-1] = f"{_NAMED[parent]} '{key}'"
        elif isinstance(key, int):
            parts.append(f"item {key + 1}")
        else:
            parts.append(str(key))
        node, parent = child, key
    return " › ".join(parts) or "the top level"


def _to_problem(error: jsonschema.ValidationError, positions: Positions, filename: str,
                data: Any) -> FlowProblem:
    path = tuple(error.absolute_path)
    where = _where(path, data)
    line, col = _position(path, positions)
    validator = error.validator
    if validator == "additionalProperties":
        allowed = sorted(error.schema.get("properties", {}))
        for key in sorted(set(error.instance) - set(allowed)):
            line, col = _position(path + (key,), positions)
            close = did_you_mean(key, allowed)
            return FlowProblem(filename, line, col, "SCHEMA_002", f"unknown key '{key}' in {where}",
                               close or f"allowed here: {', '.join(allowed)}")
    if validator == "required":
        missing = [k for k in error.validator_value if k not in error.instance]
        key = missing[0] if missing else "?"
        return FlowProblem(filename, line, col, "SCHEMA_003", f"{where} has no `{key}`",
                           f"add `{key}:`, which is required here")
    if validator == "enum":
        return _enum_problem(error, path, where, positions, filename)
    if validator == "pattern":
        return _pattern_problem(error, where, line, col, filename)
    if validator == "type" and path and path[-1] == "options" and error.instance == []:
        return FlowProblem(filename, line, col, "SCHEMA_008", f"{where}: the list of options is empty",
                           "list at least one option, e.g. options: [{value: accept, label: option.accept}], "
                           "or take them from a dataset: options: {dataset: …, value: …, label: …}")
    if validator == "type":
        hint = "put it in quotes" if error.validator_value == "string" and isinstance(error.instance, (int, float)) \
            else ""
        return FlowProblem(filename, line, col, "SCHEMA_006",
                           f"{where}: expected {_kind(error.validator_value)}, got {_kind(error.instance)}", hint)
    if validator == "not":
        return FlowProblem(filename, line, col, "SCHEMA_007",
                           f"{where}: give either `fields` or `sections`, not both", "")
    return FlowProblem(filename, line, col, "SCHEMA_001", f"{where}: {error.message}", "")


def _enum_problem(error: jsonschema.ValidationError, path: tuple[Any, ...], where: str,
                  positions: Positions, filename: str) -> FlowProblem:
    options = [str(o) for o in error.validator_value]
    value = error.instance
    if "propertyNames" in error.schema_path:  # a key of the mapping is wrong: point at the key
        path = path + (value,)
    line, col = _position(path, positions)
    title = error.schema.get("title")
    message = f"{where}: unknown {title} '{value}'" if title else f"{where}: {value!r} is not allowed"
    close = did_you_mean(str(value), options)
    return FlowProblem(filename, line, col, "SCHEMA_004", message, close or f"use one of: {', '.join(options)}")


def _pattern_problem(error: jsonschema.ValidationError, where: str, line: int, col: int,
                     filename: str) -> FlowProblem:
    value = error.instance
    if _ID.pattern == error.validator_value:
        suggestion = re.sub(r"[^a-z0-9_]+", "_", str(value).lower()).strip("_")
        hint = "names are lower_snake_case: small letters, digits and _" + \
            (f", e.g. '{suggestion}'" if _ID.match(suggestion) else "")
        return FlowProblem(filename, line, col, "SCHEMA_005", f"{where}: '{value}' is not a valid name", hint)
    return FlowProblem(filename, line, col, "SCHEMA_005", f"{where}: '{value}' is not a valid message key",
                       "message keys are dotted lower_snake_case, e.g. field.name.label")


def _kind(value: Any) -> str:
    names = {"string": "text", "integer": "a whole number", "number": "a number", "boolean": "true or false",
             "array": "a list", "object": "a mapping", "null": "nothing"}
    if isinstance(value, str) and value in names:
        return names[value]
    if isinstance(value, list) and value and all(isinstance(v, str) and v in names for v in value):
        return " or ".join(_kind(v) for v in value)
    python = {str: "text", bool: "true or false", int: "a number", float: "a number", list: "a list",
              dict: "a mapping", type(None): "nothing"}
    return f"{python.get(type(value), type(value).__name__)} ({value!r})" if not isinstance(value, (list, dict)) \
        else python[type(value)]


def _position(path: tuple[Any, ...], positions: Positions) -> tuple[int, int]:
    while path not in positions and path:
        path = path[:-1]
    return positions.get(path, (1, 1))
