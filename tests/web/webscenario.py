"""Playing a console scenario file through the web renderer over WSGI, in step with the
engine/console player, and saying where the two differ.

Each applicant action becomes what a browser sends: `answers` fills the page's form (fields
not named keep what it shows) and presses 下一步, `confirm` presses 取消 on the warning,
`decline` presses 确定, `back` 上一步; `wait` and `at` move the web's clock. After every action
the web page must show the same step, a message on the same fields, the same gate messages
and the same warning as the engine found.

After submission the applicant's verbs are played on the web too: `login` fills 登录 with
the flow's declared login fields (`application.identity.login`) and the password, `view` and
`messages` read the dashboard, `password` sends 修改密码, `recover` sends 找回密码 with the
declared recovery fields and follows the mailed link to set the new password; a staff `status`
move is made through the application layer (`shenbao.moves.move`), as the staff pages make it.
`amend` signs in (again, when the session has lapsed) and sends 修改申报信息: the edit form
with the scenario's changed answers and everything else as shown; `document` downloads the
application form as PDF and reads it with pdftotext. `at` and `wait` after submission move
both clocks (no draft is left to forget). The web must let in, show the same status and
message, offer 修改 when the engine allows it, save or refuse the same passwords, save or
refuse the same amendment (problems on the same fields, the same gates, the same saved values
and status afterwards), and print in the downloaded form every value the scenario expects the
engine's form to print.
"""
from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import re
import subprocess
from email import message_from_bytes, policy
from pathlib import Path

from engine import FIELD_TYPES, Run, answers_from_json
from renderers.console.play import Outcome, Player
from renderers.console.scenario import Action, Scenario
from renderers.console.text import fmt
from renderers.web.forms import Texts as WebTexts
from shenbao.applications import password_field
from shenbao.moves import move
from shenbao.signin import login_fields, recovery_fields
from websupport import BEIJING, CAPTCHA, Browser, FakeClock

APPLICANT = ("login", "view", "messages", "password", "recover", "status", "amend", "document")


def chain(scenario: Scenario) -> list[Scenario]:
    return (chain(scenario.after) if scenario.after is not None else []) + [scenario]


def play_both(scenario: Scenario, player: Player, browser: Browser, clock: FakeClock, web: Any
              ) -> tuple[list[str], str]:
    """Differences between the engine's and the web's outcome, action by action ([] = the same),
    and where the comparison stopped, if before the end: where the clock jumps past the web's
    draft idle time before submission (the web forgets an idle draft by design)."""
    idle = timedelta(minutes=web.settings.draft_idle_minutes)
    titles = {web.t(s.title): s.id for s in web.flow.steps}
    wording = WebTexts(web.flow, web.catalog)
    differences: list[str] = []
    started = False
    for part in chain(scenario):
        player.unnamed = part.unnamed   # each file's own default for the required choices it does not name
        if part.start is not None:
            player.now = part.start
            clock.now = part.start.replace(tzinfo=BEIJING)
        for number, action in enumerate(part.actions, 1):
            where = f"{part.filename}:{action.line} action {number} ({action.verb})"
            if action.verb in ("at", "wait") and player.status is not None:
                waited = player.seconds(action) if action.verb == "wait" else 0.0
                player.act(action)
                _web_act(action, browser, clock, waited)
                continue
            if action.verb in APPLICANT and started:
                old_password = player.password
                outcome = player.act(action)
                differences += _after_submission(where, action, outcome, player, browser, clock, web, old_password)
                if differences:
                    return differences, where
                continue
            if started and _jump(action, clock) >= idle:
                return differences, f"{where}: the clock passes the web's draft idle time"
            if not started:
                player.run = player.run or _new_run(player)
                browser.get("/apply/start")
                started = True
            waited = player.seconds(action) if action.verb == "wait" else 0.0
            outcome = player.act(action)
            _web_act(action, browser, clock, waited, player.defaulted if action.verb in ("next", "answers") else {})
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


def _web_act(action: Action, browser: Browser, clock: FakeClock, waited: float = 0.0,
             defaulted: dict[str, Any] | None = None) -> None:
    """`defaulted`: what the engine's player sent for required choices the action did not name
    (the file's `unnamed: first-offered`); the web sends the same."""
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
        given = {**(defaulted or {}), **(arg if verb == "answers" else {})}
        values = {k: _typed(v) for k, v in given.items()}
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
    _fill(form, values)
    _press(browser, form, "next")


def _fill(form: Any, values: dict[str, Any]) -> None:
    """Type `values` over what the form shows (the wizard's step and the edit form alike)."""
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



