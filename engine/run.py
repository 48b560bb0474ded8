"""The applicant's run through a flow: a pure state machine over steps.

`Run` holds the answers, the current step, the moment the step was entered (for minimum
reading times, judged by the injected clock) and the warnings the applicant chose to
continue past. `submit` returns a `SubmitResult` value; nothing is printed or stored.
`state()`/`Run(..., state=...)` give a JSON-safe snapshot for a renderer to keep between
requests; secret fields (passwords) are never part of it. No I/O.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from typing import Any, Collection, Mapping

from .evaluate import Clock, Context, DataSource
from .images import ImageValue, image_from_json
from .model import Flow, Step
from .problems import GateFailure, Problem
from .steps import (StepOutcome, StepView, check_choices, check_gates, check_rechecked, check_warnings,
                    current_value, is_visible, take_inputs, view_sections)

MIN_READ_GATE = "min_read_time"


@dataclass(frozen=True)
class SubmitResult:
    """`advanced` is True when the run moved on; otherwise the lists say why not."""

    advanced: bool
    step: StepView
    problems: tuple[Problem, ...] = ()
    warnings: tuple[Problem, ...] = ()
    gates: tuple[GateFailure, ...] = ()


@dataclass
class Decision:
    step: str
    key: str
    value: Any
    choice: str  # 'continue' or 'fix'
    at: str


@dataclass
class _State:
    index: int = 0
    entered_at: datetime | None = None
    answers: dict[str, Any] = field(default_factory=dict)
    raw: dict[str, Any] = field(default_factory=dict)
    read: set[str] = field(default_factory=set)
    confirmed: dict[str, Any] = field(default_factory=dict)
    decisions: list[Decision] = field(default_factory=list)


class Run:
    def __init__(self, flow: Flow, source: DataSource, clock: Clock, state: Mapping[str, Any] | None = None):
        self.flow, self.source, self.clock = flow, source, clock
        self._s = _restore(flow, state) if state else _State(entered_at=clock())
        self._memo: dict[tuple[Any, ...], Any] = {}

    # -- reading -----------------------------------------------------------------------
    @property
    def step(self) -> Step:
        return self.flow.steps[self._s.index]

    @property
    def complete(self) -> bool:
        return self.step.kind == "summary"

    @property
    def answers(self) -> dict[str, Any]:
        return dict(self._s.answers)

    @property
    def decisions(self) -> list[Decision]:
        return list(self._s.decisions)

    def context(self, now: datetime | None = None) -> Context:
        return Context(self.flow, self.source, now or self.clock(), self._s.answers, self._memo)

    def view(self) -> StepView:
        return self._view(self.context())

    def _view(self, ctx: Context) -> StepView:
        step, s = self.step, self._s
        show = tuple((fid, self.flow.fields[fid].label, s.answers.get(fid)) for fid in step.show)
        return StepView(step.id, step.kind, step.title, step.body, step.next_label, s.index + 1,
                        len(self.flow.steps), step.min_read_seconds, self._wait(ctx.now),
                        s.index > 0 and not self.complete,
                        view_sections(step.sections, ctx, s.answers, s.raw), show)

    def preview(self, incoming: Mapping[str, Any]) -> StepView:
        """The current step as it would look with `incoming` typed into it, nothing stored: a
        choice that narrows another one in the same step (teaching stage → subject) shows
        the narrowed options on a round trip without scripts."""
        step, s, now = self.step, self._s, self.clock()
        outcome = StepOutcome()
        take_inputs(step.fields, incoming, lambda values: Context(self.flow, self.source, now, {**s.answers, **values},
                                                                  self._memo), outcome, None)
        answers = {**s.answers, **outcome.values}
        ctx = Context(self.flow, self.source, now, answers, self._memo)
        view = self._view(ctx)
        return replace(view, sections=view_sections(step.sections, ctx, answers, {**s.raw, **outcome.raw}))

    def _wait(self, now: datetime) -> float:
        step = self.step
        if not step.min_read_seconds or step.id in self._s.read or self._s.entered_at is None:
            return 0.0
        ready = self._s.entered_at + timedelta(seconds=step.min_read_seconds)
        return max(0.0, (ready - now).total_seconds())

    def application(self) -> dict[str, Any]:
        """Every input and read-only value of the flow, as the applicant finally gave it."""
        ctx = self.context()
        values: dict[str, Any] = {}
        for step in self.flow.steps:
            for fld in step.fields:
                if fld.is_input:
                    values[fld.id] = current_value(fld, ctx, self._s.answers) if is_visible(fld, ctx) else None
        return values

    # -- acting ------------------------------------------------------------------------
    def submit(self, incoming: Mapping[str, Any], confirm: Collection[str] = ()) -> SubmitResult:
        """Take the current step's answers and move on if everything holds."""
        self._memo = {}  # reference data may have changed since the last action
        if self.complete:
            return SubmitResult(False, self.view())
        now = self.clock()
        wait = self._wait(now)
        if wait > 0:
            gate = GateFailure(MIN_READ_GATE, "gate.min_read_time", {"seconds": math.ceil(wait)})
            return SubmitResult(False, self.view(), gates=(gate,))
        outcome = self._take(incoming, now)
        if outcome.problems:
            return SubmitResult(False, self.view(), problems=tuple(outcome.problems))
        self._confirm(outcome, confirm, now)
        if outcome.warnings:
            return SubmitResult(False, self.view(), warnings=tuple(outcome.warnings))
        ctx = self.context(now)
        gates = check_gates(self.step, ctx) or self._recheck(ctx)
        if gates:
            return SubmitResult(False, self._view(ctx), gates=tuple(gates))
        self._store_readonly(ctx)
        self._s.read.add(self.step.id)
        self._enter(self._s.index + 1, now)
        return SubmitResult(True, self.view())

    def _recheck(self, ctx: Context) -> list[GateFailure]:
        """At the final submit (the next step is the summary), the earlier steps' `recheck` gates."""
        following = self.flow.steps[self._s.index + 1] if self._s.index + 1 < len(self.flow.steps) else None
        if following is None or following.kind != "summary":
            return []
        return check_rechecked(self.flow.steps[:self._s.index], ctx)

    def _take(self, incoming: Mapping[str, Any], now: datetime) -> StepOutcome:
        step, s = self.step, self._s
        outcome = StepOutcome()
        take_inputs(step.fields, incoming, lambda values: Context(self.flow, self.source, now, {**s.answers, **values},
                                                                  self._memo), outcome, None)
        for fid in outcome.values:
            s.raw.pop(fid, None)
        s.answers.update(outcome.values)
        s.raw.update(outcome.raw)
        unusable = {p.field for p in outcome.problems}
        document = {k: v for k, v in outcome.values.items() if k not in unusable}
        for fid, code, params in step.validator.validate(document, now.date()):
            if fid in document:
                outcome.problems.append(Problem(fid, code, params))
        check_choices(step.fields, self.context(now), outcome)
        return outcome

    def _confirm(self, outcome: StepOutcome, confirm: Collection[str], now: datetime) -> None:
        keys = set(confirm)
        for warning in _pending(self.step, outcome, self._s.confirmed):
            if warning.key in keys:
                value = outcome.values[warning.field]
                self._s.confirmed[warning.key] = value
                self._s.decisions.append(Decision(self.step.id, warning.key, value, "continue", now.isoformat()))
        check_warnings(self.step.fields, outcome, self._s.confirmed)

    def decline(self, key: str) -> None:
        """Record that the applicant chose to go back and fix a warned value (确定)."""
        field_id = key.split(":", 1)[0]
        self._s.decisions.append(Decision(self.step.id, key, self._s.answers.get(field_id), "fix",
                                          self.clock().isoformat()))

    def _store_readonly(self, ctx: Context) -> None:
        for fld in self.step.fields:
            if fld.is_input and fld.prefill is not None:
                self._s.answers[fld.id] = current_value(fld, ctx, self._s.answers)

    def back(self) -> StepView:
        """Go to the previous step; answers typed anywhere are kept."""
        if self._s.index > 0 and not self.complete:
            self._enter(self._s.index - 1, self.clock())
        return self.view()

    def _enter(self, index: int, now: datetime) -> None:
        self._s.index, self._s.entered_at = index, now

    # -- persistence -------------------------------------------------------------------
    def state(self) -> dict[str, Any]:
        s, secret = self._s, {f.id for f in self.flow.fields.values() if f.secret}
        return {
            "flow": self.flow.id, "version": self.flow.version, "digest": self.flow.digest,
            "step": self.step.id, "entered_at": s.entered_at.isoformat() if s.entered_at else None,
            "answers": {k: to_json(v) for k, v in s.answers.items() if k not in secret},
            "raw": {k: v for k, v in s.raw.items() if k not in secret},
            "read": sorted(s.read), "confirmed": {k: to_json(v) for k, v in s.confirmed.items()},
            "decisions": [vars(d) for d in s.decisions],
        }


