"""After submission: logging in, the dashboard under every status, viewing and modifying."""
from __future__ import annotations

import re

import pytest

from webjourney import (LI, NEW, PASSWORD, WANG, WORK, Person, apply, application_of, city_of, login, set_status,
                        title)
from websupport import CAPTCHA, FLOW


@pytest.fixture
def wang(browser, new_browser, clock, web):
    """WANG has applied (in another browser) and logs in here."""
    apply(new_browser(address="10.9.9.9"), clock, web, WANG)
    login(browser, WANG)
    return browser


def test_login__prompt_then_dashboard_with_core_information(wang, web, store):
    assert wang.h1 == web.t("web.login.prompt.title")
    assert 'href="/account"' in wang.html
    wang.get("/account")
    saved = application_of(store, WANG)
    text = wang.text
    assert web.t("web.account.core") in text
    for value in (saved.application_no, "北京市海淀区教育委员会", "海淀区教师进修学校确认点",
                  "2026-09-01 08:00 至 2030-12-31 17:00", "北京市海淀区学院南路甲18号",
                  web.t("status.submitted")):
        assert value in text
    for href in ("/account/application", "/account/edit", "/application/form", "/account/password",
                 "/account/notes"):
        assert f'href="{href}"' in wang.html
    assert web.t("web.account.form") in text
    assert 'action="/logout"' in wang.html


def test_dashboard__wording_looked_up_once_per_page(wang, web, monkeypatch):
    """The dashboard takes this version's wording once (forms.texts_for compares it with the
    texts in use), for its status, its places and its labels: not once for each (issue 10)."""
    from renderers.web import account

    looked: list[object] = []
    real = account.texts_for
    monkeypatch.setattr(account, "texts_for", lambda *a: looked.append(a) or real(*a))
    wang.get("/account")
    assert len(looked) == 1
    assert web.t("web.account.core") in wang.text and "海淀区教师进修学校确认点" in wang.text


def test_login__wrong_password_or_unknown_person__same_message(browser, new_browser, clock, web):
    apply(new_browser(), clock, web, WANG)
    login(browser, WANG, password="Wrong2027#")
    wrong_password = browser.summary()
    login(browser, NEW)
    unknown = browser.summary()
    assert wrong_password == unknown == [web.t("web.login.failed")]
    assert browser.h1 == web.t("web.login.title")


def test_login__wrong_captcha__refused_and_spent(browser, new_browser, clock, web):
    apply(new_browser(), clock, web, WANG)
    login(browser, WANG, captcha="XXXX")
    assert browser.field_errors() == {"captcha": web.t("web.captcha.wrong")}
    # the captcha is single use: the right answer without a new image is refused too
    browser.post("/login", {"id_no": WANG.id_no, "cert_no": WANG.cert_no, "password": PASSWORD,
                            "captcha": CAPTCHA})
    assert browser.field_errors() == {"captcha": web.t("web.captcha.wrong")}


def test_login__captcha_case_insensitive_and_ids_normalised(browser, new_browser, clock, web):
    apply(new_browser(), clock, web, WANG)
    browser.get("/login")
    browser.get("/captcha/login.png")
    browser.post("/login", {"id_no": WANG.id_no.lower(), "cert_no": " " + WANG.cert_no, "password": PASSWORD,
                            "captcha": CAPTCHA.lower()})
    assert browser.h1 == web.t("web.login.prompt.title")


def test_login__empty_fields__errors_at_each(browser, web):
    browser.get("/login")
    browser.post("/login", {})
    assert set(browser.field_errors()) == {"id_no", "cert_no", "password", "captcha"}
    assert 'href="#id_no"' in browser.html


def test_captcha__image_is_a_png_and_not_cached(browser):
    response = browser.get("/captcha/login.png")
    assert response.content_type == "image/png" and response.body[:4] == b"\x89PNG"
    assert response.headers["Cache-Control"] == "no-store"
    browser.get("/captcha/other.png", status=404)


def test_view__whole_application_read_only_without_password(wang, web, store):
    wang.get("/account/application")
    text = wang.text
    for value in (WANG.name, WANG.cert_no, WANG.id_no, "海淀实验小学", "北京师范大学", "2007-07-01",
                  web.t("option.female"), "汉族"):
        assert value in text
    assert "data:image/jpeg" in wang.html
    assert PASSWORD not in wang.html
    inputs = re.findall(r"<(?:input|select|textarea)\b[^>]*>", wang.html)
    assert all('name="csrf_token"' in tag for tag in inputs)          # only the log-out button's form


def test_notes__the_points_confirmation_notes(wang, web):
    wang.get("/account/notes")
    assert wang.h1 == web.t("web.account.notes")
    assert "确认时间：工作日上午9:00—11:30" in wang.text


# -- statuses set by staff ------------------------------------------------------------------

