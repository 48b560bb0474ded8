"""The applicant's wizard (申报第一步 … 第八步), rendered generically from the flow.

The engine's `Run` does the work; its `state()` is kept server-side as a draft under the
browser token (an idle draft expires) together with what was typed on a step the
applicant left with 上一步, so going back never loses typed answers. Passwords are never
in a draft. When the run reaches its summary step the application is created in one
transaction (shenbao/applications.py) (the store hashes the password with argon2id; no secret field is kept in
the answers). A warning the applicant may continue past is shown as a confirmation page
that site.js turns into window.confirm(): 确定 stays to fix, 取消 continues.

Every form names the step it was drawn for; a form from another step (a second tab, a
page kept open past expiry) is not applied: the current step is shown with a message.
Page views and the keep-alive endpoint (site.js calls it from the timeout warning and
while the applicant types) extend an idle draft. An expired draft is kept a while longer:
a form posted after expiry starts again at step 1 (its reading time and every gate are
judged again) with everything typed so far re-offered on each step; a plain reload after
expiry says why it restarts and shows nothing of the expired draft (it may be another
person at a shared computer).
"""
from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any, Mapping

import bottle

from engine import GateFailure, Run, SubmitResult
from shenbao.applications import BUSY, create_application, without_secrets
from shenbao import uploads
from shenbao.wording import show_options

from .context import Web
from .dependent import dependent_choices
from .forms import Errors, as_text, kept_texts, read_form, summary_links
from .widgets import multipart
from .sessions import BROWSER_COOKIE, browser_key, check_csrf, timeout_warning

DRAFT = "wizard"
# A draft that would be saved unchanged less than this after its last save is not written again
# (the same wrong form sent twice, a reload: issue 10). Its idle time then counts from that save,
# at most this much early, well inside the timeout warning's lead (renderers/web/sessions.py).
DRAFT_TOUCH = timedelta(seconds=30)


