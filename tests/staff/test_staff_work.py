"""The staff member's daily work over HTTP: finding an applicant (typed or scanned),
counts, messages the applicant sees, correcting the recovery email, notes, points and
plans checked by their column types, accounts, and the CSV export."""
from __future__ import annotations

import csv
import io
from urllib.parse import quote

from shenbao import people

from staffsupport import (AT_JINXIU, AT_JINXIU_2, AT_PRESCHOOL, STAFF_PASSWORD, applicant_dashboard, applied, clone,
                          bring_to, make_staff, move, staff_browser, staff_login)


def test_search__scanned_or_typed_number__opens_the_application(new_browser, clock, web, store):
    make_staff(store)
    app = applied(new_browser, clock, web, store, AT_JINXIU)
    applied(new_browser, clock, web, store, AT_JINXIU_2)
    b = staff_browser(new_browser, "jinxiu")
    for typed in (app.application_no, app.application_no.lower() + "\r", f"  {app.values['id_no'].lower()} ", app.values.get("cert_no")):
        b.get(f"/staff/applications?q={quote(typed)}")
        assert b.page.request.path == f"/staff/applications/{app.id}", typed
    b.get(f"/staff/applications?q={quote('王晓')}")                     # part of a name: a list
    assert b.page.request.path == "/staff/applications" and app.application_no in b.text
    assert web.t("staff.list.count", total=1) in b.text
    b.get("/staff/applications?q=TR2099999999")
    assert web.t("staff.list.none") in b.text


def test_counts__by_status_and_by_point(new_browser, clock, web, store):
    make_staff(store)
    one = applied(new_browser, clock, web, store, AT_JINXIU)
    applied(new_browser, clock, web, store, AT_JINXIU_2)
    applied(new_browser, clock, web, store, AT_PRESCHOOL)
    bring_to(store, one, "confirmed")
    b = staff_browser(new_browser, "haidian")
    assert web.t("staff.home.by", label=web.t(web.flow.fields["point"].label)) in b.text
    order = list(web.flow.statuses)
    jinxiu_row = b.html.split("海淀区教师进修学校确认点</a></th>")[1].split("</tr>")[0]
    cells = [c.split("<")[0] for c in jinxiu_row.split("<td>")[1:]]
    assert cells[order.index("submitted")] == "1" and cells[order.index("confirmed")] == "1" and cells[-1] == "2"
    preschool_row = b.html.split("海淀区学前教育指导中心确认点</a></th>")[1].split("</tr>")[0]
    assert [c.split("<")[0] for c in preschool_row.split("<td>")[1:]][-1] == "1"
    b.get("/staff/applications?status=confirmed")
    assert one.application_no in b.text and web.t("staff.list.count", total=1) in b.text


def test_messages__to_one_to_a_point_to_an_agency__applicants_see_them(new_browser, clock, web, store):
    make_staff(store)
    app = applied(new_browser, clock, web, store, AT_JINXIU)
    other = applied(new_browser, clock, web, store, AT_PRESCHOOL)
    op = staff_browser(new_browser, "jinxiu")
    op.get(f"/staff/applications/{app.id}")
    op.post(f"/staff/applications/{app.id}/message", {"body": "请补交<b>聘用合同</b>。"})
    assert web.t("staff.message.sent") in op.notices()
    op.post(f"/staff/applications/{app.id}/message", {"body": "   "}, status=422)
    assert web.t("staff.message.empty") in op.text
    op.get("/staff/messages")
    op.post("/staff/messages", {"target": "point:bj_haidian_jinxiu", "body": "本确认点3月20日起受理。"})
    reviewer = staff_browser(new_browser, "haidian")
    reviewer.get("/staff/messages")
    reviewer.post("/staff/messages", {"target": "agency:bj_haidian", "body": "网上申报12月31日截止。"})
    reviewer.post("/staff/messages", {"target": "agency:bj_haidian", "body": "长" * 1001}, status=422)
    assert web.t("staff.message.too_long", max=1000) in reviewer.text
    seen = applicant_dashboard(new_browser, AT_JINXIU)
    for text in ("请补交&lt;b&gt;聘用合同&lt;/b&gt;。", "本确认点3月20日起受理。", "网上申报12月31日截止。"):
        assert text in seen.html
    for key in ("web.account.message.applicant", "web.account.message.point", "web.account.message.agency"):
        assert web.t(key) in seen.text
    elsewhere = applicant_dashboard(new_browser, AT_PRESCHOOL)
    assert "网上申报12月31日截止。" in elsewhere.text and "本确认点3月20日起受理。" not in elsewhere.text
    assert "聘用合同" not in elsewhere.text and other.id
    audited = [e for e in store.audit_for(app.id) if e.action == "message"]
    assert len(audited) == 1 and audited[0].actor == "staff:jinxiu" and audited[0].data["message_id"]


