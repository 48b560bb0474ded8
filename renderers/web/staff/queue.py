"""The work lists: counts by status per point or agency, the list of applications with
filters, and the search box that also takes a scanned application form.

The form's QR code holds the application number, so a hand scanner that types into the
search box is all "scanning" needs: a search that names exactly one application by its
application, ID or certificate number opens it directly. Every query is narrowed by
`scope.query_scope`; filters from the URL can only narrow it further, never widen it.
"""
from __future__ import annotations

from typing import Any, Mapping
from urllib.parse import urlencode

import bottle

from shenbao import scope
from store import Application, Staff, status_counts

from ..context import Web
from ..inputs import number
from ..throttle import identity
from .base import Desk

PAGE = 50
LAST_PAGE = 1_000_000  # a larger ?page= shows an empty page rather than an offset no column holds


def narrow(base: Mapping[str, str], wanted: Mapping[str, str | None]) -> dict[str, str] | None:
    """`wanted` filters inside `base`; None when they contradict it (nothing to show)."""
    found = {k: v for k, v in wanted.items() if v}
    for key, value in base.items():
        if key in found and found[key] != value:
            return None
        found[key] = value
    return found


def query_args() -> Any:
    """The URL's query, decoded (a query that is not valid text is a bad request, not a crash)."""
    try:
        return bottle.request.query.decode()
    except UnicodeError:
        bottle.abort(400)


def list_filters(desk: Desk, me: Staff, query: Any) -> tuple[dict[str, str] | None, dict[str, str]]:
    """(store filters, or None for "nothing in scope"; what the form shows)."""
    shown = {k: (query.get(k) or "").strip() for k in ("q", "status", "point", "agency")}
    if shown["status"] and shown["status"] not in desk.flow.statuses:
        shown["status"] = ""
    wanted = {k: shown[k] or None for k in ("status", "point", "agency")}
    filters = narrow(scope.query_scope(me), wanted)
    if filters is not None and shown["q"]:
        filters["text"] = shown["q"]
    return filters, shown


def search(desk: Desk, me: Staff, filters: dict[str, str] | None, limit: int = PAGE,
           offset: int = 0) -> list[Application]:
    if filters is None:
        return []
    found = desk.store.search_applications(limit=limit, offset=offset, **filters)
    return [a for a in found if scope.application_in_scope(me, a)]  # belt and braces


def count(desk: Desk, filters: dict[str, str] | None) -> int:
    return 0 if filters is None else desk.store.count_applications(**filters)


class Queue:
    def __init__(self, desk: Desk):
        self.desk, self.flow = desk, desk.flow

    def statuses(self) -> list[tuple[str, str]]:
        return [(s, self.desk.status_text(s)) for s in self.flow.statuses]

    def home(self, me: Staff) -> str:
        totals = self.desk.store.count_by_status(**scope.query_scope(me))
        rows = self.breakdown(me)
        return self.desk.render("home.html", me=me, title=self.desk.t("staff.home.title"),
                                statuses=self.statuses(), totals=totals, total=sum(totals.values()),
                                rows=rows, by=self.group_of(me), operator_notices=self.operator_notices(me))

    def operator_notices(self, me: Staff) -> list[str]:
        """What only an administrator can put right, shown on their home page."""
        if me.role != "admin":
            return []
        return [] if self.desk.web.settings.base_url else [self.desk.t("staff.home.no_base_url")]

    def group_of(self, me: Staff) -> str:
        return "agency" if scope.BINDINGS.get(me.role) is None else "point"

    def breakdown(self, me: Staff) -> list[dict[str, Any]]:
        """One row per point (operators, reviewers) or per agency (administrators)."""
        by = self.group_of(me)
        counts = status_counts(self.desk.store, by, **scope.query_scope(me))
        places = self.desk.agencies_in_scope(me) if by == "agency" else self.desk.points_in_scope(me)
        rows = []
        for place in places:
            cells = {s: counts.get((place["code"], s), 0) for s in self.flow.statuses}
            rows.append({"code": place["code"], "name": place.get("name") or place["code"], "cells": cells,
                         "total": sum(cells.values()), "link": urlencode({by: place["code"]})})
        return rows

    def listing(self, me: Staff) -> str:
        query = query_args()
        filters, shown = list_filters(self.desk, me, query)
        page = min(max(1, number(query.get("page"), 1) or 1), LAST_PAGE)
        if shown["q"]:
            self.open_if_scanned(me, filters, shown["q"])
        total = count(self.desk, filters)
        found = search(self.desk, me, filters, PAGE, (page - 1) * PAGE)
        rows = [self.row(a) for a in found]
        keep = {k: v for k, v in shown.items() if v}
        pages = max(1, -(-total // PAGE))
        return self.desk.render(
            "applications.html", me=me, title=self.desk.t("staff.list.title"), rows=rows, shown=shown,
            total=total, page=page, pages=pages, statuses=self.statuses(),
            points=self.desk.points_in_scope(me) if scope.BINDINGS.get(me.role) != "point" else [],
            agencies=self.desk.agencies_in_scope(me) if scope.BINDINGS.get(me.role) is None else [],
            prev_link=urlencode({**keep, "page": page - 1}) if page > 1 else None,
            next_link=urlencode({**keep, "page": page + 1}) if page < pages else None,
            export_link=urlencode(keep))

    def open_if_scanned(self, me: Staff, filters: dict[str, str] | None, text: str) -> None:
        """A scanned (or typed) application, ID or certificate number that names exactly one
        application in scope opens it."""
        typed = identity(text)
        found = search(self.desk, me, filters, 2)
        if len(found) == 1 and typed in (found[0].application_no, found[0].id_no, found[0].cert_no):
            bottle.redirect(f"/staff/applications/{found[0].id}")

    def row(self, app: Application) -> dict[str, Any]:
        return {"id": app.id, "application_no": app.application_no, "name": app.answers.get("name") or "",
                "id_no": app.id_no, "cert_no": app.cert_no, "point": self.desk.name_of("points", app.point),
                "agency": self.desk.name_of("agencies", app.agency), "status": self.desk.status_text(app.status),
                "updated": self.desk.local(app.updated_at)}


def install(app: bottle.Bottle, web: Web, desk: Desk) -> None:
    queue = Queue(desk)

    @app.get("/staff")
    @app.get("/staff/")
    def home() -> str:
        return queue.home(desk.need("review"))

    @app.get("/staff/applications")
    def listing() -> str:
        return queue.listing(desk.need("review"))
