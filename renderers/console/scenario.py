"""Reading scenario files: YAML with positions, checked against schemas/scenario.schema.json,
then against the flow they are written for (field, step, status, role and gate names).

Every problem of a file is reported at once, located as `file:line:col: CODE message — hint`
(the same shape as `shenbao check`). Scalars typed as answers stay the text written
(`postcode: 010000` is '010000', not an octal number): that is what an applicant types.
This module reads files but runs nothing.
"""
from __future__ import annotations

import difflib
import os
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any, Iterable, Mapping

import jsonschema
import yaml

from engine import Field, Flow, FlowProblem
from shenbao.flows import display_name, load_schemas
from shenbao.signin import login_fields, recovery_fields

VERBS = ("next", "answers", "decline", "back", "wait", "at", "status", "amend", "document", "login", "view",
         "messages", "password", "recover")
TEXT_KEYS = frozenset({"answers", "inputs", "value", "params", "review", "options", "document", "login", "password",
                       "recover"})
MIN_READ_GATE = "min_read_time"  # the gate the engine reports for a minimum reading time


# A scenario problem is located and worded exactly like a flow's authoring problem.
ScenarioProblem = FlowProblem


class ScenarioError(Exception):
    def __init__(self, problems: list[ScenarioProblem]):
        self.problems = sorted(problems, key=lambda p: (p.filename, p.line, p.col))
        super().__init__("\n".join(str(p) for p in self.problems))


@dataclass(frozen=True)
class Action:
    verb: str
    arg: Any
    line: int
    confirm: tuple[str, ...] = ()
    expect: Mapping[str, Any] = field(default_factory=dict)
    note: str | None = None
    expect_lines: Mapping[str, int] = field(default_factory=dict)  # line of each `expect` key

    def expect_line(self, key: str) -> int:
        """Where `key` is written in `expect`; for a key not written (no problems expected, say),
        the line of `expect` itself, or of the action when it has no `expect`."""
        return self.expect_lines.get(key, self.expect_lines.get("", self.line))


@dataclass(frozen=True)
class Scenario:
    path: Path
    name: str
    flow: str
    actions: tuple[Action, ...]
    covers: str | None = None
    start: datetime | None = None
    after: Scenario | None = None
    tags: tuple[str, ...] = ()
    unnamed: str = "empty"   # or "first-offered": see schemas/scenario.schema.json and the README

    @property
    def filename(self) -> str:
        return display_name(self.path)


def read_scenario(path: Path | str, flow: Flow, _seen: tuple[Path, ...] = ()) -> Scenario:
    """Read and check one scenario file (and the files it plays `after`); raise ScenarioError."""
    path = Path(path).resolve()
    name = display_name(path)
    if path in _seen:
        raise ScenarioError([ScenarioProblem(name, 1, 1, "SCENARIO_008", "`after` goes round in a circle",
                                             " → ".join(display_name(p) for p in _seen + (path,)))])
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ScenarioError([ScenarioProblem(name, 1, 1, "IO_001", f"cannot read the file: {exc.strerror}")])
    data, positions, problems = _read_yaml(text, name)
    if data is None:
        raise ScenarioError(problems)
    problems += _check_schema(data, positions, name)
    if problems:
        raise ScenarioError(problems)
    problems = _check_names(data, positions, name, flow)
    after = None
    if "after" in data:
        target = path.parent / data["after"]
        if not target.exists():
            problems.append(_at(positions, ("after",), name, "SCENARIO_007",
                                f"`after` names a file that does not exist: {data['after']}"))
        else:
            after = read_scenario(target, flow, _seen + (path,))
    if problems:
        raise ScenarioError(problems)
    actions = tuple(_action(raw, ("actions", i), positions) for i, raw in enumerate(data["actions"]))
    start = datetime.fromisoformat(data["start"]) if "start" in data else None
    return Scenario(path, data["scenario"], data["flow"], actions, data.get("covers"), start, after,
                    tuple(data.get("tags", ())), data.get("unnamed", "empty"))


