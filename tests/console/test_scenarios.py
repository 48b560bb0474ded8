"""Every scenario file, played headless by the console renderer: in-process one by one, and
once through the `shenbao console --scenario` command. A deliberately wrong expectation must
fail and say where (scenario, action, step, expected vs got)."""
from __future__ import annotations

import subprocess
import sys
from datetime import datetime
from pathlib import Path

import pytest

from commands.console import load, play_file, play_files
from engine import Context

ROOT = Path(__file__).resolve().parents[2]
FLOW = ROOT / "flows" / "teacher_registration.yaml"
SCENARIOS = sorted((ROOT / "tests" / "scenarios").glob("*.yaml"))


def shenbao(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "commands.cli", *args], cwd=ROOT, capture_output=True,
                          text=True, encoding="utf-8", timeout=300)


@pytest.fixture(scope="module")
def teacher():
    return load(FLOW)


def test_scenarios__directory__has_one_for_each_branch():
    assert len(SCENARIOS) >= 40


@pytest.mark.parametrize("path", SCENARIOS, ids=lambda p: p.stem)
def test_scenario__played_in_process__meets_every_expectation(teacher, path):
    report = play_file(*teacher, path)
    assert report.ok, "\n".join(report.transcript[-30:] + [str(report.failure)])


def test_scenarios__through_the_cli__exit_0():
    result = shenbao("console", str(FLOW), "--quiet", "--scenario", *map(str, SCENARIOS))
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.splitlines()[-1] == f"{len(SCENARIOS)} passed, 0 failed"


def test_scenario__transcript__shows_the_steps_in_chinese():
    result = shenbao("console", "--scenario", str(ROOT / "tests" / "scenarios" / "happy_path.yaml"))
    assert result.returncode == 0, result.stderr
    for text in ("申报第一步　申报人必读", "申报第四步　选择注册机构", "电子照片：[照片]", "确认开始时间",
                 "申报第八步　完成", "申请状态：信息提交成功，等待现场确认"):
        assert text in result.stdout


WRONG = """\
scenario: deliberately wrong
flow: teacher_registration
after: {after}
actions:
  - answers: {{cert_no: '20071110822001207', id_no: '110108198504120144'}}
    expect: {{step: point, gates: [not_revoked]}}
"""


def test_scenario__wrong_expectation__fails_naming_scenario_action_and_step(teacher, tmp_path):
    path = tmp_path / "wrong.yaml"
    path.write_text(WRONG.format(after=ROOT / "tests" / "scenarios" / "_to_identity.yaml"), encoding="utf-8")
    report = play_file(*teacher, path)
    assert not report.ok
    message = str(report.failure)
    assert "scenario 'deliberately wrong'" in message
    assert "action 1 (answers, line 5) at step 'identity'" in message
    assert "wrong.yaml:6:" in message  # the line of the `expect` keys, not of the action
    assert "line 6: step: expected 'point', got 'agency'" in message
    assert "line 6: gates: expected ['not_revoked'], got []" in message


def test_scenario__wrong_expectation__cli_exits_1_and_plays_the_others(teacher, tmp_path):
    path = tmp_path / "wrong.yaml"
    path.write_text(WRONG.format(after=ROOT / "tests" / "scenarios" / "_to_identity.yaml"), encoding="utf-8")
    happy = ROOT / "tests" / "scenarios" / "happy_path.yaml"
    result = shenbao("console", "--scenario", str(path), str(happy))
    assert result.returncode == 1
    assert "at step 'identity'" in result.stdout and "expected 'point', got 'agency'" in result.stdout
    assert "完整申报" in result.stdout  # the next scenario still ran
    assert result.stdout.splitlines()[-1] == "1 passed, 1 failed"


def test_scenario__failure_in_a_prelude__names_the_prelude_file(teacher, tmp_path):
    prelude = tmp_path / "prelude.yaml"
    prelude.write_text("scenario: prelude\nflow: teacher_registration\nstart: '2026-11-29 09:00'\n"
                       "actions:\n  - next: true\n    expect: {step: terms}\n", encoding="utf-8")
    main = tmp_path / "main.yaml"
    main.write_text("scenario: main\nflow: teacher_registration\nafter: prelude.yaml\nactions:\n  - next\n",
                    encoding="utf-8")
    buffer: list[str] = []
    assert play_files(*teacher, [main], buffer.append, buffer.append) == 1
    assert any("prelude.yaml:6" in line and "gates: expected [], got ['min_read_time']" in line.replace("\n", " ")
               for line in buffer)


@pytest.mark.parametrize("path", SCENARIOS, ids=lambda p: p.stem)
def test_scenario_file__says_what_it_covers(path):
    text = path.read_text(encoding="utf-8")
    assert text.startswith("# "), "open with a comment saying what the scenario covers"
    assert path.name in (ROOT / "tests" / "scenarios" / "README.md").read_text(encoding="utf-8")
    if not path.name.startswith("_"):
        assert "\ncovers: " in text


UNNAMED = """scenario: unnamed answers
flow: teacher_registration
{unnamed}after: {start}
actions:
  - answers: {{teaching_stage: senior, teaching_subject: senior_physics}}
    expect: {{step: {step}{problems}}}
"""


@pytest.mark.parametrize("unnamed, step, problems", [
    ("", "agency", ", problems: [city:required, agency:required]"),                    # the default: left empty
    ("unnamed: first-offered\n", "point", ""),
])
def test_scenario__unnamed_required_choices__empty_or_the_first_offered_after_narrowing(
        teacher, tmp_path, unnamed, step, problems):
    """`unnamed: first-offered` answers a required choice the action does not name with its first
    option as offered: 城市 the first city, 注册机构 the first agency of that city registering the
    stage typed (not the first agency of the whole list)."""
    path = tmp_path / "unnamed.yaml"
    start = (SCENARIOS[0].parent / "_to_agency.yaml").as_posix()
    path.write_text(UNNAMED.format(unnamed=unnamed, start=start, step=step, problems=problems), encoding="utf-8")
    report = play_file(*teacher, path)
    assert report.ok, "\n".join(report.transcript[-20:] + [str(report.failure)])
    if unnamed:
        flow, source = teacher[0], teacher[1]
        city = Context(flow, source, datetime(2026, 11, 29), {}).options(flow.fields["city"])[0]
        agency = Context(flow, source, datetime(2026, 11, 29), {"city": city.value, "teaching_stage": "senior"}
                         ).options(flow.fields["agency"])[0]
        text = "\n".join(report.transcript)
        assert f"城市：{city.label}" in text and f"注册机构：{agency.label}" in text, text[-800:]
