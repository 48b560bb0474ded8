"""A form over one reference row of a dataset the flow marks staff-editable (its `staff:`
block), built from the dataset's declared columns and checked by their types, as the
importer checks data files.

Text columns are text boxes (the block's `multiline` ones text areas), dates and datetimes
are typed as in the data files (YYYY-MM-DD, YYYY-MM-DD HH:MM); the block's window start
must not be after its end; the key and the dataset's `required` columns may not be empty
and a text key must be a code (no control characters, separators or spaces), as in an
import. A column the form did not send is left as it is (a partial POST never clears it);
nothing is changed on refusal. Saving goes through the store's `update_row`/`insert_row`,
then the audit log records every changed value (old and new).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Mapping

from engine import StaffData, staff_label_key as label_key
from shenbao.catalog import format_value
from store import Duplicate, NotFound, Staff, StoreError, check_row, is_code, typed_value

from .base import Desk


@dataclass
class RowForm:
    desk: Desk
    dataset: str
    editable: list[str]
    errors: dict[str, str] = field(default_factory=dict)

    @property
    def columns(self) -> Mapping[str, str]:
        return self.desk.flow.datasets[self.dataset].columns

    @property
    def staff(self) -> StaffData | None:
        return self.desk.flow.datasets[self.dataset].staff

    def label(self, column: str) -> str:
        return self.desk.web.catalog.first([label_key(self.dataset, column), f"column.{column}",
                                            "staff.column.other"], column=column)

    def fields(self, values: Mapping[str, Any]) -> list[dict[str, Any]]:
        found = []
        for column in self.editable:
            kind = self.columns[column]
            multiline = self.staff.multiline if self.staff else ()
            widget = "textarea" if column in multiline else ("date" if kind == "date" else "text")
            hint = self.desk.t(f"staff.row.hint.{kind}") if kind in ("date", "datetime") else None
            found.append({"id": column, "label": self.label(column), "widget": widget, "hint": hint,
                          "value": format_value(values.get(column)), "error": self.errors.get(column)})
        return found

    def read(self, forms: Any) -> dict[str, str | None]:
        """The posted columns only: one the form did not send keeps its stored value."""
        return {c: (forms.get(c) or "").replace("\r\n", "\n").strip() or None for c in self.editable
                if c in forms}

    def check(self, typed: Mapping[str, Any], current: Mapping[str, Any] | None = None) -> bool:
        """True when every value fits its column; problems go to `errors` (as text)."""
        for column, code in {**check_row(self.columns, typed), **self.missing(typed, current)}.items():
            self.errors[column] = self.desk.web.catalog.first([f"staff.row.{code}", "staff.row.invalid"],
                                                              label=self.label(column))
        window = self.staff.window if self.staff else None
        if window and not self.errors.keys() & set(window):
            start, end = (self.value(c, typed, current) for c in window)
            if start is not None and end is not None and start > end:
                self.errors[window[1]] = self.desk.t("staff.row.window", start=self.label(window[0]),
                                                     end=self.label(window[1]))
        return not self.errors

    def missing(self, typed: Mapping[str, Any], current: Mapping[str, Any] | None) -> dict[str, str]:
        """Column → code for a key or required column left empty, or a text key that is no code."""
        declared = self.desk.flow.datasets[self.dataset]
        found: dict[str, str] = {}
        for column in (*declared.key, *declared.required):
            if column not in self.editable:
                continue
            value = typed.get(column) if column in typed or current is None else current.get(column)
            if value is None:
                found[column] = "IMPORT_REQUIRED_EMPTY"
            elif column in declared.key and self.columns[column] == "text" and not is_code(value):
                found[column] = "IMPORT_BAD_CODE"
        return found

    def value(self, column: str, typed: Mapping[str, Any], current: Mapping[str, Any] | None) -> Any:
        """A column's value after the edit, typed (a checked raw value or the stored one)."""
        if column in typed:
            return typed_value(self.columns[column], typed[column])
        return (current or {}).get(column)

    def save(self, me: Staff, key: Mapping[str, Any], typed: Mapping[str, Any],
             current: Mapping[str, Any] | None) -> bool:
        """Update (or insert, when `current` is None) and audit; False with `errors` set when refused."""
        store = self.desk.store
        try:
            if current is None:
                store.insert_row(self.dataset, {**typed, **key})
            else:
                store.update_row(self.dataset, key, typed)
        except Duplicate:
            self.errors[next(iter(key))] = self.desk.t("staff.row.duplicate")
            return False
        except (NotFound, StoreError):
            self.errors[next(iter(key))] = self.desk.t("staff.row.gone")
            return False
        found = store.rows(self.dataset, dict(key))
        after = found[0] if found else {}
        before = current or {}
        changes = {c: [format_value(before.get(c)), format_value(after.get(c))] for c in typed
                   if format_value(before.get(c)) != format_value(after.get(c))}
        action = f"{self.dataset}_{'add' if current is None else 'edit'}"
        store.audit(self.desk.actor(me), action, data={"dataset": self.dataset, "key": dict(key), "changes": changes},
                    now=self.desk.web.now())
        return True
