"""Staff edits of reference rows cannot break applicants (issue 9, item 2): the same column
types and required-ness as an import, located messages, nothing changed on refusal, a
partial POST clears nothing, and point codes are codes."""
from __future__ import annotations

import re

import pytest

from staffsupport import make_staff, staff_browser

POINT = "bj_haidian_jinxiu"


def test_point__required_window_end_left_empty__refused_nothing_changed(new_browser, clock, web, store):
    make_staff(store)
    r = staff_browser(new_browser, "haidian")
    before = store.rows("points", {"code": POINT})[0]
    r.get(f"/staff/data/points/{POINT}")
    r.post(f"/staff/data/points/{POINT}", {"name": before["name"], "ends": "", "notes": "改了"}, status=422)
    label = web.t("staff.column.points.ends")
    assert web.t("staff.row.IMPORT_REQUIRED_EMPTY", label=label) in r.text
    assert store.rows("points", {"code": POINT})[0] == before


def test_plan__closes_left_empty__refused_nothing_changed(new_browser, clock, web, store):
    make_staff(store)
    r = staff_browser(new_browser, "haidian")
    before = store.rows("plans", {"agency": "bj_haidian"})[0]
    r.get("/staff/data/plans/bj_haidian")
    r.post("/staff/data/plans/bj_haidian", {"cycle": "2027", "opens": "2027-01-01 08:00", "closes": ""}, status=422)
    assert web.t("staff.row.IMPORT_REQUIRED_EMPTY", label=web.t("staff.column.plans.closes")) in r.text
    assert store.rows("plans", {"agency": "bj_haidian"})[0] == before


def test_point__post_that_omits_fields__clears_none_of_them(new_browser, clock, web, store):
    make_staff(store)
    r = staff_browser(new_browser, "haidian")
    before = store.rows("points", {"code": POINT})[0]
    r.get(f"/staff/data/points/{POINT}")
    r.post(f"/staff/data/points/{POINT}", {"notes": "只改注意事项"})
    after = store.rows("points", {"code": POINT})[0]
    assert after["notes"] == "只改注意事项"
    assert {k: v for k, v in after.items() if k != "notes"} == {k: v for k, v in before.items() if k != "notes"}
    store.update_row("points", {"code": POINT}, {"notes": before["notes"]})   # PostgreSQL keeps reference rows


@pytest.mark.parametrize("code", ["a\x00b", "a\x1bb", "x" * 5000, "../../etc/passwd", "abc\u202eexe", "点😀",
                                  "has space", "..", "a..b"],
                         ids=["nul", "esc", "5000_chars", "path", "rtl_override", "emoji", "space", "dots", "dotdot"])
def test_new_point__code_that_is_no_code__refused_nothing_stored(new_browser, clock, web, store, code):
    make_staff(store)
    r = staff_browser(new_browser, "haidian")
    r.get("/staff/data/points/new")
    count = len(store.rows("points", {}))
    response = r.post("/staff/data/points/new", {"code": code, "name": "新确认点", "starts": "2027-01-01 08:00",
                                            "ends": "2027-06-30 17:00"}, status="*")
    assert response.status_int in (400, 422)                          # 400: refused as input before any form
    if response.status_int == 422:
        assert web.t("staff.row.IMPORT_BAD_CODE", label=web.t("staff.column.points.code")) in r.text
    assert len(store.rows("points", {})) == count


def test_new_point__good_code__stored(new_browser, clock, web, store):
    make_staff(store)
    r = staff_browser(new_browser, "haidian")
    r.get("/staff/data/points/new")
    r.post("/staff/data/points/new", {"code": "bj_haidian_new-1", "name": "新确认点", "starts": "2027-01-01 08:00",
                                 "ends": "2027-06-30 17:00"})
    assert store.rows("points", {"code": "bj_haidian_new-1"})
    store.delete_row("points", {"code": "bj_haidian_new-1"})          # PostgreSQL keeps reference rows


def test_point_whose_code_is_new__opens_and_saves_like_any_other(new_browser, clock, web, store):
    """`new` is a code an import takes, so a row of that name opens at its own address: the add
    page has an address no code can have (a code starts with a letter or digit)."""
    make_staff(store)
    r = staff_browser(new_browser, "haidian")
    r.get("/staff/data/points")
    add = re.search(r'<a class="button" href="([^"]+)">' + re.escape(web.t("staff.data.add", title=web.t("staff.data.points"))),
                    r.html).group(1)
    r.get(add)
    r.post(add, {"code": "new", "name": "叫new的确认点", "starts": "2027-01-01 08:00", "ends": "2027-06-30 17:00"})
    try:
        assert r.page.request.path == "/staff/data/points/new"
        r.get("/staff/data/points")
        assert '<a href="/staff/data/points/new">叫new的确认点</a>' in r.html
        r.get("/staff/data/points/new")
        assert 'value="叫new的确认点"' in r.html and web.t("staff.data.new", title=web.t("staff.data.points")) not in r.text
        r.post("/staff/data/points/new", {"notes": "改了注意事项"})
        assert web.t("staff.row.saved") in r.text
        assert store.rows("points", {"code": "new"})[0]["notes"] == "改了注意事项"
    finally:
        store.delete_row("points", {"code": "new"})                     # PostgreSQL keeps reference rows


def test_old_add_address__no_row_named_new__still_adds(new_browser, clock, web, store):
    """A bookmark of the old add page (`…/new`) still opens it while no row is called new."""
    make_staff(store)
    r = staff_browser(new_browser, "haidian")
    r.get("/staff/data/points/new")
    assert web.t("staff.data.new", title=web.t("staff.data.points")) in r.text
    action = re.findall(r'<form method="post" action="([^"]+)"', r.html)[-1]
    assert action == "/staff/data/points/_new"
    r.post(action, {"code": "bj_haidian_new-2", "name": "新确认点", "starts": "2027-01-01 08:00",
                                     "ends": "2027-06-30 17:00"})
    assert store.rows("points", {"code": "bj_haidian_new-2"})
    store.delete_row("points", {"code": "bj_haidian_new-2"})          # PostgreSQL keeps reference rows
