"""Proof of genericity for the staff's reference data: the event sign-up flow marks `events`
staff-editable (its `staff:` block), and with no code written for it the staff pages list,
edit and add events over WSGI, within each role's scope and columns, checked by the column
types and the window the flow declares. Messages go to the applicants of a bound row named
by the flow's binding (`event`), not by the teacher flow's names."""
from __future__ import annotations

from datetime import datetime

import pytest
import sqlalchemy as sa

from engine import format_value
from renderers.web.app import make_app, web_of
from shenbao.settings import load_settings
from store.schema import audit_log
from eventsite import FLOW, FLOW_FILE, event_store
from websupport import BEIJING, CAPTCHA, Browser, FakeClock

DATASET = "events"
PASSWORD = "Staff2027#ok"


@pytest.fixture
def site(tmp_path):
    url, store = event_store(tmp_path)
    events = store.rows(DATASET, {})
    accounts = {}
    for role, binding in FLOW.bindings.items():
        bound = str(events[0][binding.key]) if binding is not None else None
        accounts[role] = store.create_staff(role.replace("_", "-"), PASSWORD, role, bound=bound)
    settings = load_settings(env={}, database_url=url, flow_file=str(FLOW_FILE), secret="event-" + "x" * 40,
                             outbox_dir=str(tmp_path / "outbox"), captcha_fixed=CAPTCHA)
    clock = FakeClock(datetime(2026, 11, 29, 9, 0, tzinfo=BEIJING))
    app = make_app(settings, clock=clock, store=store)
    app.catchall = True
    yield app, store, accounts, events
    store.close()


def signed_in(app, username: str) -> Browser:
    b = Browser(app, address=f"10.9.0.{len(username)}")
    b.get("/staff/login")
    b.get("/captcha/login.png")
    b.post("/staff/login", {"username": username, "password": PASSWORD, "captcha": CAPTCHA})
    assert b.page.request.path == "/staff", b.text[:300]
    return b


def roles() -> tuple[str, str]:
    """(the role bound to nothing that may add, the role bound to one event) of the flow."""
    staff = FLOW.datasets[DATASET].staff
    free = next(r for r, spec in staff.roles.items() if spec.add and FLOW.bindings[r] is None)
    bound = next(r for r in staff.roles if FLOW.bindings[r] is not None and FLOW.bindings[r].dataset == DATASET)
    return free, bound


def test_events__organiser_lists_edits_and_adds__changes_seen(site):
    app, store, accounts, events = site
    web = web_of(app)
    free, _ = roles()
    b = signed_in(app, accounts[free].username)
    assert f'href="/staff/data/{DATASET}"' in b.html and web.t(f"staff.data.{DATASET}") in b.text   # the menu
    b.get(f"/staff/data/{DATASET}")
    label = FLOW.datasets[DATASET].staff.list[0]
    assert all(str(e[label]) in b.text for e in events)
    numbers = [c for c, kind in FLOW.datasets[DATASET].columns.items() if kind == "number"]
    assert all(format_value(e[c]) in b.text for e in events for c in numbers)
    assert "0000000000" not in b.text and "E-" not in b.text          # a stored number as typed, not 40.0000000000
    code = str(events[0]["code"])
    b.get(f"/staff/data/{DATASET}/{code}")
    b.post(f"/staff/data/{DATASET}/{code}", {"venue": "新的场馆"})
    assert web.t("staff.row.saved") in b.notices()
    changed = store.rows(DATASET, {"code": code})[0]
    assert changed["venue"] == "新的场馆"
    assert {k: v for k, v in changed.items() if k != "venue"} == {k: v for k, v in events[0].items() if k != "venue"}
    b.get(f"/staff/data/{DATASET}")
    assert "新的场馆" in b.text                                           # the list shows the change

    start, end = FLOW.datasets[DATASET].staff.window
    b.post(f"/staff/data/{DATASET}/{code}", {start: "2027-05-01 09:00", end: "2027-04-01 09:00"}, status=422)
    assert web.t("staff.row.window", start=web.t(f"staff.column.{DATASET}.{start}"),
                 end=web.t(f"staff.column.{DATASET}.{end}")) in b.text
    assert 'value="2027-04-01 09:00"' in b.html                          # what was typed is kept
    assert store.rows(DATASET, {"code": code})[0] == changed             # and nothing changed
    b.post(f"/staff/data/{DATASET}/{code}", {"seats_left": "很多"}, status=422)
    assert web.t("staff.row.IMPORT_BAD_NUMBER", label=web.t(f"staff.column.{DATASET}.seats_left")) in b.text

    b.get(f"/staff/data/{DATASET}/new")
    new = {"code": "summer_fest", "event_name": "夏日音乐节", "venue": "江边草坪", "event_date": "2027-07-01 18:00",
           start: "2027-05-01 09:00", end: "2027-06-20 18:00", "seats_left": "500"}
    b.post(f"/staff/data/{DATASET}/new", {**new, "code": "bad/../code"}, status=422)
    assert web.t("staff.row.IMPORT_BAD_CODE", label=web.t(f"staff.column.{DATASET}.code")) in b.text
    b.post(f"/staff/data/{DATASET}/new", new)
    assert b.page.request.path == f"/staff/data/{DATASET}/summer_fest"
    assert store.rows(DATASET, {"code": "summer_fest"})[0]["venue"] == "江边草坪"
    actions = store.db.read(lambda conn: {r.action for r in conn.execute(sa.select(audit_log))})
    assert {f"{DATASET}_edit", f"{DATASET}_add"} <= actions
    assert b.get(f"/staff/{DATASET}", follow=False, status=302).headers["Location"].endswith(f"/staff/data/{DATASET}")


def test_events__door_staff_edit_only_their_event_and_its_venue(site):
    app, store, accounts, events = site
    _, bound = roles()
    mine, other = str(events[0]["code"]), str(events[1]["code"])
    b = signed_in(app, accounts[bound].username)
    b.get(f"/staff/data/{DATASET}")
    assert str(events[0]["event_name"]) in b.text and str(events[1]["event_name"]) not in b.text
    b.get(f"/staff/data/{DATASET}/{mine}")
    editable = FLOW.datasets[DATASET].staff.roles[bound].edit
    named = {c for c in FLOW.datasets[DATASET].columns if f'name="{c}"' in b.html}
    assert named == set(editable)
    b.post(f"/staff/data/{DATASET}/{mine}", {"venue": "东门入口", "seats_left": "0"})
    row = store.rows(DATASET, {"code": mine})[0]
    assert row["venue"] == "东门入口" and row["seats_left"] == events[0]["seats_left"]   # only its columns
    b.get(f"/staff/data/{DATASET}/{other}", status=404)
    b.post(f"/staff/data/{DATASET}/{other}", {"venue": "x"}, status=404, csrf=b.csrf)
    b.get(f"/staff/data/{DATASET}/new", status=403)
    b.get("/staff/data/applications", status=404)                        # not marked staff-editable


def test_events__messages_go_to_the_bound_events_applicants(site):
    app, store, accounts, events = site
    web = web_of(app)
    _, bound = roles()
    answer = FLOW.bindings[bound].answer
    mine = str(events[0]["code"])
    b = signed_in(app, accounts[bound].username)
    b.get("/staff/messages")
    assert f'value="{answer}:{mine}"' in b.html and f'value="{answer}:{events[1]["code"]}"' not in b.html
    b.post("/staff/messages", {"target": f"{answer}:{mine}", "body": "请提前半小时入场。"})
    assert web.t("staff.message.sent") in b.notices()
    assert [m.body for m in store.messages_by_target(answer, mine)] == ["请提前半小时入场。"]
