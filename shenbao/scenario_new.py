"""A skeleton scenario for a flow: the happy path with sample answers, found by playing it.

Each form step is answered with sample values chosen from what the flow declares: option
values for choices, rows of the dataset a lookup reads for the fields it matches on (so a
registered certificate is typed with its own ID number), and values that satisfy the field's
rules otherwise. When a step refuses (a problem, a warning, a failed gate) the values of the
fields involved are changed and the step is tried again, a bounded number of times. The
result is scenario YAML text that a tester edits; nothing is written or printed here.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, Mapping

import yaml

from engine import DataSource, Field, Flow, Run, Step

ATTEMPTS = 200  # per step: the search gives up after so many submissions

# Values that satisfy a rule, in the order tried (none is from the demo data).
RULE_SAMPLES: dict[str, tuple[str, ...]] = {
    "email": ("sample@example.com",),
    "mobile": ("13800138000",),
    "postcode": ("100000",),
    "telephone": ("010-12345678",),
    "password_strength": ("Sample123#",),
    "cn_resident_id": ("11010519491231002X",),
    "chinese_name": ("张三",),
}
TEXT_SAMPLES = ("示例", "SAMPLE1", "123456", "A")
DATE_SAMPLES = ("2010-09-01",)


@dataclass
class Skeleton:
    actions: list[dict[str, Any]] = field(default_factory=list)
    reached: str = ""
    complete: bool = False
    stuck: str | None = None  # the step the search could not get past
    run: Run | None = None     # the run as it ended (the preview continues it)
    waited: float = 0.0        # seconds the clock moved on for reading times


def walk(flow: Flow, source: DataSource, start: datetime, until: str | None = None) -> Skeleton:
    """Play the flow from `start` with sample answers until its summary step, or step `until`
    (or a step it cannot pass)."""
    now = [start]
    run = Run(flow, source, lambda: now[0])
    skeleton = Skeleton(run=run)
    while not run.complete and run.step.id != until:
        step = run.step
        if step.min_read_seconds:
            now[0] += timedelta(seconds=step.min_read_seconds)
            skeleton.waited += step.min_read_seconds
            skeleton.actions.append({"wait": "read"})             # follows the flow if the time changes
        action = _answer(flow, source, run, step)
        if action is None:
            skeleton.stuck = step.id
            break
        action["expect"] = {"step": run.view().id}
        skeleton.actions.append(action)
    skeleton.reached, skeleton.complete = run.view().id, run.complete
    if run.complete and skeleton.actions:
        skeleton.actions[-1]["expect"].update({"complete": True, "status": flow.initial_status.id})
    return skeleton


def _answer(flow: Flow, source: DataSource, run: Run, step: Step) -> dict[str, Any] | None:
    """Submit the step with sample answers, changing them until it goes on; the action that did."""
    writable = [f.id for f in run.view().fields if not f.readonly and f.type != "display" and _is_input(flow, f.id)]
    if step.kind != "form" or not writable:
        result = run.submit({})
        return {"next": True} if result.advanced else None
    candidates = _candidates(flow, source, step, writable, {f.id: len(f.options) for f in run.view().fields})
    index = {fid: 0 for fid in candidates}
    confirm: list[str] = []
    for _ in range(ATTEMPTS):
        given = _resolve(run, {fid: values[index[fid]] for fid, values in candidates.items()})
        result = run.submit(given, confirm=confirm)
        if result.advanced:
            action: dict[str, Any] = {"answers": {k: v for k, v in given.items() if v is not None}}
            if confirm:
                action["confirm"] = list(confirm)
            return action
        involved = [p.field for p in result.problems if p.field in index]
        for warning in result.warnings:
            if not _advance(index, candidates, [warning.field]):
                confirm.append(warning.key)
        for gate in result.gates:
            involved += _fields_of_gate(flow, step, gate.id, set(index))
        if (result.problems or result.gates) and not _advance(index, candidates, involved or list(index)):
            return None
    return None


def _is_input(flow: Flow, fid: str) -> bool:
    fld = flow.fields.get(fid)
    return fld is not None and fld.is_input


def _candidates(flow: Flow, source: DataSource, step: Step, writable: list[str],
                option_counts: Mapping[str, int]) -> dict[str, list[Any]]:
    fields = {f.id: f for f in step.fields}
    found: dict[str, list[Any]] = {}
    for group in _lookup_groups(flow, set(writable)):
        rows = source.rows(group[0], {})[:ATTEMPTS]
        columns = group[1]
        for fid, column in columns.items():
            found[fid] = [("row", i, row.get(column)) for i, row in enumerate(rows)]
    for fid in writable:
        if fid not in found:
            found[fid] = _samples(fields[fid], option_counts.get(fid, 0))
    return found


def _lookup_groups(flow: Flow, writable: set[str]) -> list[tuple[str, dict[str, str]]]:
    """Lookups matching two or more writable fields by name: their rows give values that belong together."""
    groups = []
    for lookup in flow.lookups:
        columns = {next(iter(e.names)): col for col, e in lookup.match.items()
                   if len(e.names) == 1 and e.source.strip() in writable}
        if len(columns) >= 2 and len(columns) == len(lookup.match):
            groups.append((lookup.dataset, columns))
    return groups[:1]


def _samples(fld: Field, option_count: int) -> list[Any]:
    rules = fld.rules
    if fld.options is not None:
        return [("option", i) for i in range(max(option_count, 1))]
    if "equals_field" in rules:
        return [("same_as", rules["equals_field"])]
    for rule, values in RULE_SAMPLES.items():
        if rules.get(rule):
            return list(values)
    if fld.type == "date":
        return list(DATE_SAMPLES)
    limit = rules.get("maxlength")
    return [s[:limit] if limit else s for s in TEXT_SAMPLES]


def _resolve(run: Run, given: dict[str, Any]) -> dict[str, Any]:
    """Turn markers into values: a row's column, the n-th option shown, `same_as` another field."""
    shown = {f.id: f for f in run.view().fields}
    out = {}
    for fid, value in given.items():
        if isinstance(value, tuple) and value[0] == "row":
            value = value[2]
        elif isinstance(value, tuple) and value[0] == "option":
            # the options as narrowed by the choices made above (现任教学科 by 现任教学段)
            narrowed = {f.id: f for f in run.preview(out).fields}.get(fid, shown.get(fid))
            options = narrowed.options if narrowed is not None else ()
            value = options[value[1] % len(options)].value if options else None
            if value is not None and shown[fid].type == "checkbox":
                value = [value]
        out[fid] = value
    for fid, value in list(out.items()):
        if isinstance(value, tuple) and value[0] == "same_as":
            out[fid] = out.get(value[1])
    return out


