"""Passwords: recovery by a one-time emailed link (real SMTP to a local aiosmtpd server, or
.eml files without SMTP), mail that cannot be sent kept and retried, and changing it."""
from __future__ import annotations

import logging
import re
from dataclasses import replace
from datetime import timedelta
from email import message_from_bytes, policy

import pytest
from aiosmtpd.controller import Controller

from renderers.pdf import printers
from renderers.web.app import make_app, web_of
from renderers.web.password import mask_email
from shenbao.mail import retry_delay
from store.web_queries import claim_mail
from webjourney import LI, PASSWORD, WANG, apply, application_of, login
from webdriver import free_port
from websupport import CAPTCHA, Browser

NEW_PASSWORD = "Fresh2027!x"


class Inbox:
    def __init__(self) -> None:
        self.messages = []

    async def handle_DATA(self, server, session, envelope):
        self.messages.append(message_from_bytes(envelope.content, policy=policy.default))
        return "250 OK"


@pytest.fixture
def smtp():
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    yield controller, inbox
    controller.stop()


def mail_app(settings, clock, store, port):
    return make_app(replace(settings, smtp_host="127.0.0.1", smtp_port=port, smtp_tls="none", mail_timeout=2.0),
                    clock=clock, store=store, printers=printers)


def forgot(b: Browser, person, captcha: str = CAPTCHA, status: int = 200):
    b.get("/password/forgot")
    b.get("/captcha/forgot.png")
    return b.post("/password/forgot", {"cert_no": person.cert_no, "id_no": person.id_no, "captcha": captcha},
                  status=status)


def reset_link(message) -> str:
    """The reset code, from the link's fragment (the part a browser never sends)."""
    body = message.get_content()
    code = re.search(r"http://shenbao\.test/password/reset#([\w-]+)", body).group(1)
    assert code in body.split("#", 1)[1].split(None, 1)[1]   # also shown for pasting without JavaScript
    return code


def reset(b: Browser, code: str, new: str = NEW_PASSWORD, again: str | None = None, status: int = 200):
    b.get("/password/reset")
    return b.post("/password/reset", {"reset_code": code, "new_password": new,
                                      "new_password_confirm": new if again is None else again}, status=status)


def test_mask_email():
    assert mask_email("zhang.wei@163.com") == "z***@163.com"
    assert mask_email("a@b.cn") == "a***@b.cn"


def test_forgot__mails_a_one_time_link_never_the_password(smtp, settings, clock, store):
    controller, inbox = smtp
    app = mail_app(settings, clock, store, controller.port)
    web = web_of(app)
    apply(Browser(app, address="10.1.1.1"), clock, web, WANG)
    b = Browser(app)
    forgot(b, WANG)
    assert web.t("web.forgot.sent", email="z***@163.com", minutes=30) in b.text
    assert WANG.email not in b.text
    (message,) = inbox.messages
    assert message["To"] == WANG.email and message["Subject"] == web.t("mail.reset.subject")
    body = message.get_content()
    assert PASSWORD not in body and WANG.name in body
    link = reset_link(message)
    b.get("/password/reset")
    assert b.h1 == web.t("web.reset.title")
    reset(b, link, "short")
    assert b.field_errors()["new_password"] == web.t("problem.password_strength")
    assert b.value("reset_code") == link          # kept, so the applicant need not paste it again
    reset(b, link)
    assert web.t("web.reset.done") in b.text
    reset(b, link, status=410)
    assert web.t("web.reset.invalid") in b.text
    login(b, WANG)
    assert b.summary() == [web.t("web.login.failed")]
    login(b, WANG, password=NEW_PASSWORD)
    assert b.h1 == web.t("web.login.prompt.title")


def test_reset_link__expires_after_thirty_minutes(smtp, settings, clock, store):
    controller, inbox = smtp
    app = mail_app(settings, clock, store, controller.port)
    web = web_of(app)
    apply(Browser(app), clock, web, WANG)
    b = Browser(app)
    forgot(b, WANG)
    clock.advance(minutes=31)
    reset(b, reset_link(inbox.messages[0]), status=410)
    assert store.check_application_password(application_of(store, WANG).id, PASSWORD)


