"""Document layout resolution (run stage, pure): a flow's `documents` section → DocumentView.

A document (the 申请表) is declared in the flow: a title, sections that show fields or
boxes filled in by hand, a photo box, a scan code and a footer. `resolve_document` pairs
that declaration with one application's values and the message catalogue and returns a
frozen tree of plain text that a renderer (PDF, HTML) draws without any further lookup.

Value references are plain names or dotted paths (`name`, `point.address`) and are read
by `resolve_value` alone, so that the expression language can replace it in one place.
Must not: import fpdf2, bottle, SQLAlchemy or a renderer; read files, the environment or
the clock (the generation date arrives in `values`); print.
"""
from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, datetime
from typing import Any, Callable, Iterator, Mapping, Sequence, TypeVar

Label = Callable[[str], str]
OptionLabel = Callable[[str, Any], "str | None"]

# Names a document may read besides the application's field ids. `agency` and `point` are
# the chosen rows (dicts), not the codes the applicant picked.
EXTRA_NAMES = ("application_no", "status", "agency", "point", "flow_version", "generated_on")
SYMBOLOGIES = ("qr",)
_LIST_SEPARATOR = "、"


class DocumentError(ValueError):
    """The declaration cannot be resolved (unknown document, placeholder without a value)."""


@dataclass(frozen=True)
class Cell:
    """One label/value pair of a section's grid; `span` counts the grid columns it fills."""

    ref: str
    label: str
    text: str
    span: int = 1


@dataclass(frozen=True)
class Photo:
    """The photo box: `data` holds image bytes (JPEG/PNG), or None for an empty box."""

    label: str
    data: bytes | None


@dataclass(frozen=True)
class Box:
    """A box filled in by hand on paper: title, printed statement, signature line."""

    id: str
    title: str
    text: str
    sign: str
    height: float
    span: int = 1


@dataclass(frozen=True)
class Section:
    """A titled grid: rows of cells (each row's spans add up to `columns`), then rows of boxes."""

    title: str
    columns: int
    rows: tuple[tuple[Cell, ...], ...] = ()
    photo: Photo | None = None
    box_rows: tuple[tuple[Box, ...], ...] = ()


@dataclass(frozen=True)
class Code:
    """A machine-readable code (e.g. the application number as a QR code)."""

    label: str
    value: str
    symbology: str


@dataclass(frozen=True)
class DocumentView:
    id: str
    title: str
    note: str
    code: Code | None
    sections: tuple[Section, ...]
    footer: tuple[Cell, ...]
    page_number: str  # catalogue text with {page} and {pages}
    continued: str  # appended to a section title repeated on a new page
    formats: tuple[str, ...]
    generated_on: date | None
    version: str


def resolve_document(documents: Mapping[str, Any], document_id: str, values: Mapping[str, Any],
                     label: Label, option_label: OptionLabel | None = None) -> DocumentView:
    """Resolve one declared document against an application's values.

    `values` holds the answers by field id plus EXTRA_NAMES; `label(key)` returns catalogue
    text; `option_label(field_id, code)` turns a choice field's code into its label text
    (None: not a choice field, show the value as it is).
    """
    if document_id not in documents:
        known = ", ".join(sorted(documents)) or "none"
        raise DocumentError(f"unknown document '{document_id}' (declared: {known})")
    raw = documents[document_id]
    text = _Texts(values, label, option_label)
    generated = values.get("generated_on")
    return DocumentView(
        id=document_id,
        title=label(raw["title"]),
        note=label(raw["note"]) if raw.get("note") else "",
        code=_code(raw.get("code"), text),
        sections=tuple(_section(s, text) for s in raw.get("sections", ())),
        footer=tuple(text.cell(entry) for entry in raw.get("footer", ())),
        page_number=label(raw["page_number"]) if raw.get("page_number") else "",
        continued=label(raw["continued"]) if raw.get("continued") else "",
        formats=tuple(raw.get("formats", ("pdf", "html"))),
        generated_on=generated if isinstance(generated, date) else None,
        version=str(values.get("flow_version") or ""),
    )


def resolve_value(ref: str, values: Mapping[str, Any]) -> Any:
    """Read a value reference: a name, or a dotted path into mappings. Missing → None."""
    head, *rest = ref.split(".")
    value = values.get(head)
    for part in rest:
        if not isinstance(value, Mapping):
            return None
        value = value.get(part)
    return value


