"""Pages are generated from the flow, so axe runs on every flow the project ships: each flow's
wizard is walked in the browser along its happy scenario (the answers the scenario gives),
each step checked as shown, and again with the problems an empty submit brings.
"""
from __future__ import annotations

import time
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import yaml

from axe import Audit
from renderers.web.app import make_app, web_of
from shenbao.flows import read_flow
from shenbao.paths import DEFAULT_FLOW
from shenbao.settings import load_settings
from store import Store, load_demo
from webdriver import Chrome, TestServer
from websupport import BEIJING, CAPTCHA, FAST_HASHER
from shenbao.applications import demo_defaults

ROOT = Path(__file__).resolve().parents[2]
EVENT = ROOT / "tests" / "flows" / "event_signup.yaml"
# (flow file, the scenario whose answers walk it): every shipped flow, the event sign-up too
# (the web follows each flow's `application:` declarations).
SHIPPED = [
    pytest.param(DEFAULT_FLOW, ROOT / "tests" / "scenarios" / "happy_path.yaml", id="teacher_registration"),
    pytest.param(EVENT, ROOT / "tests" / "flows" / "scenarios" / "signup_happy.yaml", id="event_signup"),
]


def open_demo(flow_file: Path, folder: Path) -> tuple[Any, Store, str]:
    flow = read_flow(flow_file)
    url = f"sqlite:///{folder / 'flow.db'}"
    store = Store.open(url, password_hasher=FAST_HASHER)
    store.migrate()
    store.sync_datasets(flow.datasets, flow.lookup_index_columns())
    load_demo(store, flow.datasets, flow_file.parent, None,
              demo_defaults(flow))
    return flow, store, url


def fill(chrome: Chrome, answers: dict[str, Any]) -> None:
    for name, value in answers.items():
        kind = chrome.script("var e = document.getElementsByName(arguments[0])[0];"
                             " return e ? (e.tagName === 'SELECT' ? 'select' : e.type) : null;", name)
        values = value if isinstance(value, list) else [value]
        if kind in ("radio", "checkbox"):
            for one in values:
                chrome.click(f'input[name="{name}"][value="{one}"]')
        elif kind == "select":
            chrome.choose(name, str(value))
        elif kind == "date":
            chrome.set_value(f"#{name}", str(value))
        elif kind is not None:
            chrome.type(f"#{name}", str(value))


def submitted(chrome: Chrome) -> None:
    chrome.script("document.documentElement.setAttribute('data-old', '1');")
    chrome.click("button.next")
    chrome.wait(lambda: chrome.script("return document.readyState === 'complete' &&"
                                      " !document.documentElement.hasAttribute('data-old');"), what="the next page")
    if chrome.alert_text() is not None:           # a warning to confirm: 取消 continues
        chrome.cmd("POST", "/alert/dismiss", {})
        chrome.wait(lambda: chrome.alert_text() is None and chrome.script(
            "return document.readyState === 'complete' && !document.querySelector('[data-confirm]');"),
            what="the page after the warning")


@pytest.mark.parametrize("flow_file, scenario_file", SHIPPED)
def test_axe__every_shipped_flow_wizard__no_violations(chrome, tmp_path, flow_file, scenario_file):
    scenario = yaml.safe_load(scenario_file.read_text(encoding="utf-8"))
    flow, store, url = open_demo(flow_file, tmp_path)
    start = datetime.strptime(scenario["start"], "%Y-%m-%d %H:%M").replace(tzinfo=BEIJING)
    began = time.monotonic()
    settings = load_settings(env={}, database_url=url,
                             secret="test-secret-" + "x" * 40, outbox_dir=str(tmp_path / "outbox"),
                             captcha_fixed=CAPTCHA, flow_file=str(flow_file))
    app = make_app(settings, clock=lambda: start + timedelta(seconds=time.monotonic() - began), store=store)
    audit = Audit(f"flow-{flow.id}")
    with TestServer(app) as site:
        chrome.go(site.url + "/apply/start")
        for n, action in enumerate(a for a in scenario["actions"] if "answers" in a or "next" in a or "wait" in a):
            if not chrome.find_all("button.next"):  # the summary: the scenario goes on past the wizard
                break
            if "wait" in action:
                chrome.wait(lambda: chrome.enabled("button.next"), timeout=_seconds(action["wait"], flow) + 5, what="the wait")
                continue
            audit.check(chrome, f"{flow.id}-{n}-{chrome.h1()}")
            if action.get("answers"):
                submitted(chrome)                 # nothing typed: the step with its problems
                audit.check(chrome, f"{flow.id}-{n}-problems")
                fill(chrome, action["answers"])
            submitted(chrome)
        last = chrome.h1()
        audit.check(chrome, f"{flow.id}-end-{last}")
    store.close()
    audit.write()
    assert last == web_of(app).t(flow.steps[-1].title), last
    assert len(audit.pages) >= len(flow.steps) + sum(s.kind == "form" for s in flow.steps), audit.pages
    assert not audit.violations, "\n".join(v.line() for v in audit.violations)


def _seconds(wait: float | str, flow: Any) -> float:
    """A scenario's `wait`: seconds, or `read` (the longest reading time the flow declares is enough)."""
    return max(float(s.min_read_seconds or 0) for s in flow.steps) if wait == "read" else float(wait)
