"""With the keyboard only (real key events in headless Chromium): a whole application from
the home page, then a login. On every page the Tab order follows
the document, every stop shows a focus ring with ≥ 3:1 contrast against what is behind it
and is on screen, and the focus is never trapped (the next control is always reached).
What axe cannot see is checked here too: the error summary takes the focus and its links
move the focus to each field, which carries aria-invalid and its message in
aria-describedby; the 3-second countdown is announced once, politely.
"""
from __future__ import annotations

import time
from dataclasses import replace
from pathlib import Path

import pytest

from axe import OUTPUT
from keyboard import ENTER, RIGHT, SPACE, TAB, Keyboard, Stop
from webdriver import Chrome, reach_identity_step, served
from webjourney import PASSWORD, WANG, WORK, application_of, apply, sign_in
from websupport import CAPTCHA, reading_seconds

FORM_VALUES = {**WORK, "password": PASSWORD, "password_confirm": PASSWORD, "email": WANG.email}

# Every change to the text of a live region (role=status/alert/log, aria-live), in order.
_WATCH_LIVE = r"""
window.__announced = [];
function live(n) {
  for (; n && n.nodeType !== 1; n = n.parentNode) {}
  return n && n.closest('[aria-live]:not([aria-live=off]), [role=status], [role=alert], [role=log]');
}
new MutationObserver(function (records) {
  records.forEach(function (r) {
    var region = live(r.target);
    if (region && !region.hidden) { window.__announced.push(region.textContent.trim()); }
  });
}).observe(document.body, {subtree: true, childList: true, characterData: true, attributes: true});
"""


def assert_good_stops(stops: list[Stop], page: str) -> None:
    """Document order, a visible ring with enough contrast, on screen."""
    for before, after in zip(stops, stops[1:]):
        if not (before.info["inDialog"] or after.info["inDialog"]):
            # equal: Tab moves between the year, month and day of one date input
            assert after.info["index"] >= before.info["index"], f"{page}: Tab went back from {before} to {after}"
    for stop in stops:
        assert stop.info["visible"] and stop.info["onScreen"], f"{page}: {stop} has the focus off screen"
        assert stop.info["outlineWidth"] >= 2 or stop.info["shadow"], f"{page}: {stop} shows no focus ring"
        assert stop.ring_contrast >= 3, f"{page}: focus ring of {stop} {stop.ring_contrast:.2f}:1 ({stop.info})"


def new_page(chrome: Chrome, kb: Keyboard, page: str, title: str | None = None) -> None:
    assert_good_stops(kb.stops, page)
    chrome.wait(lambda: chrome.script("return document.readyState === 'complete';") and
                (title is None or chrome.h1() == title), what=title or "the page")
    kb.stops = []


def enter_on(kb: Keyboard, css: str) -> None:
    kb.tab_to(css)
    kb.press(ENTER)


