"""Engine values → what templates show: fields with their text, values, options and errors.

Pure translation: a `FieldView` plus the problems of the last submit become a `FieldModel`
with every piece of text already looked up in the catalogue. Also reads a posted form
into the plain mapping the engine's `submit` takes. No database, no engine decisions.
"""
from __future__ import annotations

import base64
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, Iterable, Mapping

from engine import FIELD_RULES, FIELD_TYPES, IMAGE_FORMATS, Field, FieldView, Flow, GateFailure, ImageValue, Problem, SectionView
from shenbao.catalog import Catalog, format_value
from shenbao.wording import Wording

from .fieldhtml import Frame
from .widgets import WIDGETS, drawer_of, read_posted
# WCAG 1.3.5: an input that asks for the applicant's own name, mail, phone or postcode says so
# (browsers and assistive software fill it in). Read from the field's rules, the flow's way
# of saying what a value is; the first rule of the field found here wins.
AUTOCOMPLETE = {"chinese_name": "name", "email": "email", "mobile": "tel", "telephone": "tel",
                "postcode": "postal-code", "password_strength": "new-password"}
INPUT_AUTOCOMPLETE = {"email": "email", "password": "new-password"}


def autocomplete_of(fld: Field | None, input_type: str) -> str:
    """The token for the input's `autocomplete`, "" for none that applies."""
    for rule in (fld.rules if fld is not None else {}):
        if rule in AUTOCOMPLETE:
            return AUTOCOMPLETE[rule]
    return INPUT_AUTOCOMPLETE.get(input_type, "")


# The models are made afresh for each page and never changed after: plain slotted classes, not
# frozen ones. A frozen dataclass sets each attribute through object.__setattr__: with
# FieldModel's twenty, a step's thirty-odd fields cost 0.1 ms more per page (issue 10).
@dataclass(slots=True)
class OptionModel:
    value: str
    label: str
    selected: bool
    cells: tuple[str, ...] = ()


@dataclass(slots=True)
class FieldModel:
    id: str
    type: str
    label: str
    help: str | None
    value: str                  # what an input shows
    shown: str                  # what a read-only field shows
    options: tuple[OptionModel, ...]
    columns: tuple[str, ...]    # table_choice headers
    readonly: bool
    required: bool
    error: str | None
    photo: str | None = None    # a data: URI
    input_type: str = "text"
    autocomplete: str = ""      # a WCAG 1.3.5 purpose, "" for none
    widget: str = "input"       # the drawer of fieldhtml.py that draws it (widgets.WIDGETS)
    accept: str = ""            # a file input's media types
    kept: str = ""              # a file input: what was uploaded already (kept unless another is chosen)
    checks: tuple[tuple[str, str], ...] = ()  # a file input: data-* attributes site.js checks a chosen file by
    frame: Frame | None = field(default=None, compare=False, repr=False)  # its fixed parts as HTML (fieldhtml.py)


@dataclass(slots=True)
class SectionModel:
    title: str | None
    help: str | None
    fields: tuple[FieldModel, ...]


@dataclass
class Errors:
    """Problems of one submit, as text: per field, and for the page as a whole."""

    fields: dict[str, str] = field(default_factory=dict)
    page: list[str] = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(self.fields or self.page)


def as_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, (date, datetime)):
        return format_value(value)
    return str(value)


def photo_uri(value: Any) -> str | None:
    if not isinstance(value, (bytes, bytearray)) or not value:
        return None
    kind = "png" if bytes(value[:8]) == b"\x89PNG\r\n\x1a\n" else "jpeg"
    return f"data:image/{kind};base64,{base64.b64encode(bytes(value)).decode('ascii')}"


