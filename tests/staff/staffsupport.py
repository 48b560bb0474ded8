"""Helpers for the staff-side tests: staff accounts, staff login, and applicants who have
applied through the real wizard (webjourney), so every test starts where a point would."""
from __future__ import annotations

import re
from typing import Any, Mapping

from shenbao.applications import indexed, key_of
from store import Application, Staff, Store
from webjourney import PASSWORD as APPLICANT_PASSWORD, Person, apply, application_of, login
from websupport import CAPTCHA, FLOW, Browser, FakeClock, text_of

STAFF_PASSWORD = "Staff2027#ok"

# Applicants of three places: two points of one agency, and another agency.
AT_JINXIU = Person("王晓燕", "20071110822001207", "110108198504120144")
AT_JINXIU_2 = Person("李喆", "20133210631017045", "320106199002140752", email="lizhe@126.com")
AT_PRESCHOOL = Person("彭佳怡", "20191110812278372", "110108199609092965", point="bj_haidian_preschool",
                      stage="kindergarten", subject="kindergarten_education")
AT_PUDONG = Person("钱慧敏", "2004311150200137", "310115198107301487", agency="sh_pudong", point="sh_pudong_east",
                   stage="kindergarten", subject="kindergarten_education", email="qianhm@163.com")

# account name → (role, agency, point)
ACCOUNTS: Mapping[str, tuple[str, str | None, str | None]] = {
    "jinxiu": ("point_operator", "bj_haidian", "bj_haidian_jinxiu"),
    "preschool": ("point_operator", "bj_haidian", "bj_haidian_preschool"),
    "pudong-east": ("point_operator", "sh_pudong", "sh_pudong_east"),
    "haidian": ("agency_reviewer", "bj_haidian", None),
    "pudong": ("agency_reviewer", "sh_pudong", None),
    "admin": ("admin", None, None),
}
# the account of each role that may act on AT_JINXIU
FOR_JINXIU = {"point_operator": "jinxiu", "agency_reviewer": "haidian", "admin": "admin"}


def make_staff(store: Store) -> dict[str, Staff]:
    return {name: store.create_staff(name, STAFF_PASSWORD, role, bound=point or agency)
            for name, (role, agency, point) in ACCOUNTS.items()}


def staff_login(b: Browser, username: str, password: str = STAFF_PASSWORD, captcha: str = CAPTCHA,
                status: int = 200) -> Any:
    b.get("/staff/login")
    b.get("/captcha/login.png")
    return b.post("/staff/login", {"username": username, "password": password, "captcha": captcha}, status=status)


def staff_browser(new_browser: Any, username: str, password: str = STAFF_PASSWORD) -> Browser:
    b = new_browser(address=f"10.1.0.{sum(map(ord, username)) % 250 + 1}")
    staff_login(b, username, password)
    assert b.page.request.path == "/staff", b.text[:300]
    return b


def applied(new_browser: Any, clock: FakeClock, web: Any, store: Store, person: Person) -> Application:
    apply(new_browser(), clock, web, person)
    return application_of(store, person)


def applicant_dashboard(new_browser: Any, person: Person) -> Browser:
    b = new_browser()
    login(b, person)
    b.get("/account")
    return b


def move(b: Browser, app: Application, to: str, status: int = 200, row_version: int | None = None,
         **inputs: Any) -> Any:
    """Press the button of one move on the application's page (with the version shown there)."""
    b.get(f"/staff/applications/{app.id}")
    data: dict[str, Any] = {"to": to, "row_version": app.row_version if row_version is None else row_version}
    for field_id, value in inputs.items():
        data[f"{to}__{field_id}"] = value
    return b.post(f"/staff/applications/{app.id}/status", data, status=status)


def buttons(b: Browser) -> list[str]:
    """The moves offered on an application's page, in order."""
    return re.findall(r'<input type="hidden" name="to" value="([a-z_]+)">', b.html)


def clone(store: Store, app: Application, n: int) -> tuple[Application, Person]:
    """Another applicant at the same point with the same answers (only the numbers differ),
    made straight in the store: quicker than the wizard for tests that need many."""
    cert_no, id_no = f"2027{n:013d}", app.values["id_no"]
    answers = {**app.answers, "cert_no": cert_no}
    made = store.create_application(
        flow_id=app.flow_id, flow_version=app.flow_version, flow_digest=app.flow_digest,
        identity_key=key_of(FLOW, answers), numbering=FLOW.application.number, status=FLOW.initial_status.id,
        answers=answers, values={k: answers.get(k) for k in indexed(FLOW)}, password=APPLICANT_PASSWORD)
    person = Person(str(app.answers.get("name")), cert_no, id_no, agency=str(app.answers.get("agency") or ""),
                    point=str(app.answers.get("point") or ""))
    return made, person


# Review inputs that make every move that needs them pass.
INPUTS = {"missing_materials": ["employment_contract", "training_hours"], "reason": "培训学时不足360学时。"}


def inputs_for(status: str, to: str) -> dict[str, Any]:
    move_ = next((t for t in FLOW.statuses[status].transitions if t.to == to), None)
    return {k: INPUTS[k] for k in (move_.requires if move_ else ())}


def _routes() -> dict[str, list[str]]:
    """The shortest way from the initial status to each status, in moves an administrator may make
    (read from the flow's transitions, so a status policy staff add is reached too)."""
    routes: dict[str, list[str]] = {FLOW.initial_status.id: []}
    queue = [FLOW.initial_status.id]
    while queue:
        here = queue.pop(0)
        for t in FLOW.statuses[here].transitions:
            if t.to not in routes and "admin" in t.roles:
                routes[t.to] = routes[here] + [t.to]
                queue.append(t.to)
    return routes


ROUTES = _routes()


def bring_to(store: Store, app: Application, status: str) -> Application:
    """Set up: move an application to `status` as an administrator would (same code path)."""
    from shenbao.moves import move as do_move
    from websupport import START

    for to in ROUTES[status]:
        result = do_move(FLOW, store, app, to, "admin", inputs_for(app.status, to), actor="staff:setup",
                         row_version=app.row_version, local_now=START.replace(tzinfo=None), now=START)
        assert result.done, result
        app = result.application
    assert app.status == status
    return app


__all__ = ["APPLICANT_PASSWORD", "FLOW", "text_of"]
