"""The semantic difference between two built flows, for the people who change them.

`diff_flows(old, new)` compares what the flows *mean* (steps, fields, rules, options, gates,
lookups, datasets, statuses, transitions, roles, documents and the message keys they name),
never their text: a comment-only edit has no changes. Each `Change` is a value with a code
(the wording lives in locales/<lang>/messages.yaml under `diff.<code>`), parameters for the
message, the ids it concerns, and its impact:

  * SAFE       nobody's draft or application needs anything (a new optional field, a new
               option, another label text);
  * DRAFTS     applicants part way through may meet something new (a gate, a moved step,
               a changed condition), so drafts keep the version they started on;
  * SUBMITTED  applications already made are touched (a new required field, a removed
               option, field or status), so moving them needs a migration rule.

No I/O; used by `shenbao diff`, `shenbao publish` and the specification side-by-side.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Iterable, Mapping

from .model import Field, Flow, Status, Step

SAFE, DRAFTS, SUBMITTED = "safe", "drafts", "submitted"
IMPACTS = (SAFE, DRAFTS, SUBMITTED)  # in increasing order of harm
_LOOSER_WHEN_REMOVED = {"required", "minlength", "maxlength", "regex", "allowed", "not_future"}


@dataclass(frozen=True)
class Change:
    code: str
    impact: str
    params: Mapping[str, Any] = field(default_factory=dict)
    field: str | None = None    # the field it concerns, when one
    status: str | None = None   # the status it concerns, when one
    option: Any = None          # the option value it concerns, when one
    step: str | None = None     # the step it concerns, when one

    @property
    def breaking(self) -> bool:
        return self.impact != SAFE


def diff_flows(old: Flow, new: Flow) -> list[Change]:
    """Every change from `old` to `new`, in the order of the new flow; empty when they mean the same."""
    if old.digest == new.digest:
        return []
    changes: list[Change] = []
    changes += _steps(old, new)
    changes += _fields(old, new)
    changes += _gates(old, new)
    changes += _keyed("lookup", {x.id: x for x in old.lookups}, {x.id: x for x in new.lookups}, DRAFTS, DRAFTS)
    changes += _keyed("dataset", old.datasets, new.datasets, DRAFTS, DRAFTS)
    changes += _statuses(old, new)
    changes += _roles(old, new)
    changes += _documents(old, new)
    return changes


def diff_messages(old: Mapping[str, str], new: Mapping[str, str]) -> list[Change]:
    """Message texts added, removed or changed between two catalogues (key → text), by key.

    A text never changes what anybody typed or chose, so each is safe; a key the new flow still
    names but the new catalogue lacks is `shenbao check`'s to refuse."""
    changes = []
    for key in sorted(set(old) | set(new)):
        if key not in old:
            changes.append(Change("message_added", SAFE, {"message": key, "new": new[key]}))
        elif key not in new:
            changes.append(Change("message_removed", SAFE, {"message": key, "old": old[key]}))
        elif old[key] != new[key]:
            changes.append(Change("message_changed", SAFE, {"message": key, "old": old[key], "new": new[key]}))
    return changes


def worst(changes: Iterable[Change]) -> str:
    return max((c.impact for c in changes), key=IMPACTS.index, default=SAFE)


# -- steps and fields ---------------------------------------------------------------------
def _steps(old: Flow, new: Flow) -> list[Change]:
    before = {s.id: (i, s) for i, s in enumerate(old.steps)}
    after = {s.id: (i, s) for i, s in enumerate(new.steps)}
    changes = []
    for sid, (index, step) in after.items():
        if sid not in before:
            changes.append(Change("step_added", DRAFTS, {"step_label": step.title, "number": index + 1}, step=sid))
            continue
        was = before[sid][1]
        if [s for s in old.steps if s.id in after].index(was) != [s for s in new.steps if s.id in before].index(step):
            changes.append(Change("step_moved", DRAFTS, {"step_label": step.title, "number": index + 1}, step=sid))
        for key in ("title", "body", "next_label"):
            if getattr(was, key) != getattr(step, key):
                changes.append(Change("step_text", SAFE, {"step_label": step.title, "what": key}, step=sid))
        if was.show != step.show:
            changes.append(Change("summary_changed", SAFE, {"step_label": step.title}, step=sid))
        if was.min_read_seconds != step.min_read_seconds:
            changes.append(Change("reading_time", DRAFTS, {"step_label": step.title, "old": was.min_read_seconds,
                                                           "new": step.min_read_seconds}, step=sid))
    for sid, (_, step) in before.items():
        if sid not in after:
            changes.append(Change("step_removed", DRAFTS, {"step_label": step.title}, step=sid))
    return changes


