"""Malformed input on the staff side: numbers beyond 64 bits, control characters, odd
point codes. Each was a 500 before; now a 404, a 400 or a located refusal."""
from __future__ import annotations

import pytest

from staffsupport import AT_JINXIU, applied, make_staff, staff_browser


@pytest.fixture
def admin(new_browser, store):
    make_staff(store)
    return staff_browser(new_browser, "admin")


def test_staff_urls__ids_beyond_64_bits__not_found(admin):
    for path in (f"/staff/applications/{2 ** 64}", f"/staff/accounts/{10 ** 30}", f"/staff/applications/{2 ** 63}"):
        admin.get(path, status=404)


def test_staff_queue__huge_or_odd_keyset__a_page_not_a_500(admin):
    for page in (str(10 ** 30), str(2 ** 63), str(2 ** 63 - 1), "-5", "x", "1e9", "0"):
        for key in ("before", "after"):
            admin.get(f"/staff/applications?{key}={page}", status=200)


def test_staff_move__huge_row_version__stale_not_500(admin, new_browser, clock, web, store):
    app = applied(new_browser, clock, web, store, AT_JINXIU)
    admin.get(f"/staff/applications/{app.id}")
    admin.post(f"/staff/applications/{app.id}/status", {"to": "confirmed", "row_version": str(2 ** 70)}, status=409)
    admin.get(f"/staff/applications/{app.id}")
    admin.post(f"/staff/applications/{app.id}/email", {"email": "a@b.cn", "row_version": str(2 ** 70)}, status="*")
    assert admin.page.status_int != 500


def test_staff_point_code__control_characters__refused_400_nothing_stored(admin, store, web):
    for code in ("a\x00b", "\x1b[31mred", "bad\x0bline", "del\x7f"):
        admin.get("/staff/data/points/new")
        admin.post("/staff/data/points/new", {"code": code, "name": "x", "agency": "bj_haidian"}, status=400)
        assert web.t("error.input") in admin.text
        assert not store.rows("points", {"code": code})


def test_staff_point_code__non_ascii__redirect_is_quoted(admin, store):
    admin.get("/staff/data/points/new")
    response = admin.post("/staff/data/points/new", {"code": "确认点甲", "name": "甲", "agency": "bj_haidian",
                                                "starts": "2026-09-01 08:00", "ends": "2030-12-31 17:00"},
                          status="*", follow=False)
    assert response.status_int in (302, 303, 422), response.status
    if response.status_int != 422:
        location = response.headers["Location"]
        assert location.isascii() and "%E7%A1%AE" in location
