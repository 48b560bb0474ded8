"""In a real browser (headless Chromium): a point operator logs in, scans (types) the
application number, records 材料不全 with two missing items; the applicant logs in and sees
the status and both items. Screenshots under test-output/staff/ for a person to look at."""
from __future__ import annotations

from pathlib import Path

import pytest

from renderers.pdf import printers
from renderers.web.app import make_app
from staffsupport import AT_JINXIU, STAFF_PASSWORD, applied, make_staff
from webdriver import Chrome, TestServer, needs_browser
from webjourney import sign_in
from websupport import CAPTCHA

pytestmark = needs_browser

OUTPUT = Path(__file__).resolve().parents[2] / "test-output" / "staff"
MISSING = {"employment_contract": "聘用合同", "training_hours": "培训学时证明（360学时）"}


def shoot(chrome: Chrome, name: str) -> None:
    chrome.screenshots(OUTPUT, name)


def test_browser__operator_records_two_missing_items__applicant_sees_them(chrome, settings, store, clock, web,
                                                                         new_browser):
    if "sqlite" not in web.settings.database_url:
        pytest.skip("one browser run is enough")
    make_staff(store)
    app = applied(new_browser, clock, web, store, AT_JINXIU)
    with TestServer(make_app(settings, clock=clock, store=store, printers=printers)) as site:
        chrome.go(site.url + "/staff/login")
        chrome.type("#username", "jinxiu")
        chrome.type("#password", STAFF_PASSWORD)
        chrome.type("#captcha", CAPTCHA.lower())
        shoot(chrome, "00-login")
        chrome.click('form[action="/staff/login"] button[type="submit"]')
        chrome.wait(lambda: chrome.h1() == web.t("staff.home.title"), what="the staff home page")
        shoot(chrome, "01-home")

        chrome.type("#q", app.application_no)                         # what a scanner types
        chrome.click('form[action="/staff/applications"] button[type="submit"]')
        chrome.wait(lambda: app.application_no in chrome.h1(), what="the application page")
        assert chrome.text("#current-status") == web.t("status.submitted")
        shoot(chrome, "02-application")

        for code in MISSING:
            chrome.click(f'#move-materials_incomplete input[value="{code}"]')
        chrome.click('#move-materials_incomplete button[type="submit"]')
        done = web.t("staff.move.done", status=web.t("status.materials_incomplete"))
        chrome.wait(lambda: done in chrome.text(), what="the move's confirmation")
        assert chrome.text("#current-status") == web.t("status.materials_incomplete")
        shoot(chrome, "03-materials-incomplete")

        sign_in(chrome, site.url, AT_JINXIU)
        chrome.wait(lambda: chrome.h1() == web.t("web.login.prompt.title"), what="the login prompt")
        chrome.go(site.url + "/account")
        chrome.wait(lambda: web.t("web.account.status") in chrome.text(), what="the dashboard")
        page = chrome.text()
        assert web.t("status.materials_incomplete") in page
        assert web.t("field.missing_materials.label") in page
        for name in MISSING.values():
            assert name in page
        shoot(chrome, "04-applicant-dashboard")
    assert store.get_application(app.id).status_data == {"missing_materials": list(MISSING)}


def test_browser__reviewer_keeps_points_and_plans_on_the_generic_pages(chrome, settings, store, clock, web):
    """The generic reference-data pages (/staff/data/<dataset>) as a reviewer sees them, a
    refused save included, at a phone's 390 px and a desktop's 1280 px."""
    if "sqlite" not in web.settings.database_url:
        pytest.skip("one browser run is enough")
    make_staff(store)
    points = store.rows("points", {"agency": "bj_haidian"})
    start, end = web.flow.datasets["points"].staff.window
    with TestServer(make_app(settings, clock=clock, store=store, printers=printers)) as site:
        chrome.go(site.url + "/staff/login")
        chrome.type("#username", "haidian")
        chrome.type("#password", STAFF_PASSWORD)
        chrome.type("#captcha", CAPTCHA.lower())
        chrome.click('form[action="/staff/login"] button[type="submit"]')
        chrome.wait(lambda: chrome.h1() == web.t("staff.home.title"), what="the staff home page")
        for name in ("points", "plans"):                              # the menu comes from the flow
            assert chrome.find_all(f'.staff-nav a[href="/staff/data/{name}"]')
        chrome.click('.staff-nav a[href="/staff/data/points"]')
        chrome.wait(lambda: chrome.h1() == web.t("staff.data.points"), what="the points list")
        assert all(p["name"] in chrome.text() for p in points)
        for width in (390, 1280):
            chrome.screenshot(OUTPUT / f"10-data-list-{width}.png", width)
        chrome.go(site.url + f"/staff/data/points/{points[0]['code']}")
        chrome.set_value(f"#{end}", "2000-01-01 00:00")
        chrome.click(f'form[action="/staff/data/points/{points[0]["code"]}"] button[type="submit"]')
        window = web.t("staff.row.window", start=web.t(f"staff.column.points.{start}"),
                       end=web.t(f"staff.column.points.{end}"))
        chrome.wait(lambda: window in chrome.text(), what="the refused save")
        assert chrome.script(f"return document.getElementById('{end}').value;") == "2000-01-01 00:00"
        for width in (390, 1280):
            chrome.screenshot(OUTPUT / f"11-data-edit-refused-{width}.png", width)
        chrome.go(site.url + "/staff/data/plans")
        chrome.wait(lambda: chrome.h1() == web.t("staff.data.plans"), what="the plans list")
        for width in (390, 1280):
            chrome.screenshot(OUTPUT / f"12-data-plans-{width}.png", width)
    assert store.rows("points", {"code": points[0]["code"]})[0][end] == points[0][end]
