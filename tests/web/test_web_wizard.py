"""The wizard, step by step, as the manual describes it (申报第一步 … 第八步)."""
from __future__ import annotations

import dataclasses
import re

import pytest

from store import StoreBusy
from webjourney import (LI, NEW, PASSWORD, QIAN, TANG, WANG, WORK, Person, apply, application_of, next_step,
                        start, step_answers, title, walk_to)
from websupport import FLOW, Browser, reading_seconds, text_of


def test_notice__next_before_the_reading_time__refused_by_the_server(browser, clock, web):
    seconds = int(reading_seconds())
    browser.get("/apply/start")
    assert browser.h1 == title(web, "notice")
    assert f'data-wait="{seconds}"' in browser.html     # site.js keeps the button disabled meanwhile
    clock.advance(seconds=seconds - 1)
    browser.post("/apply", {"action": "next"})
    assert browser.h1 == title(web, "notice")
    assert web.t("gate.min_read_time", seconds=1) in browser.summary()
    clock.advance(seconds=1)
    browser.post("/apply", {"action": "next"})
    assert browser.h1 == title(web, "terms")


def test_terms__not_accepted__cannot_continue(browser, clock, web):
    walk_to(browser, clock, web, WANG, "terms")
    browser.post("/apply", {"action": "next", "accept_terms": "decline"})
    assert browser.h1 == title(web, "terms")
    assert browser.summary() == [web.t("gate.terms_accepted")]
    browser.post("/apply", {"action": "next"})
    assert browser.h1 == title(web, "terms")


def test_identity__bad_id_number__error_at_the_field(browser, clock, web):
    walk_to(browser, clock, web, WANG, "identity")
    browser.post("/apply", {"action": "next", "cert_no": WANG.cert_no, "id_no": "110108198504120145"})
    assert browser.h1 == title(web, "identity")
    assert browser.field_errors() == {"id_no": web.t("problem.id_checksum")}
    assert '<a href="#id_no">' in browser.html
    assert 'aria-describedby="id_no-hint id_no-error"' in browser.html
    assert browser.value("id_no") == "110108198504120145"


def test_identity__full_width_digits__normalised_and_shown_back(browser, clock, web):
    walk_to(browser, clock, web, WANG, "identity")
    wide = WANG.cert_no.translate({ord(c): ord(c) + 0xFEE0 for c in "0123456789"})
    browser.post("/apply", {"action": "next", "cert_no": wide, "id_no": WANG.id_no.lower()})
    assert browser.h1 == title(web, "agency")
    browser.post("/apply", {"action": "back"})
    assert browser.value("cert_no") == WANG.cert_no


@pytest.mark.parametrize("person", [TANG, QIAN], ids=["12_digits", "16_digits"])
def test_identity__nonstandard_cert__confirm_page_ok_stays_cancel_continues(browser, clock, web, person):
    walk_to(browser, clock, web, person, "identity")
    browser.post("/apply", {**step_answers(person, "identity"), "action": "next"})
    warning = web.t("warning.cert_no_standard", value=person.cert_no, length=len(person.cert_no))
    assert browser.h1 == title(web, "identity")
    assert warning in browser.text
    assert 'data-confirm="' in browser.html                      # window.confirm() where scripts run
    assert web.t("warning.confirm_fix") in browser.text and web.t("warning.confirm_continue") in browser.text
    # 确定: stay on step 3 to fix the number, with it still filled in
    fix_key = re.search(r'name="key" value="([^"]+)"', browser.html).group(1)
    browser.post("/apply", {"action": "fix", "key": fix_key})
    assert browser.h1 == title(web, "identity")
    assert browser.value("cert_no") == person.cert_no
    # 取消: continue to step 4 with the number as typed
    browser.post("/apply", {**step_answers(person, "identity"), "action": "next"})
    browser.post("/apply", {**step_answers(person, "identity"), "action": "continue",
                            "confirm": "cert_no:cert_no_standard"})
    assert browser.h1 == title(web, "agency")


