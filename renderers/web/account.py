"""After submission: log in, the dashboard, viewing and modifying the application, log out.

An applicant's session names their application id; every page loads that application
and no other (there is no id in any URL), so nobody can see or change someone else's.
What may be modified comes from the flow's status rules (`edit_rights`/`Amendment`);
saves use optimistic locking, so a second tab's stale save is refused, never merged.
"""
from __future__ import annotations

import copy
import secrets
from dataclasses import replace
from typing import Any, Mapping

import bottle

from engine import Amendment, Context, Flow, Status, answers_from_json, edit_rights
from shenbao.applications import (amend_application, display_name, duplicate_message, find_by_identity,
                                  identity_values, own_rows, step_view_of)
from store import Application, Duplicate, StaleWrite

from . import captcha, kept_edits, sessions
from .context import Web
from .dependent import dependent_choices
from .inputs import required_number
from .forms import (Errors, Texts, error_links, read_form, simple_field, summary_links, texts_for, without,
                    writable)
from .throttle import Throttle, client_address, identity

LOGIN = "/login"


def current_application(web: Web, with_messages: bool = False) -> Application:
    """The signed-in applicant's own application, or a redirect to the login page
    (`with_messages`: its messages read with it, see sessions.messages_of)."""
    session = sessions.require(web, "applicant", LOGIN, with_messages)
    found = sessions.application_of(web, session)
    if found is None:
        sessions.logout(web, "applicant")
        bottle.redirect(LOGIN)
    return found


def typed_answers(web: Web, app: Application) -> dict[str, Any]:
    return answers_from_json(web.flow_of(app.flow_digest), app.answers)


def lookups(web: Web, app: Application) -> Mapping[str, Any]:
    """The flow's names for this application; a lookup is read only when a page asks for it."""
    return Context(web.flow_of(app.flow_digest), web.source, web.local_now(), typed_answers(web, app))


