"""The product's wording follows the flow (`flow.texts`): the event sign-up flow served over
WSGI says its own system name, footer, home intro, staff header and mail subjects, never the
teacher registration's; its login page names its own `identity.login` fields. `shenbao check`
refuses a product key the catalogue does not have, where it is written."""
from __future__ import annotations

import argparse
from datetime import datetime
from pathlib import Path

import pytest
import sqlalchemy as sa
import yaml

from commands.check import run_check
from renderers.pdf import printers
from renderers.web.app import make_app, web_of
from shenbao.catalog import load_catalog
from shenbao.flows import read_flow
from shenbao.settings import load_settings
from store.schema import mail_outbox
from eventsite import FLOW, FLOW_FILE, event_store
from websupport import BEIJING, CAPTCHA, Browser, FakeClock

ROOT = Path(__file__).resolve().parents[2]
SCENARIO = ROOT / "tests" / "flows" / "scenarios" / "signup_happy.yaml"
PASSWORD = "Staff2027#ok"
TEACHER = "教师资格"   # what the product's own wording names, and this flow must never show


def scenario() -> tuple[datetime, list[dict]]:
    data = yaml.safe_load(SCENARIO.read_text(encoding="utf-8"))
    start = datetime.strptime(data["start"], "%Y-%m-%d %H:%M").replace(tzinfo=BEIJING)
    return start, [a["answers"] for a in data["actions"] if "answers" in a]


@pytest.fixture
def site(tmp_path):
    url, store = event_store(tmp_path)
    role = next(iter(FLOW.bindings))
    bound = FLOW.bindings[role]
    staff = store.create_staff("organiser-1", PASSWORD, role,
                               bound=str(store.rows(bound.dataset, {})[0][bound.key]) if bound else None)
    settings = load_settings(env={}, database_url=url, flow_file=str(FLOW_FILE), secret="event-" + "x" * 40,
                             outbox_dir=str(tmp_path / "outbox"), captcha_fixed=CAPTCHA,
                             base_url="http://shenbao.test")
    start, _ = scenario()
    app = make_app(settings, clock=FakeClock(start), store=store, printers=printers)
    app.catchall = True
    yield app, store, staff
    store.close()


def own(key: str) -> str:
    """The text the event flow says instead of the product's `key`."""
    return load_catalog().text(FLOW.texts[key])


def says_event_not_teacher(b: Browser) -> None:
    assert TEACHER not in b.html, b.text[:400]
    assert own("app.name") in b.html                               # <title>, header
    assert own("app.name") in b.page.html.find("title").text


def signed_up(app) -> tuple[Browser, dict]:
    """Sign up through the wizard with the flow's happy scenario; the attendee's answers."""
    b = Browser(app, address="10.7.0.1")
    b.get("/apply/start")
    _, steps = scenario()
    for answers in steps:
        b.submit(answers)
    assert b.h1 == web_of(app).t(FLOW.steps[-1].title), b.text[:400]
    return b, {k: v for a in steps for k, v in a.items()}


def test_event_pages__say_the_event_system_never_teacher_registration(site):
    app, store, staff = site
    web = web_of(app)
    b = Browser(app)
    b.get("/")
    says_event_not_teacher(b)
    assert own("web.footer") in b.text and own("web.home.intro") in b.text
    assert web.t(FLOW.title) in b.h1                               # the flow's title, not the product's
    b.get("/login")
    says_event_not_teacher(b)
    labels = [web.t(FLOW.fields[f].label) for f in FLOW.application.login]
    intro = b.page.html.select_one("main p").text
    assert all(label in intro for label in labels), intro
    b.get("/password/forgot")
    says_event_not_teacher(b)

    attendee, answers = signed_up(app)
    says_event_not_teacher(attendee)
    login = Browser(app, address="10.7.0.2")
    login.get("/login")
    login.get("/captcha/login.png")
    login.post("/login", {**{f: answers[f] for f in FLOW.application.login}, "password": answers["password"],
                          "captcha": CAPTCHA})
    login.get("/account")
    assert login.page.request.path == "/account", login.text[:400]
    says_event_not_teacher(login)
    assert own("web.account.form") in login.text
    login.get("/application/form")
    says_event_not_teacher(login)
    assert own("download.title") in login.h1 and own("download.note") in login.text

    desk = Browser(app, address="10.7.0.3")
    desk.get("/staff/login")
    desk.get("/captcha/login.png")
    desk.post("/staff/login", {"username": staff.username, "password": PASSWORD, "captcha": CAPTCHA})
    assert desk.page.request.path == "/staff", desk.text[:400]
    assert TEACHER not in desk.html and own("staff.name") in desk.html

    forgot = Browser(app, address="10.7.0.4")
    forgot.get("/password/forgot")
    forgot.get("/captcha/forgot.png")
    forgot.post("/password/forgot", {**{f: answers[f] for f in FLOW.application.recovery}, "captcha": CAPTCHA})
    assert web.t("web.forgot.title") in forgot.text and TEACHER not in forgot.html
    subjects = store.db.read(lambda conn: [r.subject for r in conn.execute(sa.select(mail_outbox))])
    assert subjects == [own("mail.reset.subject")]
    assert TEACHER not in subjects[0]


