"""Problem values shared by every stage.

Two kinds, never mixed (see STYLE.md): `FlowProblem` is an authoring error found while
loading a flow; `Problem` is something an applicant (or staff member) must fix, returned
as a value by the run. Neither holds prose: renderers turn codes into text through the
locale catalogue. This module does no I/O.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Mapping


@dataclass(frozen=True, order=True)
class FlowProblem:
    """One authoring error, located in the flow file."""

    filename: str
    line: int
    col: int
    code: str
    message: str
    hint: str = ""

    def __str__(self) -> str:
        text = f"{self.filename}:{self.line}:{self.col}: {self.code} {self.message}"
        return f"{text} — {self.hint}" if self.hint else text


class FlowError(Exception):
    """A flow that cannot be loaded; `problems` lists every problem found, in file order."""

    def __init__(self, problems: list[FlowProblem]):
        self.problems = sorted(problems)
        super().__init__("\n".join(str(p) for p in self.problems))


@dataclass(frozen=True)
class Problem:
    """Something the person filling in the form must fix (or confirm).

    `field` is a field id, or None for the step as a whole; `code` selects the message;
    `params` fill the message's placeholders.
    """

    field: str | None
    code: str
    params: Mapping[str, Any] = field(default_factory=dict)

    @property
    def key(self) -> str:
        """Stable identity used to confirm a warning: `field:code`."""
        return f"{self.field}:{self.code}"


@dataclass(frozen=True)
class GateFailure:
    """A declared gate whose condition did not hold."""

    id: str
    message: str
    params: Mapping[str, Any] = field(default_factory=dict)


class ExpressionFailed(Exception):
    """An expression could not be evaluated on the data at hand.

    This is an error in the flow or the data, never treated as False.
    """

    def __init__(self, source: str, where: str, cause: BaseException):
        self.source = source
        self.where = where
        self.cause = cause
        super().__init__(f"{where}: expression {source!r} failed: {cause}")
