"""Policy staff can change the flow without turning CI red (issue 8, "Tests that follow the flow").

The four ordinary edits of tests/policyedits.py (a new required select in step 7, step 1's reading
time 3 → 10 s, a new status, a new field on the printed form) are made with YAML alone on a copy of
the project; the product's behaviour tests then run in a subprocess inside that copy, where every
path the product and the tests read (shenbao.paths: flows/, locales/, data/) is the edited one, and
they pass. Tests that compare with what today's flow draws or says on purpose stay out of the set:
tests/engine (the engine's own flows and the golden `check` output of the shipped flow),
tests/test_diagram.py and tests/test_explain.py (docs/ drawn from the flow: stale after any edit by
design), tests/pdf's golden layouts.

The set is chosen for the time it adds to the suite (≤ 3 minutes on a 2-core machine; the suite's
budget is 20): SQLite only, and these files, each for a reason:
"""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from policyedits import NEW_SELECT, NEW_STATUS, READING_SECONDS, VERSION, apply_policy_edits, project_copy

BEHAVIOUR = [
    "tests/web/test_web_wizard.py",          # the wizard step by step: reading time, every step's answers
    "tests/web/test_web_expiry.py",          # an expired draft restarts at step 1 (its reading time again)
    "tests/web/test_web_scenarios.py",       # the manual's scenarios over the web (wait: read, new select)
    "tests/console/test_scenarios.py",       # the same scenarios in the engine's player
    "tests/staff/test_staff_transitions.py",  # every status and move the flow declares (the new status)
    "tests/documents/test_documents_download.py",  # the printed form with the new field on it
]


def test_four_policy_edits__product_behaviour_tests_pass_against_the_edited_copy(tmp_path):
    root = apply_policy_edits(project_copy(tmp_path / "project")).parents[1]
    env = {k: v for k, v in os.environ.items() if k != "SHENBAO_TEST_PG_URL"}
    env["PYTHONPATH"] = str(root)

    # The copy is what the product reads there: the edited flow, its reading time, select and status.
    probe = ("from shenbao.flows import read_flow; from shenbao.paths import DEFAULT_FLOW; f = read_flow(DEFAULT_FLOW); "
             "print(f.version, f.steps[0].min_read_seconds, "
             f"'{NEW_SELECT}' in [x.id for x in f.step('application').fields], '{NEW_STATUS}' in f.statuses, "
             "DEFAULT_FLOW)")
    seen = subprocess.run([sys.executable, "-c", probe], cwd=root, env=env, capture_output=True, text=True,
                          timeout=60)
    assert seen.stdout.split() == [VERSION, str(float(READING_SECONDS)), "True", "True",
                                   str(root / "flows" / "teacher_registration.yaml")], seen.stderr

    done = subprocess.run([sys.executable, "-m", "pytest", *BEHAVIOUR, "-x", "-q", "-p", "no:cacheprovider"],
                          cwd=root, env=env, capture_output=True, text=True, encoding="utf-8", timeout=600)
    assert done.returncode == 0, done.stdout[-6000:] + done.stderr[-2000:]
