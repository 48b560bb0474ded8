"""Markup that axe does not judge, read from the pages as served (WebTest, no browser)."""
from __future__ import annotations

import re
from urllib.parse import urlsplit

from webjourney import WANG, walk_to


def attributes(html: str, field_id: str) -> dict[str, str]:
    found = re.search(rf'<(?:input|select|textarea)\b[^>]*\bid="{field_id}"[^>]*>', html)
    assert found, f"no input #{field_id}"
    return dict(re.findall(r'([\w-]+)="([^"]*)"', found.group(0)))


def test_autocomplete__application_step__each_personal_field_names_its_purpose(browser, clock, web):
    """WCAG 1.3.5: inputs that ask for the applicant's own data say which (the HTML tokens)."""
    walk_to(browser, clock, web, WANG, "application")
    expected = {"email": "email", "mobile": "tel", "telephone": "tel", "postcode": "postal-code",
                "password": "new-password", "password_confirm": "new-password"}
    for field_id, token in expected.items():
        assert attributes(browser.html, field_id).get("autocomplete") == token, field_id
    assert "autocomplete" not in attributes(browser.html, "school_name")   # not about the applicant


def test_autocomplete__login_pages__username_and_current_password(browser):
    for path, user in (("/login", "id_no"), ("/staff/login", "username")):
        browser.get(path)
        assert attributes(browser.html, user)["autocomplete"] == "username", path
        assert attributes(browser.html, "password")["autocomplete"] == "current-password", path
        assert attributes(browser.html, "captcha")["autocomplete"] == "off", path


def test_large_text__switch__comes_back_to_the_page_and_only_to_this_site(browser):
    response = browser.app.get("/display/large?back=/help/faq%3Fa%3D1")
    assert response.status_int == 302 and response.headers["Location"].endswith("/help/faq?a=1")
    assert browser.cookie("shenbao_text") == "large"
    browser.get("/help/faq")
    assert '<html lang="zh-CN" class="large-text">' in browser.html
    for evil in ("//evil.example/", "http://evil.example/", "/\\evil.example"):
        response = browser.app.get("/display/standard", {"back": evil})
        where = urlsplit(response.headers["Location"])
        assert where.hostname == "localhost" and where.path == "/" and not where.query, evil
    browser.get("/help/faq")
    assert 'class="large-text"' not in browser.html
    browser.get("/display/huge", status=404)


def test_accessibility_statement__linked_from_every_footer(browser, web):
    for path in ("/", "/login", "/staff/login", "/apply/start"):
        browser.get(path)
        assert '<a href="/accessibility">' in browser.html, path
    browser.get("/accessibility")
    assert browser.h1 == web.t("web.footer.accessibility")
