"""Mail outbox and staff messages."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import Any

import pytest

from store import NotFound, Store, StoreError
from test_applications import new_application

T0 = datetime(2026, 3, 5, 1, 0, tzinfo=timezone.utc)


def test_mail__due_then_failed_then_retried_then_sent(store: Store) -> None:
    first = store.enqueue_mail("a@example.cn", "subject", "body", now=T0)
    second = store.enqueue_mail("b@example.cn", "s2", "b2", now=T0 + timedelta(minutes=1))
    assert [m.id for m in store.due_mail(T0)] == [first]
    assert [m.id for m in store.due_mail(T0 + timedelta(minutes=1))] == [first, second]
    store.mark_failed(first, "SMTP 451", retry_at=T0 + timedelta(minutes=10))
    assert [m.id for m in store.due_mail(T0 + timedelta(minutes=5))] == [second]
    retried = store.due_mail(T0 + timedelta(minutes=10))
    assert [m.id for m in retried] == [second, first]
    assert (retried[1].attempts, retried[1].last_error) == (1, "SMTP 451")
    store.mark_sent(first, now=T0 + timedelta(minutes=10))
    store.mark_failed(second, "mailbox unknown", retry_at=None)
    assert store.due_mail(T0 + timedelta(days=1)) == []
    sent = store.get_mail(first)
    assert sent is not None and sent.sent_at == T0 + timedelta(minutes=10) and sent.attempts == 2
    with pytest.raises(NotFound):
        store.mark_sent(first + 999)


def test_messages__for_application_include_point_and_agency_newest_first(store: Store) -> None:
    author = store.create_staff("op1", "pw", "point_operator", bound="bj_haidian").id
    app = new_application(store)
    other = new_application(store, cert_no="X2", agency="sh_pudong", point="sh_1")
    m1 = store.post_message("agency", "bj_haidian", author, "agency note", now=T0)
    m2 = store.post_message("point", "bj_haidian_jinxiu", author, "point note", now=T0 + timedelta(1))
    m3 = store.post_message("applicant", app.id, author, "to you", now=T0 + timedelta(2))
    store.post_message("applicant", other.id, author, "not yours", now=T0 + timedelta(3))
    store.post_message("agency", "sh_pudong", author, "other agency", now=T0 + timedelta(4))
    assert [m.id for m in store.messages_for(app.id)] == [m3, m2, m1]
    assert [m.body for m in store.messages_by_target("point", "bj_haidian_jinxiu")] == ["point note"]
    store.delete_message(m2)
    assert [m.id for m in store.messages_for(app.id)] == [m3, m1]
    assert store.messages_for(app.id + 999) == []
    for scope in ("", "Every One", "x" * 65):       # a scope is 'applicant' or a kept answer's name (a flow id)
        with pytest.raises(StoreError):
            store.post_message(scope, "x", author, "no")


def test_messages__for_an_application_with_its_values_builds_no_sql_per_call(store: Store, monkeypatch) -> None:
    """The dashboard's messages query is built once per number of kept values and reused:
    building the OR of (scope, target) pairs and its cache key on every request cost ~40 %
    of the dashboard's CPU (bench/profile_pages.py, issue 10). Same rows, newest first."""
    from sqlalchemy.sql import elements

    author = store.create_staff("op1", "pw", "point_operator", bound="bj_haidian").id
    app = new_application(store)
    m1 = store.post_message("agency", "bj_haidian", author, "agency note", now=T0)
    m2 = store.post_message("applicant", app.id, author, "to you", now=T0 + timedelta(1))
    store.post_message("point", "elsewhere", author, "not yours", now=T0 + timedelta(2))
    assert [m.id for m in store.messages_for(app.id, values=app.values)] == [m2, m1]  # warm
    built = []
    original = elements.BinaryExpression.__init__

    def counting(self: Any, *args: Any, **kwargs: Any) -> None:
        built.append(self)
        original(self, *args, **kwargs)

    monkeypatch.setattr(elements.BinaryExpression, "__init__", counting)
    assert [m.id for m in store.messages_for(app.id, values=app.values)] == [m2, m1]
    assert built == []


def test_messages__read_with_the_applicants_session__the_same_as_messages_for(store: Store) -> None:
    """The dashboard reads its messages in the session's statement (get_applicant_dashboard):
    the same records as `messages_for`, newest first (a tie in time: the later id first)."""
    author = store.create_staff("op1", "pw", "point_operator", bound="bj_haidian").id
    app = new_application(store)
    other = new_application(store, cert_no="X2", agency="sh_pudong", point="sh_1")
    limits = (timedelta(minutes=30), timedelta(hours=8))
    token, _ = store.create_session("applicant", app.id, T0)
    assert store.get_applicant_dashboard(token, T0, *limits)[2] == []
    store.post_message("agency", "bj_haidian", author, "agency note", now=T0)
    store.post_message("point", "bj_haidian_jinxiu", author, "point note", now=T0 + timedelta(1))
    store.post_message("applicant", app.id, author, "to you", now=T0 + timedelta(1))
    store.post_message("applicant", other.id, author, "not yours", now=T0 + timedelta(3))
    store.post_message("agency", "sh_pudong", author, "other agency", now=T0 + timedelta(4))
    session, read, messages = store.get_applicant_dashboard(token, T0, *limits)
    assert (session, read) == store.get_applicant_session(token, T0, *limits)
    assert messages == store.messages_for(app.id, values=app.values) == store.messages_for(app.id)
    assert [m.body for m in messages] == ["to you", "point note", "agency note"]
    assert messages[0].created_at == T0 + timedelta(1) and messages[0].created_at.tzinfo is timezone.utc
    assert store.get_applicant_dashboard("no-such-token", T0, *limits) is None