@pytest.mark.parametrize("status", sorted(FLOW.statuses))
def test_dashboard__every_status__its_message_and_edit_rights(wang, web, store, status):
    data = {}
    if "missing_materials" in FLOW.statuses[status].shows:
        data["missing_materials"] = ["employment_contract", "training_hours"]
    if "reason" in FLOW.statuses[status].shows:
        data["reason"] = "培训学时不足360学时。"
    set_status(store, WANG, status, **data)
    wang.get("/account")
    assert web.t(FLOW.statuses[status].message) in wang.text
    editable = status in ("submitted", "wrong_agency")
    assert ('href="/account/edit"' in wang.html) is editable
    assert (web.t("web.account.readonly") in wang.text) is (not editable)
    wang.get("/account/edit", status=200 if editable else 403)
    if status == "materials_incomplete":
        dashboard = wang.get("/account")
        assert "聘用合同" in wang.text and web.t("field.missing_materials.label") in wang.text
        assert dashboard.status_int == 200
    if "reason" in data:
        wang.get("/account")
        assert "培训学时不足360学时。" in wang.text


def test_dashboard__messages_from_point_and_agency(wang, web, store):
    saved = application_of(store, WANG)
    author = store.create_staff("op1", "Op2027#pass", "point_operator", bound=saved.values.get("point")).id
    store.post_message("point", saved.values.get("point"), author, "请于3月20日前来现场确认。")
    store.post_message("agency", saved.values.get("agency"), author, "本周期网上申报将于12月31日截止。")
    store.post_message("applicant", saved.id, author, "请补交<b>聘用合同</b>。")
    store.post_message("point", "sh_pudong_1", author, "别的确认点的留言")
    wang.get("/account")
    text = wang.text
    assert "请于3月20日前来现场确认。" in text and "本周期网上申报将于12月31日截止。" in text
    assert "请补交&lt;b&gt;聘用合同&lt;/b&gt;。" in wang.html          # autoescaped
    assert "别的确认点的留言" not in text
    assert web.t("web.account.message.point") in text


# -- modifying ------------------------------------------------------------------------------

def edit_values(b):
    form = next(f for f in b.page.forms.values() if f.action == "/account/edit" and "row_version" in f.fields
                and f.id is None)
    return form


def test_edit__before_confirmation__saved(wang, web, store):
    wang.get("/account/edit")
    form = edit_values(wang)
    form["school_name"] = "海淀第二实验小学"
    wang.page = form.submit()
    assert web.t("web.edit.saved") in wang.text
    saved = application_of(store, WANG)
    assert saved.answers["school_name"] == "海淀第二实验小学" and saved.row_version == 2
    assert saved.status == "submitted"
    assert [e.action for e in store.audit_for(saved.id)] == ["submit", "login", "amend"]


def test_edit__invalid_value__per_field_error_nothing_saved(wang, web, store):
    wang.get("/account/edit")
    form = edit_values(wang)
    form["postcode"] = "1000"
    wang.page = form.submit()
    assert wang.field_errors() == {"postcode": web.t("problem.postcode")}
    assert application_of(store, WANG).answers["postcode"] == "100080"


def test_edit__two_tabs__second_save_refused(wang, web, store):
    wang.get("/account/edit")
    first = edit_values(wang)
    wang.get("/account/edit")
    second = edit_values(wang)
    first["school_name"] = "第一个标签页"
    wang.page = first.submit()
    assert web.t("web.edit.saved") in wang.text
    second["school_name"] = "第二个标签页"
    wang.page = second.submit(status=409)
    assert web.t("web.edit.stale") in wang.text
    assert wang.value("school_name") == "第一个标签页"            # the newer data is shown
    assert application_of(store, WANG).answers["school_name"] == "第一个标签页"


def test_edit__after_the_points_end__read_only(browser, new_browser, clock, web, store):
    person = Person(**{**WANG.__dict__, "point": "bj_haidian_preschool"})
    apply(new_browser(), clock, web, person)
    clock.set_local(2029, 7, 1, 9, 0)
    login(browser, person)
    browser.get("/account")
    assert 'href="/account/edit"' not in browser.html
    assert web.t("web.account.readonly") in browser.text
    browser.get("/account/edit", status=403)
    browser.post("/account/edit", {"row_version": "1", "school_name": "x"}, status=403)
    assert application_of(store, person).answers["school_name"] == WORK["school_name"]
    browser.get("/account/password")                               # password change only
    assert browser.h1 == web.t("web.password.title")


def test_edit__typed_certificate_now_matches_registry__replaced_and_locked(browser, new_browser, clock, web,
                                                                          store):
    apply(new_browser(), clock, web, NEW)
    login(browser, NEW)
    browser.get("/account/edit")
    assert 'name="name"' in browser.html                       # typed by the applicant: may change
    form = edit_values(browser)
    form["cert_no"], form["id_no"] = LI.cert_no, LI.id_no
    browser.page = form.submit()
    assert web.t("web.edit.replaced") in browser.text
    saved = application_of(store, LI)
    assert saved.answers["name"] == "李喆" and saved.answers["cert_issuer"] != NEW.certificate["cert_issuer"]
    assert saved.values["id_no"] == LI.id_no
    browser.get("/account/edit")
    assert 'name="name"' not in browser.html and "李喆" in browser.text   # now locked


