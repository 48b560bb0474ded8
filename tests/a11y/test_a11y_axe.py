"""axe-core (WCAG 2.0/2.1/2.2, levels A and AA) on every page of the service, at 1280 and
375 px, with the site's scripts and without them: zero violations. The report (page, width,
scripts, rule, element) is written to test-output/a11y/axe-<run>.txt and .json.

One browser for the folder; each test walks its pages once per mode and checks each page
where it appears (a step with problems is the answer to a post, not a page to fetch again).
"""
from __future__ import annotations

import time
from datetime import timedelta
from pathlib import Path
from typing import Callable

import pytest

from axe import OUTPUT, Audit, run_axe
from layout import NO_TEXT_SPACING, TEXT_SPACING, Layout
from renderers.web.app import make_app
from staffsupport import STAFF_PASSWORD, make_staff
from store import StoreBusy
from walk import Walk, block_scripts
from webdriver import Chrome, TestServer
from webjourney import LI, PASSWORD, apply, application_of
from websupport import CAPTCHA, START


SHOTS = {"home", "step-point", "step-application-problems", "login", "dashboard"}


def running_clock():
    """Dates fixed to the tests' day; seconds pass for real (the countdown runs in the browser)."""
    started = time.monotonic()
    return lambda: START + timedelta(seconds=time.monotonic() - started)


@pytest.fixture
def site(settings, store):
    with TestServer(make_app(settings, clock=running_clock(), store=store)) as server:
        yield server


def sqlite_only(web) -> None:
    if "sqlite" not in web.settings.database_url:
        pytest.skip("pages are the same on both databases: one browser run is enough")


def audit_of(name: str, chrome: Chrome, scripts: bool) -> tuple[Audit, Callable[[str], None]]:
    audit = Audit(name)
    return audit, lambda page: audit.check(chrome, page, scripts=scripts)


@pytest.mark.parametrize("scripts", [True, False], ids=["js-large-text", "no-js"])
def test_axe__teacher_registration_applicant_pages__no_violations(chrome, site, web, settings, scripts):
    """With scripts the walk is made in the 大字版 (switched on once, on the home page: it
    persists), and each page's layout is measured too (layout.py: tap targets ≥ 44 px at
    375 px, no horizontal scroll at 320 px nor with the text at 200 %)."""
    sqlite_only(web)
    block_scripts(chrome, not scripts)
    audit, check = audit_of(f"applicant-{'js' if scripts else 'nojs'}", chrome, scripts)
    layout = Layout()
    if scripts:
        def check(page: str) -> None:
            audit.check(chrome, page, scripts=True)
            layout.check(chrome, page)
            if page in SHOTS:                           # for a person to look at
                chrome.screenshot(OUTPUT / f"large-text-{page}-375.png", 375)
    walk = Walk(chrome, site, web, check, scripts)
    if scripts:
        walk.go("/")
        walk.submit("a.text-size")
        assert chrome.script("return document.documentElement.classList.contains('large-text');")
    walk.public_pages()
    walk.wizard()
    walk.login()
    walk.account()
    if scripts:                                         # still the 大字版, every page since the home page
        assert chrome.script("return document.documentElement.classList.contains('large-text');")
    chrome.cmd("DELETE", "/cookie")
    walk.password_recovery(Path(settings.outbox_dir))
    audit.write()
    assert len(audit.pages) >= 30, audit.pages
    assert not audit.violations, "\n".join(v.line() for v in audit.violations)
    assert not layout.problems, "\n".join(layout.problems)


def test_axe__staff_pages__no_violations(chrome, site, web, store, clock, new_browser):
    sqlite_only(web)
    make_staff(store)
    apply(new_browser(), clock, web, LI)
    audit, check = audit_of("staff", chrome, True)
    Walk(chrome, site, web, check).staff("admin", STAFF_PASSWORD, application_of(store, LI).id)
    audit.write()
    assert not audit.violations, "\n".join(v.line() for v in audit.violations)


def test_axe__busy_page__no_violations(chrome, site, web, store, clock, new_browser, monkeypatch):
    sqlite_only(web)
    apply(new_browser(), clock, web, LI)
    audit, check = audit_of("busy", chrome, True)
    walk = Walk(chrome, site, web, check)
    chrome.go(site.url + "/login")
    chrome.type("#id_no", LI.id_no)
    chrome.type("#cert_no", LI.cert_no)
    chrome.type("#password", PASSWORD)
    chrome.type("#captcha", CAPTCHA)
    walk.submit("form[action='/login'] button[type=submit]")

    def busy(*args, **kwargs):
        raise StoreBusy(attempts=5)

    monkeypatch.setattr(web.store, "get_applicant_dashboard", busy)  # the dashboard's one read
    walk.go("/account")
    assert web.t("error.503") in chrome.text()
    check("error-503")
    audit.write()
    assert not audit.violations, "\n".join(v.line() for v in audit.violations)


def test_axe__a_field_without_its_label__is_a_violation(chrome, site, web):
    """The check can fail: remove the label of the login page's certificate number and axe names it."""
    sqlite_only(web)
    walk = Walk(chrome, site, web, lambda page: None)
    walk.go("/login")
    assert not run_axe(chrome)
    chrome.script("document.querySelector('label[for=cert_no]').remove();")
    found = {(v["rule"], n["target"]) for v in run_axe(chrome) for n in v["nodes"]}
    assert ("label", "#cert_no") in found, found


def test_text_spacing__a_box_that_cuts_its_text__is_found(chrome, site, web):
    """The check can fail: the login page passes it; its button made exactly as wide as its
    text, hiding what does not fit (as a fixed-width layout would), is named once the text
    spacing is applied."""
    sqlite_only(web)
    walk = Walk(chrome, site, web, lambda page: None)
    walk.go("/login")
    assert not chrome.script(TEXT_SPACING)
    chrome.script(NO_TEXT_SPACING)
    chrome.script("var b = document.querySelector(arguments[0]); b.style.whiteSpace = 'nowrap';"
                  " b.style.overflow = 'hidden'; b.style.boxSizing = 'content-box'; b.style.paddingLeft = '0';"
                  " b.style.paddingRight = '0'; b.style.width = b.scrollWidth + 'px';",
                  "form[action='/login'] button[type=submit]")
    found = chrome.script(TEXT_SPACING)
    chrome.script(NO_TEXT_SPACING)
    assert any(f.startswith("clipped button") for f in found), found
