"""Malformed request input: a clear 400 page (with the security headers), never a 500.

Each case here was a 500 with a traceback in the log before `renderers/web/inputs.py`
decoded and checked every request's input in one place.
"""
from __future__ import annotations

import io
import random
from urllib.parse import unquote

import bottle
import pytest
import webob

from renderers.web import inputs
from renderers.web.security import CSP
from webjourney import WANG, apply, login
from websupport import Browser

FORM = "application/x-www-form-urlencoded"


def raw_post(b: Browser, path: str, body: bytes, status: int | str = "*"):
    return b.app.post(path, body, content_type=FORM, status=status)


@pytest.fixture
def wang(browser, new_browser, clock, web):
    apply(new_browser(address="10.9.9.9"), clock, web, WANG)
    login(browser, WANG)
    return browser


def test_input__invalid_utf8_on_login__400_page_with_headers(browser, web):
    browser.get("/login")
    response = raw_post(browser, "/login", b"csrf_token=" + browser.csrf.encode() + b"&id_no=%FF")
    assert response.status_int == 400
    assert web.t("error.input") in response.text
    assert response.headers["Content-Security-Policy"] == CSP


def test_input__invalid_utf8_anonymous_without_token__400_not_500(browser, web):
    response = raw_post(browser, "/login", b"csrf_token=T&id_no=%FF")
    assert response.status_int == 400


def test_input__invalid_utf8_in_a_field_name_or_query__400(browser, web):
    browser.get("/login")
    assert raw_post(browser, "/login", b"%C3%28=1&csrf_token=" + browser.csrf.encode()).status_int == 400
    assert browser.app.get("/apply?expired=%FE", status="*").status_int == 400


def test_input__nul_and_control_characters__refused(browser, web):
    browser.get("/login")
    for bad in (b"%00", b"%1B%5B31m", b"%7F"):
        response = raw_post(browser, "/login", b"csrf_token=" + browser.csrf.encode() + b"&id_no=" + bad)
        assert response.status_int == 400, bad
        assert web.t("error.input") in response.text


def test_input__line_breaks_and_tabs__still_accepted(browser, web):
    browser.get("/login")
    response = raw_post(browser, "/login", b"csrf_token=" + browser.csrf.encode() + b"&id_no=%0D%0A%09x")
    assert response.status_int == 200


def test_input__urlencoded_parts__read_as_bottle_reads_them_then_as_utf8():
    """inputs parses a url-encoded body itself (one pass, each run of %XX escapes at once); every
    part reads as Bottle's own parse (unquote as latin-1) recoded to UTF-8 did, or is refused
    where that was: bad escapes kept, '+' a space, raw bytes, split and invalid sequences."""
    pieces = ["%", "%4", "%e5", "%E5%8C%97", "%zz", "+", "a", "1", "\xe5", "\x8c", "\x97", "%0", "%00", "%7F",
              "%0A", "%09", "%c3%28", "北".encode().decode("latin1"), "%2B", "%25", "%%41", "=", "&"]
    chooser = random.Random(10)
    for _ in range(20_000):
        part = "".join(chooser.choice(pieces) for _ in range(chooser.randint(0, 6)))
        try:
            expected = inputs._text(unquote(part.replace("+", " "), encoding="latin1"), recode=True)
        except inputs.Refused:
            expected = None
        try:
            got = inputs._unquoted(part)
        except inputs.Refused:
            got = None
        assert got == expected, part


def test_input__urlencoded_body__pairs_as_bottle_splits_them():
    text = "a=1&&b&c=x=y&a=%E5%8C%97+2&=v&d=&%E5%8C%97=%41"
    expected = bottle.FormsDict()
    for key, value in bottle._parse_qsl(text):
        expected.append(inputs._text(key, recode=True), inputs._text(value, recode=True))
    found = inputs._parsed(text)
    assert list(found.allitems()) == list(expected.allitems())
    assert found.getall("a") == ["1", "北 2"] and found["北"] == "A" and found["b"] == ""


def test_input__invalid_utf8_in_a_multipart_body__400(app):
    body = (b"--B\r\nContent-Disposition: form-data; name=\"id_no\"\r\n\r\n\xff\xfe\r\n"
            b"--B\r\nContent-Disposition: form-data; name=\"csrf_token\"\r\n\r\nT\r\n--B--\r\n")
    request = webob.Request.blank("/login", method="POST", body=body,
                                  content_type="multipart/form-data; boundary=B")
    assert request.get_response(app).status_int == 400


def test_edit__empty_or_unknown_agency_or_point__field_errors_not_500(wang, web):
    for field, value in (("agency", ""), ("agency", "no_such_agency"), ("point", ""), ("point", "nowhere")):
        wang.get("/account/edit")
        form = next(f for f in wang.page.forms.values() if f.action == "/account/edit" and f.id is None)
        fields = {k: v for k, v in form.submit_fields()}
        fields[field] = value
        wang.post("/account/edit", fields, status="*")
        assert wang.page.status_int in (200, 400), (field, value, wang.page.status)


def test_edit__non_numeric_or_huge_row_version__refused_not_500(wang, web):
    for value in ("abc", "1e5", str(2 ** 70), "-1"):
        wang.get("/account/edit")
        response = wang.post("/account/edit", {"row_version": value}, status="*")
        assert response.status_int in (400, 409), (value, response.status)


def test_bounded_int_route__beyond_64_bits__404(browser):
    for path in (f"/staff/applications/{2 ** 64}", f"/staff/accounts/{10 ** 30}", "/staff/applications/-1"):
        assert browser.app.get(path, status="*").status_int in (302, 404), path


def test_crash_page__carries_security_headers_never_bare_critical_error(app, browser, web):
    """A failure while the response itself is built (after every error handler ran: here a
    body that cannot be encoded) used to be Bottle's bare "Critical error" page."""
    @app.get("/test/unencodable")
    def unencodable() -> str:
        return "\ud800"

    response = browser.app.get("/test/unencodable", status="*", expect_errors=True,
                               extra_environ={"wsgi.errors": io.StringIO()})
    assert response.status_int == 500
    assert "Critical error" not in response.text
    assert response.headers["Content-Security-Policy"] == CSP
    assert response.headers["Cache-Control"] == "no-store"
    assert web.t("error.500") in response.text
