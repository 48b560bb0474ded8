"""Scope: a point operator sees only their point's applicants, a reviewer only their
agency's, an administrator everything; every route is tried across every line (an id in
the URL, search, lists, counts, export, messages, notes, points, plans, accounts)."""
from __future__ import annotations

from urllib.parse import quote

import pytest

from staffsupport import (AT_JINXIU, AT_PRESCHOOL, AT_PUDONG, STAFF_PASSWORD, applicant_dashboard, applied,
                          make_staff, move, staff_browser, staff_login)
from websupport import CAPTCHA

# who may see whose application
SEES = {
    "jinxiu": {"jinxiu"}, "preschool": {"preschool"}, "pudong-east": {"pudong"},
    "haidian": {"jinxiu", "preschool"}, "pudong": {"pudong"}, "admin": {"jinxiu", "preschool", "pudong"},
}
PEOPLE = {"jinxiu": AT_JINXIU, "preschool": AT_PRESCHOOL, "pudong": AT_PUDONG}


@pytest.fixture
def world(new_browser, clock, web, store):
    staff = make_staff(store)
    apps = {key: applied(new_browser, clock, web, store, person) for key, person in PEOPLE.items()}
    return staff, apps


@pytest.mark.parametrize("username", sorted(SEES))
def test_scope__every_application_route__only_own_applicants(username, world, new_browser, web, store):
    _staff, apps = world
    b = staff_browser(new_browser, username)
    for key, app in apps.items():
        mine = key in SEES[username]
        response = b.get(f"/staff/applications/{app.id}", status=200 if mine else 404)
        assert "Content-Security-Policy" in response.headers and response.headers["Cache-Control"] == "no-store"
        if not mine:
            assert web.t("staff.refused.missing") in b.text and app.application_no not in b.text
            b.get("/staff")
            csrf = b.csrf
            b.post(f"/staff/applications/{app.id}/status", {"to": "wrong_agency", "row_version": app.row_version},
                   status=404, csrf=csrf)
            b.post(f"/staff/applications/{app.id}/message", {"body": "越界留言"}, status=404, csrf=csrf)
            b.post(f"/staff/applications/{app.id}/email", {"email": "x@example.com", "row_version": app.row_version},
                   status=404, csrf=csrf)
            after = store.get_application(app.id)
            assert (after.status, after.values.get("email"), after.row_version) == (app.status, app.values.get("email"), app.row_version)
            assert store.messages_for(app.id) == []
        for text in (app.application_no, app.values.get("id_no"), app.values.get("cert_no"), str(app.answers["name"])):
            b.get(f"/staff/applications?q={quote(text)}")
            assert (app.application_no in b.text) is mine, (username, key, text)
    b.get("/staff/applications")
    assert {k for k, a in apps.items() if a.application_no in b.text} == SEES[username]
    b.get("/staff")
    total = b.text.split(web.t("staff.home.total"))[1].split()[0]
    others = store.count_applications() - len(apps) if username == "admin" else 0   # the demo data's own
    assert int(total) == len(SEES[username]) + others
    csv = b.get("/staff/export.csv").body.decode("utf-8-sig")
    assert {k for k, a in apps.items() if a.application_no in csv} == SEES[username]


@pytest.mark.parametrize("username", ["jinxiu", "haidian"])
def test_scope__filters_in_the_url__never_widen(username, world, new_browser):
    _staff, apps = world
    b = staff_browser(new_browser, username)
    for query in ("agency=sh_pudong", "point=sh_pudong_east", "point=bj_haidian_preschool&agency=bj_haidian"):
        b.get(f"/staff/applications?{query}")
        assert apps["pudong"].application_no not in b.text
        csv = b.get(f"/staff/export.csv?{query}").body.decode("utf-8-sig")
        assert apps["pudong"].application_no not in csv
    if username == "jinxiu":
        assert apps["preschool"].application_no not in b.get("/staff/applications?point=bj_haidian_preschool").text


def test_scope__messages__only_to_own_groups(world, new_browser, web, store):
    _staff, apps = world
    op = staff_browser(new_browser, "jinxiu")
    op.get("/staff/messages")
    assert 'value="point:bj_haidian_jinxiu"' in op.html
    assert 'value="agency:bj_haidian"' not in op.html and 'value="point:bj_haidian_preschool"' not in op.html
    for target in ("agency:bj_haidian", "point:bj_haidian_preschool", "point:sh_pudong_east", "agency:sh_pudong",
                   "point:nowhere"):
        op.post("/staff/messages", {"target": target, "body": "越界"}, status=403)
        assert web.t("staff.message.bad_target") in op.text
    reviewer = staff_browser(new_browser, "haidian")
    reviewer.post("/staff/messages", {"target": "point:sh_pudong_east", "body": "越界"}, status=403)
    reviewer.post("/staff/messages", {"target": "agency:sh_pudong", "body": "越界"}, status=403)
    reviewer.post("/staff/messages", {"target": "point:bj_haidian_preschool", "body": "请带齐材料。"})
    assert [m.body for m in store.messages_for(apps["preschool"].id)] == ["请带齐材料。"]
    assert store.messages_for(apps["pudong"].id) == [] and store.messages_for(apps["jinxiu"].id) == []


