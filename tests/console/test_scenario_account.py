"""Golden transcripts of the after-submission verbs (login, view, messages, password,
recover): each tests/scenarios/account_*.yaml played by the console renderer, from its own
first action on (its shared start is played but not compared), against
tests/console/golden/<name>.transcript line for line. After a deliberate change of wording:

    SHENBAO_UPDATE_GOLDENS=1 .venv/bin/python -m pytest tests/console/test_scenario_account.py

and review the diff. Also: the verbs' names are checked when the file is read."""
from __future__ import annotations

import os
from pathlib import Path

import pytest

from commands.console import load, play_file
from renderers.console.scenario import ScenarioError, read_scenario

ROOT = Path(__file__).resolve().parents[2]
FLOW = ROOT / "flows" / "teacher_registration.yaml"
GOLDEN = Path(__file__).parent / "golden"
ACCOUNT = sorted((ROOT / "tests" / "scenarios").glob("account_*.yaml"))
UPDATE = os.environ.get("SHENBAO_UPDATE_GOLDENS") == "1"


@pytest.fixture(scope="module")
def teacher():
    return load(FLOW)


def own_part(transcript: list[str], path: Path) -> list[str]:
    start = next(i for i, line in enumerate(transcript) if line.startswith(f"=== tests/scenarios/{path.name}:"))
    return transcript[start:]


def test_account_scenarios__there_is_one_per_verb_group():
    verbs = {a.verb for p in ACCOUNT for a in read_scenario(p, load(FLOW)[0]).actions}
    assert {"login", "view", "messages", "password", "recover"} <= verbs, verbs


@pytest.mark.parametrize("path", ACCOUNT, ids=lambda p: p.stem)
def test_account_scenario__transcript__matches_its_golden(teacher, path):
    report = play_file(*teacher, path)
    assert report.ok, "\n".join(report.transcript[-30:] + [str(report.failure)])
    got = "\n".join(own_part(report.transcript, path)) + "\n"
    golden = GOLDEN / f"{path.stem}.transcript"
    if UPDATE:
        golden.parent.mkdir(exist_ok=True)
        golden.write_text(got, encoding="utf-8")
    assert golden.exists(), f"{golden} is missing: run with SHENBAO_UPDATE_GOLDENS=1 and review it"
    assert got == golden.read_text(encoding="utf-8")


def test_login__a_field_the_flow_does_not_ask_at_login__refused_when_read(teacher, tmp_path):
    flow, _ = teacher
    case = tmp_path / "wrong.yaml"
    case.write_text("scenario: wrong\nflow: teacher_registration\n"
                    f"after: {ROOT / 'tests' / 'scenarios' / '_complete.yaml'}\n"
                    "actions:\n  - login: {answers: {email: a@b.cn}}\n  - recover: {answers: {id_nr: '1'}, new: x}\n",
                    encoding="utf-8")
    with pytest.raises(ScenarioError) as raised:
        read_scenario(case, flow)
    lines = [str(p) for p in raised.value.problems]
    assert any(":5:" in l and "unknown login field 'email'" in l and "id_no" in l for l in lines), lines
    assert any(":6:" in l and "unknown recovery field 'id_nr'" in l and "did you mean 'id_no'" in l for l in lines), lines


def test_signed_in_verbs__before_login__a_failure_that_says_so(teacher, tmp_path):
    case = tmp_path / "early.yaml"
    case.write_text("scenario: early\nflow: teacher_registration\n"
                    f"after: {ROOT / 'tests' / 'scenarios' / '_complete.yaml'}\n"
                    "actions:\n  - view\n", encoding="utf-8")
    report = play_file(*teacher, case)
    assert not report.ok and "needs the applicant signed in" in str(report.failure)
