"""Security of the web layer: headers, cookies, CSRF, limits, sessions, throttling, errors."""
from __future__ import annotations

import logging
import re
from dataclasses import replace

import bottle
import pytest

from renderers.pdf import printers
from renderers.web.app import make_app, web_of
from renderers.web.security import CSP, HEADERS
from store import StoreBusy
from webjourney import LI, NEW, PASSWORD, WANG, apply, login, title
from websupport import Browser, reading_seconds


def test_headers__csp_frame_nosniff_referrer_no_store(browser):
    response = browser.get("/")
    headers = response.headers
    assert headers["Content-Security-Policy"] == CSP
    assert "script-src 'self'" in CSP and "unsafe-inline" not in CSP and "frame-ancestors 'none'" in CSP
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["X-Frame-Options"] == "DENY"
    assert headers["Referrer-Policy"] == "same-origin"
    assert headers["Cache-Control"] == "no-store"
    assert "<script>" not in response.text and " style=" not in response.text   # nothing inline
    assert re.search(r'<script src="/static/site.js" defer></script>', response.text)


def test_headers__the_ones_set_header_would_set_in_its_order(browser):
    """security.add_headers writes the headers as Bottle's set_header keeps them, worked out once:
    the same names, values and order as set_header calls give."""
    expected = bottle.BaseResponse()
    for name, value in HEADERS.items():
        expected.set_header(name, value)
    expected.set_header("Cache-Control", "no-store")
    for path in ("/login", "/"):
        sent = browser.app.get(path).headerlist
        assert [h for h in sent if h[0] in expected.headers] == expected.headerlist[:len(expected.headers)]


def test_headers__also_on_errors_and_redirects(browser):
    for response in (browser.app.get("/no-such-page", status=404), browser.app.get("/account", status=302)):
        assert response.headers["Content-Security-Policy"] == CSP
        assert response.headers["X-Frame-Options"] == "DENY"


def test_static__served_and_cacheable(browser):
    response = browser.app.get("/static/site.css")
    assert response.content_type == "text/css" and "Cache-Control" not in response.headers \
        or response.headers["Cache-Control"] != "no-store"
    browser.app.get("/static/../app.py", status=404)


def test_cookies__httponly_samesite_no_secure_over_http(browser):
    response = browser.app.get("/")
    cookie = response.headers["Set-Cookie"]
    assert cookie.startswith("sb_browser=") and "HttpOnly" in cookie and "SameSite=lax" in cookie
    assert "Secure" not in cookie
    assert "!" not in cookie.split(";")[0]                    # not a Bottle signed (pickled) cookie


def test_cookies__secure_when_served_over_https(settings, clock, store):
    app = make_app(replace(settings, base_url="https://shenbao.example"), clock=clock, store=store, printers=printers)
    response = Browser(app, scheme="https").app.get("/")
    assert "Secure" in response.headers["Set-Cookie"]
    assert response.headers["Strict-Transport-Security"].startswith("max-age=")


def test_csrf__missing_or_wrong_token__refused_and_nothing_done(browser, clock, web):
    browser.get("/apply/start")
    clock.advance(seconds=reading_seconds())
    browser.post("/apply", {"action": "next"}, csrf="", status=403)
    assert web.t("error.csrf") in browser.text
    browser.get("/apply")
    browser.post("/apply", {"action": "next"}, csrf="0" * 64, status=403)
    browser.get("/apply")
    assert browser.h1 == title(web, "notice")
    browser.post("/apply", {"action": "next"})
    assert browser.h1 == title(web, "terms")


def test_csrf__token_is_hmac_sha256_of_the_browser_token_under_the_secret(browser, web):
    """The token's value, pinned (sessions._csrf_for copies a keyed hmac.new): HMAC-SHA256
    under the site secret of "browser:<token>", as hex; a token rendered before still matches."""
    import hashlib
    import hmac

    browser.get("/apply/start")
    token = browser.cookie("sb_browser")
    assert token
    expected = hmac.new(web.settings.secret.encode(), f"browser:{token}".encode(), hashlib.sha256).hexdigest()
    assert browser.csrf == expected


@pytest.mark.parametrize("secret", ["s", "x" * 64, "长" * 30, "y" * 65, "z" * 200])
def test_csrf__hmac_of_any_secret_as_hmac_new(secret):
    """A copy of the secret's keyed HMAC gives hmac.new's digest for keys shorter than, as long
    as and longer than SHA-256's block (hashed first), and the keyed one is never updated itself."""
    import hashlib
    import hmac
    from types import SimpleNamespace

    from renderers.web.sessions import _csrf_for

    web = SimpleNamespace(settings=SimpleNamespace(secret=secret))
    for basis in ("browser:abc", "session:" + "q" * 43, ""):
        assert _csrf_for(web, basis) == hmac.new(secret.encode(), basis.encode(), hashlib.sha256).hexdigest()
        assert _csrf_for(web, basis) == _csrf_for(web, basis)


