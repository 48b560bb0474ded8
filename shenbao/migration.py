"""Moving applications from one flow version to a newer one: explicit, with a rule per change.

Applications keep the version they were made under (shenbao.flowversions). To move them to
a newer version, policy staff write a rules file, one rule for each change that touches them:

    statuses:            # a removed status: where its applications go
      materials_incomplete: submitted
    options:             # a removed option: the value that replaces it, per field
      accept_terms: {decline: accept}
    fields:              # a new required field: the value every moved application gets
      teaching_years: "5"

`plan(old, new, rules)` lists the changes that need a rule and have none (then nothing moves);
`migrate(store, old, new, rules, now)` moves every application of the old version in its own
transaction (row version checked, an audit entry written) and returns how many moved. Drafts
are not moved: they finish under the version they were started with.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Mapping

import yaml

from engine import Change, Flow, diff_flows
from store import AuditEntry, StaleWrite, flow_versions

NEEDS_RULE = frozenset({"status_removed", "option_removed", "field_added_required"})


@dataclass(frozen=True)
class Rules:
    statuses: Mapping[str, str] = field(default_factory=dict)
    options: Mapping[str, Mapping[Any, Any]] = field(default_factory=dict)
    fields: Mapping[str, Any] = field(default_factory=dict)


def read_rules(text: str) -> Rules:
    data = yaml.safe_load(text) or {}
    if not isinstance(data, dict) or set(data) - {"statuses", "options", "fields"}:
        raise ValueError("a rules file has the keys statuses, options and fields only")
    return Rules(dict(data.get("statuses") or {}), dict(data.get("options") or {}), dict(data.get("fields") or {}))


def _ruled(change: Change, new: Flow, rules: Rules) -> bool:
    if change.code == "status_removed":
        return rules.statuses.get(change.status or "") in new.statuses
    if change.code == "option_removed":
        target = rules.options.get(change.field or "", {})
        options = new.fields[change.field].options if change.field in new.fields else None
        values = [v for v, _ in options.static] if options is not None else []
        return change.option in target and target[change.option] in values
    if change.code == "field_added_required":
        return change.field in rules.fields
    return True


def plan(old: Flow, new: Flow, rules: Rules) -> list[Change]:
    """The changes that touch applications and have no (valid) rule: moving is refused while any remain."""
    return [c for c in diff_flows(old, new) if c.code in NEEDS_RULE and not _ruled(c, new, rules)]


def moved_answers(answers: Mapping[str, Any], rules: Rules) -> dict[str, Any]:
    result = dict(answers)
    for fid, mapping in rules.options.items():
        value = result.get(fid)
        if isinstance(value, list):
            result[fid] = [mapping.get(v, v) for v in value]
        elif value in mapping:
            result[fid] = mapping[value]
    for fid, value in rules.fields.items():
        if result.get(fid) in (None, ""):
            result[fid] = value
    return result


def migrate(store: Any, old: Flow, new: Flow, rules: Rules, now: datetime) -> int:
    if plan(old, new, rules):
        raise ValueError("some changes have no migration rule; see plan()")
    moved = 0
    for application_id in flow_versions.application_ids(store, old.id, old.digest):
        for _ in range(3):  # a concurrent edit bumps the row version: read again and retry
            app = store.get_application(application_id)
            status = rules.statuses.get(app.status, app.status)
            audit = AuditEntry("system", "migrate", data={"from": old.version, "to": new.version})
            try:
                store.update_application(app.id, app.row_version, now=now, audit=audit, status=status,
                                         flow_version=new.version, flow_digest=new.digest,
                                         answers=moved_answers(app.answers, rules))
            except StaleWrite:
                continue
            moved += 1
            break
    return moved
