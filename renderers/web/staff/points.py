"""Confirmation points (现场确认点): address, scope, confirmation window and the notes
(现场确认注意事项) applicants read before they go.

A point operator edits the notes of their own point; a reviewer edits and adds the points
of their agency; an administrator any point. Values are checked by the points dataset's
column types (rows.py).
"""
from __future__ import annotations

from typing import Any
from urllib.parse import quote

import bottle

from shenbao import scope
from store import Staff

from .. import sessions
from ..context import Web
from ..forms import Errors, error_links
from .base import Desk
from .rows import RowForm

DATASET = "points"
KEY = "code"
AGENCY = "agency"   # the column naming the point's agency (what scope reads)
NOTES = "notes"


class Points:
    def __init__(self, desk: Desk):
        self.desk = desk

    def editable(self, me: Staff, new: bool = False) -> list[str]:
        columns = self.desk.flow.datasets[DATASET].columns
        if not scope.can(self.desk.flow, me, "edit_points"):
            return [NOTES]
        fixed = {KEY, AGENCY} if not new else set()
        return [c for c, kind in columns.items() if kind != "image" and c not in fixed]

    def listing(self, me: Staff) -> str:
        points = [{"code": p[KEY], "name": p.get("name") or p[KEY], "agency": self.desk.name_of("agencies", p.get(AGENCY)),
                   "starts": p.get("starts"), "ends": p.get("ends"), "scope": p.get("scope")}
                  for p in self.desk.points_in_scope(me)]
        return self.desk.render("points.html", me=me, title=self.desk.t("staff.points.title"), points=points)

    def form_page(self, me: Staff, form: RowForm, values: dict[str, Any], action: str, title: str,
                  notices: list[str] | None = None, status: int = 200) -> str:
        links = error_links(Errors(fields=dict(form.errors)))
        agencies = self.desk.agencies_in_scope(me) if AGENCY in form.editable else []
        return self.desk.render("row.html", status, me=me, title=title, fields=form.fields(values), action=action,
                                links=links, notices=notices or [], agencies=agencies, agency_column=AGENCY,
                                back="/staff/points")

    def edit(self, me: Staff, code: str, post: bool) -> str:
        point = self.desk.point(code)
        if point is None or not scope.row_in_scope(self.desk.flow, me, "points", point):
            self.desk.refuse(me)
        form = RowForm(self.desk, DATASET, self.editable(me))
        title = self.desk.t("staff.points.edit", name=point.get("name") or code)
        action = f"/staff/points/{code}"
        if not post:
            return self.form_page(me, form, point, action, title)
        typed = form.read(bottle.request.forms.decode())
        if not form.check(typed, point) or not form.save(me, {KEY: code}, typed, point):
            return self.form_page(me, form, {**point, **typed}, action, title, status=422)
        saved = self.desk.point(code) or point
        return self.form_page(me, form, saved, action, title, [self.desk.t("staff.row.saved")])

    def add(self, me: Staff, post: bool) -> str:
        form = RowForm(self.desk, DATASET, self.editable(me, new=True))
        title, action = self.desk.t("staff.points.add"), "/staff/points/new"
        fixed = {} if me.role == "admin" else {AGENCY: me.agency}
        form.editable = [c for c in form.editable if c not in fixed]
        if not post:
            return self.form_page(me, form, dict(fixed), action, title)
        typed = {**form.read(bottle.request.forms.decode()), **fixed}
        if not typed.get(KEY):
            form.errors[KEY] = self.desk.t("problem.required", label=form.label(KEY))
        parent = self.desk.agency(str(typed.get(AGENCY))) if typed.get(AGENCY) is not None else None
        if parent is None or not scope.row_in_scope(self.desk.flow, me, "agencies", parent):
            form.errors[AGENCY] = self.desk.t("staff.row.bad_agency")
        if form.errors or not form.check(typed) or not form.save(me, {KEY: typed[KEY]},
                                                                   {k: v for k, v in typed.items() if k != KEY}, None):
            return self.form_page(me, form, typed, action, title, status=422)
        bottle.redirect(f"/staff/points/{quote(str(typed[KEY]), safe='')}")  # a Location header is ASCII


def install(app: bottle.Bottle, web: Web, desk: Desk) -> None:
    points = Points(desk)

    @app.get("/staff/points")
    def listing() -> str:
        return points.listing(desk.need("edit_notes"))

    @app.get("/staff/points/new")
    def add_form() -> str:
        return points.add(desk.need("edit_points"), False)

    @app.post("/staff/points/new")
    def add() -> str:
        me = desk.need("edit_points")
        sessions.check_csrf(web)
        return points.add(me, True)

    @app.get("/staff/points/<code>")
    def edit_form(code: str) -> str:
        return points.edit(desk.need("edit_notes"), code, False)

    @app.post("/staff/points/<code>")
    def edit(code: str) -> str:
        me = desk.need("edit_notes")
        sessions.check_csrf(web)
        return points.edit(me, code, True)