class Accounts:
    def __init__(self, web: Web):
        self.web = web
        self._own: Flow | None = None  # the version of one application (under), else the live one
        self._texts: Texts | None = None
        self.throttle = Throttle(web, "login", web.settings.login_failures_per_account,
                                 web.settings.login_failures_per_address)

    @property
    def flow(self) -> Flow:
        """The live version (the login page asks its identity fields; a version published with
        `shenbao publish` from the next request on), or the one of the application `under` names."""
        return self._own or self.web.flow

    def under(self, app: Application) -> Accounts:
        """These pages for one application: read with the flow version it was made under."""
        flow = self.web.flow_of(app.flow_digest)
        if flow is self.flow:
            return self
        other = copy.copy(self)
        other._own = flow
        return other

    @property
    def texts(self) -> Texts:
        """This version's wording, with the texts in use now (a published text fix needs no restart)."""
        self._texts = texts_for(self._texts, self.flow, self.web.catalog_for(self.flow))
        return self._texts

    # -- login ------------------------------------------------------------------------
    def login_page(self, values: Mapping[str, str] | None = None, errors: Errors | None = None,
                   status: int = 200, notices: tuple[str, ...] = ()) -> str:
        errors = errors or Errors()
        fields = [simple_field(fid, self.texts.label(fid), autocomplete="username" if i == 0 else "off")
                  for i, fid in enumerate(self.flow.application.login)]
        fields += [simple_field("password", self.web.t("web.login.password"), "password", "current-password")]
        return self.web.page("simple_form.html", status, title=self.web.t("web.login.title"),
                             intro=[self.login_intro()], notices=list(notices), fields=fields,
                             values=values or {}, errors=errors, links=error_links(errors), action=LOGIN,
                             captcha="login", nonce=secrets.token_hex(4), submit=self.web.t("web.login.submit"),
                             extra_links=[("/password/forgot", self.web.t("web.login.forgot"))], after=[])

    def login_intro(self) -> str:
        """What to type, named from the flow's `identity.login` fields (请输入身份证件号码、…)."""
        fields = self.web.t("web.separator").join(self.texts.label(fid) for fid in self.flow.application.login)
        return self.web.t("web.login.intro", fields=fields)

    def login(self) -> str:
        forms = bottle.request.forms.decode()
        asked = self.flow.application.login
        values = identity_values(self.flow, asked, {k: forms.get(k) for k in asked}, self.web.local_now().date())
        password = forms.get("password") or ""
        errors = Errors()
        for key, label in ([(fid, self.texts.label(fid)) for fid in asked]
                           + [("password", self.web.t("web.login.password")),
                              (captcha.FIELD, self.web.t("web.captcha.label"))]):
            if not (password if key == "password" else forms.get(key, "").strip()):
                errors.fields[key] = self.web.t("problem.required", label=label)
        account = tuple(identity(values[fid]) for fid in asked)
        if self.throttle.blocked(*account):
            errors.page.append(self.throttle.refusal("web.login.throttled", *account))
            return self.login_page(values, errors, 429)
        if errors:
            return self.login_page(values, errors)
        if not captcha.check(self.web, "login", forms.get(captcha.FIELD)):
            errors.fields[captcha.FIELD] = self.web.t("web.captcha.wrong")
            return self.login_page(values, errors)
        app = find_by_identity(self.web.store, values)
        if app is None:
            self.web.store.passwords.verify(None, password)  # same cost as a real check
            ok = False
        else:
            ok = self.web.store.check_application_password(app.id, password)
        where = {"address": client_address(self.web)}
        if not ok:
            locked = self.throttle.count(*account)
            # an unknown person is audited without what was typed (it may be someone's ID number)
            self.web.store.audit("applicant" if app else "anonymous", "login_failed",
                                 application_id=app.id if app else None, data=where, now=self.web.now())
            if locked:
                self.web.store.audit("applicant" if app else "anonymous", "login_locked",
                                     application_id=app.id if app else None, data=where, now=self.web.now())
            errors.page.append(self.web.t("web.login.failed"))
            return self.login_page(values, errors)
        assert app is not None
        self.throttle.clear(*account)
        sessions.login(self.web, "applicant", app.id)
        self.web.store.audit("applicant", "login", application_id=app.id, data=where, now=self.web.now())
        bottle.redirect("/account/welcome")

    # -- dashboard --------------------------------------------------------------------
    def dashboard(self, app: Application) -> str:
        texts = self.texts  # looked up once for the page (each look compares the wording in use)
        places = self.places(app, texts)
        status = self.flow.statuses.get(app.status) or Status(app.status, "web.account.status_unknown")
        rights = edit_rights(self.flow, app.status, typed_answers(self.web, app), self.web.source,
                             self.web.local_now())
        shows = [(texts.label(fid), self.review_value(fid, app.status_data.get(fid)))
                 for fid in status.shows if app.status_data.get(fid)]
        messages = [(self.web.t(f"web.account.message.{m.scope}"), m.created_at.astimezone(self.web.tz), m.body)
                    for m in sessions.messages_of(self.web, app)]
        ends = next((row["ends"] for _label, _name, row in places if row.get("ends")), None)
        return self.web.render("dashboard.html", app=app, name=display_name(self.flow, app), places=places,
                               ends=ends, status_text=texts.text(status.message), shows=shows,
                               messages=messages, can_edit=rights.allowed, edit_then=rights.then,
                               final=status.final, signed_in=True)

    def places(self, app: Application, texts: Texts | None = None) -> list[tuple[str, str, Mapping[str, Any]]]:
        """(label, name, row) of each dataset row the application is bound to by a role's
        `binds` (the rows staff of that role are bound to), in the flow's role order
        (`texts`: this version's wording, when the caller has it)."""
        texts = texts or self.texts
        found = []
        for binding in dict.fromkeys(b for b in self.flow.bindings.values() if b is not None):
            fld = self.flow.fields[binding.answer]
            value = app.answers.get(binding.answer)
            rows = self.web.source.rows(binding.dataset, {binding.key: value}) if value else []
            row = rows[0] if rows else {}
            name = str(row.get(fld.options.label or binding.key) or "") if row and fld.options else ""
            found.append((texts.label(binding.answer), name, row))
        return found

    def review_value(self, field_id: str, value: Any) -> list[str]:
        """A staff review value as lines of text: option labels for choices."""
        fld = next((f for f in self.flow.review_fields if f.id == field_id), None)
        items = value if isinstance(value, list) else [value]
        if fld is not None and fld.options is not None:
            ctx = Context(self.flow, self.web.source, self.web.local_now(), {})
            labels = self.texts.option_labels(ctx.options(fld))
            return [labels.get(str(v), str(v)) for v in items]
        return [str(v) for v in items]

    def view(self, app: Application) -> str:
        answers = dict(app.answers)
        steps = []
        for step in self.flow.steps:
            if step.kind != "form":
                continue
            view = step_view_of(self.flow, self.web.source, self.web.local_now, answers, step.id)
            sections = without(self.texts.sections(view.sections, Errors()))
            if sections:
                steps.append((self.web.t(view.title), sections))
        return self.web.render("view.html", app=app, steps=steps, signed_in=True)

    # -- modifying --------------------------------------------------------------------
    def amendment(self, app: Application) -> Amendment:
        return Amendment(self.flow, typed_answers(self.web, app), app.status, self.web.source, self.web.local_now,
                         own=own_rows(self.flow, app))

    def edit_page(self, app: Application, amendment: Amendment, answers: Mapping[str, Any] | None = None,
                  errors: Errors | None = None, warning: dict[str, Any] | None = None,
                  notices: tuple[str, ...] = (), row_version: int | None = None, status: int = 200) -> str:
        errors = errors or Errors()
        views = amendment.view(answers)
        if answers is not None:
            views = own_record_only(views, amendment.view())
        steps = [(self.web.t(v.title), without(self.texts.sections(v.sections, errors))) for v in views]
        all_sections = [s for _title, sections in steps for s in sections]
        dependent = dependent_choices(self.web, self.flow, views, {**typed_answers(self.web, app), **(answers or {})})
        return self.web.page("edit.html", status, app=app, steps=steps, links=summary_links(all_sections, errors),
                             warning=warning, notices=notices, signed_in=True, dependent=dependent,
                             timeout=sessions.timeout_warning(self.web.settings.session_idle_minutes,
                                                              "/account/keepalive", "web.timeout.body_signed_in"),
                             owner=kept_edits.owner_tag(self.web, app.id),
                             row_version=app.row_version if row_version is None else row_version)

    def confirmed(self, app: Application) -> dict[str, Any]:
        """Warnings already settled: a warned field that still has its submitted value."""
        return {f"{fld.id}:{code}": app.answers.get(fld.id) for fld in self.flow.fields.values()
                for code in fld.warnings if app.answers.get(fld.id) is not None}

    def edit(self, app: Application) -> str:
        amendment = self.amendment(app)
        if not amendment.rights.allowed:
            return self.web.page("message.html", 403, title=self.web.t("web.edit.title"),
                                 lines=[self.web.t("web.edit.not_allowed")], signed_in=True, back="/account")
        forms = bottle.request.forms.decode()
        row_version = required_number(forms.get("row_version"))
        incoming = posted_edits(forms, self.flow, amendment.rights.fields)
        if forms.get("action") == "fix":  # 确定 on a warning: back to the form, as typed
            return self.edit_page(app, amendment, {**typed_answers(self.web, app), **incoming},
                                  row_version=row_version)
        confirm = [forms.get("confirm")] if forms.get("confirm") else []
        result = amendment.submit(incoming, confirm, self.confirmed(app))
        if result.warnings:
            warning = self.texts.confirmation(result.warnings[0], incoming)
            return self.edit_page(app, amendment, result.answers, warning=warning, row_version=row_version)
        if not result.saved:
            return self.edit_page(app, amendment, result.answers, self.texts.errors(result.problems, result.gates),
                                  row_version=row_version)
        return self.save(app, amendment, result.answers, result.status, row_version)

    def save(self, app: Application, amendment: Amendment, values: Mapping[str, Any], status: str,
             row_version: int) -> str:
        editable = writable(s for v in amendment.view() for s in v.sections)
        web = self.web
        try:
            saved = amend_application(self.flow, web.store, web.source, web.local_now, app, row_version, values,
                                      status, web.now())
        except StaleWrite:
            latest = self.web.store.get_application(app.id)
            assert latest is not None
            stale = Errors(page=[self.web.t("web.edit.stale")])
            return self.edit_page(latest, self.amendment(latest), errors=stale, status=409)
        except Duplicate:
            return self.edit_page(app, amendment, values, Errors(page=[self.web.t(duplicate_message(self.flow))]),
                                  row_version=row_version)
        after = self.amendment(saved)
        still = writable(s for v in after.view() for s in v.sections)
        notices = [self.web.t("web.edit.saved")]
        if after.rights.allowed and (editable - still):
            notices.append(self.web.t("web.edit.replaced"))
        return self.web.render("message.html", title=self.web.t("web.edit.title"), lines=notices, ok=True,
                               signed_in=True, back="/account")


