"""Scenario runs a QA team can put in CI: directories and globs, one line per scenario and a
summary, -x, -k, JUnit XML and JSON, branch coverage with --fail-under, names and codes
checked at load, failures located at the `expect` key and worded in Chinese as written."""
from __future__ import annotations

import json
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from commands.console import RunOptions, load, play_file, play_files
from renderers.console.scenario import ScenarioError, read_scenario
from shenbao.coverage import Coverage, branches
from shenbao.scenario_runs import collect, selects

ROOT = Path(__file__).resolve().parents[2]
FLOW = ROOT / "flows" / "teacher_registration.yaml"
SHIPPED = ROOT / "tests" / "scenarios"
HEAD = "scenario: {name}\nflow: teacher_registration\nafter: {after}\nactions:\n"


@pytest.fixture(scope="module")
def teacher():
    return load(FLOW)


def shenbao(*args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "commands.cli", *args], cwd=cwd, capture_output=True, text=True,
                          encoding="utf-8", timeout=300)


def scenario(tmp_path: Path, name: str, body: str, after: str = "_to_identity.yaml") -> Path:
    path = tmp_path / f"{name}.yaml"
    path.write_text(HEAD.format(name=name, after=SHIPPED / after) + body, encoding="utf-8")
    return path


def some_good(tmp_path: Path) -> list[Path]:
    """A directory of good scenarios (copied with their shared starts)."""
    for name in ("_to_identity.yaml", "notice_wait.yaml", "terms.yaml", "identity_revoked.yaml"):
        shutil.copy(SHIPPED / name, tmp_path / name)
    return sorted(tmp_path.glob("*.yaml"))


def test_ci_run__shipped_scenarios__full_coverage_and_valid_junit(tmp_path):
    junit, report = tmp_path / "out.xml", tmp_path / "out.json"
    result = shenbao("console", "--scenario", "tests/scenarios", "--coverage", "--fail-under", "100",
                     "--junit-xml", str(junit), "--json", str(report))
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr
    count = len(list(SHIPPED.glob("*.yaml")))
    assert f"{count} passed, 0 failed" in result.stdout.splitlines()
    assert "(100.0 %)" in result.stdout
    suite = ET.parse(junit).getroot().find("testsuite")
    assert suite is not None and suite.get("tests") == str(count) and suite.get("failures") == "0"
    cases = suite.findall("testcase")
    assert {c.get("file") for c in cases} == {f"tests/scenarios/{p.name}" for p in SHIPPED.glob("*.yaml")}
    assert all(float(c.get("time", "x")) >= 0 for c in cases)
    data = json.loads(report.read_text(encoding="utf-8"))
    assert data["passed"] == count and data["failed"] == 0
    assert data["coverage"]["percent"] == 100.0
    assert {b["kind"] for b in data["coverage"]["branches"]} == {"step", "gate", "warning", "lookup", "status",
                                                                 "transition"}


def test_ci_run__one_wrong_scenario_among_good_ones__one_failed_line_the_others_run_exit_1(tmp_path):
    good = some_good(tmp_path)
    scenario(tmp_path, "zz_wrong", "  - answers: {cert_no: '20071110822001207', id_no: '110108198504120144'}\n"
                                   "    expect: {step: point}\n")
    junit = tmp_path / "out.xml"
    result = shenbao("console", "--quiet", "--scenario", str(tmp_path), "--junit-xml", str(junit))
    assert result.returncode == 1
    lines = result.stdout.splitlines()
    assert [l for l in lines if l.startswith("FAILED")] == [next(l for l in lines if "zz_wrong.yaml" in l)]
    assert sum(1 for l in lines if l.startswith("ok ")) == len(good)
    assert lines[-1] == f"{len(good)} passed, 1 failed"
    failed = [c for c in ET.parse(junit).getroot().iter("testcase") if c.find("failure") is not None]
    assert [c.get("name") for c in failed] == ["zz_wrong"]
    assert "step: expected 'point', got 'agency'" in (failed[0].find("failure").text or "")


