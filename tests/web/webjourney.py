"""The applicant's journey as reusable steps: walk the wizard, log in, set a status.

Each helper asserts where it lands, so a test reads as the manual does.
"""
from __future__ import annotations

import os
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Mapping

import imagefiles
from engine import Context
from shenbao.datafiles import memory_source
from store import Application, Store
from webdriver import Chrome
from websupport import CAPTCHA, START, Browser, FakeClock, FLOW, reading_seconds

PASSWORD = "Teach2027#"


@dataclass(frozen=True)
class Person:
    name: str
    cert_no: str
    id_no: str
    agency: str = "bj_haidian"
    point: str = "bj_haidian_jinxiu"
    stage: str = "primary"
    subject: str = "primary_chinese"
    email: str = "zhang.wei@163.com"
    certificate: Mapping[str, str] = field(default_factory=dict)  # typed at step 4 when not found

    @property
    def city(self) -> str | None:
        """The city chosen at step 4: the one of the person's agency (the demo data's)."""
        return city_of(self.agency)


DATA = memory_source(FLOW)


def city_of(agency: str) -> str | None:
    rows = DATA.rows("agencies", {"code": agency})
    return rows[0]["city"] if rows else None


WANG = Person("王晓燕", "20071110822001207", "110108198504120144")                  # found, photo
LI = Person("李喆", "20133210631017045", "320106199002140752", email="lizhe@126.com")  # found, no photo
TANG = Person("唐国庆", "200037010088", "370102197410011110")                        # 12 digits
QIAN = Person("钱慧敏", "2004311150200137", "310115198107301487")                    # 16 digits
# Not in the registry: typed in at step 4 (a valid ID number that is nowhere in the data).
NEW = Person("赵新", "20151110822999991", "110101199003070038", certificate={
    "name": "赵新", "gender": "male", "ethnic_group": "01", "cert_type": "2", "cert_subject": "primary_chinese",
    "cert_issuer": "北京市海淀区教育委员会", "cert_issue_date": "2015-07-10"})

WORK = {
    "highest_degree": "bachelor", "highest_education": "undergraduate", "study_mode": "full_time",
    "major_category": "teacher_education", "graduated_school": "北京师范大学", "major": "汉语言文学",
    "graduation_date": "2007-07-01", "political_status": "masses", "school_location": "北京市海淀区",
    "school_nature": "public", "school_name": "海淀实验小学", "work_start": "2007-09-01",
    "employment_start": "2008-09-01", "post_nature": "full_time_teacher", "putonghua_level": "level_2a",
    "professional_title": "first_grade", "birthplace": "北京", "household_registration": "北京市海淀区",
    "address": "北京市海淀区中关村大街1号", "postcode": "100080", "telephone": "010-12345678",
    "mobile": "13912345678",
}

TITLES = {s.id: s.title for s in FLOW.steps}


def title(web: Any, step_id: str) -> str:
    return web.t(TITLES[step_id])


def step_answers(person: Person, step_id: str) -> dict[str, Any]:
    """What `person` types at a step, and the first option of any other required choice the step declares."""
    known = _typed(person, step_id)
    return {**first_options(step_id, known), **known} if step_id in TITLES else known


def _typed(person: Person, step_id: str) -> dict[str, Any]:
    if step_id == "terms":
        return {"accept_terms": "accept"}
    if step_id == "identity":
        return {"cert_no": person.cert_no, "id_no": person.id_no}
    if step_id == "agency":
        city = {"city": person.city} if person.city is not None else {}
        return {**person.certificate, "teaching_stage": person.stage, "teaching_subject": person.subject,
                **city, "agency": person.agency}
    if step_id == "point":
        return {"point": person.point}
    if step_id == "application":
        return {**WORK, "password": PASSWORD, "password_confirm": PASSWORD, "email": person.email}
    return {}


def start(b: Browser, clock: FakeClock) -> None:
    b.get("/apply/start")
    clock.advance(seconds=reading_seconds())


def required_choices(step_id: str) -> list[str]:
    """The required choice fields (select, radio, ...) the flow declares on a step."""
    return [f.id for f in FLOW.step(step_id).fields if f.is_input and f.is_choice and f.rules.get("required")]


