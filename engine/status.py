"""Statuses after submission: what the applicant may still change, and staff transitions.

`edit_rights` reads a status' `applicant_edit` rule against the application's data and the
clock; `Amendment` re-checks the editable steps of a submitted application with the same
step logic as the run (normalise, rules, options, warnings, gates), so a changed
certificate that now matches the registry is replaced by the registry's data and locked.
`transition` checks a staff move against the status catalogue and the review fields.
All values, no I/O.
"""
from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any, Collection, Mapping

from .evaluate import Clock, Context, DataSource, check_expression_value
from .model import Flow, Section, Step
from .problems import GateFailure, Problem
from .steps import (StepOutcome, SectionView, check_choices, check_gates, check_rechecked, check_warnings,
                    current_value, take_inputs, view_sections)


@dataclass(frozen=True)
class EditRights:
    allowed: bool
    fields: frozenset[str]
    then: str | None = None


def edit_rights(flow: Flow, status: str, answers: Mapping[str, Any], source: DataSource,
                now: datetime) -> EditRights:
    """Which input fields the applicant may change now (secret fields never: they have their own page)."""
    known = flow.statuses.get(status)  # a status the flow no longer has: nothing may be changed in it
    rule = known.applicant_edit if known is not None else None
    if rule is None:
        return EditRights(False, frozenset())
    if rule.when is not None:
        ctx = Context(flow, source, now, answers)
        where = f"status {status}.applicant_edit.when"
        if not check_expression_value(ctx.evaluate(rule.when, where), where, rule.when.source):
            return EditRights(False, frozenset())
    fields = flow.editable_inputs & rule.fields
    return EditRights(bool(fields), frozenset(fields), rule.then)


@dataclass(frozen=True)
class AmendResult:
    saved: bool
    answers: Mapping[str, Any]
    status: str
    problems: tuple[Problem, ...] = ()
    warnings: tuple[Problem, ...] = ()
    gates: tuple[GateFailure, ...] = ()


@dataclass(frozen=True)
class AmendView:
    step: str
    title: str
    sections: tuple[SectionView, ...]


class Amendment:
    """Changing a submitted application under the rules of its status."""

    def __init__(self, flow: Flow, answers: Mapping[str, Any], status: str, source: DataSource, clock: Clock,
                 own: Mapping[str, Mapping[str, Any]] | None = None):
        """`own` hides the application's own rows from lookups (e.g. {'applications': {<unique field>: …}}),
        so that a gate like "no application exists for this certificate" does not trip over itself."""
        source = _Without(source, own) if own else source
        self.flow, self.source, self.clock = flow, source, clock
        self.answers, self.status = dict(answers), status
        self.rights = edit_rights(flow, status, self.answers, source, clock())

    def steps(self) -> list[Step]:
        return [s for s in self.flow.steps if s.kind == "form" and any(f.id in self.rights.fields for f in s.fields)]

    def view(self, answers: Mapping[str, Any] | None = None, raw: Mapping[str, Any] | None = None) -> list[AmendView]:
        """The steps' inputs, without their display fields: an amendment edits answers, and a
        display (the summary's "chosen agency's name") reads lookups that a refused answer,
        shown again for correcting, leaves empty."""
        values = dict(answers if answers is not None else self.answers)
        ctx = Context(self.flow, self.source, self.clock(), values)
        return [AmendView(s.id, s.title, view_sections(_inputs_only(s.sections), ctx, values, raw or {},
                                                       self.rights.fields))
                for s in self.steps()]

    def submit(self, incoming: Mapping[str, Any], confirm: Collection[str] = (),
               confirmed: Mapping[str, Any] | None = None) -> AmendResult:
        if not self.rights.allowed:
            return AmendResult(False, self.answers, self.status,
                               problems=(Problem(None, "edit_not_allowed", {"status": self.status}),))
        now = self.clock()
        values = dict(self.answers)
        problems, warnings = [], []
        known = dict(confirmed or {})
        for step in self.steps():
            outcome = StepOutcome()
            take_inputs(step.fields, incoming, lambda typed: Context(self.flow, self.source, now,
                                                                     {**values, **typed}), outcome, self.rights.fields)
            values.update(outcome.values)
            for fid, code, params in step.validator.validate(outcome.values, now.date()):
                if fid in outcome.values:
                    outcome.problems.append(Problem(fid, code, params))
            check_choices(step.fields, Context(self.flow, self.source, now, values), outcome)
            for key in confirm:
                fid = key.split(":", 1)[0]
                if fid in outcome.values:
                    known[key] = outcome.values[fid]
            check_warnings(step.fields, outcome, known)
            problems += outcome.problems
            warnings += outcome.warnings
        if problems or warnings:
            return AmendResult(False, values, self.status, tuple(problems), tuple(warnings))
        ctx = Context(self.flow, self.source, now, values)
        edited = self.steps()
        for step in edited:
            gates = check_gates(step, ctx)
            if gates:
                return AmendResult(False, values, self.status, gates=tuple(gates))
        gates = check_rechecked([s for s in self.flow.steps if s.id not in {e.id for e in edited}], ctx)
        if gates:
            return AmendResult(False, values, self.status, gates=tuple(gates))
        for step in self.flow.steps:
            for fld in step.fields:
                if fld.is_input and fld.prefill is not None:
                    values[fld.id] = current_value(fld, ctx, values)
        return AmendResult(True, values, self.rights.then or self.status)


