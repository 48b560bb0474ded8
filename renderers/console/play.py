"""Playing a scenario headless: each action becomes an engine call, its outcome a transcript
entry (the same screens the interactive console shows) and a comparison with `expect`.

Applicant actions drive a `Run`; once the run is complete, `status` moves the application
as a staff member would (`transition`) and `amend` changes it under its status' rules
(`Amendment`), all in memory. The applicant's own after-submission verbs go through the
application layer's `shenbao.signin` on the answers held here: `login` types the flow's
declared login fields and the password, `view` and `messages` read the dashboard (signed in),
`password` changes it (signed in) and `recover` resets it through the declared recovery fields. Playing stops at the first unmet expectation and says which
scenario, which action (file and line), at which step, and what differed.
"""
from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, Mapping, Sequence

from engine import (FIELD_TYPES, Amendment, Context, DataSource, Flow, GateFailure, Problem, Run, Step, StepView,
                    edit_rights, resolve_document, transition)
from shenbao.applications import password_field
from shenbao.coverage import Coverage
from shenbao.documents import choice_texts, names_of
from shenbao.signin import identifies, login_fields, new_password_problems, recovery_fields, typed_identity
from shenbao.wording import show_options

from .prompts import PROMPTS
from .scenario import Action, Scenario
from .screen import INDENT, outcome_lines, step_lines
from .text import Texts, fmt, problem_key


@dataclass
class Outcome:
    """What one action did, in the terms `expect` speaks."""

    problems: Sequence[Problem] = ()
    warnings: Sequence[Problem] = ()
    gates: Sequence[GateFailure] = ()
    advanced: bool | None = None
    allowed: bool | None = None
    saved: bool | None = None
    lines: list[str] = field(default_factory=list)
    refused: str | None = None  # the action could not be played at all (always a failure)
    document: Mapping[str, str] | None = None  # a downloaded document's printed cells, by reference
    signed_in: bool | None = None
    can_edit: bool | None = None


Difference = tuple[str, str]
# The applicant's verbs that need a `login` first (as the web's account pages do).
SIGNED_IN_VERBS = ("view", "messages", "password")  # (the `expect` key that was not met, what differed)


@dataclass
class Failure:
    scenario: Scenario
    action: Action
    number: int
    step: str
    differences: list[Difference]

    @property
    def line(self) -> int:
        """The line of the first `expect` key that was not met (the action's own line otherwise)."""
        return self.action.expect_line(self.differences[0][0]) if self.differences else self.action.line

    def __str__(self) -> str:
        head = (f"FAILED {self.scenario.filename}:{self.line}: scenario '{self.scenario.name}', "
                f"action {self.number} ({self.action.verb}, line {self.action.line}) at step '{self.step}'")
        return "\n".join([head] + [INDENT + f"line {self.action.expect_line(key)}: {text}"
                                   for key, text in self.differences])


@dataclass
class Report:
    transcript: list[str]
    failure: Failure | None = None

    @property
    def ok(self) -> bool:
        return self.failure is None