class Texts(Wording):
    """The wording service (shenbao.wording: labels, options, problems, gates, warnings),
    plus the web's models of fields and errors.

    What a field's model takes from the flow and the catalogue alone (its label, help, column
    headers, widget, autocomplete, a file input's checks, and all that as escaped HTML: its
    `fieldhtml.Frame`) and the options' labels are worked out once per Texts and kept: a Texts
    words one flow version with one catalogue, and pages drawn per request keep one per
    version (`kept_texts`)."""

    def __init__(self, flow: Flow, catalog: Catalog):
        super().__init__(flow, catalog)
        self._fixed: dict[tuple[Any, ...], tuple[Any, ...]] = {}
        self._option_texts: dict[str, str] = {}  # an option label's key → its text

    def t(self, key: str | None, **params: Any) -> str | None:
        return None if key is None else self.catalog.text(key, **params)

    def confirmation(self, warning: Problem, typed: Mapping[str, Any]) -> dict[str, Any]:
        """A warning to confirm or fix, with what was typed to send again as hidden inputs."""
        hidden = [(k, v) for k, v in typed.items() if isinstance(v, str)]
        return {"text": self.warning(warning), "key": warning.key, "hidden": hidden}

    def errors(self, problems: Iterable[Problem] = (), gates: Iterable[GateFailure] = ()) -> Errors:
        found = Errors()
        for problem in problems:
            text = self.problem(problem)
            if problem.field is not None and problem.field not in found.fields:
                found.fields[problem.field] = text
            elif problem.field is None:
                found.page.append(text)
        found.page += [self.gate(g) for g in gates]
        return found

    # -- fields -----------------------------------------------------------------------
    def shown(self, view: FieldView, labels: Mapping[str, str] | None = None) -> str:
        """A value as read-only text: the option's label for choices (`labels`: the options as
        read already, value as text → label)."""
        value = view.value
        if isinstance(value, ImageValue):
            return self.image(value)
        if FIELD_TYPES[view.type].choice:
            text = self.chosen_text(value, self.option_labels(view.options) if labels is None else labels,
                                    self.catalog.text("web.separator"))
        else:
            text = as_text(value)
        return text if text else self.catalog.text("web.value.none")

    def image(self, value: ImageValue) -> str:
        return self.catalog.text("web.file.kept", format=value.format.upper(), width=value.width,
                                 height=value.height, kb=max(1, round(value.size / 1024)))

    def field(self, view: FieldView, errors: Errors, typed: Mapping[str, Any] | None = None) -> FieldModel:
        key = (view.id, view.type, view.label, view.help, view.columns, view.readonly, view.required)
        fixed = self._fixed.get(key)
        if fixed is None:
            fixed = self._fixed[key] = self._fixed_parts(view)
        label, help_, columns, widget, autocomplete, drawer, accept, checks, frame = fixed
        value = view.value
        raw = view.raw if view.raw is not None else value
        if typed:
            raw = typed.get(view.id, raw)
        options, labels = self._options(view, raw) if view.options else ((), {})
        return FieldModel(
            id=view.id, type=view.type, label=label, help=help_,
            value="" if view.secret or widget.multipart or isinstance(raw, list) else as_text(raw),
            shown=self.shown(view, labels), options=options, columns=columns,
            readonly=view.readonly, required=view.required, error=errors.fields.get(view.id),
            photo=photo_uri(value) if view.type == "photo" else None,
            input_type=widget.input_type, autocomplete=autocomplete, widget=drawer, accept=accept,
            kept=self.image(value) if isinstance(value, ImageValue) else "", checks=checks, frame=frame)

    def _options(self, view: FieldView, raw: Any) -> tuple[tuple[OptionModel, ...], dict[str, str]]:
        """A choice's options as offered (`raw`: what is chosen), and their labels by value as text."""
        current = {str(v) for v in (raw if isinstance(raw, list) else [raw]) if v is not None}
        texts, columns = self._option_texts, view.columns
        options, labels = [], {}
        for o in view.options:
            text = texts.get(o.label) if o.label_is_key else o.label
            if text is None:
                text = texts[o.label] = self.option(o)
            value = str(o.value)
            labels[value] = text
            options.append(OptionModel(value, text, value in current,
                                       tuple(as_text(o.row.get(c)) for c in columns) if columns else ()))
        return tuple(options), labels

    def _fixed_parts(self, view: FieldView) -> tuple[Any, ...]:
        """What a field's model takes from the flow and the catalogue only (see the class)."""
        widget, fld = WIDGETS[view.type], self.by_id.get(view.id)
        label, help_ = self.catalog.text(view.label), self.t(view.help)
        columns = tuple(self.catalog.text(f"column.{c}") for c in view.columns)
        autocomplete = autocomplete_of(fld, widget.input_type)
        accept = accept_of(fld) if widget.multipart else ""
        checks = self.file_checks(fld) if widget.multipart and not view.readonly else ()
        frame = Frame(view.id, label, help_, view.required, view.readonly, widget.input_type, autocomplete, accept,
                      checks, columns)
        return (label, help_, columns, widget, autocomplete, drawer_of(view.type, view.readonly), accept, checks,
                frame)

    def file_checks(self, fld: Field | None) -> tuple[tuple[str, str], ...]:
        """What the page checks of a chosen file before anything is posted (site.js, issue 9: a file
        over the request limit would otherwise cost everything typed on the step): the declared
        `max_bytes` and `formats`, each with the catalogue's own message for it, worded as the
        server words it (the chosen file's size, `{kb}`, is filled in by the page)."""
        if fld is None:
            return ()
        found: list[tuple[str, str]] = []
        limit = fld.rules.get("max_bytes")
        if isinstance(limit, int) and not isinstance(limit, bool):
            code, params = FIELD_RULES["max_bytes"].check(_Chosen(limit + 1), limit, {}, date.min)
            found += [("max-bytes", str(limit)),
                      ("too-big", self.problem(Problem(fld.id, code, {**params, "kb": "{kb}"})))]
        formats = fld.rules.get("formats")
        if formats:
            code, params = FIELD_RULES["formats"].check(_Chosen(0), formats, {}, date.min)
            found += [("formats", accept_of(fld)), ("wrong-format", self.problem(Problem(fld.id, code, params)))]
        return tuple(found)

    def sections(self, sections: Iterable[SectionView], errors: Errors,
                 typed: Mapping[str, Any] | None = None) -> tuple[SectionModel, ...]:
        return tuple(SectionModel(self.t(s.title), self.t(s.help),
                                  tuple(self.field(f, errors, typed) for f in s.fields))
                     for s in sections)


