"""The manual's own rules, over HTTP: what the flow declares must hold when it matters."""
from __future__ import annotations

import re
from datetime import datetime

import pytest

from webjourney import NEW, WANG, WORK, application_of, apply, login, next_step, step_answers, title, walk_to
from websupport import FLOW


def _plan(store, agency):
    return store.rows("plans", {"agency": agency})[0]


@pytest.fixture
def change_row(store):
    """Change a reference row for one test; put it back afterwards (PostgreSQL keeps
    reference data between tests)."""
    undo = []

    def change(dataset, key, changes):
        before = store.rows(dataset, key)[0]
        undo.append((dataset, key, {c: before[c] for c in changes}))
        store.update_row(dataset, key, changes)

    yield change
    for dataset, key, values in reversed(undo):
        store.update_row(dataset, key, values)


def test_submit__window_closed_after_step_4__refused_with_the_window_message_nothing_stored(
        browser, clock, web, store, change_row):
    change_row("plans", {"agency": WANG.agency}, {"closes": "2027-03-15 17:00"})
    clock.set_local(2027, 3, 15, 16, 58, 50)
    walk_to(browser, clock, web, WANG, "point")            # step 4 passed before 17:00
    assert clock.now < datetime(2027, 3, 15, 17, 0, tzinfo=clock.now.tzinfo)
    next_step(browser, WANG, "point")
    next_step(browser, WANG, "notes")
    clock.set_local(2027, 3, 15, 17, 5)
    next_step(browser, WANG, "application")
    plan = _plan(store, WANG.agency)
    assert browser.h1 == title(web, "application")
    assert browser.summary() == [web.t("gate.window_open", opens=plan["opens"], closes=plan["closes"])]
    assert store.find_application(values={"cert_no": WANG.cert_no}) is None
    assert browser.value("school_name") == WORK["school_name"]
    assert browser.value("email") == WANG.email


def test_submit__confirmation_ended_after_step_5__refused_with_the_points_message(browser, clock, web, store,
                                                                                  change_row):
    change_row("points", {"code": WANG.point}, {"ends": "2027-03-15 17:00"})
    clock.set_local(2027, 3, 15, 16, 58, 50)
    walk_to(browser, clock, web, WANG, "notes")
    clock.set_local(2027, 3, 15, 17, 5)
    next_step(browser, WANG, "notes")
    next_step(browser, WANG, "application")
    point = store.rows("points", {"code": WANG.point})[0]
    assert browser.summary() == [web.t("gate.point_open", ends=point["ends"])]
    assert store.find_application(values={"cert_no": WANG.cert_no}) is None


def test_point__confirmation_ended__not_offered_and_refused(browser, clock, web, store, change_row):
    change_row("points", {"code": WANG.point}, {"ends": "2027-03-15 09:00"})
    walk_to(browser, clock, web, WANG, "point")
    assert f'value="{WANG.point}"' not in browser.html
    browser.post("/apply", {"action": "next", **step_answers(WANG, "point")})
    assert browser.h1 == title(web, "point")
    assert list(browser.field_errors()) == ["point"]
    assert store.find_application(values={"cert_no": WANG.cert_no}) is None


def test_submit__window_open__stored(browser, clock, web, store):
    walk_to(browser, clock, web, WANG, "application")
    next_step(browser, WANG, "application")
    assert browser.h1 == title(web, "done")
    assert application_of(store, WANG).answers["school_name"] == WORK["school_name"]
    assert FLOW.step("agency").gates[1].recheck == "submit"


def test_login__link_to_password_recovery__named_as_the_manual_names_it(browser, web):
    browser.get("/login")
    assert '<a href="/password/forgot">找回密码</a>' in browser.html     # the manual: “找回密码”链接


# -- 修改申报信息: a changed certificate ---------------------------------------------------------
def _edit_form(b):
    return next(f for f in b.page.forms.values() if f.action == "/account/edit" and "row_version" in f.fields
                and f.id is None)


def test_edit__registry_applicant_changes_to_a_certificate_not_in_the_registry__typed_fields_taken(
        browser, new_browser, clock, web, store):
    apply(new_browser(), clock, web, WANG)
    login(browser, WANG)
    browser.get("/account/edit")
    assert 'name="name"' not in browser.html                        # the registry's data: read-only
    form = _edit_form(browser)
    form["cert_no"] = NEW.cert_no                                    # in no registry
    browser.page = form.submit()
    assert "name" in browser.field_errors()                         # now typed by the applicant
    form = _edit_form(browser)
    for field_id, value in NEW.certificate.items():
        form[field_id] = value
    browser.page = form.submit()
    assert web.t("web.edit.saved") in browser.text, (browser.summary(), browser.field_errors())
    saved = store.find_application(values={"cert_no": NEW.cert_no})
    assert saved is not None and saved.values["id_no"] == WANG.id_no
    assert {k: saved.answers[k] for k in ("cert_issuer", "cert_issue_date", "cert_subject")} == {
        "cert_issuer": NEW.certificate["cert_issuer"], "cert_issue_date": NEW.certificate["cert_issue_date"],
        "cert_subject": NEW.certificate["cert_subject"]}


