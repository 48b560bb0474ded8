"""Stage 3 of loading: build the frozen model and cross-check every reference.

Input is data that already passed the JSON Schema. Finds, in one pass: duplicate ids,
unknown datasets, columns, fields, lookups, rules, statuses, roles and message keys,
expressions that do not compile or read names that do not exist (or that are only asked
in a later step), and unreachable steps. Problems carry the position of the offending
YAML node. No I/O.
"""
from __future__ import annotations

import difflib
import hashlib
import json
import re
from types import MappingProxyType
from typing import Any, Callable, Collection, Iterable, Mapping

from . import model
from .application import build_application
from .docbuild import build_documents
from .expressions import NAME_HINTS, Expression, ExpressionSyntax, compile_expression, did_you_mean
from .problems import FlowProblem
from .fieldtypes import FIELD_TYPES
from .images import FORMATS
from .status_graph import check_status_graph
from .staffdata import build_staff_data
from .typecheck import Scope, Type, field_type, fits, infer
from .rules import RULES, WARNINGS, FieldValidator
from .source import Path, Positions

BUILTIN_NAMES = ("today", "now")
_COLUMN_KIND = {"text": "text", "date": "date", "datetime": "datetime", "image": "image", "number": "number"}
_DICT_ATTRS = frozenset(dir(dict))