def test_scope__points_and_plans__own_only(world, new_browser, web, store):
    op = staff_browser(new_browser, "jinxiu")
    op.get("/staff/data/points")
    assert "海淀区教师进修学校确认点" in op.text and "海淀区学前教育指导中心确认点" not in op.text
    op.get("/staff/data/points/bj_haidian_preschool", status=404)
    op.post("/staff/data/points/bj_haidian_preschool", {"notes": "改别人的"}, status=404, csrf=op.csrf)
    op.get("/staff/data/points/bj_haidian_jinxiu")
    assert 'name="notes"' in op.html and 'name="address"' not in op.html and 'name="ends"' not in op.html
    op.post("/staff/data/points/bj_haidian_jinxiu", {"notes": "新的注意事项", "ends": "2040-01-01 00:00"})
    point = store.rows("points", {"code": "bj_haidian_jinxiu"})[0]
    assert point["notes"] == "新的注意事项" and point["ends"].year == 2030     # only the notes are taken
    for path in ("/staff/data/plans", "/staff/data/plans/bj_haidian", "/staff/data/points/new", "/staff/accounts"):
        op.get(path, status=403)
        assert web.t("staff.refused.role") in op.text
    reviewer = staff_browser(new_browser, "haidian")
    reviewer.get("/staff/data/plans")
    assert "北京市海淀区教育委员会" in reviewer.text and "上海市浦东新区教育局" not in reviewer.text
    reviewer.get("/staff/data/plans/sh_pudong", status=404)
    reviewer.post("/staff/data/plans/sh_pudong", {"closes": "2020-01-01 00:00"}, status=404, csrf=reviewer.csrf)
    reviewer.get("/staff/data/points/sh_pudong_east", status=404)
    reviewer.get("/staff/data/points/new")
    reviewer.post("/staff/data/points/new", {"code": "bj_haidian_new", "agency": "sh_pudong", "name": "新确认点",
                                        "starts": "2027-01-01 08:00", "ends": "2027-12-31 17:00"})
    made = store.rows("points", {"code": "bj_haidian_new"})
    assert made and made[0]["agency"] == "bj_haidian"             # a reviewer adds only to their agency
    reviewer.get("/staff/accounts", status=403)
    assert store.rows("plans", {"agency": "sh_pudong"})[0]["closes"].year == 2030


def test_scope__signed_out__every_staff_page_asks_to_log_in(new_browser, world):
    _staff, apps = world
    b = new_browser()
    for path in ("/staff", "/staff/applications", f"/staff/applications/{apps['jinxiu'].id}", "/staff/messages",
                 "/staff/data/points", "/staff/data/points/bj_haidian_jinxiu", "/staff/data/plans", "/staff/data/plans/bj_haidian",
                 "/staff/accounts", "/staff/export.csv", "/staff/points", "/staff/plans/bj_haidian"):
        response = b.get(path, follow=False, status=302)
        assert response.headers["Location"].endswith("/staff/login"), path


def test_scope__old_addresses_of_points_and_plans__redirect_to_the_generic_pages(new_browser, world):
    b = staff_browser(new_browser, "haidian")
    for old, new in (("/staff/points", "/staff/data/points"), ("/staff/points/new", "/staff/data/points/new"),
                     ("/staff/points/bj_haidian_jinxiu", "/staff/data/points/bj_haidian_jinxiu"),
                     ("/staff/plans", "/staff/data/plans"), ("/staff/plans/bj_haidian", "/staff/data/plans/bj_haidian")):
        assert b.get(old, follow=False, status=302).headers["Location"].endswith(new), old
        b.get(old)                                                     # and the page opens
    b.get("/staff/certificates", status=404)                          # a dataset staff do not keep
    b.get("/staff/nothing/here", status=404)


def test_scope__applicant_session__no_staff_access_and_back(new_browser, world):
    applicant = applicant_dashboard(new_browser, AT_JINXIU)
    applicant.get("/staff", follow=False, status=302)
    b = staff_browser(new_browser, "admin")
    b.get("/account", follow=False, status=302)


def test_scope__account_disabled_or_unbound__signed_out_at_next_request(world, new_browser, store):
    staff, apps = world
    b = staff_browser(new_browser, "jinxiu")
    store.update_staff(staff["jinxiu"].id, active=False)
    assert b.get("/staff", follow=False, status=302).headers["Location"].endswith("/staff/login")
    store.update_staff(staff["jinxiu"].id, active=True)
    staff_login(b, "jinxiu")
    store.update_staff(staff["jinxiu"].id, bound=None)              # a point operator without a point sees nothing
    assert b.get(f"/staff/applications/{apps['jinxiu'].id}", follow=False, status=302)
    staff_login(b, "jinxiu")
    assert "/staff/login" in b.page.request.path


def test_scope__forms_without_csrf__refused_before_anything(world, new_browser, store):
    _staff, apps = world
    b = staff_browser(new_browser, "jinxiu")
    app = apps["jinxiu"]
    b.post(f"/staff/applications/{app.id}/status", {"to": "confirmed", "row_version": app.row_version},
           status=403, csrf="forged")
    b.post("/staff/messages", {"target": "point:bj_haidian_jinxiu", "body": "x"}, status=403, csrf="")
    assert store.get_application(app.id).status == "submitted"
    assert store.messages_for(app.id) == []
    move(b, app, "confirmed")                                       # with the page's token it works
    assert store.get_application(app.id).status == "confirmed"


def test_scope__login_page_posts_with_wrong_captcha_or_password__same_refusal(world, new_browser, web):
    b = new_browser()
    staff_login(b, "jinxiu", captcha="WRONG")
    assert web.t("web.captcha.wrong") in b.text
    staff_login(b, "jinxiu", password="Wrong2027#pw")
    assert web.t("staff.login.failed") in b.text
    staff_login(b, "nobody", password=STAFF_PASSWORD, captcha=CAPTCHA)
    assert web.t("staff.login.failed") in b.text
