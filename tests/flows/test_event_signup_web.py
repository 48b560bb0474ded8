"""Proof of genericity: the event sign-up flow (tests/flows/event_signup.yaml) served on the
web, staffed and printed with no code written for it. `shenbao init --flow FILE --demo`
makes the database (demo events, a demo sign-up, one demo staff account per role); the
site is then served from that database and walked in headless Chromium: sign up, log in
again after submission with the flow's `identity.login` fields, the door staff account
bound to the event moves the status, and the attendee downloads the printed form (read
back with pdftotext). `shenbao serve --flow FILE` is started too and serves the flow.
"""
from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import time
import urllib.request
from http.cookiejar import CookieJar
from datetime import datetime, timedelta
from pathlib import Path

import pytest
import yaml

from renderers.pdf import printers
from renderers.web.app import make_app, web_of
from shenbao.flows import read_flow
from shenbao.settings import load_settings
from store import Store
from webdriver import CHROMEDRIVER, CHROMIUM, Chrome, TestServer, free_port
from websupport import BEIJING, CAPTCHA

pytestmark = pytest.mark.skipif(not (os.path.exists(CHROMIUM) and os.path.exists(CHROMEDRIVER)
                                     and shutil.which("pdftotext")),
                                reason="needs Debian's chromium, chromedriver and poppler-utils")

ROOT = Path(__file__).resolve().parents[2]
FLOW_FILE = ROOT / "tests" / "flows" / "event_signup.yaml"
SCENARIO = ROOT / "tests" / "flows" / "scenarios" / "signup_happy.yaml"


def shenbao(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "commands.cli", *args], cwd=ROOT, capture_output=True,
                          text=True, encoding="utf-8", timeout=300, env={**os.environ, **env})


def scenario_answers() -> tuple[datetime, list[dict]]:
    """The happy scenario's start and the answers of its wizard steps (the flow's own test data)."""
    scenario = yaml.safe_load(SCENARIO.read_text(encoding="utf-8"))
    start = datetime.strptime(scenario["start"], "%Y-%m-%d %H:%M").replace(tzinfo=BEIJING)
    return start, [a["answers"] for a in scenario["actions"] if "answers" in a]


def demo_passwords(output: str) -> dict[str, str]:
    """username → password, as `shenbao init --demo` prints them once."""
    return dict(re.findall(r"demo staff (\S+) \([^)]*\): password (\S+)", output))


def fill(chrome: Chrome, answers: dict) -> None:
    for name, value in answers.items():
        kind = chrome.script("var e = document.getElementsByName(arguments[0])[0];"
                             " return e ? (e.tagName === 'SELECT' ? 'select' : e.type) : null;", name)
        if kind in ("radio", "checkbox"):
            for one in (value if isinstance(value, list) else [value]):
                chrome.click(f'input[name="{name}"][value="{one}"]')
        elif kind == "select":
            chrome.choose(name, str(value))
        else:
            chrome.type(f"#{name}", str(value))


def press(chrome: Chrome, css: str = "button.next") -> str:
    before = chrome.h1()
    chrome.script("document.documentElement.setAttribute('data-old', '1');")
    chrome.click(css)
    chrome.wait(lambda: chrome.script("return document.readyState === 'complete' &&"
                                      " !document.documentElement.hasAttribute('data-old');"),
                what=f"the page after {before}")
    return chrome.h1()


def captcha_and_submit(chrome: Chrome) -> str:
    chrome.type("#captcha", CAPTCHA.lower())
    return press(chrome, "form button[type=submit]")


@pytest.fixture
def initialised(tmp_path):
    """A database made by `shenbao init --flow event_signup.yaml --demo`, and its demo passwords."""
    url = f"sqlite:///{tmp_path / 'event.db'}"
    made = shenbao("init", "--flow", str(FLOW_FILE), "--demo", env={"SHENBAO_DATABASE_URL": url})
    assert made.returncode == 0, made.stdout + made.stderr
    return url, demo_passwords(made.stdout)


