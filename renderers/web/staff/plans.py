"""Plans (初审注册计划): the online application window of an agency.

A reviewer edits (or creates) the plan of their own agency, an administrator any agency's.
Values are checked by the plans dataset's column types; the window must not end before
it opens.
"""
from __future__ import annotations

import bottle

from shenbao import scope
from store import Staff

from .. import sessions
from ..context import Web
from ..forms import Errors, error_links
from .base import Desk
from .rows import RowForm

DATASET = "plans"
KEY = "agency"


class Plans:
    def __init__(self, desk: Desk):
        self.desk = desk

    def plan(self, agency: str) -> dict | None:
        found = self.desk.rows(DATASET, **{KEY: agency})
        return found[0] if found else None

    def listing(self, me: Staff) -> str:
        rows = []
        for agency in self.desk.agencies_in_scope(me):
            plan = self.plan(agency["code"]) or {}
            rows.append({"code": agency["code"], "name": agency.get("name") or agency["code"], "plan": plan})
        return self.desk.render("plans.html", me=me, title=self.desk.t("staff.plans.title"), rows=rows)

    def edit(self, me: Staff, agency: str, post: bool) -> str:
        found = self.desk.agency(agency)
        if found is None or not scope.row_in_scope(self.desk.flow, me, "agencies", found):
            self.desk.refuse(me)
        columns = self.desk.flow.datasets[DATASET].columns
        form = RowForm(self.desk, DATASET, [c for c, kind in columns.items() if c != KEY and kind != "image"])
        current = self.plan(agency)
        title = self.desk.t("staff.plans.edit", name=found.get("name") or agency)
        values = current or {}
        notices: list[str] = []
        status = 200
        if post:
            typed = form.read(bottle.request.forms.decode())
            if form.check(typed, current) and form.save(me, {KEY: agency}, typed, current):
                values, notices = self.plan(agency) or {}, [self.desk.t("staff.row.saved")]
            else:
                values, status = {**values, **typed}, 422
        return self.desk.render("row.html", status, me=me, title=title, fields=form.fields(values),
                                action=f"/staff/plans/{agency}", links=error_links(Errors(fields=dict(form.errors))),
                                notices=notices, agencies=[], agency_column=KEY, back="/staff/plans")


def install(app: bottle.Bottle, web: Web, desk: Desk) -> None:
    plans = Plans(desk)

    @app.get("/staff/plans")
    def listing() -> str:
        return plans.listing(desk.need("edit_plans"))

    @app.get("/staff/plans/<agency>")
    def edit_form(agency: str) -> str:
        return plans.edit(desk.need("edit_plans"), agency, False)

    @app.post("/staff/plans/<agency>")
    def edit(agency: str) -> str:
        me = desk.need("edit_plans")
        sessions.check_csrf(web)
        return plans.edit(me, agency, True)