def _action(raw: Any, at: tuple[Any, ...], positions: Positions) -> Action:
    line = positions[at][0]
    if isinstance(raw, str):
        return Action(raw, True, line)
    verb = next(v for v in VERBS if v in raw)
    expect = raw.get("expect", {})
    lines = {key: positions.get(at + ("expect", key), (line, 0))[0] for key in expect}
    if "expect" in raw:
        lines[""] = positions.get(at + ("expect",), (line, 0))[0]
    return Action(verb, raw[verb], line, tuple(raw.get("confirm", ())), expect, raw.get("note"), lines)


# -- reading YAML with positions -------------------------------------------------------------
Positions = dict[tuple[Any, ...], tuple[int, int]]


def _read_yaml(text: str, name: str) -> tuple[Any, Positions, list[ScenarioProblem]]:
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line, col = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        return None, {}, [ScenarioProblem(name, line, col, "YAML_001", f"not valid YAML: {exc.problem or exc}",
                                          "check indentation and quoting around this place")]
    if node is None:
        return None, {}, [ScenarioProblem(name, 1, 1, "YAML_002", "the file is empty",
                                          "a scenario starts with `scenario:`, `flow:` and `start:`")]
    positions: Positions = {}
    problems: list[ScenarioProblem] = []
    constructor = yaml.SafeLoader("")
    data = _walk(node, (), positions, problems, name, constructor, False)
    return data, positions, problems


def _walk(node: yaml.Node, path: tuple[Any, ...], positions: Positions, problems: list[ScenarioProblem],
          name: str, constructor: yaml.SafeLoader, as_text: bool) -> Any:
    positions.setdefault(path, (node.start_mark.line + 1, node.start_mark.column + 1))
    if isinstance(node, yaml.SequenceNode):
        return [_walk(n, path + (i,), positions, problems, name, constructor, as_text)
                for i, n in enumerate(node.value)]
    if isinstance(node, yaml.MappingNode):
        result: dict[str, Any] = {}
        for key_node, value_node in node.value:
            key = str(key_node.value)
            if key in result:
                first = positions.get(path + (key,), (0, 0))[0]
                problems.append(ScenarioProblem(name, key_node.start_mark.line + 1, key_node.start_mark.column + 1,
                                                "YAML_003", f"duplicate key '{key}'",
                                                f"it was already given at line {first}; keep one"))
                continue
            positions[path + (key,)] = (key_node.start_mark.line + 1, key_node.start_mark.column + 1)
            result[key] = _walk(value_node, path + (key,), positions, problems, name, constructor,
                                as_text or key in TEXT_KEYS)
        return result
    return _scalar(node, constructor, as_text)


def _scalar(node: yaml.ScalarNode, constructor: yaml.SafeLoader, as_text: bool) -> Any:
    tag = node.tag
    if tag == "tag:yaml.org,2002:timestamp" or (as_text and tag in ("tag:yaml.org,2002:int",
                                                                     "tag:yaml.org,2002:float")):
        return node.value
    return constructor.construct_object(node, deep=True)


# -- the schema ---------------------------------------------------------------------------
def _check_schema(data: Any, positions: Positions, name: str) -> list[ScenarioProblem]:
    validator = jsonschema.Draft202012Validator(load_schemas()["scenario.schema.json"])
    problems = {_describe(leaf, positions, name) for error in validator.iter_errors(data) for leaf in _leaves(error)}
    return sorted(problems, key=lambda p: (p.line, p.col, p.code, p.message))


def _leaves(error: jsonschema.ValidationError) -> list[jsonschema.ValidationError]:
    """For a oneOf, follow the branch that fits the value's shape instead of a vague summary."""
    if error.validator != "oneOf" or not error.context or _is_verb_choice(error):
        return [error]
    branches = error.validator_value
    fitting = [i for i, b in enumerate(branches) if _fits(b, error.instance)]
    if len(fitting) == 1:
        inner = [e for e in error.context if e.relative_schema_path[0] == fitting[0]]
        if inner:
            return [leaf for e in inner for leaf in _leaves(e)]
    best = jsonschema.exceptions.best_match(error.context)
    return _leaves(best) if best is not None else [error]


def _fits(branch: Mapping[str, Any], instance: Any) -> bool:
    if "enum" in branch:
        return isinstance(instance, str)
    if branch.get("type") == "object":
        return isinstance(instance, dict)
    if "$ref" in branch:
        return isinstance(instance, str)
    return False


