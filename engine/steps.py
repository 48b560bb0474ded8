"""One step, interpreted: its resolved fields, and checking what was typed into it.

Shared by the applicant's run and by amendments after submission. `view_step` resolves
visibility, read-only state, prefill, display values and options; `check_step` normalises
incoming values, validates them (Cerberus via the rule registry, options, soft warnings)
and evaluates the step's gates. Everything is returned as values. No I/O.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable, Collection, Mapping

from .evaluate import Context, Option, check_expression_value
from .model import Field, Gate, Section, Step
from .normalize import Unacceptable
from .problems import GateFailure, Problem
from .rules import WARNINGS


@dataclass(frozen=True)
class FieldView:
    id: str
    type: str
    label: str
    help: str | None
    value: Any
    raw: Any
    options: tuple[Option, ...]
    columns: tuple[str, ...]
    readonly: bool
    required: bool
    secret: bool


@dataclass(frozen=True)
class SectionView:
    title: str | None
    help: str | None
    fields: tuple[FieldView, ...]


@dataclass(frozen=True)
class StepView:
    id: str
    kind: str
    title: str
    body: str | None
    next_label: str | None
    number: int
    count: int
    min_read_seconds: float
    wait_seconds: float
    can_go_back: bool
    sections: tuple[SectionView, ...]
    show: tuple[tuple[str, str, Any], ...] = ()

    @property
    def fields(self) -> tuple[FieldView, ...]:
        return tuple(f for s in self.sections for f in s.fields)


@dataclass
class StepOutcome:
    values: dict[str, Any] = field(default_factory=dict)
    raw: dict[str, Any] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)
    gates: list[GateFailure] = field(default_factory=list)


def is_visible(fld: Field, ctx: Context) -> bool:
    if fld.visible_when is None:
        return True
    return check_expression_value(ctx.evaluate(fld.visible_when, f"{fld.id}.visible_when"),
                                  f"{fld.id}.visible_when", fld.visible_when.source)


def is_readonly(fld: Field, ctx: Context) -> bool:
    if not fld.is_input:
        return True
    if fld.readonly_when is None:
        return False
    return check_expression_value(ctx.evaluate(fld.readonly_when, f"{fld.id}.readonly_when"),
                                  f"{fld.id}.readonly_when", fld.readonly_when.source)


def current_value(fld: Field, ctx: Context, answers: Mapping[str, Any]) -> Any:
    """Display fields show their expression; read-only fields their prefill; others the answer,
    falling back to the prefill as a default."""
    if fld.value is not None:
        return ctx.evaluate(fld.value, f"{fld.id}.value")
    if fld.prefill is not None and (fld.id not in answers or is_readonly(fld, ctx)):
        return ctx.evaluate(fld.prefill, f"{fld.id}.prefill")
    return answers.get(fld.id)


def view_sections(sections: tuple[Section, ...], ctx: Context, answers: Mapping[str, Any],
                  raw: Mapping[str, Any], editable: Collection[str] | None = None) -> tuple[SectionView, ...]:
    views = []
    for section in sections:
        fields = []
        for fld in section.fields:
            if not is_visible(fld, ctx):
                continue
            readonly = is_readonly(fld, ctx) or (editable is not None and fld.id not in editable)
            value = current_value(fld, ctx, answers)
            fields.append(FieldView(fld.id, fld.type, fld.label, fld.help, None if fld.secret else value,
                                    raw.get(fld.id), tuple(ctx.options(fld)) if fld.is_choice else (),
                                    fld.options.columns if fld.options else (), readonly,
                                    bool(fld.rules.get("required")), fld.secret))
        if fields:
            views.append(SectionView(section.title, section.help, tuple(fields)))
    return tuple(views)


def normalize_value(fld: Field, value: Any) -> Any:
    """Turn what was typed, chosen or uploaded into the field's value (its type's normaliser);
    raises Unacceptable."""
    return fld.kind.normalize(value, fld.normalize)


def take_inputs(fields: tuple[Field, ...], incoming: Mapping[str, Any],
                make_context: Callable[[Mapping[str, Any]], Context], outcome: StepOutcome,
                editable: Collection[str] | None) -> None:
    """Normalise the step's writable inputs into outcome.values (problems for bad input).

    Visibility and read-only conditions are judged on the answers *with* this submission's
    values, so a field shown by a choice in the same step is taken and checked."""
    tentative: dict[str, Any] = {}
    failed: dict[str, str] = {}
    for fld in fields:
        if not fld.is_input or (editable is not None and fld.id not in editable):
            continue
        try:
            tentative[fld.id] = normalize_value(fld, incoming.get(fld.id))
        except Unacceptable as exc:
            tentative[fld.id], failed[fld.id] = None, exc.code
    ctx = make_context(tentative)
    for fld in fields:
        if fld.id not in tentative or not is_visible(fld, ctx) or is_readonly(fld, ctx):
            continue
        outcome.values[fld.id] = tentative[fld.id]
        if fld.id in failed:
            typed = incoming.get(fld.id)  # kept to show back; never an upload's bytes
            outcome.raw[fld.id] = typed if isinstance(typed, (str, list)) else None
            outcome.problems.append(Problem(fld.id, failed[fld.id], {}))


def check_choices(fields: tuple[Field, ...], ctx: Context, outcome: StepOutcome) -> None:
    for fld in fields:
        value = outcome.values.get(fld.id)
        if not fld.is_choice or value is None or fld.id not in outcome.values:
            continue
        allowed = {str(o.value) for o in ctx.options(fld)}
        chosen = value if isinstance(value, list) else [value]
        if any(str(v) not in allowed for v in chosen):
            outcome.problems.append(Problem(fld.id, "not_an_option", {}))


def check_warnings(fields: tuple[Field, ...], outcome: StepOutcome, confirmed: Mapping[str, Any]) -> None:
    for fld in fields:
        if fld.id not in outcome.values:
            continue
        for name in fld.warnings:
            params = WARNINGS[name](outcome.values[fld.id])
            if params is None:
                continue
            warning = Problem(fld.id, name, params)
            if confirmed.get(warning.key) != outcome.values[fld.id]:
                outcome.warnings.append(warning)


def check_gates(step: Step, ctx: Context, gates: tuple[Gate, ...] | None = None) -> list[GateFailure]:
    """Gates are checked in order and stop at the first that fails (later ones may rely on it)."""
    for gate in step.gates if gates is None else gates:
        where = f"gate {gate.id}"
        if not check_expression_value(ctx.evaluate(gate.when, where), where, gate.when.source):
            params = {k: ctx.evaluate(v, f"{where}.params.{k}") for k, v in gate.params.items()}
            return [GateFailure(gate.id, gate.message, params)]
    return []


def check_rechecked(steps: Collection[Step], ctx: Context) -> list[GateFailure]:
    """The `recheck: submit` gates of `steps` (with the gates before them), first failure only:
    what passed when its step was left must still hold when the application is submitted."""
    for step in steps:
        failed = check_gates(step, ctx, step.rechecked_gates)
        if failed:
            return failed
    return []
