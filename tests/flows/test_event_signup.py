"""The engine is generic: an unrelated flow (活动报名) runs through `shenbao check`, the engine
alone and the console renderer, with no code written for it — only YAML, a dataset and
catalogue keys."""
from __future__ import annotations

import subprocess
import sys
from datetime import datetime
from pathlib import Path

import pytest

from engine import Run, transition
from commands.console import load, play_file

ROOT = Path(__file__).resolve().parents[2]
FLOW = ROOT / "tests" / "flows" / "event_signup.yaml"
SCENARIOS = sorted((ROOT / "tests" / "flows" / "scenarios").glob("*.yaml"))
NOW = datetime(2026, 11, 29, 9, 0)


def shenbao(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "commands.cli", *args], cwd=ROOT, capture_output=True,
                          text=True, encoding="utf-8", timeout=120)


@pytest.fixture(scope="module")
def event():
    return load(FLOW)


def test_event_signup__shenbao_check__ok():
    result = shenbao("check", str(FLOW))
    assert result.returncode == 0, result.stdout + result.stderr
    assert "event_signup 1, 3 steps" in result.stderr


def test_event_signup__engine_alone__signs_up_and_checks_in(event):
    flow, source = event
    run = Run(flow, source, lambda: NOW)
    assert run.submit({"event": "winter_run", "ticket": "standard"}).gates[0].id == "seats_left"
    assert run.submit({"event": "spring_concert", "ticket": "student"}).step.id == "attendee"
    secret = {"password": "Signup#2026", "password_confirm": "Signup#2026"}
    result = run.submit({"full_name": "陈晨", "email": "chen@example.com", "mobile": "13700003333", **secret})
    assert [p.key for p in result.problems] == ["student_no:required"]
    result = run.submit({"full_name": "陈晨", "email": "chen@example.com", "mobile": "13700003333",
                         "student_no": "20240001", "meals": ["lunch"], **secret})
    assert result.advanced and run.complete
    assert transition(flow, "signed_up", "checked_in", "door_staff", {}, source, NOW).allowed


@pytest.mark.parametrize("path", SCENARIOS, ids=lambda p: p.stem)
def test_event_signup__scenario_in_the_console__meets_every_expectation(event, path):
    report = play_file(*event, path)
    assert report.ok, "\n".join(report.transcript[-30:] + [str(report.failure)])


def test_event_signup__scenarios_through_the_cli__exit_0():
    result = shenbao("console", str(FLOW), "--scenario", *map(str, SCENARIOS))
    assert result.returncode == 0, result.stderr
    assert "第一步　选择活动（1/3）" in result.stdout and "剩余名额" in result.stdout


def test_event_signup__scenario_for_the_other_flow__refused_with_exit_2():
    result = shenbao("console", "--scenario", str(SCENARIOS[0]))
    assert result.returncode == 2
    assert "SCENARIO_009 this scenario is for flow 'event_signup'" in result.stderr


def test_event_signup__interactive_console__signs_up_through_a_pipe():
    typed = "\n".join(["1", "学生", "", "陈晨", "chen@example.com", "13700003333", "20240001",
                       "Signup#2026", "Signup#2026", "1,2", ""]) + "\n"
    result = subprocess.run([sys.executable, "-m", "commands.cli", "console", str(FLOW), "--now", "2026-11-29 09:00"],
                            input=typed, cwd=ROOT, capture_output=True, text=True, encoding="utf-8", timeout=60)
    assert result.returncode == 0, result.stderr
    for shown in ("活动名称", "春季音乐会", "*学生证号", "第三步　报名成功（3/3）", "票种：学生票", "申请状态：已报名"):
        assert shown in result.stdout, shown
