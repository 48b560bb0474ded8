"""What every staff page shares: the signed-in account, templates, text and reference rows.

`Desk` wraps the web engineer's `Web` context: it renders the staff templates (which
extend the site layout) with the same CSRF token, loads the signed-in staff account for
each request (an account that is disabled or has lost its binding is signed out), and
answers refusals with the same page for "not there" and "not yours", so a URL with
another point's application id tells nothing. Scope itself is decided in shenbao/scope.py.
"""
from __future__ import annotations

from pathlib import Path
from typing import Any, NoReturn

import bottle
import jinja2

from engine import Flow
from shenbao import scope
from shenbao.catalog import format_value
from store import Application, Staff

from .. import sessions
from ..context import Web
from ..forms import Texts

HERE = Path(__file__).resolve().parent
LOGIN = "/staff/login"
KIND = "staff"


class Desk:
    def __init__(self, web: Web):
        self.web, self.store = web, web.store
        self._texts: dict[str, Texts] = {}
        loader = jinja2.ChoiceLoader([web.env.loader, jinja2.PrefixLoader(
            {"staff": jinja2.FileSystemLoader(str(HERE / "templates"))})])
        self.env = web.env.overlay(loader=loader)
        self.env.globals.update(role_text=self.role_text, status_text=self.status_text)

    @property
    def flow(self) -> Flow:
        """The live flow version (a version published with `shenbao publish` from the next request on)."""
        return self.web.flow

    @property
    def texts(self) -> Texts:
        return self.texts_for(self.web.flow)

    def texts_for(self, flow: Flow) -> Texts:
        """The wording of one flow version (kept per version: the set of versions is small)."""
        found = self._texts.get(flow.digest)
        if found is None:
            found = self._texts[flow.digest] = Texts(flow, self.web.catalog)
        return found

    # -- text -------------------------------------------------------------------------
    def t(self, key: str, **params: Any) -> str:
        return self.web.t(key, **params)

    def role_text(self, role: str) -> str:
        return self.web.catalog.first([f"staff.role.{role}", "staff.role.unknown"], role=role)

    def status_text(self, status: str | None) -> str:
        found = self.flow.statuses.get(status or "")
        return self.t(found.message) if found else (status or "")

    # -- pages ------------------------------------------------------------------------
    def render(self, template: str, status: int = 200, **values: Any) -> str:
        bottle.response.status = status
        me = values.pop("me", None)
        return self.env.get_template(f"staff/{template}").render(
            csrf_token=sessions.csrf_token(self.web), me=me, can=self.can_map(me), **values)

    def can_map(self, me: Staff | None) -> dict[str, bool]:
        return {c: me is not None and scope.can(self.flow, me, c) for c in scope.CAPABILITIES}

    def refuse(self, me: Staff | None, status: int = 404) -> NoReturn:
        """The same page whether the thing does not exist or is someone else's."""
        key = "staff.refused.missing" if status == 404 else "staff.refused.role"
        body = self.render("message.html", status, me=me, title=self.t(key), lines=[self.t(key + ".help")])
        raise bottle.HTTPResponse(body, status=status)

    # -- who is asking ----------------------------------------------------------------
    def me(self) -> Staff:
        """The signed-in, active, bound staff account, or a redirect to the staff login."""
        session = sessions.require(self.web, KIND, LOGIN)
        found = self.store.get_staff(int(session.subject))
        if found is None or not found.active or not scope.bound(self.flow, found):
            sessions.logout(self.web, KIND)
            bottle.redirect(LOGIN)
        return found

    def need(self, capability: str) -> Staff:
        who = self.me()
        if not scope.can(self.flow, who, capability):
            self.refuse(who, 403)
        return who

    def actor(self, who: Staff) -> str:
        return f"staff:{who.username}"

    def application(self, who: Staff, application_id: int) -> Application:
        """An application `who` may see, else the refusal page (404 either way)."""
        found = self.store.get_application(application_id)
        if found is None or not scope.application_in_scope(self.flow, who, found):
            self.refuse(who)
        return found

    # -- reference rows ---------------------------------------------------------------
    def rows(self, dataset: str, **match: Any) -> list[dict[str, Any]]:
        return self.store.rows(dataset, match) if dataset in self.flow.datasets else []

    def point(self, code: str | None) -> dict[str, Any] | None:
        found = self.rows("points", code=code) if code else []
        return found[0] if found else None

    def agency(self, code: str | None) -> dict[str, Any] | None:
        found = self.rows("agencies", code=code) if code else []
        return found[0] if found else None

    def name_of(self, dataset: str, code: str | None) -> str:
        row = self.point(code) if dataset == "points" else self.agency(code)
        return str(row.get("name") or code) if row else (code or self.t("web.value.none"))

    def points_in_scope(self, who: Staff) -> list[dict[str, Any]]:
        return [p for p in self.rows("points") if scope.row_in_scope(self.flow, who, "points", p)]

    def agencies_in_scope(self, who: Staff) -> list[dict[str, Any]]:
        return [a for a in self.rows("agencies") if scope.row_in_scope(self.flow, who, "agencies", a)]

    def local(self, moment: Any) -> str:
        """A stored UTC moment on the flow's wall clock, as text."""
        return format_value(moment.astimezone(self.web.tz)) if moment is not None else ""
