"""The applicant's wizard (申报第一步 … 第八步), rendered generically from the flow.

The engine's `Run` does the work; its `state()` is kept server-side as a draft under the
browser token (an idle draft expires) together with what was typed on a step the
applicant left with 上一步, so going back never loses typed answers. Passwords are never
in a draft. When the run reaches its summary step the application is created in one
transaction (shenbao/applications.py) (the store hashes the password with argon2id; no secret field is kept in
the answers). A warning the applicant may continue past is shown as a confirmation page
that site.js turns into window.confirm(): 确定 stays to fix, 取消 continues.
"""
from __future__ import annotations

from datetime import timedelta
from typing import Any, Mapping

import bottle

from engine import GateFailure, Run, SubmitResult
from shenbao.applications import BUSY, create_application, without_secrets

from .context import Web
from .forms import Errors, Texts, as_text, read_form, summary_links
from .sessions import BROWSER_COOKIE, browser_key, check_csrf

DRAFT = "wizard"


class Wizard:
    def __init__(self, web: Web):
        self.web, self.flow = web, web.flow
        self.texts = Texts(web.flow, web.catalog)

    # -- the draft --------------------------------------------------------------------
    def _key(self) -> str:
        return browser_key(self.web, DRAFT)

    def load(self) -> tuple[Run, dict[str, dict[str, Any]]] | None:
        idle = timedelta(minutes=self.web.settings.draft_idle_minutes)
        draft = self.web.store.load_draft(self._key(), self.web.now(), idle)
        if draft is None:
            return None  # expired
        digest = draft.get("run", {}).get("digest")
        if digest != self.flow.digest:  # started under an earlier published version: finish under it
            started = self.web.flows.of(digest) if self.web.flows is not None else None
            if started is None:
                return None  # made with a flow that was never published here
            self.flow, self.texts = started, Texts(started, self.web.catalog)
        return Run(self.flow, self.web.source, self.web.local_now, state=draft["run"]), draft.get("typed", {})

    def save(self, run: Run, typed: Mapping[str, Any]) -> None:
        self.web.store.save_draft(self._key(), {"run": run.state(), "typed": dict(typed)}, self.web.now())

    def start(self) -> None:
        self.save(Run(self.flow, self.web.source, self.web.local_now), {})

    # -- pages ------------------------------------------------------------------------
    def page(self, run: Run, result: SubmitResult | None = None, typed: Mapping[str, Any] | None = None,
             incoming: Mapping[str, Any] | None = None, notices: tuple[str, ...] = (),
             busy: bool = False) -> str:
        view = result.step if result is not None else run.view()
        errors = self.texts.errors(result.problems, result.gates) if result is not None else Errors()
        sections = self.texts.sections(view.sections, errors, typed)
        warning = None
        if result is not None and result.warnings:
            warning = self.texts.confirmation(result.warnings[0], without_secrets(self.flow, incoming or {}))
        show = [(self.web.t(label), as_text(value)) for _fid, label, value in view.show]
        return self.web.render(
            "step.html", step=view, title=self.web.t(view.title), body=self.web.t(view.body) if view.body else "",
            sections=sections, links=summary_links(sections, errors), warning=warning, show=show,
            wait_seconds=int(-(-view.wait_seconds // 1)), next_label=self.web.t(view.next_label or "action.next"),
            notices=notices, busy=[self.web.t("web.wizard.busy")] if busy else [])

    # -- actions ----------------------------------------------------------------------
    def post(self) -> str:
        loaded = self.load()
        if loaded is None:
            bottle.redirect("/apply/start?expired=1")
        run, typed = loaded
        forms = bottle.request.forms.decode()
        action = forms.get("action", "next")
        step = run.step
        if action == "back":
            typed[step.id] = {k: v for k, v in without_secrets(self.flow, read_form(forms, step.fields)).items()
                              if k in forms}
            run.back()
            self.save(run, typed)
            bottle.redirect("/apply")
        if action == "fix":
            run.decline(forms.get("key", ""))
            self.save(run, typed)
            bottle.redirect("/apply")
        incoming = read_form(forms, step.fields)
        confirm = [forms.get("confirm")] if action == "continue" and forms.get("confirm") else []
        before = run.state()
        result = run.submit(incoming, confirm)
        typed.pop(step.id, None)
        if result.advanced and run.complete:
            refused = self.create_application(run)
            if refused is not None:
                run = Run(self.flow, self.web.source, self.web.local_now, state=before)
                kept = without_secrets(self.flow, incoming)
                if refused == BUSY:
                    return self.page(run, typed=kept, busy=True)
                gate = GateFailure("store", refused, {})
                return self.page(run, SubmitResult(False, run.view(), gates=(gate,)), typed=kept)
        self.save(run, typed)
        if result.advanced:
            bottle.redirect("/apply")
        return self.page(run, result, incoming=incoming)

    def create_application(self, run: Run) -> str | None:
        """Store the finished run; None when stored, else "busy" or the message key of why
        not (shown on the last form step with what was typed)."""
        web = self.web
        made = create_application(self.flow, web.store, web.source, web.local_now, run, web.now().astimezone(web.tz))
        return made if isinstance(made, str) else None


def install(app: bottle.Bottle, web: Web) -> None:
    @app.get("/apply/start")
    def start() -> None:
        wizard = Wizard(web)  # one per request: the flow version is the live one, or the draft's
        loaded = wizard.load()
        if loaded is None or loaded[0].complete:
            wizard.start()
        suffix = "?expired=1" if bottle.request.query.get("expired") else ""
        bottle.redirect("/apply" + suffix)

    @app.get("/apply")
    def show() -> str:
        wizard = Wizard(web)
        loaded = wizard.load()
        if loaded is None:
            if bottle.request.get_cookie(BROWSER_COOKIE) is None:  # cookies off: no loop of redirects
                return web.render("message.html", title=web.t("web.home.apply"), lines=[web.t("web.cookies")],
                               back="/", back_label=web.t("web.back_home"))
            bottle.redirect("/apply/start")
        run, typed = loaded
        notices = (web.t("web.wizard.expired"),) if bottle.request.query.get("expired") else ()
        return wizard.page(run, typed=typed.get(run.step.id), notices=notices)

    @app.post("/apply")
    def submit() -> str:
        check_csrf(web)
        return Wizard(web).post()