def test_reset__signs_out_every_session(smtp, settings, clock, store):
    controller, inbox = smtp
    app = mail_app(settings, clock, store, controller.port)
    web = web_of(app)
    apply(Browser(app), clock, web, WANG)
    signed_in = Browser(app, address="10.2.2.2")
    login(signed_in, WANG)
    b = Browser(app)
    forgot(b, WANG)
    reset(b, reset_link(inbox.messages[0]))
    assert signed_in.app.get("/account", status=302).headers["Location"].endswith("/login")


def test_forgot__no_smtp__message_written_to_the_outbox_folder(browser, new_browser, clock, web, settings, caplog):
    apply(new_browser(), clock, web, WANG)
    with caplog.at_level(logging.WARNING, logger="shenbao.mail"):
        forgot(browser, WANG)
    files = list(__import__("pathlib").Path(settings.outbox_dir).glob("*.eml"))
    assert len(files) == 1
    assert str(files[0]) in caplog.text
    message = message_from_bytes(files[0].read_bytes(), policy=policy.default)
    assert message["To"] == WANG.email and "/password/reset#" in message.get_content()


def test_forgot__mail_server_down__page_answers_mail_kept_and_retried(settings, clock, store):
    port = free_port()                                          # nothing listens here yet
    app = mail_app(settings, clock, store, port)
    web = web_of(app)
    apply(Browser(app), clock, web, WANG)
    b = Browser(app)
    forgot(b, WANG)
    assert web.t("web.forgot.sent", email="z***@163.com", minutes=30) in b.text
    (mail,) = store.due_mail(clock() + timedelta(days=1))
    assert mail.sent_at is None and mail.attempts == 1 and mail.last_error
    assert web.mailer.deliver_due() == 0                        # not due again before its retry time
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        clock.advance(seconds=retry_delay(1).total_seconds())
        assert web.mailer.deliver_due() == 1
    finally:
        controller.stop()
    assert len(inbox.messages) == 1 and store.get_mail(mail.id).sent_at is not None


def test_mail__retry_backoff_doubles_up_to_an_hour():
    assert [retry_delay(n).total_seconds() / 60 for n in (1, 2, 3, 7, 20)] == [1, 2, 4, 60, 60]


def test_mail__a_claimed_mail_is_not_sent_twice(store, clock):
    mail_id = store.enqueue_mail("a@b.cn", "s", "b", clock())
    assert claim_mail(store, mail_id, clock(), timedelta(minutes=2))
    assert not claim_mail(store, mail_id, clock(), timedelta(minutes=2))
    clock.advance(minutes=3)                                    # a sender that died: retried later
    assert claim_mail(store, mail_id, clock(), timedelta(minutes=2))


def test_forgot__unknown_certificate__says_not_found(browser, web):
    forgot(browser, WANG)
    assert browser.summary() == [web.t("web.forgot.not_found")]


def test_forgot__wrong_captcha__nothing_sent(browser, new_browser, clock, web, store):
    apply(new_browser(), clock, web, WANG)
    forgot(browser, WANG, captcha="ZZZZ")
    assert browser.field_errors() == {"captcha": web.t("web.captcha.wrong")}
    assert store.due_mail(clock() + timedelta(days=1)) == []


def test_forgot__repeated__throttled_per_account(browser, new_browser, clock, web, store):
    apply(new_browser(), clock, web, WANG)
    for _ in range(3):
        forgot(browser, WANG)
    forgot(browser, WANG, status=429)
    assert browser.summary() == [web.t("web.forgot.throttled", minutes=15)]
    clock.advance(minutes=16)
    forgot(browser, WANG)
    assert browser.summary() == []