class Builder:
    def __init__(self, data: dict[str, Any], positions: Positions, filename: str,
                 message_keys: Collection[str], tolerant: bool = False):
        self.data, self.positions, self.filename = data, positions, filename
        self.keys = message_keys
        self.tolerant = tolerant  # the schema refused something: build what is valid, skip the rest
        self.problems: list[FlowProblem] = []
        self.datasets: dict[str, model.Dataset] = {}
        self.lookup_dataset: dict[str, str] = {}
        self.lookup_many: dict[str, bool] = {}
        self.lookup_step: dict[str, int] = {}
        self.field_step: dict[str, int] = {}
        self.field_raw: dict[str, dict[str, Any]] = {}
        self.labels: dict[str, str] = {}
        self.scope = Scope(self.field_raw, {}, {})

    def guard(self, build: Callable[..., Any], *args: Any) -> Any:
        """Build one item; on data the schema refused, skip the item (the schema problem says why)."""
        if not self.tolerant:
            return build(*args)
        try:
            return build(*args)
        except (KeyError, TypeError, AttributeError, ValueError, IndexError):
            return None

    def names(self) -> set[str]:
        """Every name a field's expressions may read (computed once: the flow may have thousands of fields)."""
        if not hasattr(self, "_names"):
            self._names = set(self.field_step) | set(self.lookup_dataset) | {
                f["id"] for f in self.data.get("review_fields", []) if isinstance(f, dict) and "id" in f}
        return self._names

    # -- reporting -------------------------------------------------------------------
    def problem(self, path: Path, code: str, message: str, hint: str = "") -> None:
        at = path
        while at not in self.positions and at:
            at = at[:-1]
        line, col = self.positions.get(at, (1, 1))
        self.problems.append(FlowProblem(self.filename, line, col, code, message, hint))

    def message_key(self, path: Path, key: str | None) -> str | None:
        if key is not None and key not in self.keys:
            self.problem(path, "MSG_001", f"message key '{key}' is missing from the locale catalogue",
                         _similar_keys(key, self.keys) or
                         f"add it to locales/zh_CN/messages.yaml, as the line: {key}: <the text to show>")
        return key

    def build_texts(self, raw: Mapping[str, str]) -> dict[str, str]:
        """`flow.texts`: each product key must be one the catalogue has (a typo would replace
        nothing, silently), each replacement a key of it too (MSG_001)."""
        texts = {}
        for product, own in raw.items():
            where = ("flow", "texts", product)
            if product not in self.keys:
                self.problem(where, "TEXT_001", f"'{product}' is not a key of the locale catalogue, so there "
                             "is no product text to replace",
                             _similar_keys(product, self.keys) or "name a key of locales/zh_CN/messages.yaml "
                             "that the pages, mails or staff side show, e.g. app.name")
            self.message_key(where, own)
            texts[str(product)] = str(own)
        return texts

    def expression(self, path: Path, source: str | None, names: Collection[str],
                   step: int | None = None, row_dataset: str | None = None) -> Expression | None:
        """Compile and check one expression; None (and a problem) when it is unusable."""
        if source is None:
            return None
        try:
            expr = compile_expression(str(source))
        except ExpressionSyntax as exc:
            self.problem(path, exc.code, exc.message, exc.hint)
            return None
        ok = True
        for name in sorted(n for n in expr.names if n not in names and n not in BUILTIN_NAMES
                           and not (row_dataset and n == "row")):
            known = set(names) | set(BUILTIN_NAMES) | ({"row"} if row_dataset else set())
            self.problem(path, "REF_002", f"expression {source!r} names unknown field or lookup '{name}'",
                         NAME_HINTS.get(name) or did_you_mean(name, known))
            ok = False
        for name, attr in sorted(expr.attributes):
            dataset = row_dataset if name == "row" else self.lookup_dataset.get(name)
            columns = self.datasets[dataset].columns if dataset in self.datasets else None
            if columns is not None and attr not in columns:
                self.problem(path, "REF_005", f"expression {source!r} reads '{name}.{attr}', but dataset "
                             f"'{dataset}' has no column '{attr}'",
                             did_you_mean(attr, columns) or "its columns: " + ", ".join(columns))
                ok = False
        if step is not None:
            for name in sorted(expr.names):
                asked = self.field_step.get(name, self.lookup_step.get(name, -1))
                if asked > step:
                    self.problem(path, "REF_010", f"expression {source!r} reads '{name}', which is only "
                                 "known in a later step", "move the condition to that step or later")
                    ok = False
        if ok:
            self.scope.row = row_dataset
            self.expr_type, problems = infer(expr, self.scope)
            for code, message, hint in problems:
                self.problem(path, code, message, hint)
                ok = False
        return expr if ok else None

    # -- sections ----------------------------------------------------------------------
    def build_datasets(self, file_exists: Callable[[str], bool] | None = None) -> None:
        for name, spec in self.data.get("datasets", {}).items():
            self.guard(self.build_dataset, name, spec, file_exists)
        self.scope.columns = {n: d.columns for n, d in self.datasets.items()}

    def build_dataset(self, name: str, spec: dict[str, Any], file_exists: Callable[[str], bool] | None) -> None:
        path = ("datasets", name)
        for column in spec["columns"]:
            if column in _DICT_ATTRS:
                self.problem(path + ("columns", column), "REF_011",
                             f"column name '{column}' is reserved", "choose another name")
        for column in spec["key"]:
            if column not in spec["columns"]:
                self.problem(path + ("key",), "REF_004", f"key column '{column}' is not a column of "
                             f"dataset '{name}'", did_you_mean(column, spec["columns"]))
        if spec.get("file") is not None and file_exists is not None and not file_exists(spec["file"]):
            self.problem(path + ("file",), "REF_018", f"dataset '{name}': file '{spec['file']}' does not exist",
                         "the path is relative to the flow file's folder: check the name, or remove `file:` "
                         "and load the data with `shenbao import`")
        self.check_required(path, spec)
        self.datasets[name] = model.Dataset(name, dict(spec["columns"]), tuple(spec["key"]), spec.get("file"),
                                            tuple(spec.get("required", ())))

    def check_required(self, path: Path, spec: dict[str, Any]) -> None:
        for index, column in enumerate(spec.get("required", [])):
            if column not in spec["columns"]:
                self.problem(path + ("required", index), "REF_004", f"required column '{column}' is not a column",
                             did_you_mean(column, spec["columns"]))

    def dataset_ref(self, path: Path, name: str) -> bool:
        if name in self.datasets:
            return True
        self.problem(path, "REF_003", f"unknown dataset '{name}'", did_you_mean(name, self.datasets))
        return False

    def collect_field_steps(self) -> None:
        """Record the step index of every field first, so expressions may refer to any field."""
        seen: dict[str, Path] = {}
        for index, step in enumerate(self.data["steps"]):
            for fpath, raw in self.guard(lambda: list(_step_fields(step, ("steps", index)))) or ():
                fid = raw.get("id") if isinstance(raw, dict) else None
                if not isinstance(fid, str):
                    continue
                if fid in seen:
                    first = self.positions.get(seen[fid] + ("id",), (0, 0))[0]
                    self.problem(fpath + ("id",), "REF_001", f"duplicate field id '{fid}'",
                                 f"it is already used at line {first}; field ids must be unique across the flow")
                    continue
                seen[fid] = fpath
                self.field_step.setdefault(fid, index)
                self.field_raw.setdefault(fid, raw)
                self.labels.setdefault(fid, raw.get("label"))
        for index, raw in enumerate(self.data.get("review_fields", [])):
            fid = raw.get("id") if isinstance(raw, dict) else None
            if isinstance(fid, str) and fid in seen:
                first = self.positions.get(seen[fid] + ("id",), (0, 0))[0]
                self.problem(("review_fields", index, "id"), "REF_001", f"duplicate field id '{fid}'",
                             f"it is already used at line {first}; field ids must be unique across the flow")
            elif isinstance(fid, str):
                self.field_raw.setdefault(fid, raw)

    def build_lookups(self) -> tuple[model.Lookup, ...]:
        found = (self.guard(self.build_lookup, lid, spec) for lid, spec in self.data.get("lookups", {}).items())
        return tuple(lookup for lookup in found if lookup is not None)

    def build_lookup(self, lid: str, spec: dict[str, Any]) -> model.Lookup | None:
        path = ("lookups", lid)
        if lid in self.field_step:
            self.problem(path, "REF_001", f"lookup '{lid}' has the same name as a field", "rename it")
        if not self.dataset_ref(path + ("dataset",), spec["dataset"]):
            return None
        columns = self.datasets[spec["dataset"]].columns
        names = set(self.field_step) | set(self.lookup_dataset)
        match = {}
        for column, source in spec["match"].items():
            if column not in columns:
                self.problem(path + ("match", column), "REF_004", f"dataset '{spec['dataset']}' has no "
                             f"column '{column}'", did_you_mean(column, columns))
            expr = self.expression(path + ("match", column), source, names)
            if expr is not None:
                self.check_fits(path + ("match", column), Type(_COLUMN_KIND.get(columns.get(column, ""), "any")),
                                f"column '{column}' of dataset '{spec['dataset']}'")
                match[column] = expr
                step = max((self.field_step.get(n, self.lookup_step.get(n, 0)) for n in expr.names), default=0)
                self.lookup_step[lid] = max(self.lookup_step.get(lid, 0), step)
        self.lookup_dataset[lid] = spec["dataset"]
        self.scope.lookups[lid] = (spec["dataset"], bool(spec.get("many", False)))  # type: ignore[index]
        return model.Lookup(lid, spec["dataset"], match, bool(spec.get("many", False)))

    def check_fits(self, path: Path, target: Type, what: str) -> None:
        """The last expression's value must fit where it goes (a prefilled field, a matched column)."""
        value = self.expr_type
        if not fits(target, value):
            self.problem(path, "EXPR_006", f"{what} holds {target.words()}, but the expression gives "
                         f"{value.words()}", "give it a value of the same kind")

    def build_field(self, path: Path, raw: dict[str, Any], step: int | None) -> model.Field:
        names = self.names()
        ftype = raw["type"]
        self.message_key(path + ("label",), raw["label"])
        self.message_key(path + ("help",), raw.get("help"))
        options = self.build_options(path + ("options",), raw.get("options"), names, step)
        kind = FIELD_TYPES[ftype]
        if kind.choice and options is None:
            self.problem(path, "SCHEMA_003", f"field '{raw['id']}' of type {ftype} needs `options`", "")
        if ftype == "table_choice" and options is not None and not options.columns:
            self.problem(path + ("options",), "SCHEMA_003", "a table_choice needs `columns`", "")
        if kind.shows_value and "value" not in raw:
            self.problem(path, "SCHEMA_003", f"field '{raw['id']}' of type {ftype} needs `value`", "")
        self.check_rules(path + ("rules",), raw.get("rules", {}), kind.kind, raw["id"])
        for index, warning in enumerate(raw.get("warnings", [])):
            if warning not in WARNINGS:
                self.problem(path + ("warnings", index), "RULE_005", f"unknown warning '{warning}'",
                             did_you_mean(warning, WARNINGS) or "known: " + ", ".join(WARNINGS))
            self.message_key(path + ("warnings", index), f"warning.{warning}")
        expr: Callable[[str], Expression | None] = lambda key: self.expression(
            path + (key,), raw.get(key), names, step)
        prefill = expr("prefill")
        if prefill is not None and kind.input:
            self.check_fits(path + ("prefill",), field_type(raw, self.scope.columns), f"field '{raw['id']}'")
        return model.Field(raw["id"], ftype, raw["label"], raw.get("help"), tuple(raw.get("normalize", ())),
                           dict(raw.get("rules", {})), tuple(raw.get("warnings", ())), options,
                           prefill, expr("value"), expr("visible_when"), expr("readonly_when"))

    def build_options(self, path: Path, raw: Any, names: set[str], step: int | None) -> model.Options | None:
        if raw is None:
            return None
        if isinstance(raw, list):
            for index, option in enumerate(raw):
                self.message_key(path + (index, "label"), option["label"])
            return model.Options(static=tuple((o["value"], o["label"]) for o in raw))
        if not self.dataset_ref(path + ("dataset",), raw["dataset"]):
            return None
        columns = self.datasets[raw["dataset"]].columns
        for key in ("value", "label"):
            if raw[key] not in columns:
                self.problem(path + (key,), "REF_004", f"dataset '{raw['dataset']}' has no column "
                             f"'{raw[key]}'", did_you_mean(raw[key], columns))
        for index, column in enumerate(raw.get("columns", [])):
            if column not in columns:
                self.problem(path + ("columns", index), "REF_004", f"dataset '{raw['dataset']}' has no "
                             f"column '{column}'", did_you_mean(column, columns))
            self.message_key(path + ("columns", index), f"column.{column}")
        flt = self.expression(path + ("filter",), raw.get("filter"), names, step, row_dataset=raw["dataset"])
        self.check_order(path, raw, columns)
        return model.Options(dataset=raw["dataset"], value=raw["value"], label=raw["label"], filter=flt,
                             columns=tuple(raw.get("columns", ())), order=raw.get("order"))

    def check_order(self, path: Path, raw: dict[str, Any], columns: Collection[str]) -> None:
        order = raw.get("order")
        if order is not None and order not in columns:
            self.problem(path + ("order",), "REF_004", f"dataset '{raw['dataset']}' has no column '{order}' "
                         "to order the options by", did_you_mean(order, columns))

    def check_rules(self, path: Path, rules: dict[str, Any], kind: str = "any", fid: str | None = None) -> None:
        self.check_rule_conflicts(path, rules, fid)
        for name, arg in rules.items():
            rule = RULES.get(name)
            if rule is None:
                self.problem(path + (name,), "RULE_001", f"unknown rule '{name}'",
                             did_you_mean(name, RULES) or "known rules: " + ", ".join(sorted(RULES)))
                continue
            if rule.kinds and kind not in rule.kinds:
                self.problem(path + (name,), "RULE_006", f"rule '{name}' applies to fields holding "
                             + " or ".join(sorted(rule.kinds)) + f", not {kind}", "remove it from this field")
                continue
            if not _argument_ok(rule.argument, arg):
                self.problem(path + (name,), "RULE_002", f"rule '{name}' takes {_ARGUMENTS.get(rule.argument, rule.argument)}, "
                             f"got {arg!r}", "")
            elif rule.argument == "regex":
                try:
                    re.compile(arg)
                except re.error as exc:
                    self.problem(path + (name,), "RULE_003", f"rule '{name}': bad regular expression: {exc}",
                                 "the pattern is a Python regular expression; check brackets and escapes")
            elif rule.argument == "field" and arg not in self.field_step:
                self.problem(path + (name,), "RULE_004", f"rule '{name}' names unknown field '{arg}'",
                             did_you_mean(arg, self.field_step))

    def check_rule_conflicts(self, path: Path, rules: dict[str, Any], fid: str | None) -> None:
        """Rules that no answer can satisfy together, or that compare a field with itself."""
        low, high = rules.get("minlength"), rules.get("maxlength")
        if isinstance(low, int) and isinstance(high, int) and not isinstance(low, bool) and low > high:
            self.problem(path + ("minlength",), "RULE_007", f"minlength {low} is more than maxlength {high}: "
                         "no answer can satisfy both", "make minlength at most maxlength")
        for name in ("equals_field", "not_before_field"):
            if fid is not None and rules.get(name) == fid:
                self.problem(path + (name,), "RULE_007", f"rule '{name}' compares field '{fid}' with itself",
                             "name the other field it must be compared with")

    def build_step(self, index: int, raw: dict[str, Any]) -> model.Step:
        path: Path = ("steps", index)
        for key in ("title", "body", "next_label"):
            self.message_key(path + (key,), raw.get(key))
        sections = []
        raw_sections = raw.get("sections") or ([{"fields": raw["fields"]}] if "fields" in raw else [])
        for sindex, sraw in enumerate(raw_sections):
            spath = path + ("sections", sindex) if "sections" in raw else path
            self.message_key(spath + ("title",), sraw.get("title"))
            self.message_key(spath + ("help",), sraw.get("help"))
            built = (self.guard(self.build_field, fpath, fraw, index) for fpath, fraw in _section_fields(sraw, spath))
            fields = tuple(f for f in built if f is not None)
            sections.append(model.Section(sraw.get("title"), sraw.get("help"), fields))
        gates = self.build_gates(path, raw.get("gates", []), index)
        for sindex, fid in enumerate(raw.get("show", [])):
            if fid not in self.field_step:
                self.problem(path + ("show", sindex), "REF_002", f"summary shows unknown field '{fid}'",
                             did_you_mean(fid, self.field_step) or "`show` lists ids of fields asked in earlier steps")
            elif getattr(FIELD_TYPES.get(self.field_raw.get(fid, {}).get("type")), "secret", False):
                self.problem(path + ("show", sindex), "REF_019", f"summary shows password field '{fid}': "
                             "the password would be printed on the screen", f"remove '{fid}' from `show`")
        inputs = {f.id: (f.type, f.rules) for s in sections for f in s.fields if f.is_input}
        return model.Step(raw["id"], raw["kind"], raw["title"], raw.get("body"), tuple(sections), gates,
                          FieldValidator(inputs, self.labels), raw.get("min_read_seconds", 0), raw.get("next_label"),
                          tuple(raw.get("show", ())))

    def build_gates(self, path: Path, raws: list[dict[str, Any]], step: int) -> tuple[model.Gate, ...]:
        names = set(self.field_step) | set(self.lookup_dataset)
        gates: list[model.Gate] = []
        seen: set[str] = set()
        for gindex, graw in enumerate(raws):
            gate = self.guard(self.build_gate, path + ("gates", gindex), graw, names, step, seen)
            if gate is not None:
                gates.append(gate)
        self.check_recheck(path, raws, step)
        return tuple(gates)

    def build_gate(self, gpath: Path, graw: dict[str, Any], names: set[str], step: int,
                   seen: set[str]) -> model.Gate | None:
        if graw["id"] in seen:
            self.problem(gpath + ("id",), "REF_001", f"duplicate gate id '{graw['id']}'", "")
        seen.add(graw["id"])
        self.message_key(gpath + ("message",), graw["message"])
        when = self.expression(gpath + ("when",), graw["when"], names, step)
        params = {k: self.expression(gpath + ("params", k), v, names, step)
                  for k, v in graw.get("params", {}).items()}
        if when is not None and all(params.values()):
            return model.Gate(graw["id"], when, graw["message"], params,  # type: ignore[arg-type]
                              graw.get("recheck"))
        return None

    def check_recheck(self, path: Path, raws: list[dict[str, Any]], step: int) -> None:
        """`recheck: submit` on the step that submits (the last before the summary) says nothing:
        its gates are checked at submission anyway. Refused so the author is not misled."""
        steps = self.data["steps"]
        if step + 1 < len(steps) and steps[step + 1]["kind"] != "summary":
            return
        for gindex, graw in enumerate(raws):
            if graw.get("recheck"):
                self.problem(path + ("gates", gindex, "recheck"), "REF_020",
                             f"gate '{graw['id']}' is on the step that submits, so it is checked at submission "
                             "anyway", "remove `recheck`, or move the gate to an earlier step")

    def check_steps(self, steps: list[dict[str, Any]]) -> None:
        seen: set[str] = set()
        for index, raw in enumerate(steps):
            self.guard(self.check_step, steps, index, raw, seen)

    def check_step(self, steps: list[dict[str, Any]], index: int, raw: dict[str, Any], seen: set[str]) -> None:
        if raw["id"] in seen:
            self.problem(("steps", index, "id"), "REF_001", f"duplicate step id '{raw['id']}'", "")
        seen.add(raw["id"])
        if index > 0 and steps[index - 1]["kind"] == "summary":
            self.problem(("steps", index), "REF_009", f"step '{raw['id']}' can never be reached",
                         "a summary step ends the flow; move it last or remove this step")
        for gindex, gate in enumerate(raw.get("gates", [])):
            if str(gate["when"]).strip().lower() == "false":
                self.problem(("steps", index, "gates", gindex, "when"), "REF_009",
                             f"gate '{gate['id']}' can never pass, so no step after it is reachable", "")