class Wizard:
    def __init__(self, web: Web):
        self.web, self.flow = web, web.flow
        self.texts = kept_texts(web.flow, web.catalog_for(web.flow))
        self._stored: Mapping[str, Any] | None = None  # the draft as read or last saved

    # -- the draft --------------------------------------------------------------------
    def _key(self) -> str:
        return browser_key(self.web, DRAFT)

    @property
    def idle(self) -> timedelta:
        return timedelta(minutes=self.web.settings.draft_idle_minutes)

    def read(self) -> tuple[dict[str, Any] | None, bool]:
        """(the draft, whether it has been idle too long); None when there is none or it was
        made with a flow that was never published here. A draft started under an earlier
        published version is finished under it."""
        keep = max(self.idle, timedelta(hours=self.web.settings.draft_keep_hours))
        now = self.web.now()
        draft = self.web.store.load_draft(self._key(), now, keep)
        if draft is None:
            return None, False
        self._stored = draft
        digest = draft.get("run", {}).get("digest")
        if digest != self.flow.digest:
            started = self.web.flows.of(digest) if self.web.flows is not None else None
            if started is None:
                return None, False
            self.flow, self.texts = started, kept_texts(started, self.web.catalog_for(started))
        saved = draft.get("saved_at")
        return draft, saved is None or now - datetime.fromisoformat(saved) > self.idle

    def live(self) -> None:
        """Back to the live flow version (a run that starts again starts under it)."""
        self.flow, self.texts = self.web.flow, kept_texts(self.web.flow, self.web.catalog_for(self.web.flow))

    def opened(self, draft: Mapping[str, Any]) -> tuple[Run, dict[str, dict[str, Any]]]:
        return Run(self.flow, self.web.source, self.web.local_now, state=draft["run"]), dict(draft.get("typed", {}))

    def load(self) -> tuple[Run, dict[str, dict[str, Any]]] | None:
        """The live draft's run and typed-ahead values, or None (absent or expired)."""
        draft, expired = self.read()
        return None if draft is None or expired else self.opened(draft)

    def save(self, run: Run, typed: Mapping[str, Any]) -> None:
        now = self.web.now()
        uploads.keep(self.flow, self.web.store, run.answers, now)  # the draft keeps only their digests
        document = {"run": run.state(), "typed": dict(typed), "saved_at": now.isoformat()}
        if self._unchanged(document, now):
            return
        self.web.store.save_draft(self._key(), document, now)
        self._stored = document

    def _unchanged(self, document: Mapping[str, Any], now: datetime) -> bool:
        """Is `document` the stored draft, saved less than DRAFT_TOUCH ago (and not in the future)?"""
        stored = self._stored
        if stored is None or stored.get("run") != document["run"] or stored.get("typed", {}) != document["typed"]:
            return False
        saved = stored.get("saved_at")
        return saved is not None and timedelta() <= now - datetime.fromisoformat(saved) < DRAFT_TOUCH

    def start(self) -> None:
        self.live()
        self.save(Run(self.flow, self.web.source, self.web.local_now), {})

    # -- pages ------------------------------------------------------------------------
    def page(self, run: Run, result: SubmitResult | None = None, typed: Mapping[str, Any] | None = None,
             incoming: Mapping[str, Any] | None = None, notices: tuple[str, ...] = (),
             busy: bool = False) -> str:
        view = result.step if result is not None else (run.preview(typed) if typed else run.view())
        options = show_options(run) if view.show else {}
        errors = self.texts.errors(result.problems, result.gates) if result is not None else Errors()
        sections = self.texts.sections(view.sections, errors, typed)
        warning = None
        if result is not None and result.warnings:
            warning = self.texts.confirmation(result.warnings[0], without_secrets(self.flow, incoming or {}))
        show = [(self.web.t(label), self.shown(value, options.get(fid))) for fid, label, value in view.show]
        return self.web.render(
            "step.html", step=view, title=self.web.t(view.title), body=self.web.t(view.body) if view.body else "",
            sections=sections, links=summary_links(sections, errors), warning=warning, show=show,
            wait_seconds=int(-(-view.wait_seconds // 1)), next_label=self.web.t(view.next_label or "action.next"),
            notices=notices, busy=[self.web.t("web.wizard.busy")] if busy else [],
            timeout=self.timeout(), dependent=dependent_choices(self.web, self.flow, [view], run.answers),
            multipart=multipart(view.fields))

    def shown(self, value: Any, options: Any) -> str:
        """A summary step's value as text: a choice by its option labels (`options` as offered),
        read as every read-only field reads it (shenbao.wording's choice_text)."""
        if options is None:
            return as_text(value)
        return self.texts.choice_text(value, options, self.web.t("web.separator"))

    def timeout(self) -> dict[str, Any]:
        """What the timeout warning needs: the idle limit, when to warn, where to keep alive."""
        return timeout_warning(self.web.settings.draft_idle_minutes, "/apply/keepalive", "web.timeout.body")

    def expired_text(self, kept: bool) -> str:
        key = "web.wizard.expired_kept" if kept else "web.wizard.expired"
        return self.web.t(key, minutes=self.web.settings.draft_idle_minutes)

    # -- expiry and forms of other steps ----------------------------------------------
    def restart(self, forms: Any, draft: Mapping[str, Any] | None) -> str:
        """A form posted after the draft expired: back to step 1, everything typed re-offered."""
        typed = self.reoffered(draft) if draft is not None else {}
        self.live()
        posted = forms.get("step")
        if any(s.id == posted for s in self.flow.steps):
            fields = self.flow.step(posted).fields
            sent = read_form(forms, fields, bottle.request.files)
            values = {k: v for k, v in without_secrets(self.flow, sent).items() if k in forms}
            typed[posted] = {**typed.get(posted, {}), **values}
        run = Run(self.flow, self.web.source, self.web.local_now)
        typed = {k: v for k, v in typed.items() if v}
        self.save(run, typed)
        return self.page(run, typed=typed.get(run.step.id), notices=(self.expired_text(bool(typed)),))

    def reoffered(self, draft: Mapping[str, Any]) -> dict[str, dict[str, Any]]:
        """The expired draft's answers as typed text per step (what the forms would send back)."""
        old, typed = self.opened(draft)
        answers = old.answers
        offered: dict[str, dict[str, Any]] = {}
        for step in self.flow.steps:
            values = {f.id: answers[f.id] if isinstance(answers[f.id], list) else as_text(answers[f.id])
                      for f in step.fields if f.is_input and not f.secret and answers.get(f.id) not in (None, "")}
            offered[step.id] = {**values, **typed.get(step.id, {})}
        return offered

    def other_step(self, run: Run, typed: Mapping[str, Any], posted: str | None) -> str:
        """A form drawn for another step: nothing of it is applied; the current step is shown."""
        known = next((s for s in self.flow.steps if s.id == posted), None)
        text = self.web.t("web.wizard.other_step", current=self.web.t(run.step.title),
                          posted=self.web.t(known.title) if known else "")
        return self.page(run, typed=typed.get(run.step.id), notices=(text,))

    def keep_alive(self) -> dict[str, Any]:
        """Extend a live draft (site.js: the timeout warning's 继续填写, or typing)."""
        draft, expired = self.read()
        if draft is None or expired:
            bottle.response.status = 410
            return {"alive": False}
        self.save(*self.opened(draft))
        return {"alive": True, "seconds": int(self.idle.total_seconds())}

    # -- actions ----------------------------------------------------------------------
    def post(self) -> str:
        forms = bottle.request.forms  # decoded already (inputs.check_request): no copy of it
        draft, expired = self.read()
        if draft is None or expired:
            return self.restart(forms, draft)
        run, typed = self.opened(draft)
        action = forms.get("action", "next")
        step = run.step
        if forms.get("step") != step.id:
            self.save(run, typed)
            return self.other_step(run, typed, forms.get("step"))
        if action in ("back", "refresh"):
            posted = read_form(forms, step.fields, bottle.request.files)
            typed[step.id] = {k: v for k, v in without_secrets(self.flow, posted).items()
                              if k in forms}
            if action == "back":
                run.back()
            self.save(run, typed)
            bottle.redirect("/apply")
        if action == "fix":
            run.decline(forms.get("key", ""))
            self.save(run, typed)
            bottle.redirect("/apply")
        incoming = read_form(forms, step.fields, bottle.request.files)
        for fld in step.fields:  # a file input where no file was chosen keeps the image given before
            if fld.is_input and fld.id not in incoming and fld.id in run.answers:
                incoming[fld.id] = run.answers[fld.id]
        confirm = [forms.get("confirm")] if action == "continue" and forms.get("confirm") else []
        result = run.submit(incoming, confirm)
        typed.pop(step.id, None)
        if result.advanced and run.complete:
            refused = self.create_application(run)
            if refused is not None:
                run = Run(self.flow, self.web.source, self.web.local_now, state=draft["run"])  # as it was
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
        draft, expired = wizard.read()
        if draft is None:
            if bottle.request.get_cookie(BROWSER_COOKIE) is None:  # cookies off: no loop of redirects
                return web.render("message.html", title=web.t("web.home.apply"), lines=[web.t("web.cookies")],
                               back="/", back_label=web.t("web.back_home"))
            bottle.redirect("/apply/start")
        if expired:  # say why it starts again; show nothing of the expired draft
            wizard.live()
            run = Run(web.flow, web.source, web.local_now)
            wizard.save(run, {})
            return wizard.page(run, notices=(wizard.expired_text(False),))
        run, typed = wizard.opened(draft)
        wizard.save(run, typed)  # a page view is activity: it extends the draft
        notices = (wizard.expired_text(False),) if bottle.request.query.get("expired") else ()
        return wizard.page(run, typed=typed.get(run.step.id), notices=notices)

    @app.post("/apply")
    def submit() -> str:
        check_csrf(web)
        return Wizard(web).post()

    @app.post("/apply/keepalive")
    def keep_alive() -> dict[str, Any]:
        check_csrf(web)
        return Wizard(web).keep_alive()
