"""Playing a console scenario file through the web renderer over WSGI, in step with the
engine/console player, and saying where the two differ.

Each applicant action becomes what a browser sends: `answers` fills the page's form (fields
not named keep what it shows) and presses 下一步, `confirm` presses 取消 on the warning,
`decline` presses 确定, `back` 上一步; `wait` and `at` move the web's clock. After every action
the web page must show the same step, a message on the same fields, the same gate messages
and the same warning as the engine found. The staff and amendment verbs (`status`, `amend`)
are played by the engine only: the comparison stops there.
"""
from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from engine import Run
from renderers.console.play import Player
from renderers.console.scenario import Action, Scenario
from renderers.web.forms import Texts as WebTexts
from websupport import BEIJING, Browser, FakeClock

AFTER_SUBMISSION = ("status", "amend", "document")


def chain(scenario: Scenario) -> list[Scenario]:
    return (chain(scenario.after) if scenario.after is not None else []) + [scenario]


def play_both(scenario: Scenario, player: Player, browser: Browser, clock: FakeClock, web: Any
              ) -> tuple[list[str], str]:
    """Differences between the engine's and the web's outcome, action by action ([] = the same),
    and where the comparison stopped, if before the end: at a staff or amendment verb, or where
    the clock jumps past the web's draft idle time (the web forgets an idle draft by design)."""
    idle = timedelta(minutes=web.settings.draft_idle_minutes)
    titles = {web.t(s.title): s.id for s in web.flow.steps}
    wording = WebTexts(web.flow, web.catalog)
    differences: list[str] = []
    started = False
    for part in chain(scenario):
        if part.start is not None:
            player.now = part.start
            clock.now = part.start.replace(tzinfo=BEIJING)
        for number, action in enumerate(part.actions, 1):
            where = f"{part.filename}:{action.line} action {number} ({action.verb})"
            if action.verb in AFTER_SUBMISSION:
                return differences, f"{where}: played by the engine only"
            if started and _jump(action, clock) >= idle:
                return differences, f"{where}: the clock passes the web's draft idle time"
            if not started:
                player.run = player.run or _new_run(player)
                browser.get("/apply/start")
                started = True
            waited = player.seconds(action) if action.verb == "wait" else 0.0
            outcome = player.act(action)
            _web_act(action, browser, clock, waited)
            differences += _compare(where, player, outcome, browser, titles, wording)
            if differences:
                return differences, where
    return differences, ""


def _jump(action: Action, clock: FakeClock) -> timedelta:
    if action.verb == "wait" and action.arg != "read":     # the rest of a reading time: never long
        return timedelta(seconds=float(action.arg))
    if action.verb == "at":
        return abs(datetime.fromisoformat(action.arg).replace(tzinfo=BEIJING) - clock.now)
    return timedelta(0)


def _new_run(player: Player) -> Run:
    return Run(player.flow, player.source, player.clock)


def _web_act(action: Action, browser: Browser, clock: FakeClock, waited: float = 0.0) -> None:
    verb, arg = action.verb, action.arg
    if verb == "wait":
        clock.advance(seconds=waited)
    elif verb == "at":
        clock.now = datetime.fromisoformat(arg).replace(tzinfo=BEIJING)
    elif verb == "back":
        _press(browser, _step_form(browser), "back")
    elif verb == "decline":
        _warning_form(browser, "warning-fix")
    elif verb in ("next", "answers"):
        values = {k: _typed(v) for k, v in (arg.items() if verb == "answers" else ())}
        _submit(browser, values)
        for key in action.confirm:
            if 'id="warning-continue"' in browser.html and f'value="{key}"' in browser.html:
                _warning_form(browser, "warning-continue")


def _submit(browser: Browser, values: dict[str, Any]) -> None:
    """Browser.submit, except that a value a select does not offer is sent anyway (as a
    hand-made request could): scenarios test that the server refuses it."""
    form = _step_form(browser)
    if form is None:
        return
    for name, value in values.items():
        fields = form.fields.get(name) or []
        if not fields:
            continue  # read-only on this page: a browser cannot send it (the engine ignores it too)
        target = fields[0] if fields else None
        if target is not None and hasattr(target, "options") and not isinstance(value, list) and \
                str(value) not in {str(o[0]) for o in target.options} and hasattr(target, "force_value"):
            target.force_value(value)
        else:
            form[name] = value
    _press(browser, form, "next")


def _step_form(browser: Browser) -> Any:
    """The step's own form: the one whose `action` is a button (the warning's forms hide theirs);
    None on the summary page, which has none."""
    return next((f for f in browser.page.forms.values() if f.action == "/apply" and f.method.upper() == "POST"
                 and any(type(x).__name__ == "Submit" for x in f.fields.get("action", []))), None)


def _press(browser: Browser, form: Any, button: str) -> None:
    if form is None or button not in [x.value_if_submitted() for x in form.fields.get("action", []) if hasattr(x, "value_if_submitted")]:
        return  # no such button on this page (上一步 on the first step): nothing is sent
    response = form.submit("action", value=button, status="*")
    while response.status_int in (301, 302, 303):
        response = response.follow(status="*")
    browser.page = response


def _typed(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, list):
        return value
    return str(value)


def _warning_form(browser: Browser, form_id: str) -> None:
    form = browser.page.forms[form_id]
    response = form.submit(status="*")
    while response.status_int in (301, 302, 303):
        response = response.follow(status="*")
    browser.page = response


def _compare(where: str, player: Player, outcome: Any, browser: Browser, titles: dict[str, str],
             wording: WebTexts) -> list[str]:
    assert player.run is not None
    diffs = []
    step = player.run.view().id
    shown = titles.get(browser.h1, browser.h1)
    if shown != step:
        diffs.append(f"{where}: the engine is at step '{step}', the web shows '{shown}'")
    fields = sorted({p.field for p in outcome.problems if p.field is not None})
    web_fields = sorted(browser.field_errors())
    if fields != web_fields:
        diffs.append(f"{where}: problems on {fields} in the engine, on {web_fields} in the web")
    text = browser.text
    for gate in outcome.gates:
        if gate.id != "min_read_time" and wording.gate(gate) not in text:
            diffs.append(f"{where}: the web does not show the gate {gate.id}: {wording.gate(gate)}")
    warned = 'id="warning-continue"' in browser.html
    if bool(outcome.warnings) != warned:
        diffs.append(f"{where}: warnings {[w.key for w in outcome.warnings]} in the engine, "
                     f"{'a' if warned else 'no'} warning in the web")
    return diffs