class Player:
    """Plays one scenario (and the scenarios it comes `after`) against a flow and its data."""

    def __init__(self, flow: Flow, source: DataSource, texts: Texts, cells: int = 100,
                 coverage: Coverage | None = None):
        self.flow, self.source, self.texts, self.cells = flow, source, texts, cells
        self.coverage = coverage
        self.moved_from = ""
        self.amended_steps: list[Step] = []
        self.now = datetime(2000, 1, 1)
        self.folder = Path(".")  # the scenario file's folder: an image answer's path is relative to it
        self.run: Run | None = None
        self.status: str | None = None
        self.answers: dict[str, Any] = {}
        self.review: dict[str, Any] = {}
        self.password: Any = None   # the applicant's password as they would type it
        self.signed_in = False
        self.out: list[str] = []
        self.unnamed = "empty"        # the playing file's `unnamed:` (what a required choice it leaves out gets)
        self.defaulted: dict[str, Any] = {}   # what the last `answers`/`next` sent for choices it did not name

    def clock(self) -> datetime:
        return self.now

    def play(self, scenario: Scenario) -> Report:
        failure = self._play(scenario)
        return Report(self.out, failure)

    def _play(self, scenario: Scenario) -> Failure | None:
        if scenario.after is not None:
            failure = self._play(scenario.after)
            if failure is not None:
                return failure
        self.folder = scenario.path.parent
        self.unnamed = scenario.unnamed
        self.out.append(f"=== {scenario.filename}: {scenario.name}")
        if scenario.covers:
            self.out.append(f"    {scenario.covers}")
        if scenario.start is not None:
            self.now = scenario.start
            self.out.append(f"--- clock {fmt(self.now)}")
        if self.run is None:
            self.run = Run(self.flow, self.source, self.clock)
            self.out += step_lines(self.run.view(), self.texts, self.cells)
            self.record(None, Outcome())
        for number, action in enumerate(scenario.actions, 1):
            step = self.run.view().id
            self.out.append(f"--- [{number}] line {action.line} @ {step}: {self.describe(action)}")
            if action.note:
                self.out.append(f"    # {action.note}")
            outcome = self.act(action)
            self.out += outcome.lines
            self.record((action, step), outcome)
            differences = self.compare(action, outcome)
            if differences:
                return Failure(scenario, action, number, step, differences)
        return None

    # -- acting ----------------------------------------------------------------------------
    def describe(self, action: Action) -> str:
        if action.verb == "answers":
            given = ", ".join(f"{k}={quote(v)}" for k, v in action.arg.items())
            return f"answers {given}" + (f" confirm={list(action.confirm)}" if action.confirm else "")
        if action.verb in ("next", "back"):
            return action.verb
        if action.verb == "amend":
            given = ", ".join(f"{k}={quote(v)}" for k, v in action.arg["answers"].items())
            return f"amend {given}" + (f" confirm={action.arg['confirm']}" if action.arg.get("confirm") else "")
        if action.verb == "document":
            return f"document {action.arg}"
        if action.verb == "status":
            return f"status → {action.arg['to']} as {action.arg['role']}" + (
                f" inputs {action.arg['inputs']}" if action.arg.get("inputs") else "")
        if action.verb in SIGNED_IN_VERBS + ("login", "recover"):
            given = action.arg if isinstance(action.arg, Mapping) else {}
            return " ".join([action.verb] + [f"{k}={quote(v)}" for k, v in given.get("answers", {}).items()]
                            + [f"{k}=***" for k in ("password", "current", "new", "again") if k in given])
        return f"{action.verb} {action.arg}"

    def seconds(self, action: Action) -> float:
        """How far a `wait` moves the clock: its seconds, or with `wait: read` what is left of the
        current step's reading time (so a scenario follows the flow's min_read_seconds)."""
        if action.arg == "read":
            return self.run.view().wait_seconds if self.run is not None else 0.0
        return float(action.arg)

    def act(self, action: Action) -> Outcome:
        assert self.run is not None
        verb = action.verb
        if verb == "wait":
            self.now += timedelta(seconds=self.seconds(action))
            return Outcome(lines=[f"    clock {self.now:%Y-%m-%d %H:%M:%S}"])
        if verb == "at":
            self.now = datetime.fromisoformat(action.arg)
            return Outcome(lines=[f"    clock {self.now:%Y-%m-%d %H:%M:%S}"])
        if verb == "back":
            view = self.run.back()
            return Outcome(lines=step_lines(view, self.texts, self.cells))
        if verb == "decline":
            self.run.decline(action.arg)
            return Outcome(lines=[INDENT + self.texts("console.warning.fixing",
                                                      label=self.texts.label(action.arg.split(":")[0]))])
        if verb in ("next", "answers"):
            return self.submit(action.arg if verb == "answers" else {}, action.confirm)
        if not self.run.complete:
            why = f"'{verb}' needs a completed application; the run is at step '{self.run.view().id}'"
            return Outcome(lines=[f"    ! {why}"], allowed=False, saved=False, refused=why)
        self.settle()
        if verb == "document":
            return self.download(action.arg)
        if verb == "login":
            return self.login(action.arg if isinstance(action.arg, Mapping) else {})
        if verb == "recover":
            return self.recover(action.arg)
        if verb in SIGNED_IN_VERBS and not self.signed_in:
            why = f"'{verb}' needs the applicant signed in: put a `login` action before it"
            return Outcome(lines=[f"    ! {why}"], saved=False, refused=why)
        if verb == "view":
            return self.view()
        if verb == "messages":
            return Outcome(lines=self.status_lines())
        if verb == "password":
            return self.change_password(action.arg)
        return self.move(action.arg) if verb == "status" else self.amend(action.arg)

    # -- the applicant after submission (shenbao.signin) -----------------------------------
    def login(self, given: Mapping[str, Any]) -> Outcome:
        """登录 with the flow's declared login fields (their own answers unless `answers` names
        them) and the password (their own unless `password` is given)."""
        fields = login_fields(self.flow)
        typed = typed_identity(self.answers, fields, given.get("answers") or {})
        ok = identifies(self.answers, fields, typed) and str(given.get("password", self.password)) == self.password
        self.signed_in = ok
        lines = [INDENT + self.texts("console.login.done" if ok else "console.login.failed")]
        return Outcome(signed_in=ok, lines=lines + (self.status_lines() if ok else []))

    def view(self) -> Outcome:
        """The dashboard: the status and its message, the review values it shows, and whether
        the application may still be modified."""
        assert self.status is not None
        rights = edit_rights(self.flow, self.status, self.answers, self.source, self.now)
        key = "console.view.can_edit" if rights.allowed else "console.view.readonly"
        return Outcome(can_edit=rights.allowed, lines=self.status_lines() + [INDENT + self.texts(key)])

    def change_password(self, arg: Mapping[str, Any]) -> Outcome:
        new, again = str(arg["new"]), str(arg.get("again", arg["new"]))
        problems = new_password_problems(self.flow, new, again, self.now.date())
        if problems:
            return Outcome(problems, saved=False,
                           lines=[INDENT + l for l in outcome_lines(self.texts, problems)])
        if str(arg.get("current", self.password)) != self.password:
            return Outcome(saved=False, lines=[INDENT + self.texts("console.password.wrong_current")])
        self.password = new
        return Outcome(saved=True, lines=[INDENT + self.texts("console.password.changed")])

    def recover(self, arg: Mapping[str, Any]) -> Outcome:
        """找回密码: the declared recovery fields identify the application, the reset goes to
        its recovery e-mail address, and the new password follows the password rules."""
        fields = recovery_fields(self.flow)
        typed = typed_identity(self.answers, fields, arg.get("answers") or {})
        email = self.answers.get(self.flow.application.recovery_email or "")
        if not identifies(self.answers, fields, typed) or not email:
            return Outcome(saved=False, lines=[INDENT + self.texts("console.recover.not_found")])
        sent = INDENT + self.texts("console.recover.sent", email=email)
        new, again = str(arg["new"]), str(arg.get("again", arg["new"]))
        problems = new_password_problems(self.flow, new, again, self.now.date())
        if problems:
            return Outcome(problems, saved=False,
                           lines=[sent] + [INDENT + l for l in outcome_lines(self.texts, problems)])
        self.password, self.signed_in = new, False
        return Outcome(saved=True, lines=[sent, INDENT + self.texts("console.password.changed")])

    def download(self, document_id: str) -> Outcome:
        """The printed form as the applicant downloads it: every cell's text by its reference."""
        assert self.status is not None
        names = names_of(self.flow, self.source, self.now, self.answers,
                         {"application_no": "", "flow_version": self.flow.version, "generated_on": self.now.date(),
                          "status": self.texts.status(self.status)})
        labels = choice_texts(self.flow, self.source, self.texts.catalog, self.answers, self.now)  # type: ignore
        view = resolve_document(self.flow.documents[document_id], names, self.texts.catalog.text, labels)
        cells = {cell.ref: cell.text for section in view.sections for row in section.rows for cell in row}
        lines = [INDENT + view.title] + [INDENT * 2 + self.texts("console.field.shown", label=cell.label,
                                                                 value=cell.text)
                                         for section in view.sections for row in section.rows for cell in row]
        return Outcome(document=cells, lines=lines)

    def submit(self, given: Mapping[str, Any], confirm: Sequence[str]) -> Outcome:
        """Send the step as a form would: what is shown, overwritten by what the scenario types."""
        assert self.run is not None
        view = self.run.view()
        shown = {f.id: f.raw if f.raw is not None else _as_typed(f.value)
                 for f in view.fields if not f.readonly and not f.secret}
        typed = {k: PROMPTS[self.flow.fields[k].type].typed(v, self.folder) if k in self.flow.fields else v
                 for k, v in given.items()}  # e.g. an image's file path → its bytes
        picked = self.first_offered({**shown, **typed}, given) if self.unnamed == "first-offered" else {}
        self.defaulted = {k: v for k, (v, _text) in picked.items()}
        result = self.run.submit({**shown, **typed, **self.defaulted}, confirm=confirm)
        chosen = [INDENT + self.texts("console.scenario.unnamed", label=self.texts.label(k), value=text)
                  for k, (_v, text) in picked.items()]
        if result.advanced:
            lines = chosen + step_lines(result.step, self.texts, self.cells, shown_options=show_options(self.run))
            if self.run.complete:
                self.settle()
                lines.append("")
                lines.append(self.texts("console.status", status=self.texts.status(self.status or "")))
        else:
            lines = chosen + [INDENT + line for line in outcome_lines(self.texts, result.problems, result.warnings,
                                                                      result.gates)]
        return Outcome(result.problems, result.warnings, result.gates, result.advanced, lines=lines)

    def first_offered(self, sent: Mapping[str, Any], named: Mapping[str, Any]) -> dict[str, Any]:
        """`unnamed: first-offered`: each required choice of the step that the action does not
        name and the form leaves empty gets its first option as offered then (narrowed by what is
        sent, and by the defaults chosen above it: 城市 before 注册机构)."""
        assert self.run is not None
        chosen: dict[str, tuple[Any, str]] = {}
        for fld in self.run.preview(sent).fields:
            if fld.readonly or not fld.required or not FIELD_TYPES[fld.type].choice or fld.id in named \
                    or sent.get(fld.id) not in (None, "", []):
                continue
            values = {k: v for k, (v, _text) in chosen.items()}
            offered = next(f for f in self.run.preview({**sent, **values}).fields if f.id == fld.id).options
            if offered:
                first = offered[0]
                value = [first.value] if FIELD_TYPES[fld.type].kind == "choices" else first.value
                chosen[fld.id] = (value, self.texts.plain(first.value, offered))
        return chosen

    def settle(self) -> None:
        """On completion the application starts in the flow's initial status."""
        assert self.run is not None
        if self.status is None:
            self.answers = self.run.application()
            initial = next((s for s in self.flow.statuses.values() if s.initial), None)
            self.status = initial.id if initial else ""
            self.password = self.answers.get(password_field(self.flow))

    def move(self, arg: Mapping[str, Any]) -> Outcome:
        assert self.status is not None
        self.moved_from = self.status
        result = transition(self.flow, self.status, arg["to"], arg["role"], arg.get("inputs") or {},
                            self.source, self.now)
        if not result.allowed:
            return Outcome(problems=result.problems, allowed=False,
                           lines=[INDENT + l for l in outcome_lines(self.texts, result.problems)])
        self.status = arg["to"]
        self.review.update(result.inputs)
        return Outcome(allowed=True, lines=self.status_lines())

    def amend(self, arg: Mapping[str, Any]) -> Outcome:
        assert self.status is not None
        amendment = Amendment(self.flow, self.answers, self.status, self.source, self.clock)
        self.amended_steps = amendment.steps()
        result = amendment.submit({**self.answers, **arg["answers"]}, confirm=arg.get("confirm") or ())
        lines = [INDENT + l for l in outcome_lines(self.texts, result.problems, result.warnings, result.gates)]
        if result.saved:
            self.answers, self.status = dict(result.answers), result.status
            lines += [INDENT + self.texts("console.amend.saved")] + self.status_lines()
        return Outcome(result.problems, result.warnings, result.gates, saved=result.saved, lines=lines)

    def status_lines(self) -> list[str]:
        assert self.status is not None
        lines = [INDENT + self.texts("console.status", status=self.texts.status(self.status))]
        ctx = Context(self.flow, self.source, self.now, {})
        for fid in self.flow.statuses[self.status].shows:
            fld = next(f for f in self.flow.review_fields if f.id == fid)
            value = self.texts.plain(self.review.get(fid), ctx.options(fld) if fld.options else ())
            lines.append(INDENT * 2 + self.texts("console.field.shown", label=self.texts(fld.label), value=value))
        return lines

    # -- coverage --------------------------------------------------------------------------
    def record(self, played: tuple[Action, str] | None, outcome: Outcome) -> None:
        """Tell the coverage what this action exercised (nothing when coverage is off)."""
        cov, run = self.coverage, self.run
        if cov is None or run is None:
            return
        if played is not None:
            action, step = played
            if action.verb in ("next", "answers") and outcome.refused is None and not outcome.problems \
                    and not outcome.warnings:
                cov.gates(step, [g.id for g in outcome.gates], bool(outcome.advanced))
            if action.verb == "amend":
                self.record_amend(action, outcome)
            if action.verb == "status" and outcome.allowed:
                cov.hit("transition", f"{self.moved_from}→{action.arg['to']}", action.arg["role"])
        for decision in run.decisions:
            cov.hit("warning", decision.key, decision.choice)
        cov.hit("step", run.view().id)
        if self.status is not None:
            cov.hit("status", self.status)
        cov.lookups(Context(self.flow, self.source, self.now, self.answers) if self.status is not None
                    else run.context())

    def record_amend(self, action: Action, outcome: Outcome) -> None:
        assert self.coverage is not None
        for key in action.arg.get("confirm") or ():
            self.coverage.hit("warning", key, "continue")
        if outcome.problems or outcome.warnings:
            return
        for step in self.amended_steps:
            failed = [g.id for g in outcome.gates if any(x.id == g.id for x in step.gates)]
            if failed or outcome.saved:
                self.coverage.gates(step.id, failed, bool(outcome.saved))
            if failed:
                break

    # -- comparing -------------------------------------------------------------------------
    def compare(self, action: Action, outcome: Outcome) -> list[Difference]:
        assert self.run is not None
        expect, diffs = action.expect, []
        if outcome.refused is not None:
            diffs.append((action.verb, outcome.refused))
        for group in ("problems", "warnings"):
            want = sorted(_problem_expect(item) for item in expect.get(group, []))
            got = sorted(problem_key(p) for p in getattr(outcome, group))
            if [k for k, _ in want] != got:
                diffs.append((group, _list_diff(group, [k for k, _ in want], got)))
            else:
                diffs += [(group, d) for d in _param_diffs(group, want, {problem_key(p): p.params
                                                                         for p in getattr(outcome, group)})]
        want_gates = sorted(_gate_expect(item) for item in expect.get("gates", []))
        got_gates = [g.id for g in outcome.gates]
        if [g for g, _ in want_gates] != sorted(got_gates):
            diffs.append(("gates", _list_diff("gates", [g for g, _ in want_gates], got_gates)))
        else:
            diffs += [("gates", d) for d in _param_diffs("gates", want_gates, {g.id: g.params for g in outcome.gates})]
        for name in ("advanced", "allowed", "saved", "signed_in", "can_edit"):
            if name in expect and expect[name] != getattr(outcome, name):
                diffs.append((name, f"{name}: expected {expect[name]}, got {getattr(outcome, name)}"))
        diffs += self.compare_state(expect, outcome)
        return diffs

    def compare_state(self, expect: Mapping[str, Any], outcome: Outcome) -> list[Difference]:
        assert self.run is not None
        diffs: list[Difference] = []
        view = self.run.view()
        if "step" in expect and expect["step"] != view.id:
            diffs.append(("step", f"step: expected '{expect['step']}', got '{view.id}'"))
        if "complete" in expect and expect["complete"] != self.run.complete:
            diffs.append(("complete", f"complete: expected {expect['complete']}, got {self.run.complete}"))
        if "wait_seconds" in expect and float(expect["wait_seconds"]) != view.wait_seconds:
            diffs.append(("wait_seconds", f"wait_seconds: expected {expect['wait_seconds']}, got {view.wait_seconds}"))
        if "status" in expect and expect["status"] != self.status:
            diffs.append(("status", f"status: expected '{expect['status']}', got '{self.status}'"))
        values = self.answers if self.status is not None else self.run.application()
        diffs += [("answers", d) for d in _subset_diffs("answers", expect.get("answers", {}), values)]
        diffs += [("review", d) for d in _subset_diffs("review", expect.get("review", {}), self.review)]
        if "document" in expect:
            printed = outcome.document or {}
            diffs += [("document", f"document {ref}: expected {quote(text)}, got "
                                   f"{quote(printed[ref]) if ref in printed else 'nothing printed there'}")
                      for ref, text in expect["document"].items() if printed.get(ref) != str(text)]
        if "decisions" in expect:
            want = [(d["key"], d["choice"]) for d in expect["decisions"]]
            got = [(d.key, d.choice) for d in self.run.decisions]
            if want != got:
                diffs.append(("decisions", f"decisions: expected {want}, got {got}"))
        diffs += [("fields", d) for d in _field_diffs(expect.get("fields", {}), view)]
        said = as_read(outcome.lines)
        diffs += [("says", f"says: expected the applicant to read {quote(s)}") for s in expect.get("says", [])
                  if as_read([s]) not in said]
        return diffs


