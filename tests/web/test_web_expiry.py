"""Forms from another step, and typing kept through an idle draft's expiry (issue 9, items 8–9)."""
from __future__ import annotations

import json
from dataclasses import replace

from renderers.web.app import make_app, web_of
from renderers.web.wizard import DRAFT_TOUCH
from sqlcount import Counter
from webjourney import PASSWORD, WANG, WORK, application_of, apply, login, next_step, step_answers, title, walk_to
from websupport import Browser, reading_seconds


def test_two_tabs__step_5_form_sent_after_moving_on__current_step_shown_nothing_applied(browser, clock, web, store):
    walk_to(browser, clock, web, WANG, "point")
    next_step(browser, WANG, "point")                                    # tab 1: on to step 6
    assert browser.h1 == title(web, "notes")
    browser.post("/apply", {"action": "next", "step": "point", "point": "bj_haidian_preschool"})   # tab 2
    assert browser.h1 == title(web, "notes")                             # the must-read step is still shown
    assert web.t("web.wizard.other_step", posted=title(web, "point"), current=title(web, "notes")) in browser.notices()
    next_step(browser, WANG, "notes")
    next_step(browser, WANG, "application")
    assert application_of(store, WANG).answers["point"] == WANG.point   # tab 2's choice was not applied


def test_form_without_its_step__refused_like_another_steps(browser, clock, web):
    walk_to(browser, clock, web, WANG, "terms")
    browser.post("/apply", {"action": "next", "step": "", "accept_terms": "accept"})
    assert browser.h1 == title(web, "terms")


def test_expired__step_7_sent__back_to_step_1_with_its_reading_time_and_every_answer_offered_again(
        browser, clock, web, store):
    walk_to(browser, clock, web, WANG, "application")
    clock.advance(minutes=web.settings.draft_idle_minutes + 1)
    browser.post("/apply", {**step_answers(WANG, "application"), "action": "next"})
    assert browser.h1 == title(web, "notice")
    assert browser.notices() == [web.t("web.wizard.expired_kept", minutes=web.settings.draft_idle_minutes)]
    browser.post("/apply", {"action": "next"})                           # the stale form cannot skip step 1
    assert browser.h1 == title(web, "notice")
    seconds = reading_seconds()
    assert web.t("gate.min_read_time", seconds=int(seconds)) in browser.summary()
    clock.advance(seconds=seconds)
    browser.submit()
    assert browser.h1 == title(web, "terms") and 'value="accept" checked' in browser.html
    browser.submit()
    assert browser.value("cert_no") == WANG.cert_no and browser.value("id_no") == WANG.id_no
    for step_id in ("identity", "agency", "point", "notes"):
        browser.submit()
    assert browser.h1 == title(web, "application"), browser.summary()
    assert browser.value("school_name") == WORK["school_name"] and browser.value("email") == WANG.email
    assert browser.value("password") in ("", None)                        # never kept
    browser.submit({"password": PASSWORD, "password_confirm": PASSWORD})
    assert browser.h1 == title(web, "done")
    assert application_of(store, WANG).answers["mobile"] == WORK["mobile"]


def test_expired__message_states_the_configured_limit(settings, clock, store):
    app = make_app(replace(settings, draft_idle_minutes=45), clock=clock, store=store)
    web, browser = web_of(app), Browser(app)
    walk_to(browser, clock, web, WANG, "identity")
    clock.advance(minutes=46)
    browser.post("/apply", {**step_answers(WANG, "identity"), "action": "next"})
    assert browser.notices() == [web.t("web.wizard.expired_kept", minutes=45)]
    assert "45分钟" in browser.notices()[0] and "30分钟" not in browser.text


def test_expired__reload__says_why_it_restarts_and_shows_nothing_of_the_old_draft(browser, clock, web):
    walk_to(browser, clock, web, WANG, "agency")
    clock.advance(minutes=web.settings.draft_idle_minutes + 1)
    browser.get("/apply")
    assert browser.h1 == title(web, "notice")
    assert browser.notices() == [web.t("web.wizard.expired", minutes=web.settings.draft_idle_minutes)]
    clock.advance(seconds=reading_seconds())
    browser.submit()
    browser.submit({"accept_terms": "accept"})
    assert browser.value("cert_no") in ("", None)


def test_draft__page_views_and_keep_alive_extend_it(browser, clock, web):
    walk_to(browser, clock, web, WANG, "agency")
    idle = web.settings.draft_idle_minutes
    clock.advance(minutes=idle - 5)
    browser.get("/apply")                                                 # a page view is activity
    clock.advance(minutes=idle - 5)
    answer = browser.post("/apply/keepalive", {}, follow=False)
    assert answer.status_int == 200 and answer.json == {"alive": True, "seconds": idle * 60}
    clock.advance(minutes=idle - 5)
    next_step(browser, WANG, "agency")
    assert browser.h1 == title(web, "point")
    clock.advance(minutes=idle + 1)
    assert browser.post("/apply/keepalive", {}, follow=False, status=410).json == {"alive": False}


def _draft_writes(store, action):
    with Counter(store.db.engine) as counter:
        counter.measure(action)
    return [s for s in counter.sql if s.lstrip().upper().startswith(("UPDATE DRAFTS", "INSERT INTO DRAFTS"))]


