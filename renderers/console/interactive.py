"""The interactive console: an applicant walks a flow step by step in a terminal.

Each step is shown (title, body, read-only values), its inputs are asked one by one, and
the answers go to `Run.submit`. Problems are shown next to their field and only those
fields are asked again; a warning asks 确定 (stay and fix → `Run.decline`) or 取消 (continue
→ submit again with `confirm`); a failed gate shows its message. Typed commands go back
(`:back`) or quit (`:quit`); Ctrl-C leaves without a traceback (exit 130). Keys typed during a
reading countdown are discarded (the manual's button is inactive meanwhile), and text typed
where only Enter is asked is refused, not dropped. On a real terminal readline gives line
editing and history (it measures Chinese characters as two cells under a UTF-8 locale).
The terminal is passed in, so tests can script it.
"""
from __future__ import annotations

import getpass
import math
import re
import readline  # noqa: F401  (input() then edits lines, with Chinese width, and keeps a history)
import shutil
import sys
import termios
import time
import unicodedata
from dataclasses import dataclass, field
from typing import Any, Callable

from engine import FIELD_TYPES, FieldView, Run, StepView, SubmitResult
from shenbao.wording import show_options

from .prompts import PROMPTS
from .screen import (INDENT, PROBLEM_MARK, body, field_label, field_line, header, option_lines, outcome_lines,
                     summary_lines)
from .text import Texts, cut, wrap

BACK, QUIT, HELP = (":back", ":b"), (":quit", ":q", ":exit"), (":help", ":h", ":?")
CLEAR = "-"          # typed at an optional multiple choice: choose nothing
ECHO_CELLS = 40      # longest value echoed back in a prompt or a "picked" line
INTERRUPTED = 130    # exit status after Ctrl-C (128 + SIGINT), as shells report it
_SPLIT = re.compile(r"[\s,，、;；]+")


class Back(Exception):
    """The applicant typed :back."""


class Quit(Exception):
    """The applicant typed :quit or closed the input."""


@dataclass
class Terminal:
    """Where the console reads and writes; the defaults are the real terminal."""

    read: Callable[[str], str] = input
    secret: Callable[[str], str] = input
    write: Callable[[str], Any] = print
    sleep: Callable[[float], None] = time.sleep
    overwrite: Callable[[str], None] | None = None  # rewrite the current line (a live countdown)
    cells: int = 100
    discard: Callable[[], None] = lambda: None       # drop what was typed ahead

    @classmethod
    def real(cls) -> Terminal:
        tty = sys.stdin.isatty() and sys.stdout.isatty()
        return cls(secret=getpass.getpass if tty else input, overwrite=_overwrite if tty else None,
                   cells=min(shutil.get_terminal_size((100, 24)).columns, 120),
                   discard=_flush_input if tty else (lambda: None))


def _flush_input() -> None:
    termios.tcflush(sys.stdin, termios.TCIFLUSH)


def _overwrite(text: str) -> None:
    sys.stdout.write("\r\x1b[K" + text)
    sys.stdout.flush()


