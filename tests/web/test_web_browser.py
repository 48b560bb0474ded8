"""In a real browser (headless Chromium): from the home page to step 8, then log in and see
the status. Screenshots of every page, at desktop width and at 375 px, are saved under
test-output/web/ for a person to look at.
"""
from __future__ import annotations

from pathlib import Path

import pytest

from webdriver import Chrome, needs_browser, reach_identity_step
from webjourney import PASSWORD, TANG, WORK, fill_application
from websupport import CAPTCHA, reading_seconds

pytestmark = needs_browser

OUTPUT = Path(__file__).resolve().parents[2] / "test-output" / "web"


def shoot(chrome: Chrome, name: str) -> None:
    chrome.screenshots(OUTPUT, name)


def next_page(chrome: Chrome, before: str) -> str:
    return chrome.wait(lambda: chrome.h1() != before and chrome.h1(), what=f"a page after {before}")


def test_browser__home_to_step_8_then_login_and_status(chrome, site, web, store):
    if "sqlite" not in web.settings.database_url:
        pytest.skip("one browser run is enough")
    chrome.go(site.url + "/")
    shoot(chrome, "00-home")
    chrome.click('a[href="/apply/start"]')
    title = chrome.wait(chrome.h1, what="step 1")
    assert title == web.t("step.notice.title")
    assert not chrome.enabled("button.next")                 # the 3-second countdown
    assert "秒后" in chrome.text("#wait-note")
    shoot(chrome, "01-notice")
    chrome.wait(lambda: chrome.enabled("button.next"), timeout=reading_seconds() + 3, what="the countdown")
    chrome.click("button.next")

    title = next_page(chrome, title)
    assert title == web.t("step.terms.title")
    chrome.click("button.next")                              # not accepted: refused
    chrome.wait(lambda: web.t("gate.terms_accepted") in chrome.text(), what="terms message")
    shoot(chrome, "02-terms-refused")
    chrome.click('input[name="accept_terms"][value="accept"]')
    chrome.click("button.next")

    title = next_page(chrome, title)
    assert title == web.t("step.identity.title")
    chrome.type("#cert_no", TANG.cert_no)
    chrome.type("#id_no", TANG.id_no)
    shoot(chrome, "03-identity")
    chrome.click("button.next")
    # a nonstandard number: window.confirm(); 确定 (OK) stays on step 3 to fix it
    message = chrome.wait(chrome.alert_text, what="the confirm dialog")
    assert TANG.cert_no in message
    chrome.cmd("POST", "/alert/accept", {})
    chrome.wait(lambda: chrome.alert_text() is None and "data-confirm" not in chrome.script(
        "return document.body.innerHTML;"), what="back on step 3")
    assert chrome.h1() == title
    assert chrome.script("return document.getElementById('cert_no').value;") == TANG.cert_no
    chrome.click("button.next")
    chrome.wait(chrome.alert_text, what="the confirm dialog again")
    chrome.cmd("POST", "/alert/dismiss", {})                 # 取消: continue to step 4

    title = next_page(chrome, title)
    assert title == web.t("step.agency.title")
    assert "唐国庆" in chrome.text()
    chrome.choose("teaching_stage", TANG.stage)
    chrome.choose("teaching_subject", TANG.subject)
    chrome.choose("city", TANG.city)
    chrome.choose("agency", TANG.agency)
    shoot(chrome, "04-agency")
    chrome.click("button.next")

    title = next_page(chrome, title)
    assert title == web.t("step.point.title")
    chrome.click('input[name="point"][value="bj_haidian_jinxiu"]')
    shoot(chrome, "05-point")
    chrome.click("button.next")

    title = next_page(chrome, title)
    assert title == web.t("step.notes.title")
    assert chrome.text("button.next") == web.t("action.read_and_next")
    shoot(chrome, "06-notes")
    chrome.click("button.next")

    title = next_page(chrome, title)
    assert title == web.t("step.application.title")
    fill_application(chrome, {**WORK, "mobile": "139"})
    chrome.click("button.next")
    chrome.wait(lambda: chrome.find_all(".error-summary"), what="the error summary")
    shoot(chrome, "07-application-errors")
    fill_application(chrome, WORK)
    chrome.click("button.next")

    title = next_page(chrome, title)
    assert title == web.t("step.done.title")
    page = chrome.text()
    for value in (TANG.name, TANG.id_no, TANG.cert_no, TANG.email):
        assert value in page
    shoot(chrome, "08-done")
    chrome.click('a.button[href="/login"]')

    title = next_page(chrome, title)
    assert title == web.t("web.login.title")
    chrome.type("#id_no", TANG.id_no)
    chrome.type("#cert_no", TANG.cert_no)
    chrome.type("#password", PASSWORD)
    chrome.type("#captcha", CAPTCHA.lower())
    chrome.wait(lambda: chrome.script("var i = document.querySelector('.captcha img');"
                                      "return i.complete && i.naturalWidth > 0;"), what="the captcha image")
    shoot(chrome, "09-login")
    chrome.click("form button[type=submit]")

    title = next_page(chrome, title)
    assert title == web.t("web.login.prompt.title")
    shoot(chrome, "10-prompt")
    chrome.click("a.button")
    title = next_page(chrome, title)
    assert web.t("status.submitted") in chrome.text()
    application = store.find_application(values={"cert_no": TANG.cert_no})
    assert application.application_no in chrome.text()
    shoot(chrome, "11-dashboard")
    for path, name in (("/account/application", "12-view"), ("/account/edit", "13-edit"),
                       ("/account/notes", "14-notes"), ("/account/password", "15-password"),
                       ("/password/forgot", "16-forgot"), ("/help/faq", "17-help")):
        chrome.go(site.url + path)
        chrome.wait(chrome.h1, what=path)
        shoot(chrome, name)