def as_read(lines: Sequence[str]) -> str:
    """Text as the applicant reads it: the transcript's wrapping and indentation taken out
    (Chinese has no spaces between words, so white space never carries meaning there)."""
    return re.sub(r"\s+", "", "".join(lines))


def quote(value: Any) -> str:
    """A value in a failure message, Chinese (and its full-width space) shown as written."""
    if isinstance(value, str):
        return "'" + value + "'"
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(quote(v) for v in value) + "]"
    return repr(value)


def _list_diff(group: str, want: list[str], got: list[str]) -> str:
    text = f"{group}: expected {quote(want)}, got {quote(got)}"
    missing = sorted((Counter(want) - Counter(got)).elements())
    extra = sorted((Counter(got) - Counter(want)).elements())
    notes = ([f"missing {quote(missing)}"] if missing else []) + ([f"not expected {quote(extra)}"] if extra else [])
    return text + (f" ({'; '.join(notes)})" if want and got else "")


def _as_typed(value: Any) -> Any:
    """A value as a form field would hold it: text for dates, as-is otherwise."""
    return fmt(value) if hasattr(value, "isoformat") else value


def _problem_expect(item: Any) -> tuple[str, Mapping[str, Any]]:
    return (item, {}) if isinstance(item, str) else (item["key"], item.get("params", {}))