# -- after submission ----------------------------------------------------------------------
def _after_submission(where: str, action: Action, outcome: Outcome, player: Player, browser: Browser,
                      clock: FakeClock, web: Any, old_password: Any) -> list[str]:
    """Play one after-submission verb on the web; how the web's outcome differs from the engine's."""
    if outcome.refused is not None:
        return []  # the engine could not play it (a failure of the scenario itself)
    verb = action.verb
    given = action.arg if isinstance(action.arg, dict) else {}
    if verb == "status":
        app = _the_application(web, player)
        done = move(web.flow, web.store, app, given["to"], given["role"], given.get("inputs") or {},
                    actor="scenario", row_version=app.row_version, local_now=clock.now.replace(tzinfo=None),
                    now=clock.now).done
        got = _the_application(web, player).status
        return [] if (done, got) == (outcome.allowed, player.status) else [
            f"{where}: the move was {'made' if outcome.allowed else 'refused'} by the engine (status "
            f"'{player.status}'), {'made' if done else 'refused'} on the web (status '{got}')"]
    if verb == "login":
        browser.get("/login")
        browser.get("/captcha/login.png")
        typed = {fid: str(given.get("answers", {}).get(fid, player.answers.get(fid))) for fid in login_fields(web.flow)}
        browser.post("/login", {**typed, "password": str(given.get("password", old_password)),
                                "captcha": CAPTCHA}, status="*")
        signed_in = browser.page.request.path.startswith("/account")
        return [] if signed_in == outcome.signed_in else [
            f"{where}: login {'let in' if outcome.signed_in else 'refused'} by the engine, "
            f"{'let in' if signed_in else 'refused'} on the web"]
    if verb == "amend":
        return _amend(where, action, outcome, player, browser, web)
    if verb == "document":
        return _document(where, action, outcome, player, browser, web)
    if verb in ("view", "messages"):
        browser.get("/account")
        diffs = [] if web.t(web.flow.statuses[player.status].message) in browser.text else [
            f"{where}: the dashboard does not show the status message of '{player.status}'"]
        if verb == "view":
            offered = 'href="/account/edit"' in browser.html
            if offered != outcome.can_edit:
                diffs.append(f"{where}: modifying {'allowed' if outcome.can_edit else 'not allowed'} by the engine, "
                             f"{'offered' if offered else 'not offered'} on the web")
        return diffs
    if verb == "password":
        browser.get("/account/password")
        browser.post("/account/password", {"current_password": str(given.get("current", old_password)),
                                           "new_password": str(given["new"]),
                                           "new_password_confirm": str(given.get("again", given["new"]))}, status="*")
        return _saved(where, outcome, web.t("web.password.changed") in browser.text, browser, password_field(web.flow))
    if verb == "recover":
        browser.get("/password/forgot")
        browser.get("/captcha/forgot.png")
        typed = {fid: str(given.get("answers", {}).get(fid, player.answers.get(fid)))
                 for fid in recovery_fields(web.flow)}
        outbox = Path(web.settings.outbox_dir)
        before = set(outbox.glob("*.eml")) if outbox.is_dir() else set()
        browser.post("/password/forgot", {**typed, "captcha": CAPTCHA}, status="*")
        mails = sorted(set(outbox.glob("*.eml")) - before, key=lambda p: p.stat().st_mtime)
        if not mails:
            return _saved(where, outcome, False, browser, password_field(web.flow))
        body = message_from_bytes(mails[-1].read_bytes(), policy=policy.default).get_body(("plain",)).get_content()
        link = re.search(r"/password/reset#([\w-]+)", body)
        if link is None:
            return [f"{where}: the recovery mail has no reset link"]
        browser.get("/password/reset")
        browser.post("/password/reset", {"reset_code": link.group(1), "new_password": str(given["new"]),
                                         "new_password_confirm": str(given.get("again", given["new"]))}, status="*")
        return _saved(where, outcome, web.t("web.reset.done") in browser.text, browser, password_field(web.flow))
    return []


def _sign_in(browser: Browser, player: Player, web: Any) -> None:
    """The applicant's account pages need a session: log in (with their own identity and
    password) unless the browser is signed in already."""
    browser.get("/account", status="*")
    if browser.page.request.path.startswith("/account"):
        return
    browser.get("/login")
    browser.get("/captcha/login.png")
    typed = {fid: str(player.answers.get(fid)) for fid in login_fields(web.flow)}
    browser.post("/login", {**typed, "password": str(player.password), "captcha": CAPTCHA}, status="*")
    assert browser.page.request.path.startswith("/account"), "the applicant could not log in on the web"


def _follow(browser: Browser, response: Any) -> None:
    while response.status_int in (301, 302, 303):
        response = response.follow(status="*")
    browser.page = response


