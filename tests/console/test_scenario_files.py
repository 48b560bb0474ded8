"""Scenario files that are not valid are refused before anything is played: exit 2 and one
located message per problem (file:line:col CODE message — hint)."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import jsonschema
import pytest

from commands.console import load, play_files
from renderers.console.scenario import ScenarioError, read_scenario

ROOT = Path(__file__).resolve().parents[2]
FLOW = ROOT / "flows" / "teacher_registration.yaml"
HEAD = "scenario: bad\nflow: teacher_registration\nstart: '2026-11-29 09:00'\nactions:\n"

# (description, file text, expected "line:col: CODE", words the message must contain)
CASES = [
    ("unknown key with a suggestion", HEAD + "  - answer: {accept_terms: accept}\n",
     "5:5: SCENARIO_002", ["unknown key 'answer'", "did you mean 'answers'?"]),
    ("two verbs in one action", HEAD + "  - {next: true, back: true}\n",
     "5:5: SCENARIO_003", ["exactly one thing", "found next, back"]),
    ("confirm without answers", HEAD + "  - {wait: 3, confirm: ['cert_no:cert_no_standard']}\n",
     "5:5: SCENARIO_003", ["`confirm` goes with `answers`"]),
    ("a moment in the wrong shape", HEAD.replace("'2026-11-29 09:00'", "'29/11/2026'") + "  - next\n",
     "3:1: SCENARIO_005", ["'29/11/2026'", "YYYY-MM-DD HH:MM"]),
    ("start missing", "scenario: bad\nflow: teacher_registration\nactions:\n  - next\n",
     "1:1: SCENARIO_004", ["'start' is a required property"]),
    ("a string action that is not a verb", HEAD + "  - nxet\n", "5:5: SCENARIO_005", ["'nxet'", "next, back"]),
    ("wait given as text", HEAD + "  - wait: soon\n", "5:5: SCENARIO_006", ["expected number"]),
    ("an unknown field", HEAD + "  - answers: {cert_number: '1'}\n",
     "5:15: SCENARIO_010", ["unknown input field 'cert_number'", "did you mean 'cert_no'?"]),
    ("an unknown step in expect", HEAD + "  - next: true\n    expect: {step: term}\n",
     "6:14: SCENARIO_010", ["unknown step 'term'", "did you mean 'terms'?"]),
    ("an unknown gate", HEAD + "  - next: true\n    expect: {gates: [min_read]}\n",
     "6:22: SCENARIO_010", ["unknown gate 'min_read'"]),
    ("an unknown role", HEAD + "  - status: {to: confirmed, role: operator}\n",
     "5:29: SCENARIO_010", ["unknown role 'operator'", "point_operator"]),
    ("a key that is not field:code", HEAD + "  - decline: cert_no\n",
     "5:5: SCENARIO_005", ["'cert_no'", "field:code"]),
    ("another flow", HEAD.replace("flow: teacher_registration", "flow: event_signup") + "  - next\n",
     "2:1: SCENARIO_009", ["for flow 'event_signup'"]),
    ("a duplicate key", HEAD + "  - next: true\n    expect: {step: terms}\n    expect: {step: identity}\n",
     "7:5: YAML_003", ["duplicate key 'expect'", "line 6"]),
    ("not YAML", HEAD + "  - answers: {cert_no: [1}\n", "5:26: YAML_001", ["not valid YAML"]),
    ("an unknown default for unnamed answers", HEAD.replace("actions:", "unnamed: first\nactions:") + "  - next\n",
     "4:1: SCENARIO_005", ["'first'", "first-offered"]),
    ("after a missing file", "scenario: bad\nflow: teacher_registration\nafter: nowhere.yaml\nactions:\n  - next\n",
     "3:1: SCENARIO_007", ["does not exist"]),
]


@pytest.fixture(scope="module")
def teacher():
    return load(FLOW)


@pytest.mark.parametrize("text, where, words", [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_scenario_file__invalid__refused_with_a_located_message(teacher, tmp_path, text, where, words):
    path = tmp_path / "bad.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ScenarioError) as caught:
        read_scenario(path, teacher[0])
    messages = [str(p) for p in caught.value.problems]
    hit = [m for m in messages if f"bad.yaml:{where}" in m]
    assert hit, messages
    for word in words:
        assert word in hit[0], hit[0]


def test_scenario_file__after_in_a_circle__refused(teacher, tmp_path):
    (tmp_path / "a.yaml").write_text("scenario: a\nflow: teacher_registration\nafter: b.yaml\nactions: [next]\n")
    (tmp_path / "b.yaml").write_text("scenario: b\nflow: teacher_registration\nafter: a.yaml\nactions: [next]\n")
    with pytest.raises(ScenarioError, match="SCENARIO_008 `after` goes round in a circle"):
        read_scenario(tmp_path / "a.yaml", teacher[0])


def test_scenario_file__invalid__play_files_returns_2_and_still_plays_the_good_ones(teacher, tmp_path):
    good = ROOT / "tests" / "scenarios" / "notice_wait.yaml"
    bad = tmp_path / "bad.yaml"
    bad.write_text(HEAD + "  - answer: {}\n", encoding="utf-8")
    said: list[str] = []
    complained: list[str] = []
    assert play_files(*teacher, [good, bad], said.append, complained.append) == 2
    assert any(line.startswith("ok ") and "notice_wait.yaml" in line for line in said)
    assert any(line.startswith("FAILED ") and "bad.yaml" in line for line in said)
    assert any("bad.yaml:5:5: SCENARIO_002" in line for line in complained)
    assert "1 passed, 1 failed" in said


def test_scenario_file__invalid__cli_exits_2(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text(HEAD + "  - answer: {}\n", encoding="utf-8")
    result = subprocess.run([sys.executable, "-m", "commands.cli", "console", "--scenario", str(bad)], cwd=ROOT,
                            capture_output=True, text=True, encoding="utf-8", timeout=60)
    assert result.returncode == 2
    assert "bad.yaml:5:5: SCENARIO_002 unknown key 'answer'" in result.stderr


def test_scenario_schema__is_valid_2020_12_and_accepts_every_shipped_scenario():
    schema = json.loads((ROOT / "schemas" / "scenario.schema.json").read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator.check_schema(schema)
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    teacher_flow, _ = load(FLOW)
    for path in sorted((ROOT / "tests" / "scenarios").glob("*.yaml")):
        read_scenario(path, teacher_flow)