def _inputs_only(sections: tuple[Section, ...]) -> tuple[Section, ...]:
    return tuple(replace(s, fields=tuple(f for f in s.fields if f.type != "display")) for s in sections)


class _Without:
    """A DataSource view that leaves out given rows."""

    def __init__(self, source: DataSource, hidden: Mapping[str, Mapping[str, Any]]):
        self.source, self.hidden = source, hidden

    def rows(self, dataset: str, match: Mapping[str, Any]) -> Any:
        rows = self.source.rows(dataset, match)
        hide = self.hidden.get(dataset)
        if not hide:
            return rows
        return [r for r in rows if not all(r.get(k) == v for k, v in hide.items())]


@dataclass(frozen=True)
class TransitionResult:
    allowed: bool
    inputs: Mapping[str, Any] = field(default_factory=dict)
    problems: tuple[Problem, ...] = ()


def allowed_transitions(flow: Flow, status: str, role: str) -> list[str]:
    known = flow.statuses.get(status)  # a status the flow no longer has: no move is offered from it
    return [t.to for t in known.transitions if role in t.roles] if known is not None else []


def transition(flow: Flow, status: str, to: str, role: str, inputs: Mapping[str, Any],
               source: DataSource, now: datetime) -> TransitionResult:
    """Check a staff move from `status` to `to` with the review inputs it requires."""
    move = next((t for t in flow.statuses[status].transitions if t.to == to), None) \
        if status in flow.statuses else None
    if move is None or role not in move.roles:
        labels = {"from_label": flow.statuses[status].message if status in flow.statuses else status,
                  "to_label": flow.statuses[to].message if to in flow.statuses else to}
        return TransitionResult(False, problems=(Problem(None, "transition_not_allowed",
                                                         {"from": status, "to": to, "role": role, **labels}),))
    outcome = StepOutcome()
    wanted = tuple(f for f in flow.review_fields if f.id in move.requires)
    ctx = Context(flow, source, now, {})
    take_inputs(wanted, inputs, lambda typed: Context(flow, source, now, typed), outcome, None)
    document = dict(outcome.values)
    for fid, code, params in flow.review_validator.validate(document, now.date()):
        if fid in document:
            outcome.problems.append(Problem(fid, code, params))
    check_choices(wanted, ctx, outcome)
    if outcome.problems:
        return TransitionResult(False, outcome.values, tuple(outcome.problems))
    return TransitionResult(True, outcome.values)
