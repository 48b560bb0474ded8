"""The work lists: counts by status per bound row (the rows roles bind to, e.g. one per
place), the list of applications with filters, and the search box that also takes a
scanned application form. Columns and filters follow the flow's `application:` section
(identity, display name, searchable) and the roles' `binds`.

The form's QR code holds the application number, so a hand scanner that types into the
search box is all "scanning" needs: a search that names exactly one application by its
number or one of its identity values opens it directly. Every query is narrowed by
`scope.query_scope`; filters from the URL can only narrow it further, never widen it.
"""
from __future__ import annotations

from typing import Any, Mapping
from urllib.parse import urlencode

import bottle

from engine import Binding
from shenbao import scope
from shenbao.applications import display_name
from store import Listed, Staff, status_counts

from ..context import Web
from ..inputs import number
from ..throttle import identity
from .base import Desk

PAGE = 50  # keyset pages: ?before=<id> the older rows after a page, ?after=<id> the newer ones


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


def bindings(desk: Desk) -> list[Binding]:
    """The flow's distinct role bindings, in role order."""
    return list(dict.fromkeys(b for b in desk.flow.bindings.values() if b is not None))


def list_filters(desk: Desk, me: Staff, query: Any) -> tuple[dict[str, Any] | None, dict[str, str]]:
    """(store filters, or None for "nothing in scope"; what the form shows)."""
    answers = [b.answer for b in bindings(desk)]
    shown = {k: (query.get(k) or "").strip() for k in ("q", "status", *answers)}
    if shown["status"] and shown["status"] not in desk.flow.statuses:
        shown["status"] = ""
    where = narrow(scope.query_scope(desk.flow, me), {k: shown[k] or None for k in answers})
    if where is None:
        return None, shown
    spec = desk.flow.application
    filters: dict[str, Any] = {"where": where, "status": shown["status"] or None}
    if shown["q"]:
        filters.update(text=shown["q"], exact=list(spec.searchable), contains=spec.display_name)
    return filters, shown


def search(desk: Desk, me: Staff, filters: dict[str, Any] | None, limit: int = PAGE,
           before: int | None = None, after: int | None = None) -> list[Listed]:
    """Newest first; `before`/`after`: the keyset page below/above that id. The columns a
    list shows (`Store.list_applications`), not whole records."""
    if filters is None:
        return []
    found = desk.store.list_applications(limit=limit, before=before, after=after, **filters)
    return [a for a in found if scope.application_in_scope(desk.flow, me, a)]  # belt and braces


def count(desk: Desk, filters: dict[str, Any] | None) -> int:
    return 0 if filters is None else desk.store.count_applications(**filters)


def identity_fields(desk: Desk) -> list[str]:
    """The fields that identify an applicant, as staff see them (login order first)."""
    spec = desk.flow.application
    return list(dict.fromkeys([*spec.login, *spec.unique]))


