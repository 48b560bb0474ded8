"""Passwords: recovery by a one-time emailed link, and changing it when signed in.

Passwords are stored only as argon2id hashes, so there is nothing to send back: the
forgot-password page mails a link (valid `reset_minutes`, single use) to the address of
the application and shows that address masked, as the manual shows where the mail went.
The mail is queued in the store and delivered at once when possible; a mail server that
is down leaves it queued for retry and the page still answers. New passwords are checked
with the flow's own rules for its password field.

The link is built from the configured base URL only (never the request's Host or
X-Forwarded-Host, which the sender writes): without one, no reset mail is sent and the
operator is told (log, and a notice on the administrators' staff page). The token rides
in the link's fragment (`/password/reset#token`), which browsers never send, so it is in
no access log, proxy log or Referer; site.js copies it into the form, and without
JavaScript the applicant pastes the code the mail also shows. It is spent by a POST.
The store keeps only its SHA-256; the mail's body is dropped once delivered.

A reset within `reset_hold_days` of a staff correction of the address is refused (the
old address was told of the correction): an insider who changes the address to their own
cannot reset the password and sign in as the applicant. Every step is audited.
"""
from __future__ import annotations

import logging
import secrets
from datetime import timedelta
from typing import Mapping

import bottle

from engine import Flow, Problem
from shenbao.applications import display_name, find_by_identity, identity_values, password_field, recovery_email

from . import captcha, sessions
from .account import current_application
from .context import Web
from .forms import Errors, Texts, error_links, simple_field, texts_for
from .throttle import Throttle, client_address, identity

FORGOT = "/password/forgot"
RESET = "/password/reset"
CHANGE = "/account/password"
CODE = "reset_code"
log = logging.getLogger("shenbao.web")
NO_BASE_URL = ("password reset refused: SHENBAO_BASE_URL is not set, and reset links are built from it alone "
               "(never from the request's Host); set it to this site's public address, e.g. https://shenbao.example")


def mask_email(address: str) -> str:
    """z***@163.com: enough to recognise one's own address, not to learn someone else's."""
    local, _, domain = address.partition("@")
    return f"{local[:1]}***@{domain}" if domain else "***"


def held_until(web: Web, application_id: int) -> object | None:
    """When a staff correction of the address still holds resets back, the moment it ends."""
    days = web.settings.reset_hold_days
    corrected = [e.at for e in web.store.audit_for(application_id)
                 if e.action == "email_correct" and e.at is not None]
    if not corrected or days <= 0:
        return None
    last = max(corrected)
    last = last if last.tzinfo is not None else last.replace(tzinfo=web.now().tzinfo)
    until = last + timedelta(days=days)
    return until if web.now() < until else None


