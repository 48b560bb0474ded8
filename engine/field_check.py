"""Checking one field's value outside a run: the same normaliser and rules as the steps.

For values changed one at a time after submission (a staff member correcting the recovery
email, a new staff password): `check_field_value` normalises the typed value with the
field's type and `normalize:` steps (so unsupported characters are refused as in the
form) and validates it with the field's step's rules, returning the value and its
problems. Choices, gates and warnings are the run's business. No I/O.
"""
from __future__ import annotations

from datetime import date
from typing import Any, Mapping

from .model import Flow
from .normalize import Unacceptable
from .problems import Problem
from .steps import normalize_value


def check_field_value(flow: Flow, field_id: str, typed: Any, today: date,
                      others: Mapping[str, Any] | None = None) -> tuple[Any, list[Problem]]:
    """(the normalised value, its problems) for one field of the flow's steps; `others`
    are values of the same step its rules compare with (e.g. a confirmation field)."""
    fld = flow.fields[field_id]
    try:
        value = normalize_value(fld, typed)
    except Unacceptable as exc:
        return None, [Problem(field_id, exc.code, {})]
    document = {**(others or {}), field_id: value}
    step = flow.step_of(field_id)
    problems = [Problem(fid, code, params) for fid, code, params in step.validator.validate(document, today)
                if fid in document]
    return value, problems