def test_csrf__token_of_another_browser__refused(browser, new_browser, clock, web):
    other = new_browser()
    other.get("/apply/start")
    browser.get("/apply/start")
    clock.advance(seconds=reading_seconds())
    browser.post("/apply", {"action": "next"}, csrf=other.csrf, status=403)


def test_csrf__signed_in_token_changes_at_login(browser, new_browser, clock, web):
    apply(new_browser(), clock, web, WANG)
    browser.get("/login")
    before = browser.csrf
    login(browser, WANG)
    browser.get("/account")
    assert browser.csrf != before
    browser.post("/logout", csrf=before, status=403)


def test_body__too_large__refused_before_reading(browser, web):
    browser.get("/login")
    response = browser.app.post("/login", {"csrf_token": browser.csrf, "id_no": "1" * 300_000}, status=413)
    assert web.t("error.413") in response.text


def test_autoescape__typed_markup_is_shown_as_text(browser, clock, web):
    from webjourney import walk_to
    walk_to(browser, clock, web, WANG, "identity")
    browser.post("/apply", {"action": "next", "cert_no": '"><script>alert(1)</script>', "id_no": "x"})
    page = browser.html.lower()                                  # the number is upper-cased
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page


def test_help_pages__markdown_escaped_never_raw_html(tmp_path, monkeypatch):
    from renderers.web.markup import render
    title_text, body = render("# 标题\n\n<b>粗</b> **重点**\n\n- 一\n- 二\n\n1. 甲\n2. 乙\n")
    assert title_text == "标题"
    assert "&lt;b&gt;粗&lt;/b&gt; <strong>重点</strong>" in body
    assert "<ul><li>一</li><li>二</li></ul>" in body and "<ol><li>甲</li><li>乙</li></ol>" in body


@pytest.mark.parametrize("page", ["notice", "process", "usage", "faq"])
def test_help_pages__each_renders_from_its_file(browser, page):
    browser.get(f"/help/{page}")
    assert browser.h1 and "<h2>" in browser.html or "<ol>" in browser.html
    browser.get("/help/../../etc/passwd", status=404)
    browser.get("/help/secret", status=404)


def test_home__register_login_forgot_and_help_links(browser, web):
    browser.get("/")
    for href in ("/apply/start", "/login", "/password/forgot", "/help/notice", "/help/process", "/help/usage",
                 "/help/faq"):
        assert f'href="{href}"' in browser.html
    for key in ("web.home.apply", "web.home.login", "web.home.forgot", "web.help.notice", "web.help.process",
                "web.help.usage", "web.help.faq"):
        assert web.t(key) in browser.text


# -- sessions -----------------------------------------------------------------------------

def test_session__new_token_at_every_login(browser, new_browser, clock, web):
    apply(new_browser(), clock, web, WANG)
    login(browser, WANG)
    first = browser.cookie("sb_applicant")
    login(browser, WANG)
    second = browser.cookie("sb_applicant")
    assert first and second and first != second
    browser.app.set_cookie("sb_applicant", first)
    assert browser.app.get("/account", status=302).headers["Location"].endswith("/login")


def test_session__token_stored_only_as_a_hash(browser, new_browser, clock, web, store):
    apply(new_browser(), clock, web, WANG)
    login(browser, WANG)
    import sqlalchemy as sa

    from store.schema import sessions
    stored = store.db.read(lambda c: [r.token_hash for r in c.execute(sa.select(sessions.c.token_hash))])
    assert browser.cookie("sb_applicant") not in stored and len(stored) == 1


def test_session__idle_timeout(browser, new_browser, clock, web):
    apply(new_browser(), clock, web, WANG)
    login(browser, WANG)
    clock.advance(minutes=29)
    browser.get("/account")
    assert web.t("web.account.core") in browser.text
    clock.advance(minutes=29)                                     # active 29 minutes ago: still fine
    browser.get("/account")
    assert web.t("web.account.core") in browser.text
    clock.advance(minutes=31)
    browser.get("/account")
    assert browser.h1 == web.t("web.login.title")


def test_session__absolute_timeout_even_when_active(browser, new_browser, clock, web):
    apply(new_browser(), clock, web, WANG)
    login(browser, WANG)
    for _ in range(17):                                          # active every 29 minutes for 8 hours
        clock.advance(minutes=29)
        browser.get("/account")
    assert browser.h1 == web.t("web.login.title")


# -- throttling ---------------------------------------------------------------------------

def wrong_logins(b, person, times, clock):
    """Wrong passwords, each after the wait the throttle asks for (2, 4, 8 … s)."""
    for _ in range(times):
        clock.advance(seconds=20)
        login(b, person, password="Wrong2027#")


def test_throttle__login_failures_lock_the_address_not_the_account(browser, new_browser, clock, web, store):
    """Lockout as a weapon: five wrong passwords from one address lock that address out of
    the account for 15 minutes; the owner, from another address, still signs in."""
    apply(new_browser(), clock, web, WANG)
    wrong_logins(browser, WANG, 5, clock)
    login(browser, WANG, status=429)                              # even the right password, from here
    assert browser.summary() == [web.t("web.login.throttled", minutes=15)]
    owner = new_browser(address="10.7.7.7")                       # the owner, from elsewhere
    login(owner, WANG)
    assert owner.h1 == web.t("web.login.prompt.title")
    clock.advance(minutes=16)
    login(browser, WANG)
    assert browser.h1 == web.t("web.login.prompt.title")
    actions = [e.action for e in store.audit_for(store.find_application(values={"cert_no": WANG.cert_no}).id)]
    assert actions.count("login_failed") == 5 and actions.count("login_locked") == 1
    assert actions.count("login") == 2


