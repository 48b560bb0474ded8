"""The built flow: frozen values that the run interprets.

Produced only by `build.build_flow` after every check has passed, so a Flow that exists is
internally consistent: every name an expression reads, every rule, dataset, status and
message key it refers to exists. No I/O, no behaviour beyond small derived properties.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from types import MappingProxyType
from typing import Any, Mapping

from .expressions import Expression
from .fieldtypes import FIELD_TYPES, FieldType
from .rules import FieldValidator


@dataclass(frozen=True)
class StaffRole:
    """What one role may do on the staff pages of a dataset (engine/staffdata.py)."""

    edit: tuple[str, ...]      # the columns it may change (the key only when it adds a row)
    add: bool = False          # may it add rows
    through: str | None = None  # the column that names the account's bound row (None: the row itself, or all)


@dataclass(frozen=True)
class StaffData:
    """A dataset's `staff:` block: the generic editor's rows, columns and roles."""

    roles: Mapping[str, StaffRole]
    list: tuple[str, ...]                   # the columns the list shows
    references: Mapping[str, str] = field(default_factory=dict)  # column → dataset whose key it holds
    window: tuple[str, str] | None = None   # (start, end) columns: start must not be after end
    multiline: tuple[str, ...] = ()         # text columns typed in a text area (several lines)


@dataclass(frozen=True)
class Dataset:
    name: str
    columns: Mapping[str, str]
    key: tuple[str, ...]
    file: str | None = None
    required: tuple[str, ...] = ()  # besides the key: columns no row may leave empty
    staff: StaffData | None = None  # staff may edit the rows (the `staff:` block)

    @property
    def keyed_by(self) -> str | None:
        """The dataset whose key this one's one-column key holds (one row per row of it), if any."""
        if self.staff is None or len(self.key) != 1:
            return None
        return self.staff.references.get(self.key[0])


@dataclass(frozen=True)
class Lookup:
    id: str
    dataset: str
    match: Mapping[str, Expression]
    many: bool = False


@dataclass(frozen=True)
class Options:
    """Where a choice field's options come from: a static list or a dataset."""

    static: tuple[tuple[Any, str], ...] = ()
    dataset: str | None = None
    value: str | None = None
    label: str | None = None
    filter: Expression | None = None
    columns: tuple[str, ...] = ()
    order: str | None = None  # column that orders the options (else the data source's order)


@dataclass(frozen=True)
class Field:
    id: str
    type: str
    label: str
    help: str | None = None
    normalize: tuple[str, ...] = ()
    rules: Mapping[str, Any] = field(default_factory=dict)
    warnings: tuple[str, ...] = ()
    options: Options | None = None
    prefill: Expression | None = None
    value: Expression | None = None
    visible_when: Expression | None = None
    readonly_when: Expression | None = None

    # Looked up once per field, not on each of the some 500 reads of a step's request (issue 10):
    # the type of a frozen field never changes, and FIELD_TYPES is fixed.
    @cached_property
    def kind(self) -> FieldType:
        """The entry of engine.fieldtypes.FIELD_TYPES for this field's type."""
        return FIELD_TYPES[self.type]

    @cached_property
    def is_input(self) -> bool:
        return self.kind.input

    @cached_property
    def is_choice(self) -> bool:
        return self.kind.choice

    @cached_property
    def secret(self) -> bool:
        return self.kind.secret


@dataclass(frozen=True)
class Section:
    title: str | None
    help: str | None
    fields: tuple[Field, ...]


@dataclass(frozen=True)
class Gate:
    id: str
    when: Expression
    message: str
    params: Mapping[str, Expression] = field(default_factory=dict)
    recheck: str | None = None  # "submit": must still hold when the application is submitted or amended


@dataclass(frozen=True)
class Step:
    id: str
    kind: str
    title: str
    body: str | None
    sections: tuple[Section, ...]
    gates: tuple[Gate, ...]
    validator: FieldValidator = field(repr=False, compare=False)
    min_read_seconds: float = 0
    next_label: str | None = None
    show: tuple[str, ...] = ()

    @cached_property
    def fields(self) -> tuple[Field, ...]:
        return tuple(f for s in self.sections for f in s.fields)

    @cached_property
    def rechecked_gates(self) -> tuple[Gate, ...]:
        """The gates to check again at submission: up to the last `recheck` gate, since a gate
        may rely on the ones before it (a window's dates need the plan to exist)."""
        last = max((i for i, g in enumerate(self.gates) if g.recheck), default=-1)
        return self.gates[:last + 1]


@dataclass(frozen=True)
class Transition:
    to: str
    roles: frozenset[str]
    requires: tuple[str, ...] = ()


@dataclass(frozen=True)
class EditRule:
    """What the applicant may change in a status (`steps:` in the flow becomes their fields)."""

    fields: frozenset[str]
    when: Expression | None = None
    then: str | None = None


@dataclass(frozen=True)
class Status:
    id: str
    message: str
    initial: bool = False
    final: bool = False
    shows: tuple[str, ...] = ()
    applicant_edit: EditRule | None = None
    transitions: tuple[Transition, ...] = ()