def _all_fields(flow: Flow) -> dict[str, tuple[Field, Step | None]]:
    found: dict[str, tuple[Field, Step | None]] = {f.id: (f, s) for s in flow.steps for f in s.fields}
    found.update({f.id: (f, None) for f in flow.review_fields})
    return found


def _fields(old: Flow, new: Flow) -> list[Change]:
    before, after = _all_fields(old), _all_fields(new)
    changes = []
    for fid, (fld, step) in after.items():
        where = {"field_label": fld.label, "step_label": step.title if step else "diff.review"}
        if fid not in before:
            required = bool(fld.rules.get("required")) and fld.is_input and step is not None
            changes.append(Change("field_added_required" if required else "field_added",
                                  SUBMITTED if required else SAFE, where, field=fid))
            continue
        was, was_step = before[fid]
        if (was_step.id if was_step else None) != (step.id if step else None):
            changes.append(Change("field_moved", DRAFTS, where, field=fid))
        if was.type != fld.type:
            changes.append(Change("field_type", SUBMITTED, {**where, "old": was.type, "new": fld.type}, field=fid))
        if (was.label, was.help) != (fld.label, fld.help):
            changes.append(Change("field_text", SAFE, where, field=fid))
        changes += _rules(fid, where, was.rules, fld.rules)
        changes += _options(fid, where, was, fld)
        for key in ("prefill", "value", "visible_when", "readonly_when"):
            if _source(getattr(was, key)) != _source(getattr(fld, key)):
                changes.append(Change("field_condition", DRAFTS, {**where, "what": key}, field=fid))
    for fid, (fld, step) in before.items():
        if fid not in after:
            where = {"field_label": fld.label, "step_label": step.title if step else "diff.review"}
            changes.append(Change("field_removed", SUBMITTED if fld.is_input else SAFE, where, field=fid))
    return changes


def _source(expr: Any) -> str | None:
    return expr.source if expr is not None else None


def _rules(fid: str, where: Mapping[str, Any], old: Mapping[str, Any], new: Mapping[str, Any]) -> list[Change]:
    changes = []
    for name in sorted(set(old) | set(new)):
        if old.get(name) == new.get(name):
            continue
        if name not in new or (name == "required" and not new[name]):
            code, impact = "rule_removed", SAFE if name in _LOOSER_WHEN_REMOVED else DRAFTS
        elif name not in old or (name == "required" and not old.get(name)):
            code, impact = "rule_added", SUBMITTED
        else:
            looser = (name == "maxlength" and new[name] > old[name]) or (name == "minlength" and new[name] < old[name])
            code, impact = "rule_changed", SAFE if looser else SUBMITTED
        changes.append(Change(code, impact, {**where, "rule": name, "old": old.get(name, ""),
                                             "new": new.get(name, "")}, field=fid))
    return changes


def _options(fid: str, where: Mapping[str, Any], old: Field, new: Field) -> list[Change]:
    if old.options is None or new.options is None:
        return []
    if (old.options.dataset, old.options.value, _source(old.options.filter)) != \
            (new.options.dataset, new.options.value, _source(new.options.filter)):
        return [Change("options_source", SUBMITTED, where, field=fid)]
    before, after = dict(old.options.static), dict(new.options.static)
    changes = []
    for value, label in after.items():
        if value not in before:
            changes.append(Change("option_added", SAFE, {**where, "option_label": label, "value": value},
                                  field=fid, option=value))
        elif before[value] != label:
            changes.append(Change("option_text", SAFE, {**where, "option_label": label, "value": value},
                                  field=fid, option=value))
    for value, label in before.items():
        if value not in after:
            changes.append(Change("option_removed", SUBMITTED, {**where, "option_label": label, "value": value},
                                  field=fid, option=value))
    return changes