def test_throttle__attempts_slowed_progressively_per_address(browser, new_browser, clock, web):
    apply(new_browser(), clock, web, WANG)
    login(browser, WANG, password="Wrong2027#")
    login(browser, WANG, password="Wrong2027#")                   # two failures: wait 2 s
    login(browser, WANG, password="Wrong2027#", status=429)
    assert browser.summary() == [web.t("web.throttle.wait", seconds=2)]
    clock.advance(seconds=2)
    login(browser, WANG, password="Wrong2027#")                   # counted: three, wait 4 s
    clock.advance(seconds=3)
    login(browser, WANG, status=429)
    assert browser.summary() == [web.t("web.throttle.wait", seconds=4)]
    clock.advance(seconds=1)
    login(browser, WANG)
    assert browser.h1 == web.t("web.login.prompt.title")


def test_throttle__attacker_hammering__owner_elsewhere_still_signs_in(new_browser, clock, web):
    apply(new_browser(), clock, web, WANG)
    attacker, owner = new_browser(address="10.6.6.6"), new_browser(address="10.5.5.5")
    for round_ in range(12):                                      # a minute of hammering, captchas solved
        clock.advance(seconds=5)
        login(attacker, WANG, password="Wrong2027#", status="*")
        if round_ % 4 == 3:
            login(owner, WANG)
            assert owner.h1 == web.t("web.login.prompt.title"), owner.summary()


def test_throttle__unknown_account_throttled_the_same_way(browser, clock, web):
    for _ in range(5):
        clock.advance(seconds=20)
        login(browser, NEW)
    login(browser, NEW, status=429)
    assert browser.summary() == [web.t("web.login.throttled", minutes=15)]


def test_throttle__login_failures_per_address(new_browser, clock, web):
    attacker = new_browser(address="10.6.6.6")
    for n in range(30):
        person = replace(NEW, cert_no=f"2015111082299{n:04d}")
        login(attacker, person)
    login(attacker, replace(NEW, cert_no="20151110822990999"), status=429)
    login(new_browser(address="10.6.6.7"), replace(NEW, cert_no="20151110822990999"))


def test_throttle__forwarded_for_ignored_unless_configured(new_browser, clock, web):
    attacker = new_browser(address="10.6.6.6")
    for n in range(30):
        attacker.app.extra_environ["HTTP_X_FORWARDED_FOR"] = f"192.0.2.{n}"
        login(attacker, replace(NEW, cert_no=f"2015111082299{n:04d}"))
    login(attacker, replace(NEW, cert_no="20151110822990999"), status=429)


# -- failures -----------------------------------------------------------------------------

def test_crash__friendly_chinese_page_traceback_logged(app, browser, web, caplog):
    @app.get("/boom")
    def boom():
        raise RuntimeError("secret detail")

    with caplog.at_level(logging.ERROR, logger="shenbao.web"):
        response = browser.app.get("/boom", status=500, expect_errors=True)
    assert web.t("error.500") in response.text
    assert "secret detail" not in response.text and "Traceback" not in response.text
    assert "secret detail" in caplog.text and "RuntimeError" in caplog.text
    assert response.headers["Content-Security-Policy"] == CSP


def test_store_busy__anywhere__busy_page_not_a_traceback(browser, new_browser, clock, web, monkeypatch):
    apply(new_browser(), clock, web, LI)
    login(browser, LI)

    def busy(*args, **kwargs):
        raise StoreBusy(attempts=5)

    monkeypatch.setattr(web.store, "get_applicant_dashboard", busy)  # the dashboard's one read
    response = browser.app.get("/account", status=503)
    assert web.t("error.503") in response.text


def test_not_found__chinese_page(browser, web):
    browser.get("/nowhere", status=404)
    assert web.t("error.404") in browser.text


def test_method_not_allowed__chinese_page(browser, web):
    browser.app.request("/account/welcome", method="DELETE", status=405)


def test_passwords_never_in_any_page_or_cookie(browser, new_browser, clock, web):
    apply(browser, clock, web, WANG)
    assert PASSWORD not in browser.html
    login(browser, WANG)
    for path in ("/account", "/account/application", "/account/edit", "/account/password"):
        browser.get(path)
        assert PASSWORD not in browser.html
    assert not any(PASSWORD in v for v in browser.app.cookies.values())


def test_help_pages__quote_the_flow__reading_time_from_the_flow(browser, web):
    browser.get("/help/process")
    seconds = int(web.flow.step("notice").min_read_seconds)
    assert f"页面显示{seconds}秒后" in browser.text and "{{" not in browser.text