@pytest.mark.parametrize("cert_no, id_no, gate", [
    ("20031110231127911", "110102198006065930", "gate.qualification_revoked"),
    ("20093111522135830", "310115198602286309", "gate.certificate_restricted"),
    ("20121110831159587", "110108198910107412", "gate.application_exists"),
])
def test_identity__registry_refuses__message_and_stays(browser, clock, web, cert_no, id_no, gate):
    walk_to(browser, clock, web, WANG, "identity")
    browser.post("/apply", {"action": "next", "cert_no": cert_no, "id_no": id_no})
    assert browser.h1 == title(web, "identity")
    assert browser.summary() == [web.t(gate)]


def test_identity__banned_or_registered__message_with_dates(browser, clock, web):
    walk_to(browser, clock, web, WANG, "identity")
    browser.post("/apply", {"action": "next", "cert_no": "20084211122151668", "id_no": "42011119851224704X"})
    assert browser.summary() == [web.t("gate.registration_banned", until="2030-06-30")]
    browser.post("/apply", {"action": "next", "cert_no": "20063210041143749", "id_no": "320106198309096675"})
    assert browser.summary() == [web.t("gate.already_registered", registered_on="2026-03-01")]


def test_agency__certificate_found__registry_data_read_only_with_photo(browser, clock, web):
    walk_to(browser, clock, web, WANG, "agency")
    assert 'src="data:image/jpeg;base64,' in browser.html
    assert 'name="name"' not in browser.html and "王晓燕" in browser.text
    assert 'name="agency"' in browser.html and 'name="teaching_stage"' in browser.html


def test_agency__certificate_found_without_photo__says_so(browser, clock, web):
    walk_to(browser, clock, web, LI, "agency")
    assert "data:image" not in browser.html
    assert web.t("field.photo.none") in browser.text


def test_agency__certificate_not_found__typed_in(browser, clock, web):
    walk_to(browser, clock, web, NEW, "agency")
    assert 'name="name"' in browser.html and 'name="cert_issue_date"' in browser.html
    browser.post("/apply", {"action": "next", "teaching_stage": "primary", "teaching_subject": "primary_chinese",
                            "city": NEW.city, "agency": NEW.agency})
    errors = browser.field_errors()
    assert errors["name"] == web.t("problem.required", label=web.t("field.name.label"))
    assert errors["ethnic_group"] == web.t("problem.required.select", label=web.t("field.ethnic_group.label"))
    next_step(browser, NEW, "agency")
    assert browser.h1 == title(web, "point")


@pytest.mark.parametrize("agency, gate, params", [
    ("hz_xihu", "gate.agency_has_plan", {}),
    ("gz_tianhe", "gate.window_open", {"opens": "2031-03-01 08:00", "closes": "2031-03-31 17:00"}),
    ("cd_wuhou", "gate.window_open", {"opens": "2025-09-01 08:00", "closes": "2025-09-30 17:00"}),
    ("wh_hongshan", "gate.agency_has_points", {"agency_phone": "027-08770007"}),
])
def test_agency__agency_cannot_take_applications__message(browser, clock, web, agency, gate, params):
    walk_to(browser, clock, web, WANG, "agency")
    next_step(browser, dataclasses.replace(WANG, agency=agency), "agency")
    assert browser.h1 == title(web, "agency")
    assert browser.summary() == [web.t(gate, **params)]


def test_point__table_of_the_agencys_points__must_choose_one(browser, clock, web):
    walk_to(browser, clock, web, WANG, "point")
    rows = re.findall(r'<tr[^>]*>\s*<td class="pick">', browser.html)
    assert len(rows) == 4
    for column in ("column.name", "column.starts", "column.ends", "column.scope"):
        assert f"<th scope=\"col\">{web.t(column)}</th>" in browser.html
    assert "2029-06-30 17:00" in browser.text
    browser.post("/apply", {"action": "next"})
    assert browser.summary() == [web.t("gate.point_chosen")]
    next_step(browser, WANG, "point")
    assert browser.h1 == title(web, "notes")
    assert web.t("action.read_and_next") in browser.text