def first_options(step_id: str, known: Mapping[str, Any]) -> dict[str, Any]:
    """For every required choice of the step that `known` does not answer: its first option as
    offered, i.e. narrowed by the choices known (a select policy staff add is answered without the
    tests knowing it)."""
    answers: dict[str, Any] = dict(known)
    for fld in FLOW.step(step_id).fields:
        if fld.id in required_choices(step_id) and fld.id not in answers and fld.readonly_when is None \
                and fld.prefill is None and fld.value is None:   # typed by the applicant
            offered = Context(FLOW, DATA, START.replace(tzinfo=None), answers).options(fld)
            if offered:
                answers[fld.id] = offered[0].value
    return {k: v for k, v in answers.items() if k not in known}


def next_step(b: Browser, person: Person, step_id: str, **extra: Any) -> Any:
    data = {**step_answers(person, step_id), **extra, "action": "next"}
    if step_id == "identity" and len(person.cert_no) not in (15, 17):
        b.post("/apply", data)
        return b.post("/apply", {**data, "action": "continue", "confirm": "cert_no:cert_no_standard"})
    return b.post("/apply", data)


def walk_to(b: Browser, clock: FakeClock, web: Any, person: Person, step_id: str) -> None:
    """From the home page's 注册 to the start of `step_id`, answering as `person`."""
    start(b, clock)
    for step in FLOW.steps:
        if step.id == step_id:
            break
        next_step(b, person, step.id)
    assert b.h1 == title(web, step_id), (b.h1, b.summary(), b.field_errors())


def apply(b: Browser, clock: FakeClock, web: Any, person: Person) -> None:
    walk_to(b, clock, web, person, "application")
    next_step(b, person, "application")
    assert b.h1 == title(web, "done"), (b.summary(), b.field_errors())


def login(b: Browser, person: Person, password: str = PASSWORD, captcha: str = CAPTCHA,
          status: int = 200) -> Any:
    b.get("/login")
    b.get("/captcha/login.png")
    return b.post("/login", {"id_no": person.id_no, "cert_no": person.cert_no, "password": password,
                             "captcha": captcha}, status=status)


def application_of(store: Store, person: Person) -> Application:
    found = store.find_application(values={"cert_no": person.cert_no})
    assert found is not None
    return found


def set_status(store: Store, person: Person, status: str, **status_data: Any) -> Application:
    """What a point operator or reviewer does, straight through the store (until the staff side)."""
    found = application_of(store, person)
    return store.update_application(found.id, found.row_version, status=status, status_data=status_data)


# -- step 7 in the headless browser (tests/web/test_web_browser.py, tests/a11y/walk.py) --
TYPES = {f.id: f.type for f in FLOW.step("application").fields}


def fill_application(chrome: Chrome, values: dict[str, str]) -> None:
    """Type step 7 as a person would: `values`, the password and email, and for every other required
    choice the flow declares there the first option offered (by clicking, like the rest). The photo, asked
    when the registry holds none, is a real JPEG (tests/imagefiles.py)."""
    if chrome.find_all("#photo_upload"):
        photo = Path(tempfile.gettempdir()) / f"shenbao-photo-{os.getpid()}.jpg"
        photo.write_bytes(imagefiles.jpeg())
        chrome.upload("#photo_upload", photo)
    chrome.type("#password", PASSWORD)
    chrome.type("#password_confirm", PASSWORD)
    chrome.type("#email", TANG.email)
    for name, value in values.items():
        if TYPES.get(name) == "select":
            chrome.choose(name, value)
        elif TYPES.get(name) == "date":
            chrome.set_value(f"#{name}", value)
        else:
            chrome.type(f"#{name}", value)
    for name in required_choices("application"):
        if name in values:
            continue
        if TYPES[name] == "select":
            chrome.click(f'#{name} option:not([value=""])')
        else:
            chrome.click(f'input[name="{name}"]')


def sign_in(chrome: Chrome, url: str, person: Any) -> None:
    """An applicant logs in at /login (the flow's log-in fields, the password, the captcha)."""
    chrome.go(url + "/login")
    for field_id in FLOW.application.login:
        chrome.type(f"#{field_id}", getattr(person, field_id))
    chrome.type("#password", PASSWORD)
    chrome.type("#captcha", CAPTCHA)
    chrome.click("form[action='/login'] button[type=submit]")
    chrome.wait(lambda: "/account" in chrome.script("return location.pathname;"), what="signed in")