def test_email__corrected_for_the_applicant__checked_saved_and_audited(new_browser, clock, web, store):
    make_staff(store)
    app = applied(new_browser, clock, web, store, AT_JINXIU)
    b = staff_browser(new_browser, "haidian")
    b.get(f"/staff/applications/{app.id}")
    b.post(f"/staff/applications/{app.id}/email", {"email": "not-an-address", "row_version": app.row_version},
           status=422)
    assert web.t("problem.email") in b.text
    b.post(f"/staff/applications/{app.id}/email", {"email": " Wang.XY＠163.COM ", "row_version": app.row_version})
    assert web.t("staff.email.done", email="wang.xy@163.com") in b.notices()
    saved = store.get_application(app.id)
    assert saved.values.get("email") == "wang.xy@163.com" and saved.answers["email"] == "wang.xy@163.com"
    entry = store.audit_for(app.id)[-1]
    assert (entry.action, entry.actor, entry.data) == ("email_correct", "staff:haidian",
                                                       {"from": app.values.get("email"), "to": "wang.xy@163.com"})
    b.post(f"/staff/applications/{app.id}/email", {"email": "x@163.com", "row_version": app.row_version},
           status=409)                                               # the page was older than the change
    assert store.get_application(app.id).values.get("email") == "wang.xy@163.com"
    b.get(f"/staff/applications/{app.id}")
    assert web.t("staff.history.email", old=app.values.get("email"), new="wang.xy@163.com") in b.text


def test_email__correction_with_unsupported_characters__refused_as_the_form_refuses_it(new_browser, clock, web,
                                                                                        store):
    make_staff(store)
    app = applied(new_browser, clock, web, store, AT_JINXIU)
    b = staff_browser(new_browser, "haidian")
    b.get(f"/staff/applications/{app.id}")
    b.post(f"/staff/applications/{app.id}/email", {"email": "wang\u200b@163.com", "row_version": app.row_version},
           status=422)
    label = web.t(web.flow.fields["email"].label)
    assert web.catalog.first(["problem.email.unsupported_chars", "problem.unsupported_chars"], label=label) in b.text
    assert store.get_application(app.id).values.get("email") == app.values.get("email")


def test_notes__point_operator_edits__applicant_reads_them(new_browser, clock, web, store):
    make_staff(store)
    applied(new_browser, clock, web, store, AT_JINXIU)
    op = staff_browser(new_browser, "jinxiu")
    op.get("/staff/data/points/bj_haidian_jinxiu")
    op.post("/staff/data/points/bj_haidian_jinxiu", {"notes": "1. 请携带身份证原件。\r\n2. 周末不办理。"})
    assert web.t("staff.row.saved") in op.notices()
    seen = applicant_dashboard(new_browser, AT_JINXIU)
    seen.get("/account/notes")
    assert "1. 请携带身份证原件。" in seen.text and "2. 周末不办理。" in seen.text
    edit = [e for e in store_audit_all(store) if e.action == "points_edit"][-1]
    assert edit.actor == "staff:jinxiu" and edit.data["changes"]["notes"][1].startswith("1. 请携带身份证原件。")