def test_application__read_only_sections_and_per_field_errors(browser, clock, web):
    walk_to(browser, clock, web, WANG, "application")
    for section in ("section.certificate_summary", "section.agency_summary", "section.login", "section.work"):
        assert web.t(section) in browser.text
    assert "海淀区教师进修学校确认点" in browser.text and 'name="show_name"' not in browser.html
    browser.post("/apply", {**step_answers(WANG, "application"), "mobile": "1391234", "password_confirm": "x",
                            "employment_start": "2006-09-01", "action": "next"})
    errors = browser.field_errors()
    assert errors == {
        "password_confirm": web.t("problem.password_confirm.equals_field"),
        "employment_start": web.t("problem.not_before_field", label=web.t("field.employment_start.label"),
                                  other_label="field.work_start.label"),
        "mobile": web.t("problem.mobile"),
    }
    assert browser.summary() == list(errors.values())
    assert browser.value("password") == ""                    # passwords are never sent back
    assert browser.value("school_name") == WORK["school_name"]


def test_back__keeps_typed_answers_but_not_passwords(browser, clock, web):
    walk_to(browser, clock, web, WANG, "application")
    browser.post("/apply", {**step_answers(WANG, "application"), "school_name": "未提交的学校", "action": "back"})
    assert browser.h1 == title(web, "notes")
    browser.submit(button="back")
    assert browser.h1 == title(web, "point")
    assert re.search(r'value="bj_haidian_jinxiu" checked', browser.html)
    browser.submit(button="back")
    browser.post("/apply", {"action": "back"})    # a post without the step's fields loses nothing either
    assert browser.h1 == title(web, "identity")
    assert browser.value("cert_no") == WANG.cert_no
    for _ in ("identity", "agency", "point", "notes"):
        browser.submit()                      # each form as shown, with what was answered before
    assert browser.h1 == title(web, "application")
    assert browser.value("school_name") == "未提交的学校"
    assert browser.value("password") == ""


def test_done__shows_name_id_cert_email_and_login_link(browser, clock, web, store):
    apply(browser, clock, web, WANG)
    text = browser.text
    for value in (WANG.name, WANG.id_no, WANG.cert_no, WANG.email):
        assert value in text
    assert PASSWORD not in browser.html
    assert 'href="/login"' in browser.html
    saved = application_of(store, WANG)
    assert saved.status == "submitted" and saved.values.get("point") == "bj_haidian_jinxiu" and saved.values.get("agency") == "bj_haidian"
    assert saved.flow_digest == web.flow.digest and saved.application_no.startswith("TR2027")
    assert "password" not in saved.answers and "password_confirm" not in saved.answers
    assert saved.answers["school_name"] == WORK["school_name"]
    assert store.get_application_photo(saved.id)[:2] == b"\xff\xd8"
    assert store.check_application_password(saved.id, PASSWORD)


def test_done__stored_password_is_an_argon2id_hash(browser, clock, web, store):
    apply(browser, clock, web, LI)
    import sqlalchemy as sa

    from store.schema import applications
    stored = store.db.read(lambda c: c.scalar(sa.select(applications.c.password_hash)))
    assert stored.startswith("$argon2id$") and PASSWORD not in stored


def test_nonstandard_cert__decision_recorded_in_the_audit_log(browser, clock, web, store):
    apply(browser, clock, web, TANG)
    saved = application_of(store, TANG)
    entry = store.audit_for(saved.id)[0]
    assert entry.action == "submit"
    assert [d["choice"] for d in entry.data["decisions"]] == ["continue"]


