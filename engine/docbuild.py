"""Part of stage 3 (build): compile the flow's `documents:` section into `model.DocumentSpec`s.

Every value a document shows is an expression of the language gates use (engine/expressions.py),
compiled here once and checked like a gate's: the names it reads are fields, lookups or
DOCUMENT_NAMES (REF_030), a lookup's column exists in its dataset (REF_031), a choice field is
not read as if it were its row (REF_033: read the row through a lookup, e.g.
`<lookup>.<column>`), no password is printed (REF_032), a photo box shows a photo
(REF_034); then the static types (EXPR_006/007). Every message key is checked too.

Flow versions published before documents were expressions wrote a choice's row as a dotted
path through the field (`point.address`); with `legacy=True` (stored versions only, see
shenbao/flowversions.py) such a path is read through the lookup that matches that field alone
(`<lookup>.<column>`), so an application made under such a version still prints. No I/O.
"""
from __future__ import annotations

import re
from typing import Any, Collection, Mapping, Protocol

from . import model
from .expressions import NAME_HINTS, Expression, ExpressionSyntax, compile_expression, did_you_mean
from .fieldtypes import FIELD_TYPES
from .source import Path
from .typecheck import Scope, Type, infer

# Names a document reads besides fields, lookups, `today` and `now`: what the application
# layer knows of the application itself, with their types.
DOCUMENT_NAMES: dict[str, Type] = {"application_no": Type("text"), "status": Type("text"),
                                   "flow_version": Type("text"), "generated_on": Type("date")}
_BUILTIN = ("today", "now")
_DOTTED = re.compile(r"^[a-z][a-z0-9_]*\.[a-z][a-z0-9_]*$")


class Checks(Protocol):
    """What the builder (engine/build.py) lends this stage: reporting and what is declared."""

    datasets: Mapping[str, model.Dataset]
    data: Mapping[str, Any]
    problems: list[Any]
    lookup_dataset: Mapping[str, str]
    field_raw: Mapping[str, Mapping[str, Any]]
    scope: Scope

    def names(self) -> set[str]: ...

    def problem(self, path: Path, code: str, message: str, hint: str = "") -> None: ...

    def message_key(self, path: Path, key: str | None) -> str | None: ...


def build_documents(b: Checks, documents: Mapping[str, Any], legacy: bool = False) -> dict[str, model.DocumentSpec]:
    """Every declared document, compiled; a document with a problem is reported and left out."""
    built = {}
    for doc_id, raw in documents.items():
        before = len(b.problems)
        spec = _Compiler(b, legacy).document(("documents", doc_id), doc_id, raw)
        if len(b.problems) == before:
            built[doc_id] = spec
    return built