def test_points__checked_by_column_types_and_window(new_browser, clock, web, store):
    make_staff(store)
    r = staff_browser(new_browser, "haidian")
    r.get("/staff/data/points/bj_haidian_jinxiu")
    label = web.t("staff.column.points.ends")
    r.post("/staff/data/points/bj_haidian_jinxiu", {"name": "海淀区教师进修学校确认点", "ends": "2030-12-31"}, status=422)
    assert web.t("staff.row.IMPORT_BAD_DATETIME", label=label) in r.text
    r.post("/staff/data/points/bj_haidian_jinxiu", {"name": "海淀区教师进修学校确认点", "starts": "2027-05-01 08:00",
                                               "ends": "2027-04-01 17:00"}, status=422)
    assert web.t("staff.row.window", start=web.t("staff.column.points.starts"), end=label) in r.text
    r.post("/staff/data/points/bj_haidian_jinxiu", {"name": "海淀区教师进修学校确认点", "address": "新地址1号",
                                               "scope": "海淀区中小学", "starts": "2026-09-01 08:00",
                                               "ends": "2027-06-30 17:00", "phone": "010-08260101", "notes": "x"})
    point = store.rows("points", {"code": "bj_haidian_jinxiu"})[0]
    assert (point["address"], point["ends"].month) == ("新地址1号", 6)
    r.get("/staff/data/plans/bj_haidian")
    r.post("/staff/data/plans/bj_haidian", {"cycle": "2027", "opens": "2027-01-01 08:00", "closes": "bad"}, status=422)
    r.post("/staff/data/plans/bj_haidian", {"cycle": "2027", "opens": "2027-01-01 08:00", "closes": "2027-12-31 17:00"})
    assert store.rows("plans", {"agency": "bj_haidian"})[0]["closes"].year == 2027
    admin = staff_browser(new_browser, "admin")
    admin.get("/staff/data/plans/hz_xihu")                                # an agency without a plan gets one
    admin.post("/staff/data/plans/hz_xihu", {"cycle": "2027", "opens": "2027-01-01 08:00", "closes": "2027-12-31 17:00"})
    assert store.rows("plans", {"agency": "hz_xihu"})
    actions = [e.action for e in store_audit_all(store)]
    assert {"points_edit", "plans_edit", "plans_add"} <= set(actions)


def store_audit_all(store):
    import sqlalchemy as sa

    from store.schema import audit_log
    return store.db.read(lambda conn: list(conn.execute(sa.select(audit_log))))


def test_accounts__admin_adds_disables_and_cannot_lock_themselves_out(new_browser, clock, web, store):
    staff = make_staff(store)
    admin = staff_browser(new_browser, "admin")
    admin.get("/staff/accounts")
    base = {"username": "new-op", "role": "point_operator", "password": "Op2027#good", "password_confirm": "Op2027#good"}
    admin.post("/staff/accounts", {**base, "point": ""}, status=422)
    assert web.t("staff.account.point_needed") in admin.text
    admin.post("/staff/accounts", {**base, "point": "bj_haidian_jinxiu", "password": "short",
                                   "password_confirm": "short"}, status=422)
    admin.post("/staff/accounts", {**base, "username": "jinxiu", "point": "bj_haidian_jinxiu"}, status=422)
    assert web.t("staff.account.username_taken") in admin.text
    admin.post("/staff/accounts", {**base, "point": "bj_haidian_jinxiu"})
    made = store.find_staff("new-op")
    assert (made.role, made.bound) == ("point_operator", "bj_haidian_jinxiu")
    op = staff_browser(new_browser, "new-op", "Op2027#good")
    admin.get(f"/staff/accounts/{made.id}")
    admin.post(f"/staff/accounts/{made.id}", {"role": "point_operator", "point": "bj_haidian_jinxiu"})   # not active
    assert not store.find_staff("new-op").active
    assert op.get("/staff", follow=False, status=302)
    staff_login(op, "new-op", "Op2027#good")
    assert web.t("staff.login.failed") in op.text
    admin.get(f"/staff/accounts/{staff['admin'].id}")
    admin.post(f"/staff/accounts/{staff['admin'].id}", {"role": "admin"}, status=422)          # unticked: no
    assert web.t("staff.account.not_yourself") in admin.text and store.find_staff("admin").active
    admin.post(f"/staff/accounts/{staff['jinxiu'].id}/password", {"password": "New2027#pass",
                                                                  "password_confirm": "New2027#pass"})
    assert store.check_staff_password("jinxiu", "New2027#pass") is not None
    assert store.check_staff_password("jinxiu", STAFF_PASSWORD) is None


