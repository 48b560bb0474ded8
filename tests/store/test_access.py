"""Sessions, drafts, throttle and password resets."""
from __future__ import annotations

import hashlib
from datetime import date, datetime, timedelta, timezone
from decimal import Decimal

import sqlalchemy as sa

from store import Store
from test_applications import new_application

T0 = datetime(2026, 3, 5, 1, 0, tzinfo=timezone.utc)
IDLE = timedelta(minutes=30)
ABSOLUTE = timedelta(hours=8)


def test_session__stores_only_the_token_hash(store: Store) -> None:
    token, session = store.create_session("applicant", 42, now=T0)
    stored = store.db.read(lambda c: c.execute(sa.text("SELECT token_hash FROM sessions")).all())
    assert [r[0] for r in stored] == [hashlib.sha256(token.encode()).hexdigest()]
    assert session.subject == "42" and len(session.csrf_secret) >= 32
    assert store.get_session(token, T0 + timedelta(minutes=1), IDLE, ABSOLUTE) == session
    assert store.get_session("not-a-token", T0, IDLE, ABSOLUTE) is None


def test_session__idle_too_long__is_deleted(store: Store) -> None:
    token, _ = store.create_session("staff", 1, now=T0)
    assert store.get_session(token, T0 + IDLE, IDLE, ABSOLUTE) is not None
    assert store.get_session(token, T0 + IDLE + timedelta(seconds=1), IDLE, ABSOLUTE) is None
    # Deleted, not just hidden: going back in time does not revive it.
    assert store.get_session(token, T0, IDLE, ABSOLUTE) is None


def test_session__touched__stays_alive_until_absolute_timeout(store: Store) -> None:
    token, _ = store.create_session("applicant", 7, now=T0)
    at = T0
    while at + timedelta(minutes=20) <= T0 + ABSOLUTE:
        at += timedelta(minutes=20)
        assert store.get_session(token, at, IDLE, ABSOLUTE) is not None
        store.touch(token, at)
    assert store.get_session(token, T0 + ABSOLUTE + timedelta(seconds=1), IDLE, ABSOLUTE) is None


def test_session__delete_for_subject__ends_only_that_persons_sessions(store: Store) -> None:
    mine = [store.create_session("applicant", 5, now=T0)[0] for _ in range(2)]
    staff_token, _ = store.create_session("staff", 5, now=T0)
    other, _ = store.create_session("applicant", 6, now=T0)
    assert store.delete_sessions_for("applicant", 5) == 2
    assert all(store.get_session(t, T0, IDLE, ABSOLUTE) is None for t in mine)
    assert store.get_session(staff_token, T0, IDLE, ABSOLUTE) is not None
    store.delete_session(other)
    assert store.get_session(other, T0, IDLE, ABSOLUTE) is None
    assert store.purge_sessions(T0 + IDLE * 2, IDLE, ABSOLUTE) == 1


def test_draft__round_trips_typed_values(store: Store) -> None:
    state = {"step": "agency", "answers": {"birth_date": date(1985, 4, 12), "photo": b"\x00\xff",
                                           "opens": datetime(2026, 9, 1, 8), "n": Decimal("1.50"),
                                           "items": ["a", {"$date": "looks like a tag"}, {"$map": 1}]}}
    store.save_draft("tok", state, now=T0)
    assert store.load_draft("tok", now=T0 + timedelta(minutes=29)) == state


def test_draft__read_as_a_prepared_statement__compiled_once_per_dialect(store: Store, monkeypatch) -> None:
    from store import access

    compiled, executed = [], []
    monkeypatch.setattr(access._DRAFT_LOAD, "_compiled", {})
    compile_ = access._DRAFT_LOAD._compile
    monkeypatch.setattr(access._DRAFT_LOAD, "_compile",
                        lambda dialect: compiled.append(dialect.name) or compile_(dialect))
    store.save_draft("tok", {"step": "identity", "at": date(2026, 3, 5)}, now=T0)
    sa.event.listen(store.db.engine, "before_execute", lambda conn, statement, *a: executed.append(statement))
    for _ in range(3):
        assert store.load_draft("tok", now=T0 + timedelta(minutes=1)) == {"step": "identity", "at": date(2026, 3, 5)}
    assert store.load_draft("other", now=T0) is None
    assert compiled == [store.db.engine.dialect.name] and executed == []  # not through Connection.execute


