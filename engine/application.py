"""Stage 3, the `application:` section and the role bindings: what the product assumes.

Builds `model.ApplicationSpec` (numbering, the identity fields asked at login and at
password recovery, the display name, the recovery email, the answers kept searchable for
staff) and `model.Binding` per role (`binds: {dataset, answer}`), and checks every name
they use against the flow's fields and datasets, with located problems (APP_0xx, plus
the REF_003 of an unknown dataset). The store and the renderers read only these values,
so no code names a field of one flow. No I/O.
"""
from __future__ import annotations

from typing import Any, Iterable, Mapping, Protocol

from . import model
from .expressions import did_you_mean
from .source import Path


class Builder(Protocol):
    """What this stage uses of build.Builder: reporting, message keys and the datasets."""

    datasets: dict[str, model.Dataset]

    def problem(self, path: Path, code: str, message: str, hint: str = "") -> None: ...

    def message_key(self, path: Path, key: str | None) -> str | None: ...

    def dataset_ref(self, path: Path, name: str) -> bool: ...

# Field types that hold a plain value an applicant types or picks once (no lists, no secrets).
_IDENTITY_TYPES = frozenset({"text", "email", "date", "select", "radio", "table_choice"})
_SEARCHABLE_TYPES = _IDENTITY_TYPES | {"textarea"}
_ROOT: Path = ("application",)


def step_fields(data: Mapping[str, Any]) -> dict[str, dict[str, Any]]:
    """Every field of the steps (not the review fields), first declaration wins."""
    found: dict[str, dict[str, Any]] = {}
    for step in data["steps"]:
        sections = step.get("sections") or [step]
        for section in sections:
            for raw in section.get("fields", []):
                found.setdefault(raw["id"], raw)
    return found


def build_application(b: Builder, data: Mapping[str, Any]) -> tuple[model.ApplicationSpec,
                                                                      dict[str, model.Binding | None]]:
    fields = step_fields(data)
    raw = data.get("application", {})
    identity = raw.get("identity", {})
    login = _names(b, fields, identity.get("login", []), _ROOT + ("identity", "login"), _IDENTITY_TYPES)
    unique = _names(b, fields, identity.get("unique", identity.get("login", [])),
                    _ROOT + ("identity", "unique" if "unique" in identity else "login"), _IDENTITY_TYPES,
                    report="unique" in identity)
    recovery = _names(b, fields, identity.get("recovery", identity.get("login", [])),
                      _ROOT + ("identity", "recovery" if "recovery" in identity else "login"), _IDENTITY_TYPES,
                      report="recovery" in identity)
    for key, asked in (("login", login), ("recovery", recovery)):
        if key not in identity:
            continue
        for fid in unique:
            if fid not in asked:
                b.problem(_ROOT + ("identity", key), "APP_004", f"identity.{key} does not ask for unique field "
                          f"'{fid}', so it could match several applications", f"add '{fid}' to identity.{key}")
    for fid in dict.fromkeys(login + recovery + unique):
        if fid in fields and not (fields[fid].get("rules") or {}).get("required") and not fields[fid].get("value"):
            where = _at(identity, fid)
            b.problem(_ROOT + ("identity",) + where, "APP_005", f"identity field '{fid}' is not required, "
                      "so an application could have no value for it", "add `rules: {required: true}` to the field")
    display = _one(b, fields, raw.get("display_name"), _ROOT + ("display_name",), _SEARCHABLE_TYPES)
    email = _one(b, fields, raw.get("recovery_email"), _ROOT + ("recovery_email",), {"email"})
    searchable = _names(b, fields, raw.get("searchable", []), _ROOT + ("searchable",), _SEARCHABLE_TYPES)
    bindings = build_bindings(b, data, fields)
    bound = [binding.answer for binding in bindings.values() if binding is not None]
    everything = tuple(dict.fromkeys([*unique, *login, *recovery, *searchable, *bound, *([display] if display else []),
                                      *([email] if email else [])]))
    number = raw.get("number", {})
    numbering = model.Numbering(number["prefix"], bool(number.get("year", True)), int(number.get("digits", 6))) \
        if number else model.Numbering()
    duplicate = b.message_key(_ROOT + ("identity", "duplicate_message"), identity.get("duplicate_message"))
    return model.ApplicationSpec(numbering, unique, login, recovery, duplicate, display, email, everything), bindings


def build_bindings(b: Builder, data: Mapping[str, Any],
                   fields: Mapping[str, dict[str, Any]]) -> dict[str, model.Binding | None]:
    roles = data.get("roles", [])
    if isinstance(roles, list):
        return {role: None for role in roles}
    found: dict[str, model.Binding | None] = {}
    for role, spec in roles.items():
        found[role] = None
        binds = (spec or {}).get("binds")
        if binds is None:
            continue
        path: Path = ("roles", role, "binds")
        dataset, answer = binds["dataset"], binds["answer"]
        if not b.dataset_ref(path + ("dataset",), dataset):
            continue
        key = b.datasets[dataset].key
        if len(key) != 1:
            b.problem(path + ("dataset",), "APP_006", f"role '{role}' binds to dataset '{dataset}', whose key has "
                      f"{len(key)} columns", "bind to a dataset keyed by one column (e.g. key: [code])")
            continue
        raw = fields.get(answer)
        if raw is None:
            b.problem(path + ("answer",), "APP_001", f"role '{role}' binds through unknown field '{answer}'",
                      did_you_mean(answer, fields) or "name a field of the steps")
            continue
        options = raw.get("options")
        if not isinstance(options, dict) or options.get("dataset") != dataset or options.get("value") != key[0] \
                or raw["type"] == "checkbox":
            b.problem(path + ("answer",), "APP_007", f"role '{role}' binds through '{answer}', whose options are "
                      f"not the rows of dataset '{dataset}'",
                      f"bind through a single-choice field with `options: {{dataset: {dataset}, value: {key[0]}}}`")
            continue
        found[role] = model.Binding(dataset, answer, key[0])
    return found


def _names(b: Builder, fields: Mapping[str, dict[str, Any]], names: Iterable[str], path: Path,
           types: Iterable[str], report: bool = True) -> tuple[str, ...]:
    kept = []
    for index, fid in enumerate(names):
        if _field_ok(b, fields, fid, path + (index,), types, report):
            kept.append(fid)
    return tuple(kept)


def _one(b: Builder, fields: Mapping[str, dict[str, Any]], fid: str | None, path: Path,
         types: Iterable[str]) -> str | None:
    return fid if fid is not None and _field_ok(b, fields, fid, path, types) else None


def _field_ok(b: Builder, fields: Mapping[str, dict[str, Any]], fid: str, path: Path, types: Iterable[str],
              report: bool = True) -> bool:
    raw = fields.get(fid)
    where = ".".join(str(p) for p in path if not isinstance(p, int))
    if raw is None:
        if report:
            b.problem(path, "APP_001", f"{where} names unknown field '{fid}'",
                      did_you_mean(fid, fields) or "name a field of the steps")
        return False
    if raw["type"] not in types:
        if report:
            b.problem(path, "APP_002", f"{where} names '{fid}', a field of type {raw['type']}",
                      "it must be a field of type " + ", ".join(sorted(types)))
        return False
    return True


def _at(identity: Mapping[str, Any], fid: str) -> Path:
    for key in ("unique", "login", "recovery"):
        if fid in identity.get(key, []):
            return (key, list(identity[key]).index(fid))
    return ()
