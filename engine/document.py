"""Document resolution (run stage, pure): a compiled document (model.DocumentSpec) → DocumentView.

A document (the 申请表) is declared in the flow and compiled at load (engine/docbuild.py): a
title, sections that show values or boxes filled in by hand, a photo box, a scan code and a
footer. `resolve_document` evaluates its expressions over one application's names (the
answers, the lookups, DOCUMENT_NAMES: an `engine.Context` with those added) and the message
catalogue, and returns a frozen tree of plain text that a renderer (PDF, HTML) draws without
any further lookup. Must not: import fpdf2, bottle, SQLAlchemy or a renderer; read files, the
environment or the clock (the generation date arrives in the names); print.
"""
from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, datetime
from decimal import Decimal
from typing import Any, Callable, Mapping, Sequence, TypeVar

from .images import ImageValue
from .model import BoxSpec, CodeSpec, DocumentSpec, EntrySpec, SectionSpec, Value

Label = Callable[[str], str]
ChoiceText = Callable[[str, Any], "str | None"]

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
    pages: int | None = None  # the pages the document is meant to fill (None: as many as it takes)


def resolve_document(document: DocumentSpec, names: Mapping[str, Any], label: Label,
                     choice_text: ChoiceText | None = None) -> DocumentView:
    """Resolve one compiled document over an application's names.

    `names` is what the document's expressions read (fields, lookups, DOCUMENT_NAMES);
    `label(key)` returns catalogue text; `choice_text(field_id, answer)` turns a choice field's
    answer (one code, or a list of them) into its text, the chosen options' labels in the order
    the field offers them (None: show the value as it is).
    """
    text = _Texts(names, label, choice_text)
    generated = _read(names, "generated_on")
    return DocumentView(
        id=document.id,
        title=label(document.title),
        note=label(document.note) if document.note else "",
        code=_code(document.code, text),
        sections=tuple(_section(s, text) for s in document.sections),
        footer=tuple(text.cell(entry) for entry in document.footer),
        page_number=label(document.page_number) if document.page_number else "",
        continued=label(document.continued) if document.continued else "",
        formats=document.formats,
        generated_on=generated if isinstance(generated, date) else None,
        version=str(_read(names, "flow_version") or ""),
        pages=document.pages,
    )


def _read(names: Mapping[str, Any], name: str) -> Any:
    try:
        return names[name]
    except KeyError:
        return None


def format_value(value: Any) -> str:
    """Plain text for a value: dates as YYYY-MM-DD, times as YYYY-MM-DD HH:MM, numbers without
    trailing zeros, lists joined."""
    if value is None or isinstance(value, ImageValue):  # an image prints in a photo box, not as text
        return ""
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Decimal):  # a stored number: 40, not 40.0000000000 (nor 0E-10)
        return format(value.normalize(), "f") if value.is_finite() else str(value)
    if isinstance(value, (list, tuple, set, frozenset)):
        return _LIST_SEPARATOR.join(format_value(v) for v in value)
    return str(value)


# ---- internals ---------------------------------------------------------------------------

class _Texts:
    """Turns compiled entries into text with one application's names and the catalogue."""

    def __init__(self, names: Mapping[str, Any], label: Label, choice_text: ChoiceText | None):
        self.names, self.label, self.choice_text = names, label, choice_text

    def evaluate(self, value: Value) -> Any:
        return value.expression.evaluate(self.names, "document")

    def value_text(self, value: Value) -> str:
        found = self.evaluate(value)
        if value.choice is not None and self.choice_text is not None and found is not None:
            text = self.choice_text(value.choice, found)
            if text is not None:
                return text
        return format_value(found)

    def cell(self, entry: EntrySpec) -> Cell:
        label_text = self.label(entry.label)
        if entry.value is not None:
            return Cell(entry.ref, label_text, self.value_text(entry.value), entry.span)
        params = {name: self.value_text(value) for name, value in entry.params}
        try:
            text = self.label(entry.text or "").format_map(params)
        except (KeyError, IndexError, ValueError) as exc:
            raise DocumentError(f"message '{entry.text}' needs a parameter it was not given: {exc}") from exc
        return Cell(entry.ref, label_text, text, entry.span)


def _code(spec: CodeSpec | None, text: _Texts) -> Code | None:
    if spec is None:
        return None
    value = text.value_text(spec.value)
    if not value:
        return None
    return Code(text.label(spec.label), value, spec.symbology)


def _section(spec: SectionSpec, text: _Texts) -> Section:
    photo = None
    if spec.photo is not None:
        data = text.evaluate(spec.photo)
        data = data.data if isinstance(data, ImageValue) else data  # an upload: its bytes, read by the caller
        photo = Photo(text.label(spec.photo_label or ""), bytes(data) if isinstance(data, (bytes, bytearray)) else None)
    cells = [text.cell(entry) for entry in spec.entries]
    boxes = [_box(b, text.label) for b in spec.boxes]
    return Section(text.label(spec.title), spec.columns, flow_rows(cells, spec.columns), photo,
                   flow_rows(boxes, spec.columns))


def _box(spec: BoxSpec, label: Label) -> Box:
    return Box(id=spec.id, title=label(spec.title), text=label(spec.text) if spec.text else "",
               sign=label(spec.sign) if spec.sign else "", height=spec.height, span=spec.span)


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