def _gate_expect(item: Any) -> tuple[str, Mapping[str, Any]]:
    return (item, {}) if isinstance(item, str) else (item["id"], item.get("params", {}))


def _param_diffs(group: str, want: Sequence[tuple[str, Mapping[str, Any]]], got: Mapping[str, Mapping[str, Any]]
                 ) -> list[str]:
    diffs = []
    for key, params in want:
        for name, value in params.items():
            actual = got.get(key, {}).get(name)
            if not _same(value, actual):
                diffs.append(f"{group} {key} param {name}: expected {quote(value)}, got {quote(fmt(actual))}")
    return diffs


def _subset_diffs(group: str, want: Mapping[str, Any], got: Mapping[str, Any]) -> list[str]:
    return [f"{group} {key}: expected {quote(value)}, got {_shown(got.get(key))}"
            for key, value in want.items() if not _same(value, got.get(key))]


def _field_diffs(want: Mapping[str, Mapping[str, Any]], view: StepView) -> list[str]:
    diffs = []
    fields = {f.id: f for f in view.fields}
    for fid, checks in want.items():
        fld = fields.get(fid)
        if fld is None:
            if checks.get("shown", True):
                diffs.append(f"fields {fid}: expected it on step '{view.id}', but it is not shown there")
            continue
        got = {"value": fld.value, "present": fld.value not in (None, "", b"", []), "readonly": fld.readonly,
               "shown": True, "options": [o.value for o in fld.options], "option_count": len(fld.options)}
        for name, value in checks.items():
            if not _same(value, got[name]):
                diffs.append(f"fields {fid} {name}: expected {quote(value)}, got {_shown(got[name])}")
    return diffs


def _same(want: Any, got: Any) -> bool:
    if isinstance(want, bool) or want is None:
        return want is got or want == got and isinstance(got, bool)
    if isinstance(want, (list, tuple)):
        return isinstance(got, (list, tuple)) and len(want) == len(got) and all(map(_same, want, got))
    if isinstance(got, bytes):
        return False
    return fmt(want) == fmt(got)


def _shown(value: Any) -> str:
    if isinstance(value, bytes):
        return f"<{len(value)} bytes>"
    if isinstance(value, (list, tuple)):
        return quote([fmt(v) for v in value])
    return quote(fmt(value)) if value is not None else "None"