def test_draft__idle_thirty_minutes__expires_and_is_deleted(store: Store) -> None:
    store.save_draft("tok", {"step": "identity"}, now=T0)
    store.save_draft("tok", {"step": "agency"}, now=T0 + timedelta(minutes=20))
    assert store.load_draft("tok", now=T0 + timedelta(minutes=50)) == {"step": "agency"}
    assert store.load_draft("tok", now=T0 + timedelta(minutes=51)) is None
    assert store.load_draft("tok", now=T0) is None
    store.save_draft("a", {}, now=T0)
    store.save_draft("b", {}, now=T0 + timedelta(hours=1))
    assert store.purge_drafts(older_than=T0 + timedelta(minutes=30)) == 1
    store.delete_draft("b")
    assert store.load_draft("b", now=T0 + timedelta(hours=1)) is None


def test_throttle__counts_failures_in_a_sliding_window(store: Store) -> None:
    key = "login:ip:203.0.113.9"
    for minute in (0, 5, 10, 14):
        store.record_failure(key, T0 + timedelta(minutes=minute))
    store.record_failure("login:ip:other", T0)
    now = T0 + timedelta(minutes=15)
    assert store.failures(key, since=now - timedelta(minutes=15)) == 4
    assert store.failures(key, since=now - timedelta(minutes=10)) == 3
    assert store.failures(key, since=now - timedelta(minutes=1)) == 1
    store.clear(key)
    assert store.failures(key, since=T0) == 0
    assert store.failures("login:ip:other", since=T0) == 1
    assert store.purge_failures(older_than=T0 + timedelta(seconds=1)) == 1


def test_password_reset__is_one_time_and_expires(store: Store) -> None:
    app = new_application(store)
    token = store.create_password_reset(app.id, timedelta(hours=1), now=T0)
    assert store.use_password_reset("wrong", now=T0) is None
    assert store.use_password_reset(token, now=T0 + timedelta(minutes=5)) == app.id
    assert store.use_password_reset(token, now=T0 + timedelta(minutes=6)) is None
    late = store.create_password_reset(app.id, timedelta(hours=1), now=T0)
    assert store.use_password_reset(late, now=T0 + timedelta(hours=1)) is None


def test_password_reset__new_token__retires_the_older_one(store: Store) -> None:
    app = new_application(store)
    first = store.create_password_reset(app.id, timedelta(hours=1), now=T0)
    second = store.create_password_reset(app.id, timedelta(hours=1), now=T0)
    assert store.use_password_reset(first, now=T0) is None
    assert store.use_password_reset(second, now=T0) == app.id


def test_applicant_session__records_as_get_session_and_get_application_read_them(store: Store) -> None:
    """The applicant's session read (the dashboard's one statement) makes its records by position:
    the same Session and Application, kept values included, as the reads by name give; an
    application that is gone gives the session alone."""
    app = new_application(store)
    token, _ = store.create_session("applicant", app.id, now=T0)
    for read in (store.get_applicant_session, store.get_applicant_dashboard):
        found = read(token, T0, IDLE, ABSOLUTE)
        assert found is not None
        session, application = found[0], found[1]
        assert session == store.get_session(token, T0, IDLE, ABSOLUTE)
        assert application == store.get_application(app.id) and application.values == app.values
        assert application.created_at.tzinfo is timezone.utc and session.last_seen_at.tzinfo is timezone.utc
    orphan, _ = store.create_session("applicant", 999_999, now=T0)
    assert store.get_applicant_session(orphan, T0, IDLE, ABSOLUTE)[1] is None
    assert store.get_applicant_dashboard(orphan, T0, IDLE, ABSOLUTE)[1:] == (None, [])
    assert store.get_applicant_session(token, T0 + ABSOLUTE + timedelta(seconds=1), IDLE, ABSOLUTE) is None