class Queue:
    def __init__(self, desk: Desk):
        self.desk, self.flow = desk, desk.flow

    def statuses(self) -> list[tuple[str, str]]:
        return [(s, self.desk.status_text(s)) for s in self.flow.statuses]

    def home(self, me: Staff) -> str:
        totals = self.desk.store.count_by_status(where=scope.query_scope(self.flow, me))
        group = self.group_of(me)
        rows = self.breakdown(me, group) if group is not None else []
        label = self.desk.texts.label(group.answer) if group is not None else ""
        return self.desk.render("home.html", me=me, title=self.desk.t("staff.home.title"),
                                statuses=self.statuses(), totals=totals, total=sum(totals.values()),
                                rows=rows, by_label=label, operator_notices=self.operator_notices(me))

    def operator_notices(self, me: Staff) -> list[str]:
        """What only an administrator can put right, shown on their home page."""
        if me.role != "admin":
            return []
        return [] if self.desk.web.settings.base_url else [self.desk.t("staff.home.no_base_url")]

    def rows_in_scope(self, me: Staff, binding: Binding) -> list[dict[str, Any]]:
        return [r for r in self.desk.rows(binding.dataset) if scope.row_in_scope(self.flow, me, binding.dataset, r)]

    def group_of(self, me: Staff) -> Binding | None:
        """What the home page counts by: another binding than `me`'s own when it has rows in
        scope (a reviewer sees its places), the fewest rows first (an administrator sees
        the coarsest grouping), else `me`'s own."""
        own = scope.binding(self.flow, me.role)
        found = [(b, len(self.rows_in_scope(me, b))) for b in bindings(self.desk)]
        found = [(b, n) for b, n in found if n]
        others = [(b, n) for b, n in found if b != own] or found
        return min(others, key=lambda pair: pair[1])[0] if others else None

    def row_name(self, binding: Binding, row: Mapping[str, Any]) -> str:
        options = self.flow.fields[binding.answer].options
        label = options.label if options is not None and options.label else binding.key
        return str(row.get(label) or row[binding.key])

    def bound_name(self, binding: Binding, value: str | None) -> str:
        rows = self.desk.rows(binding.dataset, **{binding.key: value}) if value else []
        return self.row_name(binding, rows[0]) if rows else (value or self.desk.t("web.value.none"))

    def breakdown(self, me: Staff, by: Binding) -> list[dict[str, Any]]:
        """One row per row of the grouping binding in scope, counts per status."""
        counts = status_counts(self.desk.store, by.answer, where=scope.query_scope(self.flow, me))
        rows = []
        for place in self.rows_in_scope(me, by):
            code = str(place[by.key])
            cells = {s: counts.get((code, s), 0) for s in self.flow.statuses}
            rows.append({"code": code, "name": self.row_name(by, place), "cells": cells,
                         "total": sum(cells.values()), "link": urlencode({by.answer: code})})
        return rows

    def filters(self, me: Staff) -> list[dict[str, Any]]:
        """A select per binding other than `me`'s own with rows in scope."""
        own = scope.binding(self.flow, me.role)
        found = []
        for b in bindings(self.desk):
            rows = self.rows_in_scope(me, b) if b != own else []
            if rows:
                found.append({"id": b.answer, "label": self.desk.texts.label(b.answer),
                              "options": [(str(r[b.key]), self.row_name(b, r)) for r in rows]})
        return found

    def columns(self) -> list[str]:
        return [self.desk.texts.label(f) for f in identity_fields(self.desk)] + \
            [self.desk.texts.label(b.answer) for b in bindings(self.desk)]

    def listing(self, me: Staff) -> str:
        query = query_args()
        filters, shown = list_filters(self.desk, me, query)
        before, after = number(query.get("before")), number(query.get("after"))
        if before is not None:
            after = None
        if shown["q"]:
            self.open_if_scanned(me, filters, shown["q"])
        total = count(self.desk, filters)
        # One row more than a page tells whether there is a page beyond, in the direction read.
        found = search(self.desk, me, filters, PAGE + 1, before, after)
        more = len(found) > PAGE
        if after is not None:
            found = found[-PAGE:] if more else found
            newer, older = more, bool(found)
        else:
            found = found[:PAGE]
            newer, older = before is not None and bool(found), more
        words = self.desk.status_words()
        rows = [self.row(a, words(a)) for a in found]
        keep = {k: v for k, v in shown.items() if v}
        return self.desk.render(
            "applications.html", me=me, title=self.desk.t("staff.list.title"), rows=rows, shown=shown,
            total=total, paged=newer or older, statuses=self.statuses(), filters=self.filters(me),
            columns=self.columns(),
            name_label=self.desk.texts.label(self.flow.application.display_name)
            if self.flow.application.display_name else "",
            prev_link=urlencode({**keep, "after": found[0].id}) if newer else None,
            next_link=urlencode({**keep, "before": found[-1].id}) if older else None,
            export_link=urlencode(keep))

    def open_if_scanned(self, me: Staff, filters: dict[str, Any] | None, text: str) -> None:
        """A scanned (or typed) application number or identity value that names exactly one
        application in scope opens it."""
        typed = {text.strip(), identity(text)}
        found = search(self.desk, me, filters, 2)
        if len(found) == 1:
            own = {found[0].application_no, *(found[0].values.get(f) for f in identity_fields(self.desk))}
            if typed & own:
                bottle.redirect(f"/staff/applications/{found[0].id}")

    def row(self, app: Listed, status: str) -> dict[str, Any]:
        cells = [app.values.get(f) or "" for f in identity_fields(self.desk)]
        cells += [self.bound_name(b, app.values.get(b.answer)) for b in bindings(self.desk)]
        return {"id": app.id, "application_no": app.application_no, "name": display_name(self.flow, app),
                "cells": cells, "status": status, "updated": self.desk.local(app.updated_at)}


def install(app: bottle.Bottle, web: Web, desk: Desk) -> None:
    queue = Queue(desk)

    @app.get("/staff")
    @app.get("/staff/")
    def home() -> str:
        return queue.home(desk.need("review"))

    @app.get("/staff/applications")
    def listing() -> str:
        return queue.listing(desk.need("review"))