def _gates(old: Flow, new: Flow) -> list[Change]:
    changes = []
    before = {(s.id, g.id): (s, g) for s in old.steps for g in s.gates}
    after = {(s.id, g.id): (s, g) for s in new.steps for g in s.gates}
    for key, (step, gate) in after.items():
        params = {"step_label": step.title, "gate": gate.id, "when": gate.when.source}
        if key not in before:
            changes.append(Change("gate_added", DRAFTS, params, step=step.id))
        elif before[key][1].when.source != gate.when.source or \
                {k: v.source for k, v in before[key][1].params.items()} != {k: v.source for k, v in gate.params.items()}:
            changes.append(Change("gate_changed", DRAFTS, params, step=step.id))
        elif before[key][1].message != gate.message:
            changes.append(Change("gate_text", SAFE, params, step=step.id))
    for key, (step, gate) in before.items():
        if key not in after:
            changes.append(Change("gate_removed", SAFE, {"step_label": step.title, "gate": gate.id,
                                                         "when": gate.when.source}, step=step.id))
    return changes


def _keyed(kind: str, old: Mapping[str, Any], new: Mapping[str, Any], changed: str, removed: str) -> list[Change]:
    changes = [Change(f"{kind}_added", SAFE, {kind: name}) for name in new if name not in old]
    changes += [Change(f"{kind}_changed", changed, {kind: name}) for name in new
                if name in old and _comparable(old[name]) != _comparable(new[name])]
    changes += [Change(f"{kind}_removed", removed, {kind: name}) for name in old if name not in new]
    return changes


def _comparable(value: Any) -> Any:
    """Datasets and lookups compared by what they say (expressions by their source)."""
    if hasattr(value, "match"):
        return (value.dataset, {k: v.source for k, v in value.match.items()}, value.many)
    return (dict(value.columns), value.key, value.file)


# -- statuses, roles, documents -------------------------------------------------------------
def _statuses(old: Flow, new: Flow) -> list[Change]:
    changes = []
    for sid, status in new.statuses.items():
        params = {"status_label": status.message, "status": sid}
        if sid not in old.statuses:
            changes.append(Change("status_added", SAFE, params, status=sid))
            continue
        was = old.statuses[sid]
        if was.message != status.message:
            changes.append(Change("status_text", SAFE, params, status=sid))
        if (was.initial, was.final) != (status.initial, status.final):
            changes.append(Change("status_kind", SUBMITTED, params, status=sid))
        if _edit(was) != _edit(status):
            changes.append(Change("status_edit", SUBMITTED, params, status=sid))
        changes += _transitions(sid, params, was, status, new)
    for sid, status in old.statuses.items():
        if sid not in new.statuses:
            changes.append(Change("status_removed", SUBMITTED, {"status_label": status.message, "status": sid},
                                  status=sid))
    return changes


def _edit(status: Status) -> Any:
    rule = status.applicant_edit
    return None if rule is None else (sorted(rule.fields), _source(rule.when), rule.then)


def _transitions(sid: str, params: Mapping[str, Any], old: Status, new: Status, flow: Flow) -> list[Change]:
    before = {t.to: t for t in old.transitions}
    after = {t.to: t for t in new.transitions}
    changes = []
    for to, move in after.items():
        label = flow.statuses[to].message if to in flow.statuses else to
        moved = {**params, "to_label": label, "roles": ", ".join(sorted(move.roles))}
        if to not in before:
            changes.append(Change("transition_added", SAFE, moved, status=sid))
        elif (before[to].roles, before[to].requires) != (move.roles, move.requires):
            changes.append(Change("transition_changed", SUBMITTED, moved, status=sid))
    for to, move in before.items():
        if to not in after:
            changes.append(Change("transition_removed", SUBMITTED,
                                  {**params, "to_label": to, "roles": ", ".join(sorted(move.roles))}, status=sid))
    return changes


def _roles(old: Flow, new: Flow) -> list[Change]:
    return [Change("role_added", SAFE, {"role": r}) for r in sorted(new.roles - old.roles)] + \
        [Change("role_removed", SUBMITTED, {"role": r}) for r in sorted(old.roles - new.roles)]


def _documents(old: Flow, new: Flow) -> list[Change]:
    changes = [Change("document_added", SAFE, {"document": d}) for d in new.documents if d not in old.documents]
    changes += [Change("document_changed", SAFE, {"document": d}) for d in new.documents
                if d in old.documents and old.documents[d].declared != new.documents[d].declared]
    changes += [Change("document_removed", SUBMITTED, {"document": d}) for d in old.documents
                if d not in new.documents]
    return changes