def test_event_signup__served_staffed_and_printed_in_a_browser(chrome, tmp_path, initialised):
    url, passwords = initialised
    flow = read_flow(FLOW_FILE)
    door = next(a for a in yaml.safe_load((FLOW_FILE.parent / "data" / "staff.yaml").read_text(encoding="utf-8"))
                if flow.bindings.get(a["role"]) is not None)
    assert set(passwords) >= {door["username"]}
    start, steps = scenario_answers()
    began = time.monotonic()
    settings = load_settings(env={}, database_url=url, flow_file=str(FLOW_FILE), secret="event-" + "x" * 40,
                             outbox_dir=str(tmp_path / "outbox"), captcha_fixed=CAPTCHA)
    store = Store.open(url)
    app = make_app(settings, clock=lambda: start + timedelta(seconds=time.monotonic() - began), store=store,
                   printers=printers)
    web = web_of(app)
    attendee = steps[-1]
    with TestServer(app) as site:
        chrome.go(site.url + "/apply/start")
        assert chrome.h1() == web.t(flow.steps[0].title)
        for answers in steps:
            fill(chrome, answers)
            title = press(chrome)
        assert title == web.t(flow.steps[-1].title)
        assert attendee["full_name"] in chrome.text()
        made = store.find_application(values={"email": attendee["email"].lower()})
        assert made is not None and made.application_no.startswith(flow.application.number.prefix)
        assert len(made.application_no) == len(flow.application.number.prefix) + flow.application.number.digits

        # log in again after submission, with the flow's identity.login fields
        chrome.cmd("DELETE", "/cookie")
        chrome.go(site.url + "/login")
        labels = [chrome.text(f'label[for="{f}"]') for f in flow.application.login]
        assert labels == [web.t(flow.fields[f].label) for f in flow.application.login]
        for fid in flow.application.login:
            chrome.type(f"#{fid}", str(attendee[fid]))
        chrome.type("#password", attendee["password"])
        captcha_and_submit(chrome)
        chrome.go(site.url + "/account")
        page = chrome.text()
        assert made.application_no in page and web.t(flow.initial_status.message) in page
        assert web.t("web.account.greeting", name=attendee["full_name"]) in page

        # the door staff account bound to the event moves the status
        staff = Chrome(tmp_path / "staff-profile")
        try:
            staff.go(site.url + "/staff/login")
            staff.type("#username", door["username"])
            staff.type("#password", passwords[door["username"]])
            captcha_and_submit(staff)
            staff.go(site.url + "/staff/applications")
            assert made.application_no in staff.text() and attendee["full_name"] in staff.text()
            staff.go(site.url + f"/staff/applications/{made.id}")
            to = next(t.to for t in flow.initial_status.transitions if "door_staff" in t.roles and not t.requires)
            before = staff.h1()
            staff.script("document.querySelector('input[name=\"to\"][value=\"' + arguments[0] + '\"]')"
                         ".form.querySelector('button[type=submit]').click();", to)
            staff.wait(lambda: staff.script("return document.readyState === 'complete';") and
                       store.get_application(made.id).status == to, what="the move")
            assert before
        finally:
            staff.quit()
        chrome.go(site.url + "/account")
        assert web.t(flow.statuses[to].message) in chrome.text()

        # the attendee downloads the printed form
        chrome.go(site.url + "/application/form")
        chrome.click('input[name="format"][value="pdf"]')
        status, media, pdf = chrome.post_form('form[action="/application/form"]')
        assert (status, media) == (200, "application/pdf")
    store.close()
    path = tmp_path / "form.pdf"
    path.write_bytes(pdf)
    text = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, timeout=60).stdout
    event = next(r for r in yaml.safe_load((FLOW_FILE.parent / "data" / "events.yaml").read_text(encoding="utf-8"))
                 if r["code"] == steps[0]["event"])
    compact = re.sub(r"\s+", "", text)
    for value in (attendee["full_name"], made.application_no, event["event_name"], event["venue"],
                  web.t(flow.statuses[to].message), web.t(flow.documents["signup_form"].title)):
        assert re.sub(r"\s+", "", value) in compact, value


def test_event_signup__shenbao_serve_with_flow__serves_its_first_step(tmp_path, initialised):
    url, _passwords = initialised
    port = free_port()   # not a fixed one: tests run in parallel workers, beside other programs
    env = {**os.environ, "SHENBAO_DATABASE_URL": url, "SHENBAO_SECRET": "serve-" + "x" * 40,
           "SHENBAO_OUTBOX_DIR": str(tmp_path / "outbox")}
    server = subprocess.Popen([sys.executable, "-m", "commands.cli", "serve", "--flow", str(FLOW_FILE),
                               "--port", str(port), "--server", "waitress", "--workers", "1"],
                              cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        body = ""
        opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(CookieJar()))  # the draft's cookie
        for _ in range(120):
            try:
                with opener.open(f"http://127.0.0.1:{port}/apply/start", timeout=5) as response:
                    body = response.read().decode("utf-8")
                break
            except OSError:
                time.sleep(0.5)
        flow = read_flow(FLOW_FILE)
        first = [f.id for f in flow.steps[0].fields]
        assert body and all(f'name="{fid}"' in body for fid in first), body[:500]
    finally:
        server.terminate()
        server.wait(timeout=30)
