"""Stage 3, after the role bindings: the datasets staff may edit (a dataset's `staff:` block).

    datasets:
      points:
        ...
        staff:
          references: {agency: agencies}   # column → the dataset whose key it holds
          window: [starts, ends]           # the start must not be after the end
          list: [name, agency, starts, ends]
          multiline: [notes]               # typed in a text area
          roles:
            point_operator: {edit: [notes]}  # a role bound to this dataset: its own row
            agency_reviewer: {add: true}     # bound to agencies: the rows whose `agency` is its row
            admin: {add: true}               # bound to nothing: every row

A role listed under `roles` sees the dataset's staff pages; `edit` names the columns it may
change (by default every column but the key and images), `add` lets it add rows. A role
bound (`roles: {R: {binds: ...}}`) to this very dataset edits its own row; one bound to
another dataset edits the rows whose column referencing that dataset holds its row's key
(that column is then fixed to it). Builds `model.StaffData` per dataset and checks every
name with located problems (STAFF_0xx; MSG_001 for a missing label). No I/O.
"""
from __future__ import annotations

from dataclasses import replace
from typing import Any, Mapping, Protocol

from . import model
from .expressions import did_you_mean
from .source import Path

# Column types a staff form can show and take (an image is uploaded, not typed).
_FORM_TYPES = frozenset({"text", "date", "datetime", "number"})
_WINDOW_TYPES = frozenset({"date", "datetime", "number"})


class Builder(Protocol):
    datasets: dict[str, model.Dataset]

    def problem(self, path: Path, code: str, message: str, hint: str = "") -> None: ...

    def message_key(self, path: Path, key: str | None) -> str | None: ...

    def dataset_ref(self, path: Path, name: str) -> bool: ...


def label_key(dataset: str, column: str) -> str:
    """The catalogue key of a column's label on the staff pages."""
    return f"staff.column.{dataset}.{column}"


def title_key(dataset: str) -> str:
    """The catalogue key of a dataset's name on the staff pages (menu, list title)."""
    return f"staff.data.{dataset}"


def build_staff_data(b: Builder, data: Mapping[str, Any], roles: frozenset[str],
                     bindings: Mapping[str, model.Binding | None]) -> None:
    """Attach each dataset's checked `staff:` block to `b.datasets` (in place)."""
    for name, spec in (data.get("datasets") or {}).items():
        raw = spec.get("staff") if isinstance(spec, dict) else None
        if raw is None or name not in b.datasets:
            continue
        built = _build(b, b.datasets[name], raw, roles, bindings)
        if built is not None:
            b.datasets[name] = replace(b.datasets[name], staff=built)


