"""`shenbao scenario new FLOW` writes a skeleton that walks the happy path with sample answers
and plays through to the flow's summary step, for any flow."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from commands.console import load, play_file

ROOT = Path(__file__).resolve().parents[2]
FLOWS = [ROOT / "flows" / "teacher_registration.yaml", ROOT / "tests" / "flows" / "event_signup.yaml"]


@pytest.mark.parametrize("flow", FLOWS, ids=lambda p: p.stem)
def test_scenario_new__any_flow__writes_a_skeleton_that_plays_to_the_end(flow, tmp_path):
    target = tmp_path / "new.yaml"
    result = subprocess.run([sys.executable, "-m", "commands.cli", "scenario", "new", str(flow), "--start",
                             "2026-11-29 09:00", "-o", str(target)], cwd=ROOT, capture_output=True, text=True,
                            encoding="utf-8", timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "plays through to the end" in result.stdout
    loaded, source = load(flow)
    data = yaml.safe_load(target.read_text(encoding="utf-8"))
    assert data["flow"] == loaded.id
    last = data["actions"][-1]["expect"]
    assert last["complete"] is True and last["status"] == loaded.initial_status.id
    assert [a["expect"]["step"] for a in data["actions"] if "expect" in a] == [s.id for s in loaded.steps[1:]]
    report = play_file(loaded, source, target)
    assert report.ok, str(report.failure)