def test_export__csv_with_bom_chinese_headings_labels_and_no_formulas(new_browser, clock, web, store):
    make_staff(store)
    app = applied(new_browser, clock, web, store, AT_JINXIU)
    store.update_application(app.id, app.row_version, answers={**app.answers, "school_name": "=HYPERLINK(1)"})
    op = staff_browser(new_browser, "jinxiu")
    move(op, store.get_application(app.id), "materials_incomplete",
         missing_materials=["employment_contract", "training_hours"])
    response = op.get("/staff/export.csv?status=materials_incomplete")
    assert response.content_type == "text/csv" and response.body.startswith(b"\xef\xbb\xbf")
    assert "attachment" in response.headers["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.body.decode("utf-8-sig"))))
    header, row = rows[0], dict(zip(rows[0], rows[1]))
    assert len(rows) == 2
    bound = list(dict.fromkeys(b.answer for b in web.flow.bindings.values() if b is not None))
    assert header[:2 + len(bound)] == [web.t("web.account.application_no"), web.t("web.account.status"),
                                       *(web.t(web.flow.fields[a].label) for a in bound)]
    assert row[web.t("web.account.status")] == web.t("status.materials_incomplete")
    assert row[web.t("field.missing_materials.label")] == "聘用合同、培训学时证明（360学时）"
    assert row[web.t("field.name.label")] == "王晓燕" and row[web.t("field.teaching_stage.label")] == "小学"
    assert row[web.t("field.school_name.label")] == "'=HYPERLINK(1)"
    assert "password" not in "".join(header) and web.t("field.password.label") not in header
    assert op.get("/staff/export.csv?status=confirmed").body.decode("utf-8-sig").count("\r\n") == 1


def test_demo_application__without_answers_or_places__admin_can_open_and_move_it(new_browser, web, store):
    make_staff(store)
    demo = store.search_applications()[0]
    assert demo.answers == {} and demo.values.get("point") is None
    admin = staff_browser(new_browser, "admin")
    admin.get(f"/staff/applications/{demo.id}")
    assert demo.application_no in admin.text and web.t("status.submitted") in admin.text
    move(admin, demo, "confirmed")
    assert store.get_application(demo.id).status == "confirmed"
    staff_browser(new_browser, "haidian").get(f"/staff/applications/{demo.id}", status=404)


def test_flow_page__admin_sees_both_diagrams__others_refused(new_browser, clock, web, store):
    make_staff(store)
    b = staff_browser(new_browser, "admin")
    assert web.t("staff.nav.flow") in b.text
    b.get("/staff/flow")
    for view in ("journey", "status"):
        assert f'data-view="{view}"' in b.html or web.t("staff.flow.unavailable") in b.text
    assert b.html.count("<svg") in (0, 2)
    other = staff_browser(new_browser, "haidian")
    assert web.t("staff.nav.flow") not in other.text
    other.get("/staff/flow", status=403)


def test_export__place_names_read_once_not_per_row(new_browser, clock, web, store):
    # the bound answers are written as their rows' names: looked up in one map per binding, not by
    # reading the reference rows again for every application written
    make_staff(store)
    app = applied(new_browser, clock, web, store, AT_JINXIU)
    op = staff_browser(new_browser, "jinxiu")
    reads = []
    original = store.rows
    store.rows = lambda dataset, match: reads.append(dataset) or original(dataset, match)
    try:
        def export() -> tuple[int, list[list[str]]]:
            reads.clear()
            body = op.get("/staff/export.csv").body.decode("utf-8-sig")
            return len(reads), list(csv.reader(io.StringIO(body)))
        one, rows = export()
        names = rows[1][2:4]
        for n in range(4):
            clone(store, app, n)
        five, rows = export()
    finally:
        store.rows = original
    assert len(rows) == 6 and all(r[2:4] == names for r in rows[1:]) and all(names)
    assert five == one, (one, five)


def test_account_edit__refused__shows_what_the_admin_typed_and_changes_nothing(new_browser, clock, web, store):
    """A refused save of an account redisplays the typing (role, rows, the active box) with the
    message at its field, and the account stays as it was."""
    staff = make_staff(store)
    admin = staff_browser(new_browser, "admin")
    jinxiu = staff["jinxiu"]
    before = people.describe(store.get_staff(jinxiu.id))
    admin.get(f"/staff/accounts/{jinxiu.id}")
    admin.post(f"/staff/accounts/{jinxiu.id}", {"role": "agency_reviewer", "agency": "",
                                                "point": "bj_haidian_preschool"}, status=422)   # active unticked
    assert '<option value="agency_reviewer" selected>' in admin.html
    assert '<option value="bj_haidian_preschool" selected>' in admin.html
    assert 'id="active" name="active" value="1">' in admin.html                                  # still unticked
    assert 'id="agency-error">' + web.t("staff.account.agency_needed") in admin.html
    assert 'href="#agency"' in admin.html
    assert people.describe(store.get_staff(jinxiu.id)) == before
    me = staff["admin"]
    admin.get(f"/staff/accounts/{me.id}")
    admin.post(f"/staff/accounts/{me.id}", {"role": "point_operator", "point": "bj_haidian_jinxiu", "active": "1"},
               status=422)
    assert '<option value="point_operator" selected>' in admin.html
    assert '<option value="bj_haidian_jinxiu" selected>' in admin.html
    assert 'id="role-error">' + web.t("staff.account.not_yourself") in admin.html
    assert store.get_staff(me.id).role == "admin"
