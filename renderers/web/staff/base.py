"""What every staff page shares: the signed-in account, templates, text and reference rows.

`Desk` wraps the web engineer's `Web` context: it renders the staff templates (which
extend the site layout) with the same CSRF token, loads the signed-in staff account for
each request (an account that is disabled or has lost its binding is signed out), and
answers refusals with the same page for "not there" and "not yours", so a URL with
another person's application id tells nothing. Scope itself is decided in shenbao/scope.py.
"""
from __future__ import annotations

from pathlib import Path
from typing import Any, NoReturn

import bottle
import jinja2

from engine import Flow, staff_title_key
from shenbao import scope
from shenbao.catalog import format_value
from store import Application, Listed, Staff

from .. import sessions
from ..context import Web
from ..forms import Texts, texts_for

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
        """The wording of one flow version (kept per version: the set of versions is small), with the
        texts in use now: a published text fix is worded from the next request on."""
        found = self._texts[flow.digest] = texts_for(self._texts.get(flow.digest), flow, self.web.catalog_for(flow))
        return found

    # -- text -------------------------------------------------------------------------
    def t(self, key: str, **params: Any) -> str:
        return self.web.t(key, **params)

    def role_text(self, role: str) -> str:
        return self.web.catalog.first([f"staff.role.{role}", "staff.role.unknown"], role=role)

    def status_text(self, status: str | None) -> str:
        found = self.flow.statuses.get(status or "")
        return self.t(found.message) if found else (status or "")

    def status_words(self) -> StatusWords:
        """The status texts of a list of applications, looked up once per version and status."""
        return StatusWords(self)

    def version_status_text(self, digest: str | None, status: str | None) -> str:
        """A status the live version has by the live text, else by that of the version `digest`
        (as the application's page words it: that version's own catalogue for a removed text)."""
        if (status or "") in self.flow.statuses:
            return self.status_text(status)
        flow = self.web.flow_of(digest)
        found = flow.statuses.get(status or "")
        return self.texts_for(flow).text(found.message) if found else (status or "")

    # -- pages ------------------------------------------------------------------------
    def render(self, template: str, status: int = 200, **values: Any) -> str:
        bottle.response.status = status
        me = values.pop("me", None)
        return self.env.get_template(f"staff/{template}").render(
            csrf_token=sessions.csrf_token(self.web), me=me, can=self.can_map(me), data_links=self.data_links(me),
            **values)

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

    def row(self, dataset: str, key: str | None) -> dict[str, Any] | None:
        """The row of a one-column-key dataset with this key, or None."""
        declared = self.flow.datasets.get(dataset)
        if not key or declared is None or len(declared.key) != 1:
            return None
        found = self.rows(dataset, **{declared.key[0]: key})
        return found[0] if found else None

    def row_label(self, dataset: str, row: dict[str, Any]) -> str:
        """How a row is named to people: the column the flow's choices show for it, else its key."""
        declared = self.flow.datasets.get(dataset)
        key = str(row.get(declared.key[0]) or "") if declared else ""
        column = label_column(self.flow, dataset)
        return str(row.get(column) or key) if column else key

    def name_of(self, dataset: str, code: str | None) -> str:
        row = self.row(dataset, code)
        return self.row_label(dataset, row) if row else (code or self.t("web.value.none"))

    def in_scope(self, who: Staff, dataset: str) -> list[dict[str, Any]]:
        """The rows of `dataset` that `who` may see or act on."""
        return [r for r in self.rows(dataset) if scope.row_in_scope(self.flow, who, dataset, r)]

    def data_links(self, me: Staff | None) -> list[tuple[str, str]]:
        """(URL, name) of the reference-data pages `me` may open (the menu)."""
        if me is None:
            return []
        return [(f"/staff/data/{name}", self.t(staff_title_key(name)))
                for name in scope.editable_datasets(self.flow, me)]

    def local(self, moment: Any) -> str:
        """A stored UTC moment on the flow's wall clock, as text."""
        return format_value(moment.astimezone(self.web.tz)) if moment is not None else ""


class StatusWords:
    """Status → text for the applications of one list or export: each (version, status) once,
    so a page of applications of an older version asks the store nothing per row (the versions
    themselves are kept by shenbao.flowversions)."""

    def __init__(self, desk: Desk):
        self.desk = desk
        self._seen: dict[tuple[str | None, str | None], str] = {}

    def __call__(self, app: Application | Listed) -> str:
        key = (app.flow_digest, app.status)
        if key not in self._seen:
            self._seen[key] = self.desk.version_status_text(*key)
        return self._seen[key]


def label_column(flow: Flow, dataset: str) -> str | None:
    """The column a choice over `dataset` shows (its fields' `options: {dataset, label}`), if any."""
    for found in flow.fields.values():
        options = found.options
        if options is not None and options.dataset == dataset and options.label:
            return options.label
    return None