_ARGUMENTS = {"formats": "a list of image formats (" + ", ".join(FORMATS) + ")",
              "pixels": "[width, height] in pixels"}


def _argument_ok(kind: str, arg: Any) -> bool:
    checks: dict[str, Callable[[Any], bool]] = {
        "bool": lambda a: isinstance(a, bool), "int": lambda a: isinstance(a, int) and not isinstance(a, bool)
        and a >= 0, "str": lambda a: isinstance(a, str), "regex": lambda a: isinstance(a, str),
        "list": lambda a: isinstance(a, list), "field": lambda a: isinstance(a, str),
        "formats": lambda a: isinstance(a, list) and bool(a) and all(f in FORMATS for f in a),
        "pixels": lambda a: isinstance(a, list) and len(a) == 2 and all(
            isinstance(n, int) and not isinstance(n, bool) and n > 0 for n in a)}
    return checks[kind](arg)


def _section_fields(section: dict[str, Any], path: Path) -> Iterable[tuple[Path, dict[str, Any]]]:
    for index, raw in enumerate(section.get("fields", [])):
        yield path + ("fields", index), raw


def _step_fields(step: dict[str, Any], path: Path) -> Iterable[tuple[Path, dict[str, Any]]]:
    if "sections" in step:
        for sindex, section in enumerate(step["sections"]):
            yield from _section_fields(section, path + ("sections", sindex))
    else:
        yield from _section_fields(step, path)


