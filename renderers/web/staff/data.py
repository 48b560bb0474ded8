"""Reference data staff keep: the generic pages of every dataset the flow marks
staff-editable (a dataset's `staff:` block, engine/staffdata.py).

    /staff/data/<dataset>          the rows the account may see
    /staff/data/<dataset>/_new     add a row (roles with `add: true`)
    /staff/data/<dataset>/<key>    see and change one row

The add page's address starts with `_`, which no key can (a code starts with a letter or
digit), so every key opens, `new` too: reference data comes from official lists, and a
code is not refused for a reason of our addresses. `…/new`, the add page's former address,
still adds (a bookmark) while no row is called new.

What a role may change, and which rows are its own, is the flow's (shenbao/scope.py
`staff_role`, `row_in_scope`): a role bound to another dataset keeps the rows whose
referencing column names its row, and that column is fixed to it. A dataset whose key
references another (one row per row of it) lists every row of that dataset in scope, and
opening one that has no row yet adds it. A column referencing a dataset is a choice of its
rows in scope. Values are checked as an import checks them (rows.py). The old pages
`/staff/<dataset>…` of the first product redirect here, for bookmarks.
"""
from __future__ import annotations

from typing import Any, Mapping
from urllib.parse import quote

import bottle

from engine import Dataset, StaffRole
from shenbao import scope
from store import Staff

from .. import sessions
from ..context import Web
from ..forms import Errors, error_links
from .base import Desk
from .rows import RowForm

ROOT = "/staff/data"
ADD = "_new"      # no key can start with "_" (store.is_code)
OLD_ADD = "new"   # the add page's former address, kept for bookmarks while no row has that key


def url(dataset: str, key: Any = None) -> str:
    """A page's address; a key is quoted (a Location header is ASCII)."""
    return f"{ROOT}/{dataset}" if key is None else f"{ROOT}/{dataset}/{quote(str(key), safe='')}"