def _is_verb_choice(error: jsonschema.ValidationError) -> bool:
    return all(set(b) == {"required"} for b in error.validator_value)


def _describe(error: jsonschema.ValidationError, positions: Positions, name: str) -> ScenarioProblem:
    path = tuple(error.absolute_path)
    where = "/".join(str(p) for p in path) or "(top)"
    kind = error.validator
    if kind == "oneOf" and _is_verb_choice(error):
        found = [v for v in VERBS if v in error.instance]
        return _at(positions, path, name, "SCENARIO_003",
                   f"{where}: an action does exactly one thing; found {', '.join(found) or 'nothing'}",
                   "use one of: " + ", ".join(VERBS) + " (plus `expect`, `note`, and `confirm` with `answers`)")
    if kind == "additionalProperties":
        allowed = sorted(error.schema.get("properties", {}))
        extra = sorted(set(error.instance) - set(allowed))[0]
        return _at(positions, path + (extra,), name, "SCENARIO_002", f"unknown key '{extra}' in {where}",
                   _did_you_mean(extra, allowed) or "allowed here: " + ", ".join(allowed))
    if kind == "required":
        return _at(positions, path, name, "SCENARIO_004", f"{where}: {error.message}", "add the missing key")
    if kind == "dependentRequired":
        return _at(positions, path, name, "SCENARIO_003", f"{where}: `confirm` goes with `answers`",
                   "to continue past a warning, send the answers again with confirm: [field:code]")
    if kind in ("pattern", "enum", "const"):
        return _at(positions, path, name, "SCENARIO_005", f"{where}: {error.instance!r} is not allowed here",
                   _pattern_hint(error))
    if kind == "type":
        return _at(positions, path, name, "SCENARIO_006",
                   f"{where}: expected {error.validator_value}, got {type(error.instance).__name__}")
    return _at(positions, path, name, "SCENARIO_001", f"{where}: {error.message}")


def _pattern_hint(error: jsonschema.ValidationError) -> str:
    if error.validator == "enum":
        return "use one of: " + ", ".join(str(v) for v in error.validator_value)
    if error.validator == "const":
        return f"write {error.validator_value!r}"
    hints = {"#/$defs/moment": "a moment is 'YYYY-MM-DD HH:MM'", "#/$defs/field_key": "write field:code",
             "#/$defs/key": "write field:code (or just code for the whole step)"}
    value = str(error.validator_value)
    if "[ T]" in value:
        return hints["#/$defs/moment"]
    if ":[a-z]" in value:
        return hints["#/$defs/key"] if "?" in value else hints["#/$defs/field_key"]
    return "ids are lower_snake_case"


def _at(positions: Positions, path: tuple[Any, ...], name: str, code: str, message: str,
        hint: str = "") -> ScenarioProblem:
    while path not in positions and path:
        path = path[:-1]
    line, col = positions.get(path, (1, 1))
    return ScenarioProblem(name, line, col, code, message, hint)


def _did_you_mean(word: str, choices: Iterable[str]) -> str:
    """The closest name, preferring one that starts the same way (email_adress → email_address)."""
    close = difflib.get_close_matches(word, sorted(choices), n=3)
    if not close:
        return ""
    best = max(close, key=lambda c: len(os.path.commonprefix([c, word])))
    return f"did you mean '{best}'?"


# -- names the flow must know ---------------------------------------------------------------
# Problems that belong to no field: a refused staff move, an edit the status does not allow.
STEP_CODES = frozenset({"transition_not_allowed", "edit_not_allowed"})
# Rules whose failures carry another code than the rule's own name.
RULE_CODES = {"cn_resident_id": ("id_format", "id_region", "id_birth_date", "id_checksum"),
              "allowed": ("not_an_option",)}


def field_codes(fld: Field) -> set[str]:
    """Every problem code a field can produce: its rules, its type's checks, unusable characters."""
    codes = {"unsupported_chars"}
    if fld.type == "date":
        codes.add("date_format")
    if fld.options is not None:  # a choice field
        codes.add("not_an_option")
    for rule in fld.rules:
        codes.update(RULE_CODES.get(rule, (rule,)))
    return codes


