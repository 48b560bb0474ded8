"""The one wording service: the codes the engine returns, as text for every renderer.

The engine holds no prose: a problem is a code, a field and parameters; a warning and a
gate failure likewise; a choice answer is an option's value; a status is its id. `Wording`
turns each into text through the locale catalogue for one flow, and the web pages, the
console, the printed form and the commands all ask it, so one code reads the same
everywhere. Renderers add only their own layout (HTML models, terminal columns, PDF cells).

Keys tried for a problem, first found wins: `problem.<field>.<code>` (worded for one field),
`problem.<code>.select` when the field is a choice (请选择… instead of 请填写…),
`problem.<code>`; `{label}` is the field's label. A warning is `warning.<code>`, a gate its
`message` key, an option label a key when the flow says so (`label_is_key`), else the text
of a dataset column.
"""
from __future__ import annotations

from typing import Any, Iterable, Mapping

from engine import Field, Flow, GateFailure, Option, Problem, Run

from .catalog import Catalog, format_value


class Wording:
    """The catalogue, applied to one flow: labels, options, problems, warnings, gates, statuses."""

    def __init__(self, flow: Flow, catalog: Catalog):
        self.flow, self.catalog = flow, catalog.for_flow(flow)  # with the texts the flow replaces
        self.by_id: dict[str, Field] = {**{f.id: f for f in flow.review_fields}, **dict(flow.fields)}

    def text(self, key: str, **params: Any) -> str:
        return self.catalog.text(key, **params)

    def field_of(self, field_id: str | None) -> Field | None:
        """A field of the flow's steps, or one of its review fields."""
        return None if field_id is None else self.by_id.get(field_id)

    def label(self, field_id: str | None) -> str:
        fld = self.field_of(field_id)
        return self.catalog.text(fld.label) if fld is not None else (field_id or "")

    # -- choices -------------------------------------------------------------------------
    def option_label(self, label: str, is_key: bool) -> str:
        return self.catalog.text(label) if is_key else label

    def option(self, option: Option) -> str:
        return self.option_label(option.label, option.label_is_key)

    def option_labels(self, options: Iterable[Option]) -> dict[str, str]:
        """Option value (as text) → its label: how a choice answer is read back."""
        return {str(o.value): self.option(o) for o in options}

    def choice_text(self, value: Any, options: Iterable[Option], separator: str) -> str:
        """A choice answer as text: the chosen options' labels in the flow's option order (the
        order every form offers them, whatever order the answer was given in), then any value no
        longer offered, as given; "" when nothing is chosen. The web's summary step and read-only
        fields read choices through this."""
        return self.chosen_text(value, self.option_labels(options), separator)

    def chosen_text(self, value: Any, labels: Mapping[str, str], separator: str) -> str:
        """choice_text with the options already read as labels (option value as text → label)."""
        items = [v for v in (value if isinstance(value, (list, tuple)) else [value]) if v is not None]
        if not items:
            return ""
        chosen = {str(v) for v in items}
        found = [label for code, label in labels.items() if code in chosen]
        return separator.join(found + [format_value(v) for v in items if str(v) not in labels])

    # -- what the engine found -----------------------------------------------------------
    def problem_keys(self, problem: Problem) -> list[str]:
        keys = [f"problem.{problem.field}.{problem.code}"] if problem.field else []
        fld = self.field_of(problem.field)
        if fld is not None and fld.options is not None:
            keys.append(f"problem.{problem.code}.select")
        return keys + [f"problem.{problem.code}"]

    def problem(self, problem: Problem) -> str:
        params = dict(problem.params)
        fld = self.field_of(problem.field)
        if fld is not None:
            params.setdefault("label", self.catalog.text(fld.label))
        return self.catalog.first(self.problem_keys(problem), **params)

    def warning(self, warning: Problem) -> str:
        params = {"label": self.label(warning.field), **dict(warning.params)}
        return self.catalog.text(f"warning.{warning.code}", **params)

    def gate(self, gate: GateFailure) -> str:
        return self.catalog.text(gate.message, **dict(gate.params))

    def status(self, status_id: str) -> str:
        status = self.flow.statuses.get(status_id)
        return self.catalog.text(status.message) if status else status_id


def show_options(run: Run) -> dict[str, list[Option]]:
    """Options of the choice fields the current summary step shows (`show`), by field id, as
    offered to this run: every renderer reads those answers back as labels, not codes."""
    ctx, fields = run.context(), run.flow.fields
    return {fid: ctx.options(fields[fid]) for fid, _, _ in run.view().show
            if fid in fields and fields[fid].options is not None}