def test_browser__no_javascript_needed_for_the_confirmation(chrome, site, web):
    """The same confirmation as a page of its own when scripts do not run."""
    if "sqlite" not in web.settings.database_url:
        pytest.skip("one browser run is enough")
    chrome.cmd("POST", "/goog/cdp/execute", {"cmd": "Emulation.setScriptExecutionDisabled",
                                               "params": {"value": True}})
    reach_identity_step(chrome, site.url, web)
    chrome.type("#cert_no", TANG.cert_no)
    chrome.type("#id_no", TANG.id_no)
    chrome.click("button.next")
    chrome.wait(lambda: chrome.find_all("#warning-continue"), what="the confirmation page")
    assert chrome.alert_text() is None
    shoot(chrome, "03-identity-confirm-nojs")
    chrome.click("#warning-continue button")
    chrome.wait(lambda: chrome.h1() == web.t("step.agency.title"), what="step 4")


def test_browser__timeout_warning_and_a_subject_list_narrowed_by_the_stage(chrome, site, web):
    """Issue 9: the timeout warning is a focused dialog with a way to stay; 现任教学科 follows 现任教学段,
    注册机构 follows 城市 and 现任教学段."""
    if "sqlite" not in web.settings.database_url:
        pytest.skip("one browser run is enough")
    from webjourney import WANG
    reach_identity_step(chrome, site.url, web)
    chrome.type("#cert_no", WANG.cert_no)
    chrome.type("#id_no", WANG.id_no)
    chrome.click("button.next")
    chrome.wait(lambda: chrome.h1() == web.t("step.agency.title"), what="step 4")
    subjects = "return Array.from(document.querySelectorAll('#teaching_subject option')).map(o => o.value)" \
               ".filter(v => v);"
    chrome.choose("teaching_stage", "primary")
    primary = chrome.script(subjects)
    assert primary and all(v.startswith("primary_") for v in primary)
    chrome.choose("teaching_stage", "senior")
    senior = chrome.script(subjects)
    assert "senior_physics" in senior and not any(v.startswith("primary_") for v in senior)
    # 注册机构 follows 城市 and 现任教学段 (the same choices the server's filter reads)
    agencies = "return Array.from(document.querySelectorAll('#agency option')).map(o => o.value).filter(v => v);"
    from webjourney import DATA
    rows = DATA.rows("agencies", {})
    for city in sorted({a["city"] for a in rows}):
        chrome.choose("city", city)
        for stage in ("senior", WANG.stage):
            chrome.choose("teaching_stage", stage)
            assert chrome.script(agencies) == [a["code"] for a in rows if a["city"] == city
                                               and stage in a["stages"].split()], (city, stage)
    chrome.choose("city", WANG.city)
    chrome.choose("agency", WANG.agency)
    chrome.choose("teaching_stage", "senior")
    assert chrome.script("return document.getElementById('agency').value;") == WANG.agency   # still offered: kept
    chrome.screenshot(OUTPUT / "04-agency-narrowed-390.png", 390)
    chrome.script("window.shenbaoTimeout.show();")
    assert chrome.script("return !document.getElementById('timeout-warning').hidden;")
    assert chrome.script("return document.activeElement.className;") == "stay"
    shoot(chrome, "04-timeout-warning")
    chrome.click("#timeout-warning button.stay")
    chrome.wait(lambda: chrome.script("return document.getElementById('timeout-warning').hidden;"),
                what="the warning dismissed after keep-alive")
