"""Policy staff can change the flow without turning CI red (issue 8, "Tests that follow the flow").

The four ordinary edits of tests/policyedits.py (a new required select in step 7, step 1's reading
time 3 → 10 s, a new status, a new field on the printed form) are made with YAML alone on a copy of
the project; the product's behaviour tests then run in a subprocess inside that copy, where every
path the product and the tests read (shenbao.paths: flows/, locales/, data/) is the edited one, and
they pass.

Left out, and why: tests/engine (the engine's own small flows, and the golden `check` output of the
shipped flow); tests/test_diagram.py and tests/test_explain.py (docs/ is drawn from the flow and is
stale after any edit by design); tests/pdf (golden layouts, and "fits one A4 page" of today's form);
the scenario files (tests/scenarios, played by tests/console/test_scenarios.py and
tests/web/test_web_scenarios.py: each is a specification that names every step-7 answer and expects
exactly its problems, so a new required field is a change they must take, as `shenbao diff`
announces; they do follow the reading time, with `wait: read`); tests/staff/test_flow_versions.py
and test_flow_migration.py (they make their own edits of the shipped text); tests/a11y and the
browser tests (minutes of Chromium; they share fill_application and the reading time with the set).

The set is chosen for the time it adds to the suite (≤ 3 minutes on a 2-core machine, whose suite
budget is 20): SQLite only, and the files below, each for the edit it exercises. Each file is its own
test (one pytest run in the copy), so that parallel workers (scripts/test.sh) share them out.
"""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from policyedits import NEW_SELECT, NEW_STATUS, READING_SECONDS, VERSION, apply_policy_edits, project_copy

BEHAVIOUR = [
    "tests/web/test_web_wizard.py",          # the wizard step by step: the reading time, the new select at step 7
    "tests/web/test_web_expiry.py",          # an expired draft restarts at step 1, its reading time again
    "tests/web/test_web_account.py",         # after submission: login, dashboard, the status messages
    "tests/staff/test_staff_transitions.py",  # every status and move the flow declares: the new status
    "tests/staff/test_staff_work.py",        # staff lists, search and filters by status
    "tests/documents/test_documents_download.py",  # the printed form, the new select on it
    "tests/shenbao",                         # the application layer: create, amend, wording
]


@pytest.fixture(scope="module")
def edited(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, str]]:
    """The edited copy (made once per test process) and the environment to run in it."""
    root = apply_policy_edits(project_copy(tmp_path_factory.mktemp("policy") / "project")).parents[1]
    env = {k: v for k, v in os.environ.items()   # SQLite only; a run of its own, not a parallel worker
           if not k.startswith(("SHENBAO_TEST_PG_", "PYTEST_XDIST_"))}
    env["PYTHONPATH"] = str(root)
    return root, env


def test_four_policy_edits__the_copy_reads_the_edited_flow(edited: tuple[Path, dict[str, str]]) -> None:
    """The copy is what the product reads there: the edited flow, its reading time, select and status."""
    root, env = edited
    probe = ("from shenbao.flows import read_flow; from shenbao.paths import DEFAULT_FLOW; f = read_flow(DEFAULT_FLOW); "
             "print(f.version, float(f.steps[0].min_read_seconds), "
             f"'{NEW_SELECT}' in [x.id for x in f.step('application').fields], '{NEW_STATUS}' in f.statuses, "
             "DEFAULT_FLOW)")
    seen = subprocess.run([sys.executable, "-c", probe], cwd=root, env=env, capture_output=True, text=True,
                          timeout=60)
    assert seen.stdout.split() == [VERSION, str(float(READING_SECONDS)), "True", "True",
                                   str(root / "flows" / "teacher_registration.yaml")], seen.stderr


@pytest.mark.parametrize("behaviour", BEHAVIOUR)
def test_four_policy_edits__product_behaviour_tests_pass_against_the_edited_copy(
        edited: tuple[Path, dict[str, str]], behaviour: str) -> None:
    """One pytest run per file of the set (each on its own, so that parallel workers share the set)."""
    root, env = edited
    done = subprocess.run([sys.executable, "-m", "pytest", behaviour, "-x", "-q", "-p", "no:cacheprovider"],
                          cwd=root, env=env, capture_output=True, text=True, encoding="utf-8", timeout=600)
    assert done.returncode == 0, done.stdout[-6000:] + done.stderr[-2000:]