def test_draft__abandoned_for_half_an_hour__expires(browser, clock, web):
    walk_to(browser, clock, web, WANG, "agency")
    clock.advance(minutes=31)
    browser.post("/apply", {"action": "next", "teaching_stage": "primary"})
    assert browser.h1 == title(web, "notice")
    assert web.t("web.wizard.expired_kept", minutes=web.settings.draft_idle_minutes) in browser.notices()


def test_draft__kept_server_side_and_passwords_never_in_it(browser, clock, web, store):
    walk_to(browser, clock, web, WANG, "application")
    browser.post("/apply", {**step_answers(WANG, "application"), "mobile": "bad", "action": "next"})
    import sqlalchemy as sa

    from store.schema import drafts
    states = store.db.read(lambda c: [str(r) for r in c.execute(sa.select(drafts.c.state))])
    assert states and not any(PASSWORD in s for s in states)
    assert not any(PASSWORD in str(v) for v in browser.app.cookies.values())


def test_draft__two_browsers__separate_drafts(browser, new_browser, clock, web):
    walk_to(browser, clock, web, WANG, "agency")
    other = new_browser()
    other.get("/apply/start")
    assert other.h1 == title(web, "notice")
    browser.get("/apply")
    assert browser.h1 == title(web, "agency")


def test_submit__store_busy__friendly_message_and_typed_values_kept(browser, clock, web, monkeypatch):
    walk_to(browser, clock, web, WANG, "application")

    def busy(**kwargs):
        raise StoreBusy(attempts=3)

    monkeypatch.setattr(web.store, "create_application", busy)
    next_step(browser, WANG, "application")
    assert browser.h1 == title(web, "application")
    assert web.t("web.wizard.busy") in browser.notices()
    assert browser.value("school_name") == WORK["school_name"]
    assert browser.value("email") == WANG.email
    monkeypatch.undo()
    next_step(browser, WANG, "application")
    assert browser.h1 == title(web, "done")


def test_submit__same_certificate_from_two_browsers__second_refused(browser, new_browser, clock, web, store):
    other = new_browser(address="10.0.0.2")
    walk_to(browser, clock, web, WANG, "application")
    walk_to(other, clock, web, WANG, "application")
    next_step(browser, WANG, "application")
    next_step(other, WANG, "application")
    assert other.h1 == title(web, "application")
    assert other.summary() == [web.t("gate.application_exists")]
    assert store.count_applications() == 2  # the demo's one and WANG's


def test_submit__not_found_certificate__typed_data_stored(browser, clock, web, store):
    apply(browser, clock, web, NEW)
    saved = application_of(store, NEW)
    assert saved.answers["name"] == "赵新" and saved.answers["cert_issue_date"] == "2015-07-10"
    assert store.get_application_photo(saved.id) is None


def test_done__start_again__new_application_for_another_certificate(browser, clock, web):
    apply(browser, clock, web, WANG)
    browser.get("/apply/start")
    assert browser.h1 == title(web, "notice")


def test_apply__without_cookies__explains_instead_of_redirecting_forever(browser, web):
    browser.app.get("/apply/start", status=302)
    browser.app.reset()                                         # a browser that keeps no cookies
    response = browser.app.get("/apply", status=200)
    assert web.t("web.cookies") in text_of(response.text)


def test_in_progress__start_again__resumes(browser, clock, web):
    walk_to(browser, clock, web, WANG, "point")
    browser.get("/apply/start")
    assert browser.h1 == title(web, "point")


def test_reference_lists__one_list_while_unchanged__the_edit_seen_at_once(web):
    """The engine's source hands out the same list for a whole dataset while the store's cache
    holds the same content (the option lists keep what they filtered from it), and a staff edit
    of the dataset in this process gives a new list with the edit."""
    first = web.source.rows("points", {})
    assert web.source.rows("points", {}) is first
    point = first[0]["code"]
    web.store.update_row("points", {"code": point}, {"name": "改名确认点"})
    after = web.source.rows("points", {})
    assert after is not first and [r["name"] for r in after if r["code"] == point] == ["改名确认点"]
    assert web.source.rows("points", {}) is after