@dataclass
class Console:
    run: Run
    texts: Texts
    term: Terminal = field(default_factory=Terminal)
    drafts: dict[str, dict[str, Any]] = field(default_factory=dict)

    def play(self) -> int:
        """Walk the flow until its summary step, or until the applicant quits."""
        self.say(self.wrapped(self.texts("console.welcome", title=self.texts(self.run.flow.title)))
                 + self.wrapped(self.texts("console.help")))
        while True:
            view = self.run.view()
            try:
                if view.kind == "summary":
                    self.summary(view)
                    return 0
                self.notice(view) if view.kind == "notice" else self.form(view)
            except Back:
                self.back(view)
            except Quit:
                self.say(["", self.texts("console.quit")])
                return 0
            except KeyboardInterrupt:  # Ctrl-C outside a prompt (the countdown): leave, no traceback
                self.say(["", self.texts("console.quit")])
                return INTERRUPTED

    # -- input -----------------------------------------------------------------------------
    def say(self, lines: list[str]) -> None:
        """Write lines, wrapping long ones under their own indentation (terminals cut CJK badly)."""
        for line in lines:
            indent = line[:len(line) - len(line.lstrip(" "))]
            for part in wrap(line[len(indent):], self.term.cells - len(indent)) if line.strip() else [line]:
                self.term.write(indent + part)

    def wrapped(self, text: str, indent: str = "") -> list[str]:
        return [indent + line for line in wrap(text, self.term.cells - len(indent))]

    def ask(self, prompt: str, secret: bool = False) -> str:
        """One line of input; commands are handled here and never reach a field."""
        while True:
            try:
                line = (self.term.secret if secret else self.term.read)(prompt)
            except EOFError:
                raise Quit from None
            command = unicodedata.normalize("NFKC", line).strip().lower()
            if command in BACK:
                raise Back
            if command in QUIT:
                raise Quit
            if command in HELP:
                self.say(self.wrapped(self.texts("console.help")))
                continue
            return line

    def back(self, view: StepView) -> None:
        if not view.can_go_back:
            self.say([self.texts("console.back.first")])
            return
        self.run.back()

    # -- notice steps ----------------------------------------------------------------------
    def notice(self, view: StepView) -> None:
        self.say(header(view, self.texts) + body(view, self.texts, self.term.cells))
        while True:
            self.countdown()
            self.press_enter(view)
            result = self.run.submit({})
            if result.advanced:
                return
            self.say(outcome_lines(self.texts, result.problems, result.warnings, result.gates))

    def countdown(self) -> None:
        """Show the minimum reading time ticking down; the engine judges it by the clock."""
        shown, live = None, self.term.overwrite
        while (left := self.run.view().wait_seconds) > 0:
            seconds = math.ceil(left)
            if seconds != shown:
                text = self.texts("console.countdown", seconds=seconds)
                live(text) if live else self.term.write(text)
                shown = seconds
            self.term.sleep(left - (seconds - 1))  # until the next whole second
        if shown is not None and live:
            live(self.texts("console.countdown.done") + "\n")
        if shown is not None:
            self.term.discard()  # keys pressed while the button was inactive do nothing

    def press_enter(self, view: StepView) -> None:
        """Wait for Enter alone; typed text is refused and said so, not silently dropped."""
        while True:
            line = self.ask(self.next_prompt(view))
            if not line.strip():
                return
            self.say([INDENT + self.texts("console.next.typed", text=cut(line.strip(), ECHO_CELLS))])

    def next_prompt(self, view: StepView) -> str:
        action = self.texts(view.next_label or "action.next")
        return self.texts("console.prompt.next", action=action)

    # -- form steps ------------------------------------------------------------------------
    def form(self, view: StepView) -> None:
        draft = self.drafts.setdefault(view.id, {})
        confirm: set[str] = set()
        only: dict[str, list[str]] | None = None
        self.say(header(view, self.texts) + body(view, self.texts, self.term.cells) + ([""] if view.body else []))
        while True:
            view = self.run.view()
            if only is None or only:
                self.fill(view, draft, only)
                self.press_enter(view)
            result = self.run.submit(self.answers(view, draft), confirm=sorted(confirm))
            if result.advanced:
                return
            only = self.after(result, confirm)

    def after(self, result: SubmitResult, confirm: set[str]) -> dict[str, list[str]] | None:
        """Which fields to ask again, each with what to say beside it: the ones with problems,
        the warned ones the applicant chose to fix, none (resubmit at once) after 取消, or all
        of them after a failed gate."""
        if result.problems:
            self.say(["", self.texts("console.problems.title")])
            beside: dict[str, list[str]] = {}
            for problem in result.problems:
                if problem.field is None:
                    self.say([INDENT + PROBLEM_MARK + self.texts.problem(problem)])
                else:
                    beside.setdefault(problem.field, []).append(self.texts.problem(problem))
            self.with_confirmations(beside)
            return beside or None
        if result.warnings:
            fix: dict[str, list[str]] = {}
            for warning in result.warnings:
                if self.warned(warning):
                    confirm.add(warning.key)
                else:
                    self.run.decline(warning.key)
                    fix[warning.field or ""] = []
            return fix
        self.say([""] + outcome_lines(self.texts, gates=result.gates))
        return None

    def with_confirmations(self, asked: dict[str, list[str]]) -> None:
        """A field asked again brings the fields that must equal it (a password its confirmation:
        a new password with the old confirmation could never match), and a choice narrowed by
        other choices of the step brings those (注册机构 its 城市 and 现任教学段: the one wanted
        may be in another city's list; Enter keeps each)."""
        fields = self.run.step.fields
        ids = {f.id for f in fields}
        for fld in fields:
            target = fld.rules.get("equals_field")
            if target in asked and fld.id not in asked:
                asked[fld.id] = []
        for fld in fields:
            narrowed_by = fld.options.filter.names if fld.id in asked and fld.options is not None \
                and fld.options.filter is not None else frozenset()
            for name in sorted(narrowed_by & ids - {fld.id}):
                asked.setdefault(name, [])

    def warned(self, warning: Any) -> bool:
        """Show a warning and ask 确定 (False: stay and fix) or 取消 (True: continue)."""
        fix, go_on = self.texts("warning.confirm_fix"), self.texts("warning.confirm_continue")
        self.say(["", self.texts.warning(warning)])
        while True:
            line = unicodedata.normalize("NFKC", self.ask(self.texts("console.warning.prompt", fix=fix,
                                                                         go_on=go_on))).strip()
            if line in ("1", fix):
                self.say([self.texts("console.warning.fixing", label=self.texts.label(warning.field))])
                return False
            if line in ("2", go_on):
                return True
            self.say([INDENT + self.texts("console.warning.unknown", text=cut(line, ECHO_CELLS), fix=fix,
                                          go_on=go_on)])

    def answers(self, view: StepView, draft: dict[str, Any]) -> dict[str, Any]:
        """What the form sends: every editable field, typed or as shown."""
        return {f.id: draft[f.id] if f.id in draft else f.value for f in view.fields if not f.readonly}

    def fill(self, view: StepView, draft: dict[str, Any], only: dict[str, list[str]] | None) -> None:
        for section in view.sections:
            fields = [f for f in section.fields if only is None or f.id in only]
            if not fields:
                continue
            if section.title:
                self.say(["", self.texts("console.section", title=self.texts(section.title))])
            if section.help and only is None:
                self.say(self.wrapped(self.texts(section.help), INDENT))
            for fld in fields:
                if fld.readonly:
                    self.say([field_line(fld, self.texts)])
                    continue
                fld = self.as_answered(view, fld, draft)
                draft[fld.id] = self.field(fld, draft.get(fld.id, fld.value), only[fld.id] if only else [])

    def as_answered(self, view: StepView, fld: FieldView, draft: dict[str, Any]) -> FieldView:
        """The field with options narrowed by what was just typed above it (现任教学科 by 现任教学段)."""
        if not FIELD_TYPES[fld.type].choice:
            return fld
        preview = self.run.preview(self.answers(view, draft))
        return next((f for f in preview.fields if f.id == fld.id), fld)

    # -- one field -------------------------------------------------------------------------
    def field(self, fld: FieldView, current: Any, problems: list[str]) -> Any:
        """Ask one field; its help, then what was wrong with it, sit just above the prompt."""
        label = field_label(fld, self.texts)
        if fld.help:
            self.say([INDENT + self.texts("console.field.help", help=self.texts(fld.help))])
        self.say([INDENT + PROBLEM_MARK + message for message in problems])
        if fld.options and not FIELD_TYPES[fld.type].choice:  # options on a non-choice type: picked all the same
            return self.choose(fld, label, current)
        return PROMPTS[fld.type].ask(self, fld, label, current, problems)

    def choose(self, fld: FieldView, label: str, current: Any) -> Any:
        self.say(option_lines(fld, self.texts, self.term.cells) if fld.options else
                 [INDENT + self.texts("console.choice.none_offered")])   # narrowed to nothing by the choices above
        many = fld.type == "checkbox"
        shown = "" if current in (None, "", []) else self.texts("console.prompt.current",
                                                                  value=cut(self.texts.plain(current, fld.options),
                                                                            ECHO_CELLS))
        clearable = many and not fld.required
        key = "console.prompt.choose_many_optional" if clearable else (
            "console.prompt.choose_many" if many else "console.prompt.choose")
        while True:
            line = unicodedata.normalize("NFKC", self.ask(INDENT + self.texts(key, label=label, current=shown,
                                                                              clear=CLEAR)))
            if not line.strip():
                return current
            if clearable and line.strip() == CLEAR:
                return []
            words = [w for w in _SPLIT.split(line.strip()) if w] if many else [line.strip()]
            picked = [self.pick(fld, w) for w in words]
            if all(p is not None for p in picked):
                return [p.value for p in picked] if many else picked[0].value

    def pick(self, fld: FieldView, word: str) -> Any:
        """An option by number, exact label or value, or by a unique part of its label."""
        options = fld.options
        if word.isdigit() and 1 <= int(word) <= len(options):
            return options[int(word) - 1]
        exact = [o for o in options if word in (self.texts.option(o), str(o.value))]
        if exact:
            return exact[0]
        found = [i for i, o in enumerate(options, 1) if word in self.texts.option(o)]
        if len(found) == 1:
            picked = options[found[0] - 1]
            self.say([INDENT + self.texts("console.choice.picked", label=cut(self.texts.option(picked), ECHO_CELLS))])
            return picked
        if found:
            self.say([INDENT + self.texts("console.choice.several", text=word)]
                     + option_lines(fld, self.texts, self.term.cells, found))
        elif word.isdigit():
            self.say([INDENT + self.texts("console.choice.out_of_range", max=len(options))])
        else:
            self.say([INDENT + self.texts("console.choice.none", text=word)])
        return None

    # -- the end ---------------------------------------------------------------------------
    def summary(self, view: StepView) -> None:
        lines = header(view, self.texts) + body(view, self.texts, self.term.cells) + summary_lines(
            view, self.texts, show_options(self.run))
        initial = next((s for s in self.run.flow.statuses.values() if s.initial), None)
        if initial is not None:
            lines += ["", self.texts("console.status", status=self.texts(initial.message))]
        self.say(lines + ["", self.texts("console.goodbye")])