def test_change_password__current_required_rules_checked_others_signed_out(browser, new_browser, clock, web,
                                                                          store):
    apply(new_browser(), clock, web, LI)
    elsewhere = new_browser(address="10.3.3.3")
    login(elsewhere, LI)
    login(browser, LI)
    browser.get("/account/password")
    browser.post("/account/password", {"current_password": "Nope2027#", "new_password": NEW_PASSWORD,
                                       "new_password_confirm": NEW_PASSWORD})
    assert browser.field_errors() == {"current_password": web.t("web.password.wrong_current")}
    browser.post("/account/password", {"current_password": PASSWORD, "new_password": "abcdefgh",
                                       "new_password_confirm": "abcdefgi"})
    assert browser.field_errors() == {"new_password": web.t("problem.password_strength"),
                                      "new_password_confirm": web.t("problem.password_confirm.equals_field")}
    browser.post("/account/password", {"current_password": PASSWORD, "new_password": NEW_PASSWORD,
                                       "new_password_confirm": NEW_PASSWORD})
    assert web.t("web.password.changed") in browser.text
    browser.get("/account")                                    # still signed in here
    assert browser.h1 == web.t("web.account.greeting", name=LI.name)
    assert elsewhere.app.get("/account", status=302).headers["Location"].endswith("/login")
    assert store.check_application_password(application_of(store, LI).id, NEW_PASSWORD)


def test_forgot__host_and_forwarded_host_ignored__link_from_the_base_url(smtp, settings, clock, store):
    controller, inbox = smtp
    app = mail_app(settings, clock, store, controller.port)
    web = web_of(app)
    apply(Browser(app, address="10.1.1.1"), clock, web, WANG)
    b = Browser(app)
    for n, headers in enumerate(({"Host": "evil.example"}, {"X-Forwarded-Host": "evil.example"},
                                 {"Host": "evil.example", "X-Forwarded-Proto": "https"})):
        b.get("/password/forgot")
        b.get("/captcha/forgot.png")
        cookies = "; ".join(f"{k}={v}" for k, v in b.app.cookies.items())  # the jar keeps them for shenbao.test
        b.app.post("/password/forgot", {"cert_no": WANG.cert_no, "id_no": WANG.id_no, "captcha": CAPTCHA,
                                        "csrf_token": b.csrf}, headers={**headers, "Cookie": cookies})
        body = inbox.messages[n].get_content()
        assert "evil.example" not in body and "http://shenbao.test/password/reset#" in body


def test_forgot__no_base_url__refused_with_operator_message_and_no_mail(settings, clock, store, caplog):
    app = make_app(replace(settings, base_url=""), clock=clock, store=store)
    web = web_of(app)
    apply(Browser(app, address="10.1.1.1"), clock, web, WANG)
    b = Browser(app)
    with caplog.at_level(logging.WARNING, logger="shenbao.web"):
        forgot(b, WANG)
    assert web.t("web.forgot.unavailable") in b.text
    assert any("SHENBAO_BASE_URL" in r.getMessage() for r in caplog.records)
    assert store.due_mail() == [] and not store.db.read(
        lambda c: c.execute(__import__("sqlalchemy").text("SELECT count(*) FROM password_resets")).scalar())
    assert [e.action for e in store.audit_for(application_of(store, WANG).id)][-1] == "reset_refused"


def test_reset_code__only_digests_at_rest__mail_body_dropped__in_no_url_or_log(smtp, settings, clock, store,
                                                                               caplog):
    import sqlalchemy as sa

    controller, inbox = smtp
    app = mail_app(settings, clock, store, controller.port)
    web = web_of(app)
    apply(Browser(app, address="10.1.1.1"), clock, web, WANG)
    b = Browser(app)
    with caplog.at_level(logging.DEBUG):
        forgot(b, WANG)
        code = reset_link(inbox.messages[0])
        b.get("/password/reset")
        assert code not in b.html and 'action="/password/reset"' in b.html
        reset(b, code)
    assert web.t("web.reset.done") in b.text
    dump = store.db.read(lambda c: [str(tuple(r)) for t in ("password_resets", "mail_outbox", "audit_log")
                                    for r in c.execute(sa.text(f"SELECT * FROM {t}"))])
    assert dump and not any(code in row for row in dump)
    assert store.db.read(lambda c: c.execute(sa.text("SELECT body FROM mail_outbox")).scalars().all()) == [""]
    assert not any(code in r.getMessage() for r in caplog.records)
    actions = [e.action for e in store.audit_for(application_of(store, WANG).id)]
    assert actions[-2:] == ["reset_request", "reset_use"]
