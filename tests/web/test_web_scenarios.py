"""One scenario format drives every renderer: each shipped scenario file plays through the
engine and the console (tests/console) and here, through the same file, through the web
renderer over WSGI, in step with the engine; after every applicant action the web shows the
same step, problems on the same fields, the same gate messages and the same warning, and
after submission the same logins, statuses, passwords, amendments and printed form."""
from __future__ import annotations

from pathlib import Path

import pytest

from commands.console import load, texts_for
from renderers.console.play import Player
from renderers.console.scenario import read_scenario
from webscenario import chain, play_both

ROOT = Path(__file__).resolve().parents[2]
FLOW = ROOT / "flows" / "teacher_registration.yaml"
SCENARIOS = sorted((ROOT / "tests" / "scenarios").glob("[a-z]*.yaml"))


@pytest.fixture(scope="module")
def teacher():
    return load(FLOW)


@pytest.mark.parametrize("database", ["sqlite"], indirect=True)
@pytest.mark.parametrize("path", SCENARIOS, ids=lambda p: p.stem)
def test_scenario__played_by_engine_and_web__same_outcome(teacher, path, browser, clock, web):
    flow, source = teacher
    scenario = read_scenario(path, flow)
    player = Player(flow, source, texts_for(flow))
    differences, stopped = play_both(scenario, player, browser, clock, web)
    assert differences == []
    # only a draft left idle past the web's idle time stops the comparison (the web forgets it);
    # the after-submission verbs (amend and document too) are compared to the file's end
    assert not stopped or "idle time" in stopped
    if any(a.verb in ("amend", "document") for part in chain(scenario) for a in part.actions):
        assert stopped == ""


def test_web_scenarios__most_are_played_to_the_end_or_to_submission(teacher):
    """The comparison covers the applicant's part of nearly every shipped scenario."""
    flow, _ = teacher
    jumps = [p for p in SCENARIOS if any(a.verb == "at" for a in read_scenario(p, flow).actions)]
    assert len(jumps) <= 8 and len(SCENARIOS) - len(jumps) >= 40


@pytest.mark.parametrize("database", ["sqlite"], indirect=True)
def test_scenario__unnamed_first_offered__the_web_sends_what_the_engine_chose(teacher, tmp_path, browser, clock, web):
    """`unnamed: first-offered`: the city and the agency (narrowed by that city and the stage) the
    engine's player chose are what the web replay sends; both reach step 5 alike."""
    flow, source = teacher
    path = tmp_path / "unnamed.yaml"
    path.write_text(f"""scenario: unnamed answers on the web
flow: teacher_registration
unnamed: first-offered
after: {(ROOT / 'tests' / 'scenarios' / '_to_agency.yaml').as_posix()}
actions:
  - answers: {{teaching_stage: senior, teaching_subject: senior_physics}}
    expect: {{step: point}}
""", encoding="utf-8")
    player = Player(flow, source, texts_for(flow))
    differences, stopped = play_both(read_scenario(path, flow), player, browser, clock, web)
    assert differences == [] and stopped == "" and player.run.view().id == "point"
    assert set(player.defaulted) == {"city", "agency"} and player.run.answers["agency"] == player.defaulted["agency"]