def test_keyboard__whole_application_then_login(chrome, site, web):
    if "sqlite" not in web.settings.database_url:
        pytest.skip("one browser run is enough")
    kb = Keyboard(chrome)
    titles = {s.id: web.t(s.title) for s in web.flow.steps}
    chrome.go(site.url + "/")
    first = kb.tab_to("a")
    assert first.info["href"] == "#main", f"the first Tab stop is the skip link, not {first}"
    enter_on(kb, 'a[href="/apply/start"]')

    new_page(chrome, kb, "home", titles["notice"])
    chrome.script(_WATCH_LIVE)
    assert not chrome.enabled("button.next")
    chrome.wait(lambda: chrome.enabled("button.next"), timeout=reading_seconds() + 3, what="the countdown")
    announced = chrome.script("return window.__announced;")
    assert announced == [web.t("step.notice.ready", button=chrome.text("button.next"))], announced
    enter_on(kb, "button.next")

    new_page(chrome, kb, "notice", titles["terms"])
    kb.tab_to("input[name=accept_terms]")
    kb.press(SPACE)
    kb.choose("input[name=accept_terms]", "accept")
    enter_on(kb, "button.next")

    new_page(chrome, kb, "terms", titles["identity"])
    kb.tab_to("#cert_no")
    kb.type(WANG.cert_no)
    kb.tab_to("#id_no")
    kb.type(WANG.id_no)
    enter_on(kb, "button.next")

    new_page(chrome, kb, "identity", titles["agency"])
    for select, value in (("teaching_stage", WANG.stage), ("teaching_subject", WANG.subject),
                          ("city", WANG.city), ("agency", WANG.agency)):
        kb.tab_to(f"#{select}")
        kb.choose(f"#{select}", value)
    enter_on(kb, "button.next")

    new_page(chrome, kb, "agency", titles["point"])        # step 5: the table choice
    kb.tab_to("input[name=point]")
    kb.press(SPACE)
    kb.choose("input[name=point]", WANG.point)
    chrome.screenshot(OUTPUT / "focus-ring-point-1280.png", 1280)     # for a person to look at
    enter_on(kb, "button.next")

    new_page(chrome, kb, "point", titles["notes"])
    enter_on(kb, "button.next")

    new_page(chrome, kb, "notes", titles["application"])
    enter_on(kb, "button.next")                            # nothing typed: the error summary
    new_page(chrome, kb, "application", titles["application"])
    check_error_summary(chrome, kb)
    chrome.screenshot(OUTPUT / "focus-ring-field-375.png", 375)
    fill_by_keyboard(chrome, kb)
    enter_on(kb, "button.next")

    new_page(chrome, kb, "application (typed)", titles["done"])
    enter_on(kb, 'a.button[href="/login"]')

    new_page(chrome, kb, "done", web.t("web.login.title"))
    for css, text in (("#id_no", WANG.id_no), ("#cert_no", WANG.cert_no), ("#password", PASSWORD),
                      ("#captcha", CAPTCHA)):
        kb.tab_to(css)
        kb.type(text)
    kb.press(ENTER)                                        # Enter in a field submits its form
    new_page(chrome, kb, "login", web.t("web.login.prompt.title"))
    enter_on(kb, "main a.button")
    new_page(chrome, kb, "prompt")
    assert web.t("status.submitted") in chrome.text()


def check_error_summary(chrome: Chrome, kb: Keyboard) -> None:
    # the page answering the post has the same title as the one posted: wait for it, not for the title
    chrome.wait(lambda: chrome.script("return document.activeElement.classList.contains('error-summary');"),
                what="the error summary to have the focus")
    links = chrome.script("return Array.prototype.map.call(document.querySelectorAll('.error-summary a'),"
                          " function (a) { return a.getAttribute('href'); });")
    assert len(links) >= 3, links
    for href in links:
        field = chrome.script("var f = document.getElementById(arguments[0]); return f && {invalid:"
                              " f.getAttribute('aria-invalid'), described: f.getAttribute('aria-describedby') ||"
                              " (f.closest('fieldset') || f).getAttribute('aria-describedby')};", href[1:])
        assert field and field["described"], f"{href}: no field, or no aria-describedby ({field})"
        errors = [chrome.script("var e = document.getElementById(arguments[0]); return e && e.textContent;", i)
                  for i in field["described"].split() if i.endswith("-error")]
        assert errors and all(errors), f"{href}: its message is not in aria-describedby"
        if not href.endswith("-0"):
            assert field["invalid"] == "true", f"{href}: no aria-invalid"
    kb.press(TAB)                                       # Tab: the first link of the summary
    assert chrome.script("return document.activeElement.getAttribute('href');") == links[0]
    kb.press(ENTER)
    assert chrome.script("return document.activeElement.id;") == links[0][1:], "the link moves the focus"
    kb.stops = []


