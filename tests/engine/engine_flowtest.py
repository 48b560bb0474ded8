"""Flow tests the way a policy author writes them (after pyxform's `assertPyxformXform`).

A test gives a small flow as inline YAML, the reference rows it needs, and a list of
submissions, each with what the engine must say about it, by code:

    assert_flow('''
      steps:
        - id: identity
          fields:
            - {id: id_no, type: text, normalize: [nfkc, trim, upper], rules: {cn_resident_id: true}}
    ''', steps=[
        {"answers": {"id_no": "11010519491231002Y"}, "expect_problems": ["id_no:id_format"]},
        {"answers": {"id_no": "11010519491231002x"}, "expect_step": "done"},
    ])

Shorthands keep the YAML on the point of the test: the `flow:` header, a step's `kind`
(form) and `title`, a field's `label` are filled in when left out, and a summary step
`done` is added when the flow does not end with one. Message keys are not checked here
(the golden tests do that against the real catalogue).

Each submission may say:
  answers, confirm          what is sent to `Run.submit`
  wait                      seconds the injected clock moves on before submitting
  back                      true: go back one step instead of submitting
  expect_problems           ["field:code", ...]   exactly, in any order
  expect_warnings           ["field:warning", ...]
  expect_gates              ["gate_id", ...]
  expect_gate_params        {gate_id: {param: value}}
  expect_advanced           defaults to "nothing expected went wrong"
  expect_step               the step the run is on afterwards
  expect_answers            {field: value} a subset of Run.answers afterwards
  expect_fields             {field: {value:…, readonly:…, required:…}} in the view afterwards;
                            {field: null} means the field is not shown
"""
from __future__ import annotations

import json
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, Iterable, Mapping, Sequence

import yaml

from engine import MemorySource, Run, load_flow
from engine.model import Flow

ROOT = Path(__file__).resolve().parents[2]
SCHEMAS = {p.name: json.loads(p.read_text(encoding="utf-8")) for p in (ROOT / "schemas").glob("*.schema.json")}
DEFAULT_NOW = datetime(2026, 11, 29, 9, 0)


class AnyKey:
    """A catalogue that knows every key: inline flows name keys that need not exist."""

    def __contains__(self, key: object) -> bool:
        return True

    def __iter__(self):
        return iter(())


class FakeClock:
    """The injected clock; tests move it on explicitly."""

    def __init__(self, now: datetime = DEFAULT_NOW):
        self.now = now

    def __call__(self) -> datetime:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += timedelta(seconds=seconds)


def complete_flow(data: dict[str, Any]) -> dict[str, Any]:
    """Fill in the shorthands described in the module docstring."""
    data = dict(data)
    data.setdefault("flow", {"id": "test_flow", "version": "1", "title": "flow.title"})
    steps = []
    for step in data.get("steps", []):
        step = dict(step)
        step.setdefault("kind", "form")
        step.setdefault("title", f"step.{step['id']}.title")
        for holder in step.get("sections", [step]):
            holder["fields"] = [_with_label(f) for f in holder.get("fields", [])]
        steps.append(step)
    if not steps or steps[-1]["kind"] != "summary":
        steps.append({"id": "done", "kind": "summary", "title": "step.done.title"})
    data["steps"] = steps
    if "review_fields" in data:
        data["review_fields"] = [_with_label(f) for f in data["review_fields"]]
    return data


def _with_label(field: Mapping[str, Any]) -> dict[str, Any]:
    field = dict(field)
    field.setdefault("label", f"field.{field['id']}.label")
    return field


def make_flow(flow_yaml: str) -> Flow:
    data = complete_flow(yaml.safe_load(flow_yaml))
    text = yaml.safe_dump(data, allow_unicode=True, sort_keys=False)
    return load_flow(text, "<test>", SCHEMAS, AnyKey())


def make_run(flow_yaml: str | Flow, data: Mapping[str, Sequence[Mapping[str, Any]]] | None = None,
             clock: FakeClock | None = None, state: Mapping[str, Any] | None = None) -> Run:
    flow = flow_yaml if isinstance(flow_yaml, Flow) else make_flow(flow_yaml)
    return Run(flow, MemorySource(data or {}), clock or FakeClock(), state)


def keys(problems: Iterable[Any]) -> list[str]:
    return sorted(p.key for p in problems)


def assert_flow(flow_yaml: str | Flow, steps: Sequence[Mapping[str, Any]],
                data: Mapping[str, Sequence[Mapping[str, Any]]] | None = None,
                now: datetime = DEFAULT_NOW, run: Run | None = None) -> Run:
    """Drive a run through `steps` and check each outcome; returns the run for further checks."""
    clock = FakeClock(now) if run is None else run.clock
    run = run or make_run(flow_yaml, data, clock)
    for number, spec in enumerate(steps, 1):
        where = f"submission {number} on step '{run.step.id}'"
        if spec.get("wait"):
            clock.advance(spec["wait"])  # type: ignore[attr-defined]
        if spec.get("back"):
            run.back()
            problems, warnings, gates, advanced, params = [], [], [], False, {}
        else:
            result = run.submit(spec.get("answers", {}), spec.get("confirm", ()))
            problems, warnings = keys(result.problems), keys(result.warnings)
            gates = [g.id for g in result.gates]
            params = {g.id: dict(g.params) for g in result.gates}
            advanced = result.advanced
        expected_problems = sorted(spec.get("expect_problems", []))
        expected_warnings = sorted(spec.get("expect_warnings", []))
        expected_gates = list(spec.get("expect_gates", []))
        assert problems == expected_problems, f"{where}: problems"
        assert warnings == expected_warnings, f"{where}: warnings"
        assert gates == expected_gates, f"{where}: gates"
        for gate, wanted in spec.get("expect_gate_params", {}).items():
            assert params.get(gate) == wanted, f"{where}: params of gate {gate}"
        if not spec.get("back"):
            default = not (expected_problems or expected_warnings or expected_gates)
            assert advanced == spec.get("expect_advanced", default), f"{where}: advanced"
        if "expect_step" in spec:
            assert run.step.id == spec["expect_step"], f"{where}: current step"
        answers = run.answers
        for fid, value in spec.get("expect_answers", {}).items():
            assert answers.get(fid) == value, f"{where}: answer {fid}"
        if "expect_fields" in spec:
            shown = {f.id: f for f in run.view().fields}
            for fid, wanted in spec["expect_fields"].items():
                if wanted is None:
                    assert fid not in shown, f"{where}: {fid} should be hidden"
                    continue
                assert fid in shown, f"{where}: {fid} should be shown"
                for attr, value in wanted.items():
                    assert getattr(shown[fid], attr) == value, f"{where}: {fid}.{attr}"
    return run