def posted_edits(forms: Any, flow: Any, editable: frozenset[str]) -> dict[str, Any]:
    """What was posted for the fields the status lets the applicant change. Read-only is judged
    by the engine on the posted values, not on the stored ones: a certificate number changed to
    one not in the registry makes the certificate fields typed, and what is typed there is
    taken (judged on the stored answers, those fields were read-only and dropped, in a loop)."""
    fields = [f for f in flow.fields.values() if f.id in editable and f.is_input]
    return {k: v for k, v in read_form(forms, fields).items() if k in forms or isinstance(v, list)}


def own_record_only(views: list[Any], stored: list[Any]) -> list[Any]:
    """An edit shown again before it is saved shows nothing a lookup found for the values not
    saved: read-only fields (a registry record's name, birth date, photo …) come from the
    stored application, so typing another person's certificate and ID numbers reveals
    nothing of them (the wizard shows only the refusal, too)."""
    own = {f.id: f for v in stored for s in v.sections for f in s.fields}
    result = []
    for view in views:
        sections = tuple(replace(s, fields=tuple(own.get(f.id, f) if f.readonly else f for f in s.fields))
                         for s in view.sections)
        result.append(replace(view, sections=sections))
    return result


def install(app: bottle.Bottle, web: Web) -> None:
    accounts = Accounts(web)

    @app.get(LOGIN)
    def login_form() -> str:
        kept = (web.t("web.edit.kept_login"),) if bottle.request.query.get("kept") else ()
        return accounts.login_page(notices=kept)

    @app.post(LOGIN)
    def login() -> str:
        sessions.check_csrf(web)
        return accounts.login()

    @app.get("/account/welcome")
    def welcome() -> str:
        if kept_edits.waiting(web, current_application(web).id):
            bottle.redirect("/account/edit")  # an edit sent after the session expired: offer it back
        return web.render("message.html", title=web.t("web.login.prompt.title"),
                          lines=[web.t("web.login.prompt.body")], ok=True, signed_in=True,
                          back="/account", back_label=web.t("web.login.prompt.ok"))

    @app.get("/account")
    def dashboard() -> str:
        found = current_application(web, with_messages=True)
        return accounts.under(found).dashboard(found)

    @app.get("/account/application")
    def view() -> str:
        found = current_application(web)
        return accounts.under(found).view(found)

    @app.get("/account/notes")
    def notes() -> str:
        found = current_application(web)
        # the notes of the bound row that has a time window (where the applicant goes)
        place = next((p for p in accounts.under(found).places(found) if p[2].get("starts")), None)
        return web.render("notes.html", place=place, signed_in=True)

    @app.get("/account/edit")
    def edit_form() -> str:
        found = current_application(web)
        amendment = accounts.under(found).amendment(found)
        if not amendment.rights.allowed:
            return web.page("message.html", 403, title=web.t("web.edit.title"),
                            lines=[web.t("web.edit.not_allowed")], signed_in=True, back="/account")
        kept = kept_edits.take(web, found.id)
        if kept is not None:
            typed = {**typed_answers(web, found), **kept["form"]}
            return accounts.under(found).edit_page(found, amendment, typed, notices=(web.t("web.edit.kept"),),
                                                   row_version=kept_edits.row_version(kept, found.row_version))
        return accounts.under(found).edit_page(found, amendment)

    @app.post("/account/edit")
    def edit() -> str:
        if sessions.current_session(web, "applicant") is None and kept_edits.keep(web):
            bottle.redirect(LOGIN + "?kept=1")
        found = current_application(web)
        sessions.check_csrf(web)
        return accounts.under(found).edit(found)

    @app.post("/account/keepalive")
    def keep_alive() -> dict[str, Any]:
        """Extend the session (site.js: the timeout warning's 继续填写 on 修改申报信息)."""
        if sessions.adopt(web, "applicant") is None:  # CSRF tokens of signed-in pages are bound to the session
            bottle.response.status = 410
            return {"alive": False}
        sessions.check_csrf(web)
        return {"alive": sessions.keep_alive(web, "applicant")}

    @app.post("/logout")
    def logout() -> str:
        sessions.require(web, "applicant", "/")
        sessions.check_csrf(web)
        sessions.logout(web, "applicant")
        return web.render("message.html", title=web.t("web.nav.logout"), lines=[web.t("web.logout.done")],
                          ok=True, back="/", back_label=web.t("web.back_home"))
