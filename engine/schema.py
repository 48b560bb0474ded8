"""Stage 2 of loading: check the plain data against schemas/flow.schema.json.

Every violation is reported (jsonschema's `iter_errors`), each located at the YAML node
it concerns. The schema files are passed in as parsed JSON by the caller; this module
reads no files.
"""
from __future__ import annotations

from typing import Any, Mapping

import jsonschema
from referencing import Registry, Resource

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
            problems.append(_to_problem(leaf, positions, filename))
    return sorted(set(problems))


def _leaves(error: jsonschema.ValidationError) -> list[jsonschema.ValidationError]:
    """For oneOf/anyOf, report the branch that got furthest instead of a vague summary."""
    if error.validator in ("oneOf", "anyOf") and error.context:
        best = jsonschema.exceptions.best_match(error.context)
        return [best] if best is not None else [error]
    return [error]


def _to_problem(error: jsonschema.ValidationError, positions: Positions,
                filename: str) -> FlowProblem:
    path = tuple(error.absolute_path)
    where = "/".join(str(p) for p in path) or "(top)"
    line, col = _position(path, positions)
    validator = error.validator
    if validator == "additionalProperties":
        extra = sorted(set(error.instance) - set(error.schema.get("properties", {})))
        allowed = ", ".join(sorted(error.schema.get("properties", {})))
        for key in extra:
            line, col = _position(path + (key,), positions)
            return FlowProblem(filename, line, col, "SCHEMA_002",
                               f"unknown key '{key}' in {where}", f"allowed here: {allowed}")
    if validator == "required":
        return FlowProblem(filename, line, col, "SCHEMA_003",
                           f"{where}: {error.message}", "add the missing key")
    if validator == "enum":
        options = ", ".join(str(o) for o in error.validator_value)
        return FlowProblem(filename, line, col, "SCHEMA_004",
                           f"{where}: {error.instance!r} is not allowed", f"use one of: {options}")
    if validator == "pattern":
        return FlowProblem(filename, line, col, "SCHEMA_005",
                           f"{where}: {error.instance!r} is not a valid name",
                           "ids are lower_snake_case; message keys are dotted, e.g. field.name.label")
    if validator == "type":
        return FlowProblem(filename, line, col, "SCHEMA_006",
                           f"{where}: expected {error.validator_value}, got {type(error.instance).__name__}",
                           "")
    if validator == "not":
        return FlowProblem(filename, line, col, "SCHEMA_007",
                           f"{where}: give either `fields` or `sections`, not both", "")
    return FlowProblem(filename, line, col, "SCHEMA_001", f"{where}: {error.message}", "")


def _position(path: tuple[Any, ...], positions: Positions) -> tuple[int, int]:
    while path not in positions and path:
        path = path[:-1]
    return positions.get(path, (1, 1))
