"""Insider takeover: a point operator sees an applicant's certificate and ID numbers, corrects
their email to one of their own, asks for a password reset and signs in as them. Now the old
address is told at once, and no reset by mail is sent for `reset_hold_days` after a staff
correction; every authentication event is in the audit log (ASVS 7.2.1)."""
from __future__ import annotations

from email import message_from_bytes, policy
from pathlib import Path

from staffsupport import AT_JINXIU, STAFF_PASSWORD, applied, make_staff, staff_browser, staff_login
from websupport import CAPTCHA

INSIDER = "insider.own@126.com"


def outbox(settings) -> list:
    return [message_from_bytes(p.read_bytes(), policy=policy.default)
            for p in sorted(Path(settings.outbox_dir).glob("*.eml"))]


def forgot(b, person):
    b.get("/password/forgot")
    b.get("/captcha/forgot.png")
    return b.post("/password/forgot", {"cert_no": person.cert_no, "id_no": person.id_no, "captcha": CAPTCHA})


def test_takeover__email_corrected_by_operator__old_address_told_reset_held(new_browser, clock, web, store,
                                                                            settings):
    make_staff(store)
    app = applied(new_browser, clock, web, store, AT_JINXIU)
    operator = staff_browser(new_browser, "jinxiu")
    operator.get(f"/staff/applications/{app.id}")
    operator.post(f"/staff/applications/{app.id}/email", {"email": INSIDER, "row_version": app.row_version})
    assert web.t("staff.email.held", days=settings.reset_hold_days) in operator.notices()
    told = [m for m in outbox(settings) if m["To"] == app.values.get("email")]
    assert told and told[-1]["Subject"] == web.t("mail.email_corrected.subject")
    assert "i***@126.com" in told[-1].get_content() and INSIDER not in told[-1].get_content()

    insider = new_browser(address="10.66.0.1")                 # the operator, as the applicant
    forgot(insider, AT_JINXIU)
    assert not [m for m in outbox(settings) if m["To"] == INSIDER]
    assert "找回密码" in insider.h1 and web.t("web.forgot.held", until="2027-03-22 10:00") in insider.text
    actions = [e.action for e in store.audit_for(app.id)]
    assert actions[-2:] == ["email_correct", "reset_refused"]

    clock.advance(days=settings.reset_hold_days, minutes=1)    # after the hold, the new address works
    forgot(new_browser(address="10.66.0.2"), AT_JINXIU)
    assert [m for m in outbox(settings) if m["To"] == INSIDER]


def test_audit__staff_logins_failed_and_locked_are_recorded(new_browser, clock, web, store):
    make_staff(store)
    b = new_browser(address="10.44.0.1")
    for _ in range(5):
        clock.advance(seconds=20)
        staff_login(b, "jinxiu", password="Wrong2027#pw")
    staff_login(b, "jinxiu", password=STAFF_PASSWORD, status=429)
    staff_browser(new_browser, "jinxiu")                        # the owner, elsewhere: signed in
    import sqlalchemy as sa
    rows = store.db.read(lambda c: c.execute(sa.text("SELECT actor, action, data FROM audit_log ORDER BY id")).all())
    mine = [(r.actor, r.action) for r in rows if r.actor == "staff:jinxiu"]
    assert mine.count(("staff:jinxiu", "staff_login_failed")) == 5
    assert ("staff:jinxiu", "staff_login_locked") in mine and mine[-1] == ("staff:jinxiu", "staff_login")
    assert all("Wrong2027" not in str(r.data) for r in rows)