def test_ci_run__exitfirst__stops_after_the_first_failure(teacher, tmp_path):
    scenario(tmp_path, "a_wrong", "  - next: true\n    expect: {step: done}\n")
    scenario(tmp_path, "b_good", "  - answers: {cert_no: '20071110822001207', id_no: '110108198504120144'}\n"
                                 "    expect: {step: agency}\n")
    said: list[str] = []
    options = RunOptions(transcripts=False, exitfirst=True)
    assert play_files(*teacher, [tmp_path / "*.yaml"], said.append, said.append, options) == 1
    assert said[-1] == "0 passed, 1 failed"
    assert not any("b_good" in line for line in said)


def test_ci_run__select_by_name_and_tag():
    assert selects("staff and not admin", ["status_deferred", "暂缓注册", "staff"])
    assert not selects("staff and not admin", ["status_admin_deferred", "…", "staff", "admin"])
    assert selects("identity or agency", ["agency_closed"])
    with pytest.raises(ValueError):
        selects("staff and", ["x"])


def test_ci_run__k_picks_the_tagged_admin_scenarios(teacher):
    said: list[str] = []
    assert play_files(*teacher, [SHIPPED], said.append, said.append,
                      RunOptions(transcripts=False, select="admin and not wrong")) == 0
    played = [l for l in said if l.startswith("ok ")]
    assert len(played) == 3 and all("status_admin_" in l for l in played)


def test_ci_run__globs_and_missing_paths(tmp_path):
    found, empty = collect([SHIPPED / "identity_*.yaml", SHIPPED / "terms.yaml", SHIPPED / "terms.yaml",
                            tmp_path / "nothing*.yaml"])
    assert found[-1].name == "terms.yaml" and len([f for f in found if f.name == "terms.yaml"]) == 1
    assert all(f.name.startswith("identity_") for f in found[:-1]) and len(found) > 5
    assert empty == [str(tmp_path / "nothing*.yaml")]


def test_ci_run__nothing_named__exit_2(tmp_path):
    result = shenbao("console", "--scenario", str(tmp_path / "none*.yaml"))
    assert result.returncode == 2
    assert "no scenario files here" in result.stderr


# -- checked at load ---------------------------------------------------------------------
@pytest.mark.parametrize("body, where, words", [
    ("  - answers: {cert_no: '2007111082200120', id_no: '110108198504120144'}\n"
     "    expect: {warnings: ['cert_no:cert_no_standrad']}\n", "6:25", ["unknown warning 'cert_no_standrad' of field 'cert_no'",
                                                                          "did you mean 'cert_no_standard'?"]),
    ("  - answers: {cert_no: '1'}\n    expect: {problems: ['id_no:id_cheksum']}\n", "6:25",
     ["unknown problem 'id_cheksum' of field 'id_no'", "did you mean 'id_checksum'?"]),
    ("  - decline: 'cert_no:cert_no_standrd'\n", "5:5", ["did you mean 'cert_no_standard'?"]),
    ("  - status: {to: confirmed, role: admin}\n    expect: {problems: [transition_not_alowed]}\n", "6:25",
     ["unknown step problem 'transition_not_alowed'", "did you mean 'transition_not_allowed'?"]),
    ("  - next: true\n    expect: {status: confirmd}\n", "6:14", ["unknown status 'confirmd'",
                                                                  "did you mean 'confirmed'?"]),
    ("  - next: true\n    expect: {problems: ['nmae:required']}\n", "6:25", ["unknown field 'nmae'",
                                                                            "did you mean 'name'?"]),
], ids=["warning code", "problem code", "declined warning", "step problem", "status", "field of a problem"])
def test_scenario_load__misspelt_code__located_with_did_you_mean(teacher, tmp_path, body, where, words):
    path = scenario(tmp_path, "bad", body)
    with pytest.raises(ScenarioError) as caught:
        read_scenario(path, teacher[0])
    messages = [str(p) for p in caught.value.problems]
    hit = [m for m in messages if f"bad.yaml:{where}:" in m]
    assert hit, messages
    for word in words:
        assert word in hit[0]


# -- failures ------------------------------------------------------------------------------
def test_failure__names_the_line_of_the_failing_expect_key(teacher, tmp_path):
    path = scenario(tmp_path, "lines", "  - answers: {cert_no: '20071110822001207', id_no: '110108198504120144'}\n"
                                       "    expect:\n      step: agency\n      answers: {name: 李四}\n")
    report = play_file(*teacher, path)
    assert report.failure is not None
    text = str(report.failure)
    assert text.startswith(f"FAILED {path}:8: ") or ":8: scenario" in text.splitlines()[0]
    assert "line 8: answers name: expected '李四', got '王晓燕'" in text