class Passwords:
    def __init__(self, web: Web):
        self.web = web
        self._texts: Texts | None = None
        self._fields: dict[str, tuple[str, str]] = {}  # flow digest → (password field, its confirmation)
        self.throttle = Throttle(web, "forgot", web.settings.reset_requests_per_account,
                                 web.settings.reset_requests_per_address, account_wide=True)

    @property
    def flow(self) -> Flow:
        """The live version: the pages ask its recovery fields and check its password rules (a
        version published with `shenbao publish` from the next request on)."""
        return self.web.flow

    @property
    def field(self) -> str:
        return self._password_fields()[0]

    @property
    def confirm_field(self) -> str:
        return self._password_fields()[1]

    def _password_fields(self) -> tuple[str, str]:
        flow = self.flow
        found = self._fields.get(flow.digest)
        if found is None:
            field = password_field(flow)
            confirm = next(f.id for f in flow.fields.values()
                           if f.secret and f.rules.get("equals_field") == field)
            found = self._fields[flow.digest] = (field, confirm)
        return found

    @property
    def texts(self) -> Texts:
        """The flow's wording, with the texts in use now (a published text fix needs no restart)."""
        self._texts = texts_for(self._texts, self.flow, self.web.catalog_for(self.flow))
        return self._texts

    def check_new(self, new: str, again: str, errors: Errors, names: tuple[str, str]) -> None:
        """The flow's rules for its password and confirmation fields, errors under `names`."""
        document = {self.field: new or None, self.confirm_field: again or None}
        step = self.flow.step_of(self.field)
        for fid, code, params in step.validator.validate(document, self.web.local_now().date()):
            if fid in document:
                name = names[0] if fid == self.field else names[1]
                errors.fields.setdefault(name, self.texts.problem(Problem(fid, code, params)))

    # -- forgot -----------------------------------------------------------------------
    def forgot_page(self, values: Mapping[str, str] | None = None, errors: Errors | None = None,
                    notices: list[str] | None = None, status: int = 200, after: list[str] | None = None) -> str:
        errors = errors or Errors()
        fields = [simple_field(fid, self.texts.label(fid)) for fid in self.flow.application.recovery]
        return self.web.page("simple_form.html", status, title=self.web.t("web.forgot.title"),
                             intro=[self.web.t("web.forgot.intro"), self.web.t("web.forgot.why")],
                             notices=notices or [], fields=fields, values=values or {}, errors=errors,
                             links=error_links(errors), action=FORGOT, captcha="forgot",
                             nonce=secrets.token_hex(4), submit=self.web.t("web.forgot.submit"),
                             extra_links=[("/login", self.web.t("web.login.title"))], after=after or [])

    def forgot(self) -> str:
        web = self.web
        forms = bottle.request.forms.decode()
        asked = self.flow.application.recovery
        values = identity_values(self.flow, asked, {k: forms.get(k) for k in asked}, web.local_now().date())
        errors = Errors()
        for key in asked:
            if not (forms.get(key) or "").strip():
                errors.fields[key] = web.t("problem.required", label=self.texts.label(key))
        if not (forms.get(captcha.FIELD) or "").strip():
            errors.fields[captcha.FIELD] = web.t("problem.required", label=web.t("web.captcha.label"))
        account = tuple(identity(values[fid]) for fid in asked)
        if self.throttle.blocked(*account):
            errors.page.append(web.t("web.forgot.throttled", minutes=self.throttle.minutes))
            return self.forgot_page(values, errors, status=429)
        if errors:
            return self.forgot_page(values, errors)
        if not captcha.check(web, "forgot", forms.get(captcha.FIELD)):
            errors.fields[captcha.FIELD] = web.t("web.captcha.wrong")
            return self.forgot_page(values, errors)
        self.throttle.count(*account)
        app = find_by_identity(web.store, values)
        if app is None:
            return self.forgot_page(values, Errors(page=[web.t("web.forgot.not_found")]))
        own = web.flow_of(app.flow_digest)  # the application's answers are named by its version
        email = recovery_email(own, app)
        if not email:
            return self.forgot_page(values, Errors(page=[web.t("web.forgot.no_email")]))
        if not web.settings.base_url:
            log.warning(NO_BASE_URL)
            web.store.audit("applicant", "reset_refused", application_id=app.id, data={"why": "no_base_url"},
                            now=web.now())
            return self.forgot_page(values, Errors(page=[web.t("web.forgot.unavailable")]))
        held = held_until(web, app.id)
        if held is not None:
            web.store.audit("applicant", "reset_refused", application_id=app.id,
                            data={"why": "email_corrected", "address": client_address(web)}, now=web.now())
            until = held.astimezone(web.tz).strftime("%Y-%m-%d %H:%M")
            return self.forgot_page(values, Errors(page=[web.t("web.forgot.held", until=until)]))
        minutes = web.settings.reset_minutes
        token = web.store.create_password_reset(app.id, timedelta(minutes=minutes), web.now())
        body = web.t("mail.reset.body", name=display_name(own, app), application_no=app.application_no,
                     minutes=minutes, link=web.url(f"{RESET}#{token}"), code=token)
        web.store.enqueue_mail(email, web.t("mail.reset.subject"), body, web.now())
        web.store.audit("applicant", "reset_request", application_id=app.id,
                        data={"address": client_address(web)}, now=web.now())
        web.mailer.deliver_due()  # best effort now; the background sender retries what fails
        sent = web.t("web.forgot.sent", email=mask_email(email), minutes=minutes)
        return web.render("message.html", title=web.t("web.forgot.title"), lines=[sent], ok=True,
                          muted=[web.t("web.forgot.spam")], back="/login", back_label=web.t("web.login.title"))

    # -- reset by link ------------------------------------------------------------------
    def reset_page(self, token: str = "", errors: Errors | None = None, status: int = 200) -> str:
        errors = errors or Errors()
        fields = [simple_field(CODE, self.web.t("web.reset.code"), autocomplete="off",
                               help=self.web.t("web.reset.code.help")),
                  simple_field("new_password", self.web.t("web.password.new"), "password", "new-password",
                               self.texts.t(self.flow.fields[self.field].help)),
                  simple_field("new_password_confirm", self.web.t("web.password.confirm"), "password", "new-password")]
        return self.web.page("simple_form.html", status, title=self.web.t("web.reset.title"), intro=[], notices=[],
                             fields=fields, values={CODE: token}, errors=errors, links=error_links(errors),
                             action=RESET, captcha=None, nonce="",
                             submit=self.web.t("web.reset.submit"), extra_links=[], after=[])

    def reset(self) -> str:
        web = self.web
        forms = bottle.request.forms.decode()
        token = "".join((forms.get(CODE) or "").split())  # pasted with a line break or spaces
        errors = Errors()
        if not token:
            errors.fields[CODE] = web.t("problem.required", label=web.t("web.reset.code"))
        self.check_new(forms.get("new_password", ""), forms.get("new_password_confirm", ""), errors,
                       ("new_password", "new_password_confirm"))
        if errors:  # checked before the token is spent, so a typo does not burn the link
            return self.reset_page(token, errors)
        application_id = web.store.use_password_reset(token, web.now())
        if application_id is None:
            web.store.audit("anonymous", "reset_invalid", data={"address": client_address(web)}, now=web.now())
            return web.page("message.html", 410, title=web.t("web.reset.title"), lines=[web.t("web.reset.invalid")],
                            back=FORGOT, back_label=web.t("web.forgot.title"))
        web.store.set_application_password(application_id, forms.get("new_password"))
        web.store.delete_sessions_for("applicant", application_id)
        web.store.audit("applicant", "reset_use", application_id=application_id,
                        data={"address": client_address(web)}, now=web.now())
        return web.render("message.html", title=web.t("web.reset.title"), lines=[web.t("web.reset.done")], ok=True,
                          back="/login", back_label=web.t("web.login.title"))

    # -- change when signed in ----------------------------------------------------------
    def change_page(self, errors: Errors | None = None, notices: list[str] | None = None,
                    status: int = 200) -> str:
        errors = errors or Errors()
        fields = [simple_field("current_password", self.web.t("web.password.current"), "password",
                               "current-password"),
                  simple_field("new_password", self.web.t("web.password.new"), "password", "new-password",
                               self.texts.t(self.flow.fields[self.field].help)),
                  simple_field("new_password_confirm", self.web.t("web.password.confirm"), "password", "new-password")]
        return self.web.page("simple_form.html", status, title=self.web.t("web.password.title"), intro=[],
                             notices=notices or [], fields=fields, values={}, errors=errors,
                             links=error_links(errors), action=CHANGE, captcha=None, nonce="",
                             submit=self.web.t("web.password.submit"),
                             extra_links=[("/account", self.web.t("web.edit.cancel"))], after=[], signed_in=True)

    def change(self, application_id: int) -> str:
        web = self.web
        forms = bottle.request.forms.decode()
        errors = Errors()
        current = forms.get("current_password", "")
        if not current:
            errors.fields["current_password"] = web.t("problem.required", label=web.t("web.password.current"))
        self.check_new(forms.get("new_password", ""), forms.get("new_password_confirm", ""), errors,
                       ("new_password", "new_password_confirm"))
        if errors:
            return self.change_page(errors)
        if not web.store.check_application_password(application_id, current):
            web.store.audit("applicant", "password_change_failed", application_id=application_id,
                            data={"address": client_address(web)}, now=web.now())
            return self.change_page(Errors(fields={"current_password": web.t("web.password.wrong_current")}))
        web.store.set_application_password(application_id, forms.get("new_password"))
        web.store.audit("applicant", "password_change", application_id=application_id,
                        data={"address": client_address(web)}, now=web.now())
        # every other browser signed in with the old password is signed out; this one stays
        web.store.delete_sessions_for("applicant", application_id)
        sessions.login(web, "applicant", application_id)
        return self.change_page(notices=[web.t("web.password.changed")])


def install(app: bottle.Bottle, web: Web) -> None:
    passwords = Passwords(web)

    @app.get(FORGOT)
    def forgot_form() -> str:
        return passwords.forgot_page()

    @app.post(FORGOT)
    def forgot() -> str:
        sessions.check_csrf(web)
        return passwords.forgot()

    @app.get(RESET)
    def reset_form() -> str:
        return passwords.reset_page()

    @app.post(RESET)
    def reset() -> str:
        sessions.check_csrf(web)
        return passwords.reset()

    @app.get(CHANGE)
    def change_form() -> str:
        current_application(web)
        return passwords.change_page()

    @app.post(CHANGE)
    def change() -> str:
        found = current_application(web)
        sessions.check_csrf(web)
        return passwords.change(found.id)
