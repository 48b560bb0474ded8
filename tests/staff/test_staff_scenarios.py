"""The staff scenario files (tests/scenarios/staff_roles.yaml, then one file per result and
role in tests/staff/scenarios/, which go on from it) try every move of the flow by every
role, allowed or refused; they pass in the console, and the staff side's own move code
(moves.py, behind the staff pages and `shenbao status`) gives the same answers on a real
database."""
from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from engine import allowed_transitions
from commands.console import load, play_file
from shenbao.moves import move
from staffsupport import FLOW
from websupport import START

ROOT = Path(__file__).resolve().parents[2]
SCENARIOS = ROOT / "tests" / "scenarios"
FILES = sorted(SCENARIOS.glob("staff_*.yaml")) + sorted((Path(__file__).parent / "scenarios").glob("staff_*.yaml"))


def chain(path: Path) -> list[dict]:
    """The status actions of a file and of the files it is played `after`, in order."""
    document = yaml.safe_load(path.read_text(encoding="utf-8"))
    before = chain((path.parent / document["after"]).resolve()) if "after" in document else []
    return before + [a for a in document["actions"] if isinstance(a, dict) and "status" in a]


def tried(path: Path) -> list[tuple[str, str, str, bool]]:
    """(from, to, role, allowed) of every status action of a file chain."""
    status, found = FLOW.initial_status.id, []
    for action in chain(path):
        arg, allowed = action["status"], action["expect"]["allowed"]
        found.append((status, arg["to"], arg["role"], allowed))
        if allowed:
            status = arg["to"]
    return found


def test_staff_scenarios__every_move_by_every_role_is_tried():
    seen = {t for path in FILES for t in tried(path)}
    for status in FLOW.statuses.values():
        for role in sorted(FLOW.roles):
            allowed = set(allowed_transitions(FLOW, status.id, role))
            for to in FLOW.statuses:
                if to in allowed:
                    assert (status.id, to, role, True) in seen, (status.id, to, role)
                elif not status.final and to in {t.to for t in status.transitions}:
                    assert (status.id, to, role, False) in seen, (status.id, to, role)
            if status.final:
                assert any(f == status.id and r == role and not ok for f, _t, r, ok in seen), (status.id, role)


def test_staff_scenarios__expectations_agree_with_the_flow():
    for path in FILES:
        for status, to, role, allowed in tried(path):
            if to in allowed_transitions(FLOW, status, role) and not allowed:
                continue  # allowed by role but refused for its inputs (checked in the file's problems)
            assert allowed == (to in allowed_transitions(FLOW, status, role)), (path.name, status, to, role)


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.stem)
def test_staff_scenario__console__plays_as_expected(path):
    report = play_file(*load(ROOT / "flows" / "teacher_registration.yaml"), path)
    assert report.ok, "\n".join(report.transcript[-20:] + [str(report.failure)])


@pytest.mark.parametrize("path", [p for p in FILES if p.stem != "staff_roles"], ids=lambda p: p.stem)
def test_staff_scenario__staff_move_code__same_answers_on_a_database(path, store):
    store.sync_datasets(FLOW.datasets, FLOW.lookup_index_columns())
    kept = {"cert_no": "20279990000001", "id_no": "110101199003070038", "agency": "bj_haidian",
            "point": "bj_haidian_jinxiu"}
    app = store.create_application(flow_id=FLOW.id, flow_version=FLOW.version, flow_digest=FLOW.digest,
                                   identity_key=kept["cert_no"], numbering=FLOW.application.number,
                                   status="submitted", answers={}, password="Unused2027#x", values=kept)
    for action in chain(path):
        arg = action["status"]
        result = move(FLOW, store, app, arg["to"], arg["role"], arg.get("inputs") or {}, actor="staff:scenario",
                      row_version=app.row_version, local_now=START.replace(tzinfo=None), now=START)
        assert result.done == action["expect"]["allowed"], (arg, result.problems)
        expected = [p if ":" in p else f"-:{p}" for p in action["expect"].get("problems", [])]
        assert [f"{p.field or '-'}:{p.code}" for p in result.problems] == expected, arg
        app = result.application
        assert app.status == action["expect"]["status"]
    moves = [e for e in store.audit_for(app.id) if e.action == "transition"]
    assert len(moves) == sum(1 for a in chain(path) if a["expect"]["allowed"])