def test_failure__chinese_and_its_full_width_space_shown_as_written(teacher, tmp_path):
    path = scenario(tmp_path, "wide", "  - next: true\n    expect: {says: ['申报第一步\u3000不对']}\n",
                    after="_to_identity.yaml")
    report = play_file(*teacher, path)
    assert report.failure is not None
    assert "'申报第一步\u3000不对'" in str(report.failure) and "\\u3000" not in str(report.failure)


def test_says__matches_the_text_as_read_even_where_the_transcript_wraps(teacher, tmp_path):
    catalog_text = "请阅读以上内容"  # part of the notice's countdown line is too short to wrap; use the body
    from shenbao.catalog import load_catalog
    body = load_catalog().text("step.notice.body").replace("\n", "")
    long_run = body[40:170]  # longer than one 100-column line: it is wrapped in the transcript
    assert len(long_run) > 60, catalog_text
    path = tmp_path / "says.yaml"
    path.write_text("scenario: says\nflow: teacher_registration\nstart: '2026-11-29 09:00'\nactions:\n"
                    "  - back: true\n" f"    expect: {{says: [{json.dumps(long_run, ensure_ascii=False)}]}}\n",
                    encoding="utf-8")
    report = play_file(*teacher, path)
    assert report.ok, str(report.failure)
    assert not any(long_run in line for line in report.transcript)  # it is wrapped there


def test_status_before_completion__is_a_failure(teacher, tmp_path):
    path = scenario(tmp_path, "early", "  - status: {to: confirmed, role: admin}\n")
    report = play_file(*teacher, path)
    assert report.failure is not None
    assert "'status' needs a completed application" in str(report.failure)


# -- coverage ----------------------------------------------------------------------------
def test_coverage__branches_come_from_the_flow(teacher):
    flow = teacher[0]
    found = branches(flow)
    moves = sum(len(t.roles) for s in flow.statuses.values() for t in s.transitions)
    assert sum(1 for b in found if b.kind == "transition") == moves
    assert sum(1 for b in found if b.kind == "step") == len(flow.steps)
    gates = sum(len(s.gates) + (1 if s.min_read_seconds else 0) for s in flow.steps)
    assert sum(1 for b in found if b.kind == "gate") == 2 * gates


def test_coverage__one_scenario__names_what_it_missed_and_fails_under(teacher, tmp_path):
    coverage = Coverage(teacher[0])
    assert play_file(*teacher, SHIPPED / "identity_revoked.yaml", coverage).ok
    missed = {str(b) for b in coverage.missed}
    assert "gate identity.not_revoked [fail]" not in missed
    assert "gate identity.no_existing_application [pass]" not in missed  # passed before the failing one
    assert "gate identity.not_restricted [fail]" in missed
    assert "transition confirmed→registered [admin]" in missed
    said: list[str] = []
    code = play_files(*teacher, [SHIPPED / "identity_revoked.yaml"], said.append, said.append,
                      RunOptions(transcripts=False, coverage=True, fail_under=90))
    assert code == 1
    assert any(line.startswith("coverage ") and "under --fail-under 90" in line for line in said)
    assert "  not exercised: transition confirmed→registered [admin]" in said


def test_document__wrong_printed_value__fails_naming_the_cell(teacher, tmp_path):
    path = scenario(tmp_path, "doc", "  - document: application_form\n    expect: {document: {name: 李四}}\n",
                    after="_complete.yaml")
    report = play_file(*teacher, path)
    assert report.failure is not None
    assert "document name: expected '李四', got '王晓燕'" in str(report.failure)
    early = scenario(tmp_path, "early_doc", "  - document: application_form\n")
    assert "'document' needs a completed application" in str(play_file(*teacher, early).failure)
    unknown = scenario(tmp_path, "no_doc", "  - document: application_from\n", after="_complete.yaml")
    with pytest.raises(ScenarioError, match="did you mean 'application_form'"):
        read_scenario(unknown, teacher[0])