def test_login_intro__names_the_flows_login_fields():
    """Built from the labels of `identity.login`, so the teacher flow keeps its wording."""
    catalog = load_catalog()
    teacher = read_flow(ROOT / "flows" / "teacher_registration.yaml")
    for flow in (FLOW, teacher):
        labels = [catalog.text(flow.fields[f].label) for f in flow.application.login]
        intro = catalog.text("web.login.intro", fields=catalog.text("web.separator").join(labels))
        assert all(label in intro for label in labels) and "{" not in intro
    assert TEACHER not in catalog.for_flow(FLOW).text("app.name")
    assert catalog.for_flow(teacher).text("app.name") == catalog.text("app.name")   # the teacher's unchanged


def test_check__refuses_an_unknown_product_key_where_it_is_written(tmp_path, capsys):
    text = FLOW_FILE.read_text(encoding="utf-8").replace("    app.name:", "    app.nmae:", 1)
    assert text != FLOW_FILE.read_text(encoding="utf-8")
    (tmp_path / "data").symlink_to(FLOW_FILE.parent / "data")
    broken = tmp_path / "event_signup.yaml"
    broken.write_text(text, encoding="utf-8")
    line = next(i for i, row in enumerate(text.splitlines(), 1) if "app.nmae:" in row)
    assert run_check(argparse.Namespace(flows=[str(broken)], locale=None)) == 1
    out = capsys.readouterr().out
    assert f"event_signup.yaml:{line}:5: TEXT_001 'app.nmae'" in out and "did you mean 'app.name'?" in out


def test_check__refuses_a_replacement_with_a_placeholder_the_product_text_is_not_given(tmp_path, capsys):
    """The code gives a product text its own parameters only: another would be shown as it is."""
    key = FLOW.texts["app.name"]
    messages = (ROOT / "locales" / "zh_CN" / "messages.yaml").read_text(encoding="utf-8")
    line = f"{key}: {load_catalog().text(key)}\n"
    assert line in messages
    (tmp_path / "messages.yaml").write_text(messages.replace(line, f'{key}: "{{event}}报名系统"\n'), encoding="utf-8")
    assert run_check(argparse.Namespace(flows=[str(FLOW_FILE)], locale=str(tmp_path))) == 1
    out = capsys.readouterr().out
    assert f"MSG_003 message '{key}' uses {{event}}, which it is never given" in out


def test_summary__a_choice_shown__by_its_option_label_not_its_value(site):
    """The done step's `show` lists the ticket: the attendee reads 普通票, never `standard`."""
    app, _, _ = site
    b, answers = signed_up(app)
    ticket = FLOW.fields["ticket"]
    label = dict(ticket.options.static)[answers["ticket"]]
    shown = dict(zip([dt.text.strip() for dt in b.page.html.select("dl dt")],
                     [dd.text.strip() for dd in b.page.html.select("dl dd")]))
    assert shown[load_catalog().text(ticket.label)] == load_catalog().text(label), shown


def test_kept_wording__a_flow_with_texts__is_reused_while_flow_and_catalogue_stay() -> None:
    from renderers.web.forms import Texts, texts_for
    from shenbao.catalog import Catalog

    assert FLOW.texts  # the event flow replaces product texts
    plain = load_catalog()
    kept = Texts(FLOW, plain)
    assert texts_for(kept, FLOW, plain) is kept
    assert texts_for(kept, FLOW, plain.for_flow(FLOW)) is kept
    fixed = Catalog(plain.lang, dict(plain.messages))  # a text fix published: another catalogue
    assert texts_for(kept, FLOW, fixed) is not kept