def _advance(index: dict[str, int], candidates: Mapping[str, list[Any]], fields: list[str]) -> bool:
    """Move the last involved field with values left to its next value (rows move together)."""
    for fid in reversed(list(dict.fromkeys(fields))):
        if fid in index and index[fid] + 1 < len(candidates[fid]):
            step_to = index[fid] + 1
            partners = [f for f, c in candidates.items() if c and isinstance(c[0], tuple) and c[0][0] == "row"] \
                if isinstance(candidates[fid][0], tuple) and candidates[fid][0][0] == "row" else [fid]
            for partner in partners:
                index[partner] = step_to
            return True
    return False


def _fields_of_gate(flow: Flow, step: Step, gate_id: str, writable: set[str]) -> list[str]:
    """The step's fields a gate reads, directly or through the lookups it names."""
    gate = next((g for g in step.gates if g.id == gate_id), None)
    if gate is None:
        return []
    lookups = {lk.id: lk for lk in flow.lookups}
    seen, todo, fields = set(), list(gate.when.names), []
    while todo:
        name = todo.pop()
        if name in seen:
            continue
        seen.add(name)
        if name in writable:
            fields.append(name)
        elif name in lookups:
            todo += [n for e in lookups[name].match.values() for n in e.names]
    return sorted(fields)


def to_yaml(flow: Flow, skeleton: Skeleton, name: str, start: datetime, comment: list[str]) -> str:
    head = "".join(f"# {line}\n" for line in comment)
    data = {"scenario": name, "flow": flow.id, "start": start.strftime("%Y-%m-%d %H:%M"),
            "actions": skeleton.actions}
    body = yaml.safe_dump(data, allow_unicode=True, sort_keys=False, default_flow_style=None, width=110)
    return head + body
