"""Write durability per kind of row, and pooled connections that died.

Submissions, status moves and audit are committed durably (SQLite synchronous=FULL,
PostgreSQL synchronous_commit=on); drafts, sessions and throttle rows with one fsync fewer
(NORMAL / off). The level is only re-set on a connection when it changes.
"""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
import sqlalchemy as sa
from sqlalchemy import event

from store import Store
from storetest import PG_URL, Backend
from test_applications import new_application

NOW = datetime(2026, 3, 5, 9, 30, tzinfo=timezone(timedelta(hours=8)))
LEVELS = {"sqlite": ("PRAGMA synchronous", {True: 2, False: 1}),
          "postgresql": ("SHOW synchronous_commit", {True: "on", False: "off"})}


def level(store: Store, durable: bool) -> object:
    query, _ = LEVELS[store.dialect]
    return store.db.run(lambda conn: conn.exec_driver_sql(query).scalar(), durable=durable)


def level_settings(store: Store) -> list[str]:
    """Every statement that sets the durability level, from now on."""
    seen: list[str] = []

    @event.listens_for(store.db.engine, "before_cursor_execute")
    def _seen(_conn, _cursor, statement, *_args) -> None:
        if "synchronous" in statement and not statement.startswith(("SHOW", "PRAGMA synchronous\0")) \
                and ("=" in statement):
            seen.append(statement)

    return seen


def test_levels__durable_and_not__as_asked(store: Store) -> None:
    _, expected = LEVELS[store.dialect]
    assert level(store, durable=True) == expected[True]
    assert level(store, durable=False) == expected[False]
    assert level(store, durable=True) == expected[True]


def test_levels__a_rolled_back_transaction__does_not_leave_a_wrong_level(store: Store) -> None:
    _, expected = LEVELS[store.dialect]
    assert level(store, durable=False) == expected[False]

    def fail(conn: sa.Connection) -> None:
        conn.exec_driver_sql("SELECT 1")
        raise RuntimeError("body failed")

    with pytest.raises(RuntimeError):
        store.db.run(fail, durable=True)
    assert level(store, durable=True) == expected[True]
    assert level(store, durable=False) == expected[False]


def test_drafts_sessions_throttle__steady_traffic__sets_the_level_once(store: Store) -> None:
    store.save_draft("t1", {"a": 1}, now=NOW)        # the pooled connection now runs non-durable
    seen = level_settings(store)
    for index in range(5):
        store.save_draft("t1", {"a": index}, now=NOW)
        store.record_failure("k", now=NOW)
        token, _ = store.create_session("applicant", 1, now=NOW)
        store.touch(token, now=NOW)
    assert seen == []
    new_application(store)                            # a submission: durable again
    assert len(seen) == 1 and ("FULL" in seen[0] or "on" in seen[0])


def test_submission__is_committed_durably(store: Store) -> None:
    seen = level_settings(store)
    store.save_draft("t1", {"a": 1}, now=NOW)
    new_application(store)
    assert [("FULL" in s or " on" in s) for s in seen] == [False, True]


@pytest.mark.skipif(not PG_URL, reason="needs PostgreSQL")
def test_postgresql__pooled_connection_killed__next_call_retries_on_a_new_one(backend: Backend) -> None:
    if backend.kind != "postgresql":
        pytest.skip("PostgreSQL only")
    store = backend.open(pool_size=1)
    store.migrate()
    app = new_application(store)
    pid = store.db.read(lambda conn: conn.exec_driver_sql("SELECT pg_backend_pid()").scalar())
    admin = sa.create_engine(PG_URL or "")
    with admin.begin() as conn:
        assert conn.execute(sa.text("SELECT pg_terminate_backend(:pid)"), {"pid": pid}).scalar()
    admin.dispose()
    assert store.get_application(app.id) is not None       # no pre-ping, yet no error
    assert store.db.read(lambda conn: conn.exec_driver_sql("SELECT pg_backend_pid()").scalar()) != pid
    store.close()