def _pending(step: Step, outcome: StepOutcome, confirmed: Mapping[str, Any]) -> list[Problem]:
    probe = StepOutcome(values=outcome.values)
    check_warnings(step.fields, probe, confirmed)
    return probe.warnings


def to_json(value: Any) -> Any:
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    if isinstance(value, ImageValue):
        return value.to_json()  # the reference only: the bytes are stored on their own
    return value


def answers_from_json(flow: Flow, answers: Mapping[str, Any]) -> dict[str, Any]:
    """Inverse of to_json for stored answers, using the flow's field types."""
    fields = flow.fields
    result = {}
    for key, value in answers.items():
        fld = fields.get(key)
        if fld is not None and fld.kind.kind == "date" and isinstance(value, str):
            value = date.fromisoformat(value)
        elif fld is not None and fld.kind.kind == "image":
            value = image_from_json(value)
        result[key] = value
    return result


def _restore(flow: Flow, state: Mapping[str, Any]) -> _State:
    index = next((i for i, s in enumerate(flow.steps) if s.id == state.get("step")), 0)
    entered = state.get("entered_at")
    return _State(index=index, entered_at=datetime.fromisoformat(entered) if entered else None,
                  answers=answers_from_json(flow, state.get("answers", {})), raw=dict(state.get("raw", {})),
                  read=set(state.get("read", [])), confirmed=dict(state.get("confirmed", {})),
                  decisions=[Decision(**d) for d in state.get("decisions", [])])