def test_edit__another_persons_certificate_and_id__refused_showing_nothing_of_them(
        browser, new_browser, clock, web, store):
    other = {"cert_no": "20121110831159587", "id_no": "110108198910107412"}   # 冯晓东, photo p0021
    apply(new_browser(), clock, web, WANG)
    login(browser, WANG)
    browser.get("/account/edit")
    own_photo = re.search(r'src="(data:image/[^"]+)"', browser.html).group(1)
    form = _edit_form(browser)
    form["cert_no"], form["id_no"] = other["cert_no"], other["id_no"]
    browser.page = form.submit()
    assert browser.summary() == [web.t("gate.application_exists")]
    assert "冯晓东" not in browser.text and "1989-10-10" not in browser.text
    assert re.findall(r'src="(data:image/[^"]+)"', browser.html) == [own_photo]
    assert "王晓燕" in browser.text
    assert application_of(store, WANG).values["cert_no"] == WANG.cert_no


# -- option order and dependent choices -----------------------------------------------------
def _options(html, field_id):
    found = re.search(rf'<select id="{field_id}"[^>]*>(.*?)</select>', html, re.S)
    return re.findall(r'<option value="([^"]+)"[^>]*>([^<]*)</option>', found.group(1)) if found else []


def test_options__in_the_declared_order_none_and_other_last(browser, clock, web):
    walk_to(browser, clock, web, WANG, "agency")
    assert [label for _v, label in _options(browser.html, "teaching_stage")] == [
        "幼儿园", "小学", "初级中学", "高级中学", "中等职业学校"]
    next_step(browser, WANG, "agency")
    next_step(browser, WANG, "point")
    next_step(browser, WANG, "notes")
    assert [label for _v, label in _options(browser.html, "highest_degree")] == ["博士", "硕士", "学士", "无"]
    titles = [label for _v, label in _options(browser.html, "professional_title")]
    assert titles[:3] == ["正高级教师", "高级教师", "一级教师"] and titles[-1] == "未评"
    for fld in FLOW.fields.values():
        options = _options(browser.html, fld.id)
        values = [v for v, _label in options]
        tail = [v for v in values if v in ("none", "other")]
        assert values[len(values) - len(tail):] == tail, f"{fld.id}: 无/其他 not last: {values}"


def test_subject__narrowed_by_the_stage__refused_when_inconsistent_and_updated_without_scripts(
        browser, clock, web, store):
    walk_to(browser, clock, web, WANG, "agency")
    browser.post("/apply", {**step_answers(WANG, "agency"), "teaching_stage": "primary",
                            "teaching_subject": "senior_physics", "action": "next"})   # 小学 with 高中物理
    assert browser.h1 == title(web, "agency") and "teaching_subject" in browser.field_errors()
    subjects = [v for v, _label in _options(browser.html, "teaching_subject")]
    assert subjects and all(v.startswith("primary_") for v in subjects)
    browser.post("/apply", {**step_answers(WANG, "agency"), "teaching_stage": "senior", "action": "refresh"})
    assert browser.h1 == title(web, "agency")                      # a round trip, nothing submitted
    subjects = [v for v, _label in _options(browser.html, "teaching_subject")]
    assert "senior_physics" in subjects and not any(v.startswith("primary_") for v in subjects)
    assert 'value="refresh"' in browser.html and 'id="dependent-choices"' in browser.html
    data = re.search(r'<script type="application/json" id="dependent-choices">(.*?)</script>', browser.html, re.S)
    import json
    by = json.loads(data.group(1))["teaching_subject"]["by"]
    assert "primary_chinese" in by["primary"] and "senior_physics" not in by["primary"]


def _registers(agency_row, stage):
    return stage in (agency_row["stages"] or "").replace(",", " ").split()


def test_agency__narrowed_by_the_city_and_the_stage__refused_when_inconsistent_and_updated_without_scripts(
        browser, clock, web, store):
    """Issue 9, 10.7: the agency list holds the agencies of the chosen city that register the
    chosen teaching stage (../shared/reference/domain.md); the server refuses any other."""
    agencies = store.rows("agencies", {})
    own = store.rows("agencies", {"code": WANG.agency})[0]
    elsewhere = next(a for a in agencies if a["city"] != own["city"] and _registers(a, WANG.stage))
    walk_to(browser, clock, web, WANG, "agency")
    assert _options(browser.html, "agency") == []       # no city and stage chosen yet: no agency to offer
    browser.post("/apply", {**step_answers(WANG, "agency"), "agency": elsewhere["code"], "action": "next"})
    assert browser.h1 == title(web, "agency") and "agency" in browser.field_errors()   # another city's agency

    # an agency of the city that does not register the stage
    city, stage, refused = next((a["city"], s["code"], a) for a in agencies for s in store.rows("teaching_stages", {})
                                if not _registers(a, s["code"]))
    subject = store.rows("subjects", {"stage": stage})[0]["code"]
    browser.post("/apply", {**step_answers(WANG, "agency"), "city": city, "teaching_stage": stage,
                            "teaching_subject": subject, "agency": refused["code"], "action": "next"})
    assert browser.h1 == title(web, "agency") and "agency" in browser.field_errors()
    assert refused["code"] not in [v for v, _label in _options(browser.html, "agency")]

    # without scripts: 更新可选项 shows the agencies of the city and stage now chosen
    browser.post("/apply", {**step_answers(WANG, "agency"), "city": city, "teaching_stage": stage,
                            "teaching_subject": subject, "action": "refresh"})
    assert browser.h1 == title(web, "agency")
    expected = [a["code"] for a in agencies if a["city"] == city and _registers(a, stage)]
    assert [v for v, _label in _options(browser.html, "agency")] == expected
    data = re.search(r'<script type="application/json" id="dependent-choices">(.*?)</script>', browser.html, re.S)
    import json
    spec = json.loads(data.group(1))["agency"]
    assert spec["on"] == ["teaching_stage", "city"]
    assert spec["by"][stage][city] == expected and spec["by"][WANG.stage][own["city"]][0] == WANG.agency

