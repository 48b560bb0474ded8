"""A flow's specification for sign-off, in plain Chinese: every step, every field with its
rules in words, every gate as a sentence (from its syntax tree), every status with who may
move it where and what the applicant may still change, and the datasets it reads.

Built as rows (section, label, text) so that the same value is drawn as PDF and HTML by
renderers/pdf (as an engine DocumentView) and compared row by row between two versions.
Every word comes from locales/zh_CN (`explain.*`). Pure: values in, values out.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from engine import DocumentCell, DocumentSection, DocumentView, Field, Flow, Step

from .describe import Words


@dataclass(frozen=True)
class Row:
    key: str    # stable across versions: 'field:<id>', 'gate:<step>.<gate>', …
    label: str
    text: str


@dataclass(frozen=True)
class Part:
    key: str
    title: str
    rows: tuple[Row, ...]


@dataclass(frozen=True)
class Specification:
    title: str
    version: str
    parts: tuple[Part, ...]

    def rows(self) -> dict[tuple[str, str], Row]:
        return {(p.key, r.key): r for p in self.parts for r in p.rows}


def specify(flow: Flow, words: Words) -> Specification:
    parts = [_overview(flow, words)]
    parts += [_step(flow, words, step) for step in flow.steps]
    parts += [_statuses(flow, words), _datasets(flow, words)]
    return Specification(words.t("explain.spec.title", title=words.t(flow.title)), flow.version, tuple(parts))


def _overview(flow: Flow, words: Words) -> Part:
    rows = (Row("flow", words.t("explain.spec.flow"), f"{words.t(flow.title)}（{flow.id}）"),
            Row("version", words.t("explain.spec.version"), flow.version),
            Row("steps", words.t("explain.spec.steps"), words.t("explain.sep").join(
                words.t(s.title) for s in flow.steps)),
            Row("roles", words.t("explain.spec.roles"), words.t("explain.sep").join(
                words.role_label(r) for r in sorted(flow.roles))))
    return Part("overview", words.t("explain.spec.overview"), rows)


def _step(flow: Flow, words: Words, step: Step) -> Part:
    rows = [Row("kind", words.t("explain.spec.kind"), words.t(f"explain.kind.{step.kind}"))]
    if step.min_read_seconds:
        rows.append(Row("min_read", words.t("explain.spec.min_read"),
                        words.t("explain.min_read", seconds=_number(step.min_read_seconds))))
    rows += [Row(f"field:{f.id}", words.t(f.label), field_words(flow, words, f)) for f in step.fields]
    for gate in step.gates:
        message = re.sub(r"\{[a-z_]+\}", "……", words.t(gate.message))
        rows.append(Row(f"gate:{gate.id}", words.t("explain.spec.gate"),
                        words.t("explain.gate", condition=words.condition(gate.when.source), message=message)))
    if step.show:
        rows.append(Row("show", words.t("explain.spec.show"), words.t("explain.sep").join(
            words.field_label(f) for f in step.show)))
    return Part(f"step:{step.id}", words.t(step.title), tuple(rows))


def field_words(flow: Flow, words: Words, fld: Field) -> str:
    """A field's rules as one line: “必填；18位；须为有效的公民身份号码”."""
    said: list[str] = []
    if fld.is_input:
        said.append(words.t("explain.rule.required" if fld.rules.get("required") else "explain.rule.optional"))
    said += _kind_words(flow, words, fld)
    for rule, arg in fld.rules.items():
        if rule == "required" or arg is False:
            continue
        specific = f"problem.{fld.id}.{rule}"
        if rule == "regex" and words.catalog.has(specific):
            said.append(words.t(specific).rstrip("。"))
            continue
        params: dict[str, Any] = {"n": arg, "pattern": arg}
        if rule in ("equals_field", "not_before_field"):
            params["other"] = words.field_label(str(arg))
        if rule == "allowed":
            params["values"] = words.t("explain.sep").join(str(v) for v in arg)
        said.append(words.first([f"explain.rule.{rule}"], rule, **params))
    said += [words.first([f"explain.normalize.{n}"], n) for n in fld.normalize]
    said += [words.first([f"explain.warning.{w}"], w) for w in fld.warnings]
    if fld.prefill is not None:
        said.append(words.t("explain.prefill", value=words.value(fld.prefill.source)))
    if fld.readonly_when is not None:
        always = fld.readonly_when.source.strip() == "true"
        said.append(words.t("explain.readonly_always") if always else
                    words.t("explain.readonly_when", condition=words.condition(fld.readonly_when.source)))
    if fld.visible_when is not None:
        said.append(words.t("explain.visible_when", condition=words.condition(fld.visible_when.source)))
    return words.t("explain.rule.sep").join(s for s in said if s)


def _kind_words(flow: Flow, words: Words, fld: Field) -> list[str]:
    if fld.value is not None:
        return [words.t("explain.kind.display", value=words.value(fld.value.source))]
    spec = fld.options
    if spec is None:
        return [words.first([f"explain.type.{fld.type}"], "")]
    many = words.t("explain.type.checkbox") if fld.type == "checkbox" else ""
    if spec.dataset is not None:
        where = words.t("explain.options.dataset", dataset=words.dataset_label(spec.dataset))
        if spec.filter is not None:
            where += words.t("explain.options.filter",
                             condition=words.for_rows(spec.dataset).condition(spec.filter.source))
        return [w for w in (where, many) if w]
    labels = words.t("explain.sep").join(words.t(label) for _, label in spec.static)
    return [w for w in (words.t("explain.options.static", count=len(spec.static), labels=labels), many) if w]