def fill_by_keyboard(chrome: Chrome, kb: Keyboard) -> None:
    """Tab through the form in its own order, typing or choosing what WORK says."""
    fields = chrome.script("return Array.prototype.map.call(document.querySelectorAll("
                           "'form input:not([type=hidden]), form select, form textarea'),"
                           " function (e) { return [e.id, e.tagName.toLowerCase(), e.type]; });")
    for field_id, tag, kind in fields:
        if field_id not in FORM_VALUES:
            continue
        if chrome.script("return document.activeElement.id;") != field_id:  # the summary's link put it there
            kb.tab_to(f"#{field_id}")
        value = FORM_VALUES[field_id]
        if tag == "select":
            kb.choose(f"#{field_id}", value)
        elif kind == "date":
            type_date(chrome, kb, value)
        else:
            kb.type(value)
        assert chrome.script("return document.activeElement.value;") == value, field_id


def type_date(chrome: Chrome, kb: Keyboard, value: str) -> None:
    """Into a date input, in the browser's own order of year, month and day: two digits move on
    by themselves, a year (it may have up to 6) needs →."""
    order = chrome.script("return new Intl.DateTimeFormat(navigator.language).formatToParts(new Date(2003, 10, 22))"
                          ".map(function (p) { return p.type; }).filter(function (t) { return t !== 'literal'; });")
    parts = dict(zip(("year", "month", "day"), value.split("-")))
    for n, part in enumerate(order):
        kb.type(parts[part])
        if part == "year" and n < len(order) - 1:
            kb.press(RIGHT)


def arrived(folder: Path, suffix: str) -> Path:
    """The file Chromium wrote into `folder` (not the .crdownload it writes on the way)."""
    found = [p for p in folder.glob(f"*{suffix}") if p.stat().st_size > 0]
    return found[0] if found else None  # type: ignore[return-value]


def test_keyboard__document_download_from_the_dashboard(chrome, site, web, clock, new_browser, tmp_path):
    """The dashboard's 下载申请表 link, with the keyboard only: Tab reaches it, Enter opens the
    download dialog with the focus on the chosen format, Enter exports the PDF and the file
    arrives; again with ↓ to the HTML version (the accessible alternative); the focus comes back
    to the link each time."""
    if "sqlite" not in web.settings.database_url:
        pytest.skip("one browser run is enough")
    apply(new_browser(), clock, web, WANG)
    sign_in(chrome, site.url, WANG)
    chrome.go(site.url + "/account")
    chrome.wait(lambda: chrome.script("return document.readyState === 'complete';"), what="download.js")
    kb = Keyboard(chrome)
    for fmt, first in (("pdf", b"%PDF-"), ("html", b"<!DOCTYPE html>")):
        folder = tmp_path / fmt
        folder.mkdir()
        chrome.cmd("POST", "/goog/cdp/execute", {"cmd": "Browser.setDownloadBehavior",
                                                 "params": {"behavior": "allow", "downloadPath": str(folder)}})
        if fmt == "pdf":                                   # the second time the focus is on the link already
            kb.page_start()
            kb.tab_to('a[href="/application/form"]')
        kb.press(ENTER)
        chrome.wait(lambda: chrome.script("var d = document.querySelector('dialog[open]');"
                                          " return !!d && d.contains(document.activeElement);"),
                    what="the download dialog with the focus in it")
        assert chrome.script("return document.activeElement.name;") == "format"
        kb.choose("input[name=format]", fmt)
        kb.tab_to("dialog button[type=submit]")
        kb.press(ENTER)
        path = chrome.wait(lambda: arrived(folder, f".{fmt}"), timeout=30, what=f"the {fmt} file")
        assert path.read_bytes().lstrip().upper().startswith(first.upper()), path.read_bytes()[:40]
        if fmt == "html":
            assert WANG.name in path.read_text(encoding="utf-8")
        chrome.wait(lambda: chrome.script("return !document.querySelector('dialog') &&"
                                          " document.activeElement.getAttribute('href') === '/application/form';"),
                    what="the dialog closed, the focus back on the link")
        assert_good_stops(kb.stops, f"dashboard download {fmt}")
        kb.stops = []


@pytest.fixture
def short_site(settings, store):
    """The shortest idle limit a deployment can set (1 minute: the warning shows after 30 s),
    on a clock the test can move on (`short_site.clock.later`)."""
    with served(replace(settings, draft_idle_minutes=1), store) as server:
        yield server