@dataclass(frozen=True)
class _Chosen:
    """A chosen file as the image rules see it, before it is read: its size, no format yet."""
    size: int
    format: str = ""


_KEPT: dict[tuple[int, int], tuple[Flow, Catalog, Texts]] = {}


def kept_texts(flow: Flow, catalog: Catalog) -> Texts:
    """One Texts per flow version and catalogue, kept across requests (the wizard's pages): a
    published version or a text fix is another Flow or Catalog object, so it gets new wording
    at once, never the old one's. Kept by identity, a few at most (old versions drop out)."""
    key = (id(flow), id(catalog))
    found = _KEPT.get(key)
    if found is not None and found[0] is flow and found[1] is catalog:
        return found[2]
    if len(_KEPT) >= 8:
        _KEPT.clear()
    texts = Texts(flow, catalog)
    _KEPT[key] = (flow, catalog, texts)
    return texts


def texts_for(kept: Texts | None, flow: Flow, catalog: Catalog) -> Texts:
    """`kept` while it words `flow` with `catalog`, else new wording: pages made once per service
    (log-in, passwords, the staff desk) follow a published version or text fix without a restart.
    A Texts holds `catalog.for_flow(flow)` (the product texts the flow replaces), so that is what
    it is compared with: a flow with `texts:` keeps its wording too."""
    same = kept is not None and kept.flow is flow and kept.catalog is catalog.for_flow(flow)
    return kept if same else Texts(flow, catalog)


def without(sections: Iterable[SectionModel], types: frozenset[str] = frozenset({"display", "password"})
            ) -> tuple[SectionModel, ...]:
    """Sections minus fields of the given types (summaries of other steps, passwords), and
    minus sections left empty: for pages that show a whole application at once."""
    kept = (SectionModel(s.title, s.help, tuple(f for f in s.fields if f.type not in types)) for s in sections)
    return tuple(s for s in kept if s.fields)


def writable(sections: Iterable[SectionView]) -> set[str]:
    return {f.id for s in sections for f in s.fields if not f.readonly}


def summary_links(sections: Iterable[SectionModel], errors: Errors) -> list[tuple[str, str]]:
    """(anchor, text) for the error summary, in page order; page-level errors have no anchor."""
    links = [("", text) for text in errors.page]
    for section in sections:
        for fld in section.fields:
            if fld.error:
                links.append((f"#{fld.id}" if fld.type not in ("radio", "checkbox", "table_choice")
                              else f"#{fld.id}-0", fld.error))
    return links


def accept_of(fld: Field | None) -> str:
    """A file input's `accept`: the media types of the field's `formats` rule (else every image format)."""
    formats = (fld.rules.get("formats") if fld is not None else None) or list(IMAGE_FORMATS)
    return ",".join(IMAGE_FORMATS[f] for f in formats if f in IMAGE_FORMATS)


def read_form(forms: Any, fields: Iterable[Field | FieldView], files: Any = None) -> dict[str, Any]:
    """The posted values of the given fields (read-only ones are skipped), each read by its widget
    (renderers/web/widgets.py): checkboxes as lists, files as engine Uploads."""
    return read_posted(forms, files, fields)


def simple_field(field_id: str, label: str, kind: str = "text", autocomplete: str = "off",
                 help: str | None = None) -> dict[str, Any]:
    """A plain input of the login and password pages (not a flow field)."""
    return {"id": field_id, "label": label, "type": kind, "autocomplete": autocomplete, "help": help}


def error_links(errors: Errors) -> list[tuple[str, str]]:
    """The error summary of a plain form: page errors first, then each field's."""
    return [("", text) for text in errors.page] + [(f"#{fid}", text) for fid, text in errors.fields.items()]