class _Compiler:
    def __init__(self, b: Checks, legacy: bool):
        self.b, self.legacy = b, legacy
        self.scope = Scope(b.scope.fields, b.scope.lookups, b.scope.columns, extra=DOCUMENT_NAMES)
        self.known = b.names() | set(DOCUMENT_NAMES) | set(_BUILTIN)

    def key(self, path: Path, key: Any) -> Any:
        return self.b.message_key(path, key) if key is not None else None

    def document(self, path: Path, doc_id: str, raw: Mapping[str, Any]) -> model.DocumentSpec:
        code = None
        if raw.get("code"):
            value = self.value(path + ("code", "value"), raw["code"]["value"])
            code = model.CodeSpec(value, self.key(path + ("code", "label"), raw["code"]["label"]),
                                  raw["code"].get("symbology", "qr")) if value else None
        sections = tuple(self.section(path + ("sections", i), s) for i, s in enumerate(raw.get("sections", ())))
        return model.DocumentSpec(
            id=doc_id, title=self.key(path + ("title",), raw["title"]), sections=sections, declared=raw,
            note=self.key(path + ("note",), raw.get("note")), code=code,
            page_number=self.key(path + ("page_number",), raw.get("page_number")),
            continued=self.key(path + ("continued",), raw.get("continued")),
            footer=self.entries(path + ("footer",), raw.get("footer", ())),
            formats=tuple(raw.get("formats", ("pdf", "html"))), pages=raw.get("pages"))

    def section(self, path: Path, raw: Mapping[str, Any]) -> model.SectionSpec:
        photo, photo_label = None, None
        if raw.get("photo"):
            photo = self.value(path + ("photo", "value"), raw["photo"]["value"], photo=True)
            photo_label = self.key(path + ("photo", "label"), raw["photo"]["label"])
        boxes = tuple(self.box(path + ("boxes", i), box) for i, box in enumerate(raw.get("boxes", ())))
        return model.SectionSpec(self.key(path + ("title",), raw["title"]), int(raw.get("columns", 1)), photo,
                                 photo_label, self.entries(path + ("fields",), raw.get("fields", ())), boxes)

    def box(self, path: Path, raw: Mapping[str, Any]) -> model.BoxSpec:
        keys = {k: self.key(path + (k,), raw.get(k)) for k in ("title", "text", "sign")}
        return model.BoxSpec(raw["id"], keys["title"], keys["text"], keys["sign"], float(raw.get("height", 20)),
                             int(raw.get("span", 1)))

    def entries(self, path: Path, raws: Any) -> tuple[model.EntrySpec, ...]:
        built = (self.entry(path + (i,), raw) for i, raw in enumerate(raws))
        return tuple(e for e in built if e is not None)

    def entry(self, path: Path, raw: str | Mapping[str, Any]) -> model.EntrySpec | None:
        if isinstance(raw, str):  # a field id alone, labelled like the field
            value = self.value(path, raw)
            label = self.key(path, f"field.{raw}.label")
            return model.EntrySpec(raw, label, 1, value) if value else None
        span = int(raw.get("span", 1))
        if "value" in raw:
            value = self.value(path + ("value",), raw["value"])
            label = self.key(path + ("label",) if raw.get("label") else path, raw.get("label") or
                             f"field.{raw['value']}.label")
            return model.EntrySpec(raw["value"], label, span, value) if value else None
        params = tuple((name, self.value(path + ("params", name), source))
                       for name, source in raw.get("params", {}).items())
        text = self.key(path + ("text",), raw["text"])
        label = self.key(path + ("label",), raw["label"])
        if any(v is None for _, v in params):
            return None
        return model.EntrySpec(raw["text"], label, span, None, text, params)  # type: ignore[arg-type]

    # -- one value ----------------------------------------------------------------------
    def value(self, path: Path, source: Any, photo: bool = False) -> model.Value | None:
        source = str(source)
        if self.legacy:
            source = self.translated(source)
        try:
            expr = compile_expression(source)
        except ExpressionSyntax as exc:
            self.b.problem(path, exc.code, exc.message, exc.hint)
            return None
        if not (self.names_known(path, expr) & self.columns_known(path, expr)):
            return None
        kind, problems = infer(expr, self.scope)
        for code, message, hint in problems:
            self.b.problem(path, code, message, hint)
        if photo and kind.kind not in ("image", "any", "none"):
            self.b.problem(path, "REF_034", f"the photo box shows {source!r}, which is {kind.words()}, not a photo",
                           "show a field of type image or photo, or a dataset's image column")
            return None
        if problems:
            return None
        field = self.b.field_raw.get(source)
        choice = source if field is not None and FIELD_TYPES.get(field.get("type", "")) is not None \
            and FIELD_TYPES[field["type"]].choice else None
        if _DOTTED.match(source) and source.split(".")[0] in self.b.lookup_dataset:
            head = source.split(".")[0]  # a column of a lookup that found no row prints blank
            expr = compile_expression(f"{source} if {head} is not none else none")
        return model.Value(expr, choice)

    def names_known(self, path: Path, expr: Expression) -> bool:
        ok = True
        for name in sorted(expr.names):
            if name not in self.known:
                self.b.problem(path, "REF_030", f"document reads {expr.source!r}, which names unknown field "
                               f"or lookup '{name}'", NAME_HINTS.get(name) or did_you_mean(name, self.known))
                ok = False
                continue
            field = self.b.field_raw.get(name)
            kind = FIELD_TYPES.get(field.get("type", "")) if field is not None else None
            if kind is not None and kind.secret:
                self.b.problem(path, "REF_032", f"document shows password field '{name}': the password "
                               "would be printed on the form", f"remove '{name}' from the document")
                ok = False
        return ok

    def columns_known(self, path: Path, expr: Expression) -> bool:
        ok = True
        for name, attr in sorted(expr.attributes):
            if name in self.b.lookup_dataset:
                dataset = self.b.lookup_dataset[name]
                columns = self.b.datasets[dataset].columns if dataset in self.b.datasets else None
                if self.b.scope.lookups.get(name, (None, False))[1]:
                    self.b.problem(path, "REF_031", f"document reads '{name}.{attr}', but lookup '{name}' "
                                   "gives a list of rows", "read a lookup that gives one row (without `many`)")
                    ok = False
                elif columns is not None and attr not in columns:
                    self.b.problem(path, "REF_031", f"document reads '{name}.{attr}', but dataset '{dataset}' "
                                   f"has no column '{attr}'",
                                   did_you_mean(attr, columns) or "its columns: " + ", ".join(columns))
                    ok = False
            elif name in self.b.field_raw:
                self.b.problem(path, "REF_033", f"document reads '{name}.{attr}', but field '{name}' holds "
                               "the code that was chosen, not a row", self.row_hint(name, attr))
                ok = False
        return ok

    def row_hint(self, field_id: str, attr: str) -> str:
        lookup = self.row_lookup(field_id)
        if lookup is None:
            return f"declare a lookup matching the field (e.g. `chosen_{field_id}`) and read its columns"
        dataset = self.b.lookup_dataset[lookup]
        columns = self.b.datasets[dataset].columns if dataset in self.b.datasets else {}
        if attr in columns or not columns:
            return f"read the row through lookup '{lookup}': write '{lookup}.{attr}'"
        close = did_you_mean(attr, columns).removeprefix("did you mean '").removesuffix("'?")
        column = close if close and close != did_you_mean(attr, ()) else None
        written = f"'{lookup}.{column}'" if column else f"'{lookup}.<column>'"
        return (f"read the row through lookup '{lookup}': write {written} (dataset '{dataset}' has no "
                f"column '{attr}'; its columns: {', '.join(columns)})")

    def row_lookup(self, field_id: str) -> str | None:
        """The lookup that reads the row a choice field's code names (one match: value column ← field)."""
        field = self.b.field_raw.get(field_id) or {}
        options = field.get("options")
        if not isinstance(options, Mapping):
            return None
        lookups = self.b.scope.lookups
        for lookup_id, (dataset, many) in lookups.items():
            match = self.lookup_match(lookup_id)
            if dataset == options.get("dataset") and not many and match == {options.get("value"): field_id}:
                return lookup_id
        return None

    def lookup_match(self, lookup_id: str) -> dict[str, str]:
        raw = (self.b.data.get("lookups") or {}).get(lookup_id) or {}
        return {str(k): str(v) for k, v in (raw.get("match") or {}).items()}

    def translated(self, source: str) -> str:
        """An old dotted path through a choice field (`point.address`), read through its lookup."""
        if not _DOTTED.match(source):
            return source
        head, attr = source.split(".")
        if head not in self.b.field_raw:
            return source
        lookup = self.row_lookup(head)
        return f"{lookup}.{attr}" if lookup else source


def document_names(known: Collection[str]) -> set[str]:
    """Every name a document may read, given the fields and lookups (for the guide and tests)."""
    return set(known) | set(DOCUMENT_NAMES) | set(_BUILTIN)