def _check_names(data: Mapping[str, Any], positions: Positions, name: str, flow: Flow) -> list[ScenarioProblem]:
    problems: list[ScenarioProblem] = []
    inputs = {f.id for f in flow.fields.values() if f.is_input}
    all_fields = {**flow.fields, **{f.id: f for f in flow.review_fields}}
    review = {f.id for f in flow.review_fields}
    steps = {s.id for s in flow.steps}
    gates = {g.id for s in flow.steps for g in s.gates} | {MIN_READ_GATE}

    def known(path: tuple[Any, ...], value: str, choices: set[str], what: str, of: str = "") -> bool:
        if value not in choices:
            hint = _did_you_mean(value, choices) or f"known: {', '.join(sorted(choices)) or '(none)'}"
            problems.append(_at(positions, path, name, "SCENARIO_010",
                                f"unknown {what} '{value}'{of} for flow '{flow.id}'", hint))
            return False
        return True

    def code(path: tuple[Any, ...], key: str, warning: bool) -> None:
        """`field:code` (or a bare code): the field exists and can give that problem or warning."""
        fid, _, kind = key.rpartition(":")
        if not fid:
            known(path, kind, set() if warning else set(STEP_CODES), "warning" if warning else "step problem")
        elif known(path, fid, set(all_fields), "field"):
            fld = all_fields[fid]
            choices = set(fld.warnings) if warning else field_codes(fld)
            known(path, kind, choices, "warning" if warning else "problem", f" of field '{fid}'")

    if data["flow"] != flow.id:
        problems.append(_at(positions, ("flow",), name, "SCENARIO_009", f"this scenario is for flow '{data['flow']}', "
                            f"but the flow given is '{flow.id}'", "pass the right flow file: shenbao console FLOW"))
        return problems
    for index, action in enumerate(data["actions"]):
        if not isinstance(action, dict):
            continue
        at = ("actions", index)
        for fid in action.get("answers") or {}:
            known(at + ("answers", fid), fid, inputs, "input field")
        amend = action.get("amend") or {}
        for fid in amend.get("answers") or {}:
            known(at + ("amend", "answers", fid), fid, inputs, "input field")
        if "document" in action:
            known(at + ("document",), action["document"], set(flow.documents), "document")
        for verb, declared, what in (("login", login_fields(flow), "login field"),
                                     ("recover", recovery_fields(flow), "recovery field")):
            given = action.get(verb)
            for fid in (given.get("answers") or {}) if isinstance(given, dict) else ():
                known(at + (verb, "answers", fid), fid, set(declared), what,
                      f" (the flow's application.identity.{verb if verb == 'login' else 'recovery'})")
        status = action.get("status") or {}
        if status:
            known(at + ("status", "to"), status["to"], set(flow.statuses), "status")
            known(at + ("status", "role"), status["role"], set(flow.roles), "role")
            for fid in status.get("inputs") or {}:
                known(at + ("status", "inputs", fid), fid, review, "review field")
        for i, key in enumerate(action.get("confirm", [])):
            code(at + ("confirm", i), key, True)
        for i, key in enumerate(amend.get("confirm", [])):
            code(at + ("amend", "confirm", i), key, True)
        if "decline" in action:
            code(at + ("decline",), action["decline"], True)
        _check_expect(action.get("expect") or {}, at + ("expect",), known, code, set(all_fields), steps, gates,
                      set(flow.statuses))
    return problems


def _check_expect(expect: Mapping[str, Any], at: tuple[Any, ...], known: Any, code: Any, fields: set[str],
                  steps: set[str], gates: set[str], statuses: set[str]) -> None:
    if "step" in expect:
        known(at + ("step",), expect["step"], steps, "step")
    if "status" in expect:
        known(at + ("status",), expect["status"], statuses, "status")
    for group in ("answers", "fields", "review"):
        for fid in expect.get(group) or {}:
            known(at + (group, fid), fid, fields, "field")
    for group in ("problems", "warnings"):
        for index, item in enumerate(expect.get(group) or []):
            code(at + (group, index), item if isinstance(item, str) else item["key"], group == "warnings")
    for index, item in enumerate(expect.get("gates") or []):
        known(at + ("gates", index), item if isinstance(item, str) else item["id"], gates, "gate")
    for index, item in enumerate(expect.get("decisions") or []):
        code(at + ("decisions", index), item["key"], True)