def _amend(where: str, action: Action, outcome: Outcome, player: Player, browser: Browser, web: Any) -> list[str]:
    """修改申报信息 on the web: the edit form as shown, the scenario's answers typed over it
    (a field the form does not show cannot be sent), 取消 on each warning the scenario confirms."""
    given = action.arg
    _sign_in(browser, player, web)
    browser.get("/account/edit", status="*")
    form = next((f for f in browser.page.forms.values() if f.action == "/account/edit" and "owner" in f.fields), None)
    if form is not None:
        _fill(form, {k: _typed(v) for k, v in given["answers"].items()})
        _follow(browser, form.submit(status="*"))
        for key in given.get("confirm") or ():
            if 'id="warning-continue"' in browser.html and f'value="{key}"' in browser.html:
                _warning_form(browser, "warning-continue")
    text = browser.text
    saved = web.t("web.edit.saved") in text
    diffs = [] if saved == outcome.saved else [
        f"{where}: the amendment was {'saved' if outcome.saved else 'refused'} by the engine, "
        f"{'saved' if saved else 'refused'} on the web"]
    fields = sorted({p.field for p in outcome.problems if p.field is not None})
    web_fields = sorted(browser.field_errors())
    if fields != web_fields:
        diffs.append(f"{where}: problems on {fields} in the engine, on {web_fields} on the web")
    wording = WebTexts(web.flow, web.catalog)
    diffs += [f"{where}: the web does not show the gate {g.id}: {wording.gate(g)}" for g in outcome.gates
              if g.id != "min_read_time" and wording.gate(g) not in text]
    if any(p.field is None and p.key == "edit_not_allowed" for p in outcome.problems) and \
            web.t("web.edit.not_allowed") not in text:
        diffs.append(f"{where}: the engine does not allow modifying, the web does not say so")
    app = _the_application(web, player)
    if app.status != player.status:
        diffs.append(f"{where}: status '{player.status}' in the engine, '{app.status}' on the web")
    stored = answers_from_json(web.flow, app.answers)
    secret = {fid for fid, f in web.flow.fields.items() if getattr(FIELD_TYPES.get(f.type), "secret", False)}
    diffs += [f"{where}: {fid} is {fmt(player.answers.get(fid))!r} in the engine, {fmt(stored.get(fid))!r} on the web"
              for fid in web.flow.fields if fid not in secret and fid in player.answers | stored
              and not isinstance(player.answers.get(fid), bytes)
              and fmt(player.answers.get(fid)) != fmt(stored.get(fid))]
    return diffs


def _document(where: str, action: Action, outcome: Outcome, player: Player, browser: Browser, web: Any
              ) -> list[str]:
    """The application form downloaded as PDF: every value the scenario expects the engine's
    form to print is in its text (white space aside: pdftotext lays a cell out in lines)."""
    _sign_in(browser, player, web)
    browser.get("/application/form")
    response = browser.post("/application/form", {"format": "pdf"}, status="*")
    if response.content_type != "application/pdf":
        return [f"{where}: the web gave no PDF ({response.status})"]
    run = subprocess.run(["pdftotext", "-enc", "UTF-8", "-", "-"], input=response.body, capture_output=True, check=True)
    text = re.sub(r"\s+", "", run.stdout.decode("utf-8"))
    printed = outcome.document or {}
    return [f"{where}: the web's form does not print {ref} {printed.get(ref)!r}"
            for ref in action.expect.get("document", {}) if re.sub(r"\s+", "", printed.get(ref, "")) not in text]


def _saved(where: str, outcome: Outcome, saved: bool, browser: Browser, password: str) -> list[str]:
    diffs = [] if saved == outcome.saved else [
        f"{where}: the password was {'changed' if outcome.saved else 'kept'} by the engine, "
        f"{'changed' if saved else 'kept'} on the web"]
    # the password rules' problems, on the new password and its confirmation (a wrong current
    # password is an error of its own on the web and a refusal in the engine: `saved` covers it)
    rules = sorted({NEW_PASSWORD_FIELDS[0] if p.field == password else NEW_PASSWORD_FIELDS[1]
                    for p in outcome.problems})
    web_rules = sorted(f for f in browser.field_errors() if f in NEW_PASSWORD_FIELDS)
    if rules != web_rules:
        diffs.append(f"{where}: password problems on {rules} in the engine, on {web_rules} on the web")
    return diffs


NEW_PASSWORD_FIELDS = ("new_password", "new_password_confirm")   # the web's names for them


def _the_application(web: Any, player: Player) -> Any:
    """The scenario's application, found by the flow's unique identity field (the demo data has others)."""
    unique = web.flow.application.unique[0]
    found = [a for a in web.store.search_applications(where={unique: str(player.answers[unique])})
             if str(a.answers.get(unique)) == str(player.answers[unique])]
    assert len(found) == 1, f"one application with {unique} {player.answers[unique]} expected, found {len(found)}"
    return found[0]