def format_value(value: Any) -> str:
    """Plain text for a value: dates as YYYY-MM-DD, times as YYYY-MM-DD HH:MM, lists joined."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, (list, tuple, set, frozenset)):
        return _LIST_SEPARATOR.join(format_value(v) for v in value)
    return str(value)


def document_references(documents: Mapping[str, Any]) -> Iterator[tuple[tuple[Any, ...], str]]:
    """Every value reference in the declaration as (path in the YAML, reference).

    For load-time cross-checks: the head of each reference must be a field id or one of
    EXTRA_NAMES.
    """
    for doc_id, raw in documents.items():
        base: tuple[Any, ...] = ("documents", doc_id)
        if raw.get("code"):
            yield base + ("code", "value"), raw["code"]["value"]
        for i, entry in enumerate(raw.get("footer", ())):
            yield from _entry_refs(base + ("footer", i), entry)
        for s, section in enumerate(raw.get("sections", ())):
            where = base + ("sections", s)
            if section.get("photo"):
                yield where + ("photo", "value"), section["photo"]["value"]
            for i, entry in enumerate(section.get("fields", ())):
                yield from _entry_refs(where + ("fields", i), entry)


def document_message_keys(documents: Mapping[str, Any]) -> Iterator[tuple[tuple[Any, ...], str]]:
    """Every catalogue key the declaration names, including the default field labels."""
    for doc_id, raw in documents.items():
        base: tuple[Any, ...] = ("documents", doc_id)
        for key in ("title", "note", "page_number", "continued"):
            if raw.get(key):
                yield base + (key,), raw[key]
        if raw.get("code"):
            yield base + ("code", "label"), raw["code"]["label"]
        for i, entry in enumerate(raw.get("footer", ())):
            yield base + ("footer", i), _entry_label_key(entry)
        for s, section in enumerate(raw.get("sections", ())):
            where = base + ("sections", s)
            yield where + ("title",), section["title"]
            if section.get("photo"):
                yield where + ("photo", "label"), section["photo"]["label"]
            for i, entry in enumerate(section.get("fields", ())):
                yield where + ("fields", i), _entry_label_key(entry)
                if isinstance(entry, Mapping) and entry.get("text"):
                    yield where + ("fields", i, "text"), entry["text"]
            for i, box in enumerate(section.get("boxes", ())):
                for key in ("title", "text", "sign"):
                    if box.get(key):
                        yield where + ("boxes", i, key), box[key]


# ---- internals ---------------------------------------------------------------------------

class _Texts:
    """Turns declared entries into text with one application's values and the catalogue."""

    def __init__(self, values: Mapping[str, Any], label: Label, option_label: OptionLabel | None):
        self.values, self.label, self.option_label = values, label, option_label

    def value_text(self, ref: str) -> str:
        value = resolve_value(ref, self.values)
        if "." not in ref and self.option_label is not None and value is not None:
            items = value if isinstance(value, (list, tuple)) else [value]
            shown = [self._option(ref, item) for item in items]
            return _LIST_SEPARATOR.join(shown)
        return format_value(value)

    def _option(self, field_id: str, code: Any) -> str:
        assert self.option_label is not None
        text = self.option_label(field_id, code)
        return format_value(code) if text is None else text

    def cell(self, entry: str | Mapping[str, Any]) -> Cell:
        if isinstance(entry, str):
            entry = {"value": entry}
        label_text = self.label(_entry_label_key(entry))
        span = int(entry.get("span", 1))
        if "value" in entry:
            return Cell(entry["value"], label_text, self.value_text(entry["value"]), span)
        params = {name: self.value_text(ref) for name, ref in entry.get("params", {}).items()}
        try:
            text = self.label(entry["text"]).format_map(params)
        except (KeyError, IndexError, ValueError) as exc:
            raise DocumentError(f"message '{entry['text']}' needs a parameter it was not given: {exc}") from exc
        return Cell(entry["text"], label_text, text, span)


def _entry_label_key(entry: str | Mapping[str, Any]) -> str:
    """A bare field id is labelled like the field itself: field.<id>.label."""
    if isinstance(entry, str):
        return f"field.{entry}.label"
    if entry.get("label"):
        return str(entry["label"])
    return f"field.{entry['value']}.label"


def _entry_refs(where: tuple[Any, ...], entry: str | Mapping[str, Any]) -> Iterator[tuple[tuple[Any, ...], str]]:
    if isinstance(entry, str):
        yield where, entry
    elif "value" in entry:
        yield where + ("value",), entry["value"]
    else:
        for name, ref in entry.get("params", {}).items():
            yield where + ("params", name), ref


def _code(raw: Mapping[str, Any] | None, text: _Texts) -> Code | None:
    if not raw:
        return None
    value = text.value_text(raw["value"])
    if not value:
        return None
    return Code(text.label(raw["label"]), value, raw.get("symbology", "qr"))


def _section(raw: Mapping[str, Any], text: _Texts) -> Section:
    columns = int(raw.get("columns", 1))
    photo = None
    if raw.get("photo"):
        data = resolve_value(raw["photo"]["value"], text.values)
        photo = Photo(text.label(raw["photo"]["label"]), bytes(data) if data else None)
    cells = [text.cell(entry) for entry in raw.get("fields", ())]
    boxes = [_box(b, text.label) for b in raw.get("boxes", ())]
    return Section(text.label(raw["title"]), columns, flow_rows(cells, columns), photo,
                   flow_rows(boxes, columns))


def _box(raw: Mapping[str, Any], label: Label) -> Box:
    return Box(
        id=raw["id"],
        title=label(raw["title"]),
        text=label(raw["text"]) if raw.get("text") else "",
        sign=label(raw["sign"]) if raw.get("sign") else "",
        height=float(raw.get("height", 20)),
        span=int(raw.get("span", 1)),
    )


_Spanned = TypeVar("_Spanned", Cell, Box)


def flow_rows(items: Sequence[_Spanned], columns: int) -> tuple[tuple[_Spanned, ...], ...]:
    """Place cells (or boxes) left to right into rows of `columns` slots.

    An item that does not fit in what is left of a row starts the next one; the last item
    of every row is widened to the row's end, so that every row fills the grid.
    """
    rows: list[tuple[_Spanned, ...]] = []
    current: list[_Spanned] = []
    used = 0
    for item in items:
        span = max(1, min(item.span, columns))
        if current and used + span > columns:
            rows.append(_fill(current, columns - used))
            current, used = [], 0
        current.append(replace(item, span=span))
        used += span
    if current:
        rows.append(_fill(current, columns - used))
    return tuple(rows)


def _fill(items: list[_Spanned], spare: int) -> tuple[_Spanned, ...]:
    return tuple(items[:-1]) + (replace(items[-1], span=items[-1].span + spare),)