class DataPages:
    def __init__(self, desk: Desk):
        self.desk = desk

    @property
    def flow(self) -> Any:
        return self.desk.flow

    def declared(self, me: Staff, name: str) -> tuple[Dataset, StaffRole]:
        """The dataset and what `me` may do on it; 404 when staff keep no such data, 403 when not `me`."""
        dataset = self.flow.datasets.get(name)
        if dataset is None or dataset.staff is None:
            self.desk.refuse(me)
        role = scope.staff_role(self.flow, me, name)
        if role is None:
            self.desk.refuse(me, 403)
        return dataset, role

    def key_of(self, dataset: Dataset) -> str:
        return dataset.key[0]

    # -- list -------------------------------------------------------------------------
    def listing(self, me: Staff, name: str) -> str:
        dataset, role = self.declared(me, name)
        assert dataset.staff is not None
        form = RowForm(self.desk, name, [])
        shown = [c for c in dataset.staff.list if c != self.key_of(dataset) or dataset.keyed_by is None]
        heads = [form.label(self.key_of(dataset))] if dataset.keyed_by else []
        heads += [form.label(c) for c in shown]
        lines = []
        if dataset.keyed_by:
            parent = dataset.keyed_by
            mine = {str(r.get(self.key_of(dataset))): r for r in self.desk.in_scope(me, name)}
            for row in self.desk.in_scope(me, parent):
                key = str(row.get(self.flow.datasets[parent].key[0]))
                found = mine.get(key)
                lines.append({"href": url(name, key), "name": self.desk.row_label(parent, row),
                              "cells": [self.cell(dataset, c, found) for c in shown] if found else None,
                              "can_add": role.add})
        else:
            for row in self.desk.in_scope(me, name):
                cells = [self.cell(dataset, c, row) for c in shown]
                lines.append({"href": url(name, row.get(self.key_of(dataset))),
                              "name": cells[0] if cells else str(row.get(self.key_of(dataset))),
                              "cells": cells[1:]})
        title = self.desk.t(f"staff.data.{name}")
        return self.desk.render("data.html", me=me, title=title, heads=heads, lines=lines,
                                add=url(name) + "/" + ADD if role.add and not dataset.keyed_by else None)

    def cell(self, dataset: Dataset, column: str, row: Mapping[str, Any]) -> Any:
        """A list cell: a referenced row by its name, other values as stored."""
        target = dataset.staff.references.get(column) if dataset.staff else None
        value = row.get(column)
        return self.desk.name_of(target, str(value)) if target and value is not None else value

    # -- one row ----------------------------------------------------------------------
    def editable(self, dataset: Dataset, role: StaffRole, new: bool) -> list[str]:
        """The columns of the form, in the dataset's order: on a new row also the key and the references."""
        staff = dataset.staff
        assert staff is not None
        wanted = set(role.edit) | ({*dataset.key, *staff.references} if new else set())
        fixed = ({role.through} if role.through else set()) | (set() if new else set(dataset.key))
        return [c for c in dataset.columns if c in wanted and c not in fixed
                and dataset.columns[c] in ("text", "date", "datetime", "number")]

    def choices(self, me: Staff, dataset: Dataset, form: RowForm) -> dict[str, list[tuple[str, str]]]:
        """Column → (key, name) of the rows in scope it may reference."""
        staff = dataset.staff
        assert staff is not None
        found = {}
        for column, target in staff.references.items():
            if column in form.editable:
                key = self.flow.datasets[target].key[0]
                found[column] = [(str(r.get(key)), self.desk.row_label(target, r))
                                 for r in self.desk.in_scope(me, target)]
        return found

    def page(self, me: Staff, dataset: Dataset, form: RowForm, values: Mapping[str, Any], action: str, title: str,
             notices: list[str] | None = None, status: int = 200) -> str:
        return self.desk.render("row.html", status, me=me, title=title, fields=form.fields(values), action=action,
                                links=error_links(Errors(fields=dict(form.errors))), notices=notices or [],
                                choices=self.choices(me, dataset, form), back=url(dataset.name))

    def title(self, dataset: Dataset, row: Mapping[str, Any] | None, key: str | None) -> str:
        name = self.desk.t(f"staff.data.{dataset.name}")
        if row is None and key is None:
            return self.desk.t("staff.data.new", title=name)
        parent = dataset.keyed_by
        shown = self.desk.name_of(parent, key) if parent else self.desk.row_label(dataset.name, dict(row or {}))
        return self.desk.t("staff.data.edit", title=name, name=shown or key)

    def references_ok(self, me: Staff, dataset: Dataset, form: RowForm, typed: Mapping[str, Any]) -> None:
        """A referencing column must name a row in scope of `me` (else a located message)."""
        for column, target in (dataset.staff.references.items() if dataset.staff else ()):
            if column in typed and column not in form.errors:
                row = self.desk.row(target, None if typed[column] is None else str(typed[column]))
                if row is None or not scope.row_in_scope(self.flow, me, target, row):
                    form.errors[column] = self.desk.t("staff.row.bad_reference", label=form.label(column))

    def edit(self, me: Staff, name: str, key: str, post: bool) -> str:
        dataset, role = self.declared(me, name)
        row = self.desk.row(name, key)
        if row is None and key == OLD_ADD and not self.parent_in_scope(me, dataset.keyed_by, key):
            if not post:
                bottle.redirect(url(name) + "/" + ADD, 302)
            return self.add(me, name, post)
        if row is None:
            return self.add(me, name, post, key)
        if not scope.row_in_scope(self.flow, me, name, row):
            self.desk.refuse(me)
        form = RowForm(self.desk, name, self.editable(dataset, role, new=False))
        title, action = self.title(dataset, row, key), url(name, key)
        if not post:
            return self.page(me, dataset, form, row, action, title)
        typed = form.read(bottle.request.forms.decode())
        self.references_ok(me, dataset, form, typed)
        if form.errors or not form.check(typed, row) or not form.save(me, {self.key_of(dataset): key}, typed, row):
            return self.page(me, dataset, form, {**row, **typed}, action, title, status=422)
        saved = self.desk.row(name, key) or row
        return self.page(me, dataset, form, saved, action, title, [self.desk.t("staff.row.saved")])

    def add(self, me: Staff, name: str, post: bool, key: str | None = None) -> str:
        """A new row; with `key`, the row of one referenced row that has none yet (else 404)."""
        dataset, role = self.declared(me, name)
        parent = dataset.keyed_by
        if key is not None and (parent is None or not role.add or not self.parent_in_scope(me, parent, key)):
            self.desk.refuse(me)
        if not role.add:
            self.desk.refuse(me, 403)
        fixed: dict[str, Any] = {role.through: me.bound} if role.through else {}
        if key is not None:
            fixed[self.key_of(dataset)] = key
        form = RowForm(self.desk, name, [c for c in self.editable(dataset, role, new=True) if c not in fixed])
        title = self.title(dataset, None, key)
        action = url(name, key) if key is not None else url(name) + "/" + ADD
        if not post:
            return self.page(me, dataset, form, dict(fixed), action, title)
        typed = {**form.read(bottle.request.forms.decode()), **fixed}
        column = self.key_of(dataset)
        if not typed.get(column):
            form.errors[column] = self.desk.t("problem.required", label=form.label(column))
        self.references_ok(me, dataset, form, typed)
        rest = {k: v for k, v in typed.items() if k != column}
        if form.errors or not form.check(typed) or not form.save(me, {column: typed[column]}, rest, None):
            return self.page(me, dataset, form, typed, action, title, status=422)
        if key is not None:
            saved = self.desk.row(name, key) or typed
            edit = RowForm(self.desk, name, self.editable(dataset, role, new=False))
            return self.page(me, dataset, edit, saved, action, self.title(dataset, saved, key),
                             [self.desk.t("staff.row.saved")])
        bottle.redirect(url(name, typed[column]))

    def parent_in_scope(self, me: Staff, parent: str | None, key: str) -> bool:
        row = self.desk.row(parent, key) if parent else None
        return row is not None and scope.row_in_scope(self.flow, me, parent, row)