def test_draft__unchanged_and_saved_moments_ago__not_written_again_and_still_extended_later(
        browser, clock, web, store):
    """Issue 10: the same wrong step 7 sent again (or a reload) a few seconds after the draft was
    saved rewrites nothing; a change, or the same form once the window is over, is saved."""
    walk_to(browser, clock, web, WANG, "application")
    wrong = {**step_answers(WANG, "application"), "mobile": "139", "action": "next"}
    assert _draft_writes(store, lambda: browser.post("/apply", wrong)), "the first error is new: saved"
    assert browser.field_errors()
    clock.advance(seconds=5)
    assert _draft_writes(store, lambda: browser.post("/apply", wrong)) == []      # nothing changed
    assert browser.field_errors() and browser.value("school_name") == WORK["school_name"]
    assert _draft_writes(store, lambda: browser.get("/apply")) == []              # a reload: nothing either
    changed = {**wrong, "school_name": "海淀第二实验小学"}
    assert _draft_writes(store, lambda: browser.post("/apply", changed))          # a change is saved at once
    clock.advance(seconds=DRAFT_TOUCH.total_seconds() + 1)
    assert _draft_writes(store, lambda: browser.get("/apply"))                    # later: saved, the idle time extended
    idle = web.settings.draft_idle_minutes
    clock.advance(minutes=idle - 1)
    assert browser.post("/apply/keepalive", {}, follow=False).json["alive"] is True


def test_timeout_warning__on_every_step__an_announced_dialog_with_a_way_to_stay(browser, clock, web):
    walk_to(browser, clock, web, WANG, "identity")
    html = browser.html
    assert 'role="alertdialog"' in html and 'aria-modal="true"' in html and 'id="timeout-warning"' in html
    assert f'data-timeout-seconds="{web.settings.draft_idle_minutes * 60}"' in html
    assert 'data-keepalive="/apply/keepalive"' in html
    assert web.t("web.timeout.stay") in browser.text


# -- 修改申报信息 after the session expired ------------------------------------------------------
def _edit_form(b):
    return next(f for f in b.page.forms.values() if f.action == "/account/edit" and "row_version" in f.fields
                and f.id is None)


def test_edit__session_expired_before_saving__kept_and_offered_back_after_login(
        browser, new_browser, clock, web, store):
    from webjourney import apply, login
    apply(new_browser(address="10.9.9.9"), clock, web, WANG)
    login(browser, WANG)
    browser.get("/account/edit")
    form = _edit_form(browser)
    form["school_name"] = "海淀第三实验小学"
    clock.advance(minutes=web.settings.session_idle_minutes + 1)
    browser.page = form.submit().maybe_follow()
    assert web.t("web.edit.kept_login") in browser.text                  # to the login page, typing kept
    assert application_of(store, WANG).answers["school_name"] == WORK["school_name"]   # nothing saved yet
    login(browser, WANG)
    assert browser.value("school_name") == "海淀第三实验小学"             # offered back
    assert web.t("web.edit.kept") in browser.text
    browser.page = _edit_form(browser).submit()
    assert web.t("web.edit.saved") in browser.text
    assert application_of(store, WANG).answers["school_name"] == "海淀第三实验小学"


def test_edit__kept_edit__never_offered_to_another_applicant_on_that_browser(
        browser, new_browser, clock, web, store):
    from webjourney import LI, apply, login
    apply(new_browser(address="10.9.9.9"), clock, web, WANG)
    apply(new_browser(address="10.9.9.8"), clock, web, LI)
    login(browser, WANG)
    browser.get("/account/edit")
    form = _edit_form(browser)
    form["school_name"] = "王的修改"
    clock.advance(minutes=web.settings.session_idle_minutes + 1)
    browser.page = form.submit().maybe_follow()
    login(browser, LI)
    browser.get("/account/edit")
    assert "王的修改" not in browser.html and web.t("web.edit.kept") not in browser.text
    login(browser, WANG)
    browser.get("/account/edit")
    assert "王的修改" not in browser.html                                  # dropped, not kept for later


def test_edit__forged_owner__nothing_kept(browser, clock, web, store):
    browser.get("/login")
    response = browser.post("/account/edit", {"owner": "1.deadbeef", "school_name": "x", "row_version": "1"},
                            follow=False, status="*")
    assert response.status_int in (302, 303) and "kept=1" not in response.headers.get("Location", "")


def test_csrf__token_with_non_ascii_characters__refused_not_a_500(browser):
    browser.get("/login")
    assert browser.post("/login", {"id_no": "1"}, csrf="令牌", status="*").status_int == 403


def test_edit__timeout_warning_and_keep_alive__extend_the_signed_in_session(browser, new_browser, clock, web):
    apply(new_browser(), clock, web, WANG)
    login(browser, WANG)
    browser.get("/account/edit")
    idle = web.settings.session_idle_minutes
    assert f'data-timeout-seconds="{idle * 60}"' in browser.html and 'data-keepalive="/account/keepalive"' in browser.html
    assert web.t("web.timeout.body_signed_in", minutes=idle) in browser.text
    clock.advance(minutes=idle - 1)
    assert browser.post("/account/keepalive", {"csrf_token": browser.csrf}).json == {"alive": True}
    clock.advance(minutes=idle - 1)                       # past the limit counted from the last page view
    browser.get("/account")
    assert browser.page.request.path == "/account", "still signed in"
    clock.advance(minutes=idle + 1)
    assert browser.post("/account/keepalive", {"csrf_token": browser.csrf}, status=410).json == {"alive": False}
