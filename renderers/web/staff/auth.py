"""Staff log in and out: user name, password and captcha, as safe as the applicants' login.

Passwords are checked by the store (argon2id, same cost for unknown names); failures are
throttled per user name and per client address; a new server-side session (cookie
`sb_staff`) is made at every login, and the captcha is the site's, spent when checked.
"""
from __future__ import annotations

import secrets
from typing import Mapping

import bottle

from shenbao import scope

from .. import captcha, sessions
from ..context import Web
from ..forms import Errors, error_links, simple_field
from ..throttle import Throttle, client_address
from .base import KIND, LOGIN, Desk

HOME = "/staff"
CAPTCHA = "login"


class Login:
    def __init__(self, desk: Desk):
        self.desk, self.web = desk, desk.web
        settings = desk.web.settings
        self.throttle = Throttle(desk.web, "staff_login", settings.login_failures_per_account,
                                 settings.login_failures_per_address)

    def page(self, values: Mapping[str, str] | None = None, errors: Errors | None = None,
             status: int = 200) -> str:
        errors = errors or Errors()
        fields = [simple_field("username", self.desk.t("staff.login.username"), autocomplete="username"),
                  simple_field("password", self.desk.t("staff.login.password"), "password", "current-password")]
        bottle.response.status = status
        return self.web.render("simple_form.html", title=self.desk.t("staff.login.title"),
                               intro=[self.desk.t("staff.login.intro")], notices=[], fields=fields,
                               values=values or {}, errors=errors, links=error_links(errors), action=LOGIN,
                               captcha=CAPTCHA, nonce=secrets.token_hex(4), submit=self.desk.t("staff.login.submit"),
                               extra_links=[], after=[])

    def post(self) -> str:
        forms = bottle.request.forms.decode()
        username = (forms.get("username") or "").strip()
        password = forms.get("password") or ""
        errors = Errors()
        for key, label in (("username", "staff.login.username"), ("password", "staff.login.password"),
                           (captcha.FIELD, "web.captcha.label")):
            if not (password if key == "password" else (forms.get(key) or "").strip()):
                errors.fields[key] = self.desk.t("problem.required", label=self.desk.t(label))
        values = {"username": username}
        if self.throttle.blocked(username):
            errors.page.append(self.throttle.refusal("staff.login.throttled", username))
            return self.page(values, errors, 429)
        if errors:
            return self.page(values, errors)
        if not captcha.check(self.web, CAPTCHA, forms.get(captcha.FIELD)):
            errors.fields[captcha.FIELD] = self.desk.t("web.captcha.wrong")
            return self.page(values, errors)
        found = self.desk.store.check_staff_password(username, password)
        where = {"address": client_address(self.web)}
        if found is None or not scope.bound(self.desk.flow, found):
            locked = self.throttle.count(username)
            known = self.desk.store.find_staff(username) if username else None
            actor = self.desk.actor(known) if known is not None else "staff:?"  # unknown names are not recorded
            self.desk.store.audit(actor, "staff_login_failed", data=where, now=self.web.now())
            if locked:
                self.desk.store.audit(actor, "staff_login_locked", data=where, now=self.web.now())
            errors.page.append(self.desk.t("staff.login.failed"))
            return self.page(values, errors)
        self.throttle.clear(username)
        sessions.login(self.web, KIND, found.id)
        self.desk.store.audit(self.desk.actor(found), "staff_login", data=where, now=self.web.now())
        bottle.redirect(HOME)


def install(app: bottle.Bottle, web: Web, desk: Desk) -> None:
    login = Login(desk)

    @app.get(LOGIN)
    def login_form() -> str:
        return login.page()

    @app.post(LOGIN)
    def login_post() -> str:
        sessions.check_csrf(web)
        return login.post()

    @app.post("/staff/logout")
    def logout() -> str:
        sessions.require(web, KIND, LOGIN)
        sessions.check_csrf(web)
        sessions.logout(web, KIND)
        return desk.render("message.html", title=desk.t("staff.logout.title"), lines=[desk.t("staff.logout.done")],
                           ok=True, back=LOGIN, back_label=desk.t("staff.login.title"))