def test_timeout_warning__announced_before_expiry__extended_by_keyboard_keeps_the_typing(chrome, short_site, web):
    """WCAG 2.2.1: before the idle limit the warning's text goes into an alert region (what a
    screen reader announces) and the focus moves to 继续填写; Enter there extends the draft,
    the warning closes, the focus returns to the field and what was typed is still in it; the
    step is then accepted at a time the draft would have expired without the extension."""
    if "sqlite" not in web.settings.database_url:
        pytest.skip("one browser run is enough")
    site, kb = short_site, Keyboard(chrome)
    reach_identity_step(chrome, site.url, web)
    loaded = time.monotonic()                                   # the draft was last extended by this page view
    chrome.script(_WATCH_LIVE)
    kb.page_start()
    kb.tab_to("#cert_no")
    kb.type(WANG.cert_no)
    warning = web.t("web.timeout.body", minutes=1)
    chrome.wait(lambda: chrome.script("return window.__announced;"), timeout=45, what="the timeout warning")
    assert time.monotonic() - loaded < 60, "announced before the draft expired"
    assert chrome.script("return window.__announced;") == [warning]
    assert chrome.script("return document.activeElement.className;") == "stay"
    kb.press(ENTER)
    chrome.wait(lambda: chrome.script("return document.getElementById('timeout-warning').hidden &&"
                                      " document.activeElement.id === 'cert_no';"),
                what="the warning closed, the focus back in the field")
    assert chrome.script("return document.activeElement.value;") == WANG.cert_no
    site.clock.later(60 - (time.monotonic() - loaded) + 15)          # 15 s past the limit without the extension
    kb.tab_to("#id_no")
    kb.type(WANG.id_no)
    kb.press(ENTER)
    chrome.wait(lambda: chrome.h1() == web.t("step.agency.title"), what="step 4: the draft was still alive")


@pytest.fixture
def short_session_site(settings, store):
    """A signed-in session of the shortest idle limit (1 minute), on a clock the test moves on."""
    with served(replace(settings, session_idle_minutes=1), store) as server:
        yield server


def test_timeout_warning__signed_in_edit__announced_extended_and_the_edit_saved(
        chrome, short_session_site, web, clock, new_browser, store):
    """The same on 修改申报信息: the session's warning is announced before it expires, Enter on
    继续填写 extends it (the keep-alive touches the session however recently it was seen), the
    typing stays, and the edit is saved at a time the session would otherwise have ended."""
    if "sqlite" not in web.settings.database_url:
        pytest.skip("one browser run is enough")
    site, kb = short_session_site, Keyboard(chrome)
    apply(new_browser(), clock, web, WANG)
    sign_in(chrome, site.url, WANG)
    chrome.go(site.url + "/account/edit")
    chrome.wait(lambda: chrome.script("return document.readyState === 'complete';"), what="the edit page")
    signed_in = time.monotonic()                                 # the login: the session's last activity
    chrome.script(_WATCH_LIVE)
    chrome.script("document.getElementById('school_name').focus();")
    chrome.script("document.getElementById('school_name').select();")
    kb.type("北京市海淀区第三实验小学")
    chrome.wait(lambda: chrome.script("return window.__announced;"), timeout=45, what="the timeout warning")
    assert time.monotonic() - signed_in < 60, "announced before the session expired"
    assert chrome.script("return window.__announced;") == [web.t("web.timeout.body_signed_in", minutes=1)]
    kb.press(ENTER)
    chrome.wait(lambda: chrome.script("return document.getElementById('timeout-warning').hidden &&"
                                      " document.activeElement.id === 'school_name';"),
                what="the warning closed, the focus back in the field")
    assert chrome.script("return document.activeElement.value;") == "北京市海淀区第三实验小学"
    site.clock.later(60 - (time.monotonic() - signed_in) + 15)        # 15 s past the limit without the extension
    kb.press(ENTER)                                              # Enter in the field sends the form
    chrome.wait(lambda: web.t("web.edit.saved") in chrome.text(), what="the edit saved")
    assert application_of(store, WANG).answers["school_name"] == "北京市海淀区第三实验小学"
