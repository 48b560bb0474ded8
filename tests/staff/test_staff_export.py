"""The CSV export's row builder against the reference it replaced (one call per cell through
format_value, the separator read from the catalogue per cell): the same cells for every kind
of value an answer can hold, so the file is byte for byte what it was. The export's pages and
file as a whole are pinned in test_staff_work.py."""
from __future__ import annotations

import csv
import io
from datetime import date, datetime, timezone
from decimal import Decimal
from typing import Any

from engine import format_value
from renderers.web.staff.base import Desk
from renderers.web.staff.export import FORMULA, Export
from store import Application, Staff


def reference_row(export: Export, app: Application, maps: dict[str, dict[str, str]],
                  places: list[dict[str, str]], status: str) -> list[str]:
    """renderers/web/staff/export.py's row before issue 10's export work, as it was."""
    desk = export.desk

    def safe(value: Any) -> str:
        text = format_value(value)
        return "'" + text if text.startswith(FORMULA) else text

    def value(raw: Any, labels: dict[str, str]) -> str:
        items = raw if isinstance(raw, list) else [raw]
        shown = [labels.get(str(v), format_value(v)) if labels else format_value(v) for v in items if v is not None]
        return desk.t("staff.separator").join(shown)

    def place(binding: Any, names: dict[str, str], found: str | None) -> str:
        name = names.get(found) if found else None
        return name if name is not None else export.names.bound_name(binding, found)

    cells = [app.application_no, status]
    cells += [place(b, names, app.values.get(b.answer)) for b, names in zip(export.places, places)]
    cells += [value(app.answers.get(f.id), maps[f.id]) for f in export.fields]
    cells += [value(app.status_data.get(f.id), maps[f.id]) for f in export.flow.review_fields]
    cells += [desk.local(app.created_at), desk.local(app.updated_at)]
    return [safe(c) for c in cells]


ODD = ["=1+1", "+x", "-3", "@a", "\tt", "\rr", "", "plain", "中文", 0, 7, -2, 1.5, 1e20, 100.0, True, False,
       None, [], ["a", None, "=b"], [1, 2.5], Decimal("40.0000"), {"k": "v"}, date(2026, 9, 1),
       datetime(2026, 9, 1, 8, 30), "2007-07-01", 'quote " and, comma', "line\nbreak"]


def applications(export: Export, store: Any) -> list[Application]:
    base = store.search_applications()[0]
    choices = [f for f in export.fields if export.labels(f)]
    made = []
    for n, odd in enumerate(ODD):
        answers = {f.id: odd for f in export.fields}
        for f in choices:   # a real choice, a list of them, an unknown one
            known = list(export.labels(f))
            answers[f.id] = [known[0], "nope", known[-1]] if n % 3 == 0 else known[n % len(known)] if n % 3 == 1 else odd
        places = {b.answer: (None if n % 4 == 0 else f"unknown{n % 2}" if n % 4 == 1 else None) for b in export.places}
        made.append(Application(**{**base.__dict__, "answers": answers, "values": {**base.values, **{
            k: v for k, v in places.items() if v is not None}} if n % 4 else {},
            "status_data": {f.id: odd for f in export.flow.review_fields},
            "created_at": datetime(2026, 1, 1, 16, 5, tzinfo=timezone.utc)}))
    return made


def test_export_rows__the_same_cells_as_the_reference__every_kind_of_value(web: Any, store: Any) -> None:
    export = Export(Desk(web))
    maps = {f.id: export.labels(f) for f in (*export.fields, *export.flow.review_fields)}
    places = export.place_names()
    words = export.desk.status_words()
    for app in applications(export, store):
        expected = reference_row(export, app, maps, places, words(app))
        assert export.row(app, maps, places, words(app)) == expected, app.answers


def test_export_file__byte_for_byte_the_reference_rows(web: Any, store: Any) -> None:
    export = Export(Desk(web))
    admin = Staff(1, "admin", "admin", True, datetime(2026, 1, 1, tzinfo=timezone.utc))
    body = b"".join(export.lines(admin, {"where": {}, "status": None}))
    maps = {f.id: export.labels(f) for f in (*export.fields, *export.flow.review_fields)}
    places, words = export.place_names(), export.desk.status_words()
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(export.header())
    for app in store.stream_applications():
        writer.writerow(reference_row(export, app, maps, places, words(app)))
    assert body == ("\ufeff" + buffer.getvalue()).encode("utf-8")
