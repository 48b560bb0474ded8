"""`shenbao staff` and `shenbao status` on a demo database (SQLite): accounts with the flow's
password rules, and status moves through the staff side's own move code, audited."""
from __future__ import annotations

import io
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from commands.staff_admin import add_demo_staff, demo_staff
from shenbao.flows import read_flow
from shenbao.paths import DEFAULT_FLOW
from store import Store
from websupport import FAST_HASHER

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def db(tmp_path, sqlite_template) -> str:
    path = tmp_path / "cli.db"
    shutil.copy(sqlite_template(), path)
    return f"sqlite:///{path}"


def shenbao(db: str, *args: str, password: str | None = None) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k != "SHENBAO_STAFF_PASSWORD"}
    env["SHENBAO_DATABASE_URL"] = db
    if password is not None:
        env["SHENBAO_STAFF_PASSWORD"] = password
    return subprocess.run([sys.executable, "-m", "commands.cli", *args], cwd=ROOT, env=env, capture_output=True,
                          text=True, encoding="utf-8", timeout=120, stdin=subprocess.DEVNULL)


def test_staff_cli__add_list_disable(db, tmp_path):
    assert shenbao(db, "staff", "add", "--username", "op1", "--role", "point_operator", "--bound",
                   "bj_haidian_jinxiu", password="weak").returncode == 1
    bad = shenbao(db, "staff", "add", "--username", "op1", "--role", "point_operator", "--bound", "nowhere",
                  password="Good2027#pw")
    assert bad.returncode == 1 and "point_unknown" in bad.stderr
    assert shenbao(db, "staff", "add", "--username", "op1", "--role", "point_operator").returncode == 1
    secret = tmp_path / "pw"
    secret.write_text("Good2027#pw\n", encoding="utf-8")
    ok = shenbao(db, "staff", "add", "--username", "op1", "--role", "point_operator", "--bound",
                 "bj_haidian_jinxiu", "--password-file", str(secret))
    assert ok.returncode == 0, ok.stderr
    assert shenbao(db, "staff", "add", "--username", "rev", "--role", "agency_reviewer", "--bound", "bj_haidian",
                   password="Good2027#pw").returncode == 0
    assert shenbao(db, "staff", "add", "--username", "op1", "--role", "admin", password="Good2027#pw").returncode == 1
    listing = shenbao(db, "staff", "list").stdout
    assert "op1" in listing and "bj_haidian_jinxiu" in listing and "rev" in listing
    assert shenbao(db, "staff", "disable", "op1").returncode == 0
    with Store.open(db) as store:
        found = store.find_staff("op1")
        assert (found.bound, found.active) == ("bj_haidian_jinxiu", False)
        assert store.check_staff_password("rev", "Good2027#pw") is not None


def test_status_cli__moves_through_the_staff_code_and_is_audited(db):
    with Store.open(db, password_hasher=FAST_HASHER) as store:
        app = store.search_applications()[0]
    number = app.application_no
    refused = shenbao(db, "status", number, "--to", "registered", "--as-role", "agency_reviewer")
    assert refused.returncode == 1 and "transition_not_allowed" in refused.stderr
    assert "不能由该角色" in refused.stderr
    missing = shenbao(db, "status", number, "--to", "materials_incomplete", "--as-role", "point_operator")
    assert missing.returncode == 1 and "missing_materials:required" in missing.stderr
    done = shenbao(db, "status", number.lower(), "--to", "materials_incomplete", "--as-role", "point_operator",
                   "--missing", "employment_contract", "training_hours")
    assert done.returncode == 0 and "submitted -> materials_incomplete" in done.stdout
    assert shenbao(db, "status", number, "--to", "confirmed", "--as-role", "point_operator").returncode == 0
    assert shenbao(db, "status", number, "--to", "deferred", "--as-role", "agency_reviewer").returncode == 1
    assert shenbao(db, "status", number, "--to", "deferred", "--as-role", "agency_reviewer", "--reason",
                   "培训学时不足。").returncode == 0
    with Store.open(db) as store:
        saved = store.get_application(app.id)
        assert (saved.status, saved.status_data) == ("deferred", {"reason": "培训学时不足。"})
        trail = [(e.from_status, e.to_status, e.actor.split(":")[0]) for e in store.audit_for(app.id)
                 if e.action == "transition"]
    assert trail == [("submitted", "materials_incomplete", "cli"), ("materials_incomplete", "confirmed", "cli"),
                     ("confirmed", "deferred", "cli")]
    assert shenbao(db, "status", "TR1999000001", "--to", "confirmed", "--as-role", "admin").returncode == 1


def test_demo_staff__made_once_with_passwords_printed_once(db):
    flow, flow_file = read_flow(Path(DEFAULT_FLOW)), Path(DEFAULT_FLOW)
    with Store.open(db, password_hasher=FAST_HASHER) as store:
        store.sync_datasets(flow.datasets, flow.lookup_index_columns())
        out = io.StringIO()
        made = add_demo_staff(flow, flow_file, store, out)
        listed = demo_staff(flow, flow_file, store)
        assert [u for u, _p in made] == [a["username"] for a in listed]
        assert {a["role"] for a in listed} == set(flow.roles)   # one account per role
        for username, password in made:
            assert password in out.getvalue() and store.check_staff_password(username, password) is not None
        for account in listed:   # bound to the row the demo data names, with that row's parent
            found = store.find_staff(account["username"])
            assert found is not None and found.bound == account.get("bound")
        again = io.StringIO()
        assert add_demo_staff(flow, flow_file, store, again) == [] and again.getvalue() == ""