def _build(b: Builder, dataset: model.Dataset, raw: Mapping[str, Any], roles: frozenset[str],
           bindings: Mapping[str, model.Binding | None]) -> model.StaffData | None:
    path: Path = ("datasets", dataset.name, "staff")
    columns = dataset.columns
    if len(dataset.key) != 1:
        b.problem(path, "STAFF_001", f"dataset '{dataset.name}' has a key of {len(dataset.key)} columns, so its "
                  "rows have no one-part address for the staff pages", "give it a one-column key (e.g. key: [code])")
        return None
    ok = True

    def column(where: Path, name: str, form: bool = True) -> bool:
        if name not in columns:
            b.problem(where, "STAFF_002", f"'{name}' is not a column of dataset '{dataset.name}'",
                      did_you_mean(name, columns) or "its columns: " + ", ".join(columns))
            return False
        if form and columns[name] not in _FORM_TYPES:
            b.problem(where, "STAFF_003", f"column '{name}' is of type {columns[name]}, which a staff form "
                      "cannot take", "leave it out (images come with the data files)")
            return False
        return True

    references: dict[str, str] = {}
    for col, target in (raw.get("references") or {}).items():
        where = path + ("references", col)
        if not column(where, col) or not b.dataset_ref(where, target):
            ok = False
            continue
        if len(b.datasets[target].key) != 1:
            b.problem(where, "STAFF_004", f"column '{col}' references dataset '{target}', whose key has "
                      f"{len(b.datasets[target].key)} columns", "reference a dataset keyed by one column")
            ok = False
            continue
        references[col] = target
    window: tuple[str, str] | None = None
    if raw.get("window") is not None:
        pair = raw["window"]
        if all(column(path + ("window", i), c) for i, c in enumerate(pair)):
            kinds = {columns[c] for c in pair}
            if len(kinds) != 1 or not kinds <= _WINDOW_TYPES:
                b.problem(path + ("window",), "STAFF_005", f"window {pair[0]} … {pair[1]} compares columns of "
                          f"types {columns[pair[0]]} and {columns[pair[1]]}",
                          "name two columns of the same type: date, datetime or number")
                ok = False
            else:
                window = (pair[0], pair[1])
        else:
            ok = False
    multiline = tuple(raw.get("multiline") or [])
    for i, col in enumerate(multiline):
        if column(path + ("multiline", i), col) and columns[col] != "text":
            b.problem(path + ("multiline", i), "STAFF_010", f"column '{col}' is of type {columns[col]}, not text, "
                      "so it cannot take several lines", "leave it out of `multiline`")
            ok = False
    shown = tuple(raw.get("list") or [c for c in columns if columns[c] in _FORM_TYPES][:6])
    for i, col in enumerate(raw.get("list") or []):
        ok = column(path + ("list", i), col, form=False) and ok
    built_roles: dict[str, model.StaffRole] = {}
    for role, spec in (raw.get("roles") or {}).items():
        where = path + ("roles", role)
        if role not in roles:
            b.problem(where, "STAFF_006", f"unknown role '{role}'", did_you_mean(role, roles) or
                      "name a role of the flow's `roles:`")
            ok = False
            continue
        spec = spec or {}
        default = [c for c in columns if c not in dataset.key and columns[c] in _FORM_TYPES]
        edit = list(spec.get("edit", default))
        good = [column(where + ("edit", i), c) for i, c in enumerate(spec.get("edit", []))]
        if not all(good):
            ok = False
            continue
        through = _through(b, where, dataset, role, bindings.get(role), references)
        if through is False:
            ok = False
            continue
        own = bindings.get(role)
        if spec.get("add") and own is not None and own.dataset == dataset.name:
            b.problem(where + ("add",), "STAFF_009", f"role '{role}' is bound to one row of '{dataset.name}', "
                      "so a row it added would not be its own", "let a role above it add rows")
            ok = False
            continue
        built_roles[role] = model.StaffRole(tuple(edit), bool(spec.get("add", False)), through or None)
    b.message_key(path, title_key(dataset.name))
    for col in dict.fromkeys([*dataset.key, *references, *shown, *(c for r in built_roles.values() for c in r.edit)]):
        if col in columns:
            b.message_key(("datasets", dataset.name, "columns", col), label_key(dataset.name, col))
    if not ok:
        return None
    return model.StaffData(built_roles, shown, references, window, multiline)


def _through(b: Builder, where: Path, dataset: model.Dataset, role: str, binding: model.Binding | None,
             references: Mapping[str, str]) -> str | bool:
    """The column scoping rows to an account of `role` ("" for its own row or every row), False on a problem."""
    if binding is None or binding.dataset == dataset.name:
        return ""
    found = [col for col, target in references.items() if target == binding.dataset]
    if len(found) == 1:
        return found[0]
    if not found:
        b.problem(where, "STAFF_007", f"role '{role}' is bound to dataset '{binding.dataset}', and no column of "
                  f"'{dataset.name}' references it, so its accounts would have no rows",
                  f"add `references: {{<column>: {binding.dataset}}}` to the staff block, or leave the role out")
    else:
        b.problem(where, "STAFF_007", f"role '{role}' is bound to dataset '{binding.dataset}', which columns "
                  f"{', '.join(found)} all reference", "reference the bound dataset through one column")
    return False