def _similar_keys(key: str, keys: Collection[str]) -> str:
    """Up to three keys of the same shape (field.*.label), closest first: one guess is often wrong."""
    head, _, tail = key.partition(".")
    shaped = [k for k in keys if k.split(".")[0] == head and k.count(".") == key.count(".")
              and k.rsplit(".", 1)[-1] == key.rsplit(".", 1)[-1]] or list(keys)
    close = [k for k in difflib.get_close_matches(key, shaped, n=3, cutoff=0.6) if _typo(key, k)]
    if not close:
        return ""
    listed = " or ".join(f"'{k}'" for k in close) if len(close) < 3 else \
        f"'{close[0]}', '{close[1]}' or '{close[2]}'"
    return f"did you mean {listed}?"


def _typo(word: str, other: str, most: int = 2) -> bool:
    """At most `most` letters added, removed or changed: a slip of the keyboard, not a new name."""
    if abs(len(word) - len(other)) > most:
        return False
    previous = list(range(len(other) + 1))
    for i, a in enumerate(word, 1):
        current = [i]
        for j, b in enumerate(other, 1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a != b)))
        previous = current
    return previous[-1] <= most


def digest(data: Any) -> str:
    """The flow's identity: a hash of what it says, not of its text, so an edit of comments, blank
    lines, quoting or key order changes nothing for anybody (drafts, documents, versions)."""
    canonical = json.dumps(data, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def build_statuses(b: Builder, roles: frozenset[str]) -> dict[str, model.Status]:
    raw_statuses = b.data.get("statuses", {})
    review = {f["id"] for f in b.data.get("review_fields", []) if isinstance(f, dict) and "id" in f}
    names = set(b.field_step) | set(b.lookup_dataset)
    statuses: dict[str, model.Status] = {}
    initial = [sid for sid, s in raw_statuses.items() if s.get("initial")]
    if raw_statuses and len(initial) != 1:
        at: Path = ("statuses", initial[1], "initial") if len(initial) > 1 else ("statuses",)
        found = f"{len(initial)}: " + ", ".join(initial) if initial else "none"
        b.problem(at, "REF_012", f"exactly one status must be `initial: true`, found {found}",
                  "mark only the status a new application starts in")
    for sid, raw in raw_statuses.items():
        status = b.guard(build_status, b, sid, raw, raw_statuses, review, names, roles)
        if status is not None:
            statuses[sid] = status
    for path, code, message, hint in check_status_graph(raw_statuses):
        b.problem(path, code, message, hint)
    return statuses


def build_status(b: Builder, sid: str, raw: dict[str, Any], raw_statuses: dict[str, Any], review: set[str],
                 names: set[str], roles: frozenset[str]) -> model.Status:
    path: Path = ("statuses", sid)
    b.message_key(path + ("message",), raw["message"])
    for index, shown in enumerate(raw.get("shows", [])):
        if shown not in review:
            b.problem(path + ("shows", index), "REF_008", f"status shows unknown review field '{shown}'",
                      did_you_mean(shown, review))
    edit = None
    if "applicant_edit" in raw:
        eraw, epath = raw["applicant_edit"], path + ("applicant_edit",)
        step_ids = [s["id"] for s in b.data["steps"]]
        for sindex, sid_ in enumerate(eraw.get("steps", [])):
            if sid_ not in step_ids:
                b.problem(epath + ("steps", sindex), "REF_014", f"applicant_edit names unknown step '{sid_}'",
                          did_you_mean(sid_, step_ids) or "steps: " + ", ".join(step_ids))
        fields = frozenset(eraw["fields"]) if "fields" in eraw else frozenset(
            fid for fid, index in b.field_step.items() if step_ids[index] in eraw.get("steps", []))
        for fid in sorted(fields):
            if fid not in b.field_step:
                at = epath + ("fields", list(eraw.get("fields", [])).index(fid))
                b.problem(at, "REF_002", f"applicant_edit names unknown field '{fid}'",
                          did_you_mean(fid, b.field_step))
        then = eraw.get("then")
        if then is not None and then not in raw_statuses:
            b.problem(epath + ("then",), "REF_006", f"unknown status '{then}'",
                      did_you_mean(then, raw_statuses) or "statuses: " + ", ".join(raw_statuses))
        edit = model.EditRule(fields, b.expression(epath + ("when",), eraw.get("when"), names), then)
    transitions = []
    for index, traw in enumerate(raw.get("transitions", [])):
        tpath = path + ("transitions", index)
        if traw["to"] not in raw_statuses:
            b.problem(tpath + ("to",), "REF_006", f"transition to undefined status '{traw['to']}'",
                      did_you_mean(traw["to"], raw_statuses) or "statuses: " + ", ".join(raw_statuses))
        for rindex, role in enumerate(traw["roles"]):
            if role not in roles:
                b.problem(tpath + ("roles", rindex), "REF_007", f"unknown role '{role}'",
                          did_you_mean(role, roles) or "declare it under `roles:`")
        for qindex, need in enumerate(traw.get("requires", [])):
            if need not in review:
                b.problem(tpath + ("requires", qindex), "REF_008", f"transition requires unknown review field "
                          f"'{need}'", did_you_mean(need, review) or "declare it under `review_fields:`")
        transitions.append(model.Transition(traw["to"], frozenset(traw["roles"]), tuple(traw.get("requires", ()))))
    if raw.get("final") and transitions:
        b.problem(path + ("final",), "REF_013", f"final status '{sid}' has transitions", "remove one or the other")
    return model.Status(sid, raw["message"], bool(raw.get("initial")), bool(raw.get("final")),
                        tuple(raw.get("shows", ())), edit, tuple(transitions))


def build_flow(data: dict[str, Any], positions: Positions, filename: str, text: str,
               message_keys: Collection[str], tolerant: bool = False,
               file_exists: Callable[[str], bool] | None = None,
               legacy: bool = False) -> tuple[model.Flow | None, list[FlowProblem]]:
    """Build the model and return (flow, problems). With `tolerant` (the schema refused part of the
    data), build what is valid and skip the rest, so cross-reference problems are found in the same pass.
    `legacy`: a stored version, whose documents may use the older dotted paths (engine/docbuild.py)."""
    b = Builder(data, positions, filename, message_keys, tolerant)
    if not isinstance(data, dict) or not isinstance(data.get("steps"), list):
        return None, []
    b.guard(lambda: b.message_key(("flow", "title"), data["flow"]["title"]))
    texts = b.guard(b.build_texts, data["flow"].get("texts") or {}) or {}
    b.guard(b.build_datasets, file_exists)
    b.collect_field_steps()
    b.check_steps(data["steps"])
    lookups = b.guard(b.build_lookups) or ()
    built = (b.guard(b.build_step, i, raw) for i, raw in enumerate(data["steps"]))
    steps = tuple(step for step in built if step is not None)
    review = tuple(f for f in (b.guard(b.build_field, ("review_fields", i), raw, None)
                               for i, raw in enumerate(data.get("review_fields", []))) if f is not None)
    raw_roles = data.get("roles", [])  # a list, or a mapping role → {binds: ...}
    roles = frozenset(r for r in raw_roles if isinstance(r, str)) if isinstance(
        raw_roles, (list, dict)) else frozenset()
    statuses = b.guard(build_statuses, b, roles) or {}
    documents = b.guard(build_documents, b, data.get("documents", {}), legacy) or {}
    application, bindings = b.guard(build_application, b, data) or (model.ApplicationSpec(), {})
    b.guard(build_staff_data, b, data, roles, bindings)
    if b.problems or tolerant:
        return None, b.problems
    meta = data["flow"]
    flow = model.Flow(meta["id"], str(meta["version"]), meta["title"], filename, digest(data), roles,
                      b.datasets, lookups, steps, review,
                      FieldValidator({f.id: (f.type, f.rules) for f in review}), statuses,
                      documents, application, bindings, MappingProxyType(texts))
    return flow, []