def test_edit__change_to_a_certificate_that_has_an_application__refused(browser, new_browser, clock, web, store):
    apply(new_browser(), clock, web, NEW)
    login(browser, NEW)
    browser.get("/account/edit")
    form = edit_values(browser)
    form["cert_no"], form["id_no"] = "20121110831159587", "110108198910107412"
    browser.page = form.submit()
    assert browser.summary() == [web.t("gate.application_exists")]
    assert application_of(store, NEW).values["cert_no"] == NEW.cert_no


def test_edit__nonstandard_cert__confirmation_then_saved(browser, new_browser, clock, web, store):
    apply(new_browser(), clock, web, NEW)
    login(browser, NEW)
    browser.get("/account/edit")
    form = edit_values(browser)
    form["cert_no"] = "2015111082299"
    browser.page = form.submit()
    assert 'data-confirm="' in browser.html
    fix = browser.page.forms["warning-fix"]
    browser.page = fix.submit()
    assert browser.value("cert_no") == "2015111082299" and 'data-confirm="' not in browser.html
    browser.page = edit_values(browser).submit()
    browser.page = browser.page.forms["warning-continue"].submit()
    assert web.t("web.edit.saved") in browser.text
    assert application_of(store, Person(**{**NEW.__dict__, "cert_no": "2015111082299"})).id


def test_edit__wrong_agency__only_agency_and_point__then_submitted_again(wang, web, store):
    set_status(store, WANG, "wrong_agency")
    wang.get("/account")
    assert web.t("status.wrong_agency") in wang.text and web.t("web.account.wrong_agency") in wang.text
    wang.get("/account/edit")
    assert 'name="city"' in wang.html and 'name="agency"' in wang.html and 'name="point"' in wang.html
    assert 'name="school_name"' not in wang.html and 'name="teaching_stage"' not in wang.html
    form = edit_values(wang)
    form["city"] = city_of("sh_pudong")
    wang.page = form.submit()                    # without scripts: the old agency is not of the new city
    assert "agency" in wang.field_errors()
    form = edit_values(wang)
    form["agency"] = "sh_pudong"                 # now offered: the agencies of the city chosen
    wang.page = form.submit()                                  # the old point is not the new agency's
    assert "point" in wang.field_errors()
    assert "浦东" in wang.text
    form = edit_values(wang)
    form["point"] = re.search(r'name="point" value="(sh_pudong[^"]*)"', wang.html).group(1)
    wang.page = form.submit()
    assert web.t("web.edit.saved") in wang.text
    saved = application_of(store, WANG)
    assert saved.status == "submitted" and saved.values.get("agency") == "sh_pudong" and saved.values.get("point").startswith("sh_pudong")


def test_edit__wrong_agency_outside_the_window__read_only(wang, web, store, clock):
    set_status(store, WANG, "wrong_agency")
    clock.set_local(2031, 1, 5, 9, 0)
    login(wang, WANG)                                          # the old session has timed out
    wang.get("/account")
    assert 'href="/account/edit"' not in wang.html
    wang.get("/account/edit", status=403)


# -- only one's own application ----------------------------------------------------------

def test_own_application_only__nothing_of_another_visible_or_changeable(browser, new_browser, clock, web, store):
    apply(new_browser(), clock, web, WANG)
    apply(new_browser(), clock, web, LI)
    login(browser, LI)
    wang = application_of(store, WANG)
    for path in ("/account", "/account/application", "/account/edit"):
        browser.get(path)
        assert WANG.name not in browser.text and wang.application_no not in browser.text
        assert LI.name in browser.text or path == "/account/edit"
    # no route takes an application id: smuggled ids are ignored
    browser.get(f"/account/application?id={wang.id}")
    assert WANG.name not in browser.text
    browser.get("/account/edit")
    form = edit_values(browser)
    browser.page = browser.app.post("/account/edit", {**{k: v for k, v in form.submit_fields()},
                                                      "id": str(wang.id), "application_id": str(wang.id),
                                                      "school_name": "改别人的"})
    assert application_of(store, WANG).answers["school_name"] == WORK["school_name"]
    assert application_of(store, LI).answers["school_name"] == "改别人的"


def test_pages_after_login__need_a_session(browser):
    for path in ("/account", "/account/application", "/account/edit", "/account/notes", "/account/password",
                 "/application/form", "/account/welcome"):
        response = browser.app.get(path, status=302)
        assert response.headers["Location"].endswith("/login")


def test_logout__session_ended_server_side(wang, web, store):
    cookie = wang.cookie("sb_applicant")
    wang.get("/account")
    wang.post("/logout")
    assert web.t("web.logout.done") in wang.text
    wang.app.set_cookie("sb_applicant", cookie)                     # replaying the old cookie
    assert wang.app.get("/account", status=302).headers["Location"].endswith("/login")