def _statuses(flow: Flow, words: Words) -> Part:
    rows = []
    sep = words.t("explain.sep")
    for status in flow.statuses.values():
        said = [words.t("explain.status.initial")] if status.initial else []
        for move in status.transitions:
            who = sep.join(words.role_label(r) for r in sorted(move.roles))
            text = words.t("explain.status.move", roles=who, to=words.status_label(move.to))
            if move.requires:
                text += words.t("explain.status.requires", fields=sep.join(words.field_label(f) for f in move.requires))
            said.append(text)
        rule = status.applicant_edit
        if rule is not None:
            what = sep.join(words.field_label(f) for s in flow.steps for f in (x.id for x in s.fields)
                            if f in rule.fields and flow.fields[f].is_input and not flow.fields[f].secret)
            said.append(words.t("explain.status.edit", fields=what))
            if rule.when is not None:
                said.append(words.t("explain.status.edit_when", condition=words.condition(rule.when.source)))
            if rule.then:
                said.append(words.t("explain.status.then", to=words.status_label(rule.then)))
        else:
            said.append(words.t("explain.status.no_edit"))
        if status.shows:
            said.append(words.t("explain.status.shows", fields=sep.join(words.field_label(f) for f in status.shows)))
        if status.final:
            said.append(words.t("explain.status.final"))
        rows.append(Row(f"status:{status.id}", words.status_label(status.id), words.t("explain.rule.sep").join(said)))
    return Part("statuses", words.t("explain.spec.statuses"), tuple(rows))


def _datasets(flow: Flow, words: Words) -> Part:
    rows = []
    sep = words.t("explain.sep")
    for name, dataset in flow.datasets.items():
        readers = [words.lookup_label(lk.id) for lk in flow.lookups if lk.dataset == name]
        options = [words.t(f.label) for s in flow.steps for f in s.fields
                   if f.options is not None and f.options.dataset == name]
        columns = sep.join(words.column_label(name, c) for c in dataset.columns)
        text = words.t("explain.dataset.columns", columns=columns)
        if readers:
            text += words.t("explain.rule.sep") + words.t("explain.dataset.lookups", lookups=sep.join(readers))
        if options:
            text += words.t("explain.rule.sep") + words.t("explain.dataset.options", fields=sep.join(options))
        rows.append(Row(f"dataset:{name}", words.dataset_label(name), text))
    return Part("datasets", words.t("explain.spec.datasets"), tuple(rows))


def as_document(spec: Specification, words: Words) -> DocumentView:
    """The specification as a document the PDF and HTML renderers draw (one row per line)."""
    sections = tuple(DocumentSection(part.title, 1, tuple((DocumentCell(row.key, row.label, row.text),)
                                                          for row in part.rows)) for part in spec.parts)
    return DocumentView(id="specification", title=spec.title, note=words.t("explain.spec.note"), code=None,
                        sections=sections, footer=(), page_number=words.t("document.page_number"),
                        continued=words.t("document.continued"), formats=("pdf", "html"), generated_on=None,
                        version=spec.version)


@dataclass(frozen=True)
class Compared:
    part: str
    label: str
    left: str
    right: str

    @property
    def changed(self) -> bool:
        return self.left != self.right


def compare(left: Specification, right: Specification) -> list[tuple[str, list[Compared]]]:
    """Both versions row by row, parts in the newer version's order (parts and rows only in the
    older one follow): what a side-by-side page shows, each row marked when it differs."""
    old, new = left.rows(), right.rows()
    titles = {p.key: p.title for p in (*left.parts, *right.parts)}
    order = [p.key for p in right.parts] + [p.key for p in left.parts if p.key not in {q.key for q in right.parts}]
    out = []
    for key in order:
        keys = [k for k in new if k[0] == key] + [k for k in old if k[0] == key and k not in new]
        rows = [Compared(key, (new.get(k) or old[k]).label, old[k].text if k in old else "",
                         new[k].text if k in new else "") for k in keys]
        out.append((titles[key], rows))
    return out


def compare_document(title: str, left_title: str, right_title: str, parts: list[tuple[str, list[Compared]]],
                     changes: list[str], words: Words) -> DocumentView:
    """Two versions side by side as a document the PDF renderer draws (fpdf2 has no table of
    changes of its own): first the summary of the changes, then each part with one row per item,
    the older version's text left and the newer's right, a differing row's label marked
    有变化 / 新增 / 删除 as on the HTML page."""
    def mark(row: Compared) -> str:
        if not row.changed:
            return ""
        key = "added" if not row.left else "removed" if not row.right else "changed"
        return f"【{words.t('explain.spec.' + key)}】"

    summary = tuple((DocumentCell(f"change.{n}", "", text),) for n, text in enumerate(changes, 1)) or \
        ((DocumentCell("change.none", "", words.t("explain.spec.no_changes")),),)
    sections = [DocumentSection(words.t("explain.spec.changes_title"), 1, summary)]
    for number, (part, rows) in enumerate(parts, 1):
        sections.append(DocumentSection(part, 2, tuple(
            (DocumentCell(f"{number}.{n}.left", f"{mark(row)}{row.label}（{left_title}）", row.left or "—"),
             DocumentCell(f"{number}.{n}.right", f"{row.label}（{right_title}）", row.right or "—"))
            for n, row in enumerate(rows, 1))))
    return DocumentView(id="specification_compare", title=title, note=words.t("explain.spec.note"), code=None,
                        sections=tuple(sections), footer=(), page_number=words.t("document.page_number"),
                        continued=words.t("document.continued"), formats=("pdf",), generated_on=None,
                        version="")


def _number(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else str(value)