@dataclass(frozen=True)
class Numbering:
    """How application numbers look: `prefix`, then the year (when `year`), then a sequence of
    `digits` digits counted per prefix and year (TR2026000001)."""

    prefix: str = "A"
    year: bool = True
    digits: int = 6


@dataclass(frozen=True)
class Binding:
    """A staff role bound to one row of `dataset`: it sees the applications whose answer
    `answer` holds that row's `key`."""

    dataset: str
    answer: str
    key: str


@dataclass(frozen=True)
class ApplicationSpec:
    """The flow's `application:` section: what the product needs to know about an application
    (see engine/application.py, which builds and checks it)."""

    number: Numbering = field(default_factory=Numbering)
    unique: tuple[str, ...] = ()
    login: tuple[str, ...] = ()
    recovery: tuple[str, ...] = ()
    duplicate_message: str | None = None
    display_name: str | None = None
    recovery_email: str | None = None
    searchable: tuple[str, ...] = ()


@dataclass(frozen=True)
class Value:
    """A value a document shows: a compiled expression over the fields, the lookups and
    DOCUMENT_NAMES. `choice` names the choice field when the expression is that field alone
    (its code is printed as the option's label)."""

    expression: Expression
    choice: str | None = None

    @property
    def source(self) -> str:
        return self.expression.source


@dataclass(frozen=True)
class EntrySpec:
    """One cell of a section's grid: a value, or a catalogue text filled with values."""

    ref: str  # as written (the value's source or the text key): names the cell in scenario outcomes
    label: str
    span: int = 1
    value: Value | None = None
    text: str | None = None
    params: tuple[tuple[str, Value], ...] = ()


@dataclass(frozen=True)
class BoxSpec:
    id: str
    title: str
    text: str | None = None
    sign: str | None = None
    height: float = 20.0
    span: int = 1


@dataclass(frozen=True)
class SectionSpec:
    title: str
    columns: int = 1
    photo: Value | None = None
    photo_label: str | None = None
    entries: tuple[EntrySpec, ...] = ()
    boxes: tuple[BoxSpec, ...] = ()


@dataclass(frozen=True)
class CodeSpec:
    value: Value
    label: str
    symbology: str = "qr"


@dataclass(frozen=True)
class DocumentSpec:
    """A printable document of the flow's `documents:` section, compiled at load
    (engine/docbuild.py). `declared` is the section as written (for the diff)."""

    id: str
    title: str
    sections: tuple[SectionSpec, ...]
    declared: Mapping[str, Any] = field(repr=False)
    note: str | None = None
    code: CodeSpec | None = None
    page_number: str | None = None
    continued: str | None = None
    footer: tuple[EntrySpec, ...] = ()
    formats: tuple[str, ...] = ("pdf", "html")
    pages: int | None = None  # the pages the printed form is meant to fill (None: as many as it takes)


@dataclass(frozen=True)
class Flow:
    id: str
    version: str
    title: str
    filename: str
    digest: str
    roles: frozenset[str]
    datasets: Mapping[str, Dataset]
    lookups: tuple[Lookup, ...]
    steps: tuple[Step, ...]
    review_fields: tuple[Field, ...]
    review_validator: FieldValidator = field(repr=False, compare=False)
    statuses: Mapping[str, Status] = field(default_factory=dict)
    documents: Mapping[str, DocumentSpec] = field(default_factory=dict)
    application: ApplicationSpec = field(default_factory=ApplicationSpec)
    bindings: Mapping[str, Binding | None] = field(default_factory=dict)
    texts: Mapping[str, str] = field(default_factory=dict)  # product key → this flow's key (`flow.texts`)

    @cached_property
    def fields(self) -> Mapping[str, Field]:
        return MappingProxyType({f.id: f for s in self.steps for f in s.fields})

    @cached_property
    def field_names(self) -> frozenset[str]:
        """Every field id an expression may read (the steps' and the review fields)."""
        return frozenset([*self.fields, *(f.id for f in self.review_fields)])

    @cached_property
    def editable_inputs(self) -> frozenset[str]:
        """The input fields an applicant could ever be let change (secret fields never: they have
        their own page); a status's `applicant_edit` picks among them (edit_rights, every dashboard)."""
        return frozenset(f.id for f in self.fields.values() if f.is_input and not f.secret)

    def step(self, step_id: str) -> Step:
        return next(s for s in self.steps if s.id == step_id)

    def step_of(self, field_id: str) -> Step:
        return next(s for s in self.steps if any(f.id == field_id for f in s.fields))

    @property
    def initial_status(self) -> Status:
        return next(s for s in self.statuses.values() if s.initial)

    def lookup_index_columns(self) -> dict[str, set[str]]:
        """Columns each dataset is matched on (the store indexes them). A lookup matching
        every key column needs none: the key's unique index finds its row."""
        found: dict[str, set[str]] = {}
        for lookup in self.lookups:
            dataset = self.datasets.get(lookup.dataset)
            if dataset is not None and set(dataset.key) <= set(lookup.match):
                continue
            found.setdefault(lookup.dataset, set()).update(lookup.match)
        return found