def install(app: bottle.Bottle, web: Web, desk: Desk) -> None:
    pages = DataPages(desk)

    @app.get(ROOT + "/<name>")
    def listing(name: str) -> str:
        return pages.listing(desk.me(), name)

    @app.get(ROOT + "/<name>/" + ADD)
    def add_form(name: str) -> str:
        return pages.add(desk.me(), name, False)

    @app.post(ROOT + "/<name>/" + ADD)
    def add(name: str) -> str:
        me = desk.me()
        sessions.check_csrf(web)
        return pages.add(me, name, True)

    @app.get(ROOT + "/<name>/<key>")
    def edit_form(name: str, key: str) -> str:
        return pages.edit(desk.me(), name, key, False)

    @app.post(ROOT + "/<name>/<key>")
    def edit(name: str, key: str) -> str:
        me = desk.me()
        sessions.check_csrf(web)
        return pages.edit(me, name, key, True)


def install_old_addresses(app: bottle.Bottle, desk: Desk) -> None:
    """`/staff/<dataset>`, `…/new` and `…/<key>` (the first product's pages of its two datasets,
    bookmarked by staff) redirect to the generic pages, after the sign-in check. Installed
    last, so every other staff page's address wins; GET only (a bookmark is a GET)."""

    def moved(name: str, rest: str = "") -> None:
        me = desk.me()
        dataset = desk.flow.datasets.get(name)
        if dataset is None or dataset.staff is None:
            desk.refuse(me)
        bottle.redirect(url(name) + rest, 302)

    @app.get("/staff/<name>")
    def old_listing(name: str) -> None:
        moved(name)

    @app.get("/staff/<name>/<key>")
    def old_row(name: str, key: str) -> None:
        moved(name, "/new" if key == "new" else "/" + quote(key, safe=""))
