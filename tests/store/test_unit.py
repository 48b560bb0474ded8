"""The unit of work (store/db.py, one per web request): the store calls inside it share one
connection and their reads one transaction; a write is committed before its call returns and
the reads after it see it; a failed call leaves the unit usable."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
import sqlalchemy as sa
from sqlalchemy import event

from store import NotFound, Store
from store.schema import applications
from test_applications import new_application

NOW = datetime(2027, 3, 15, 2, 0, tzinfo=timezone.utc)


def counting(store: Store) -> list[str]:
    begun: list[str] = []
    event.listen(store.db.engine, "begin", lambda conn: begun.append("begin"))
    return begun


def test_reads_in_a_unit__one_transaction(store: Store) -> None:
    app = new_application(store)
    token, _ = store.create_session("applicant", app.id, NOW)
    begun = counting(store)
    with store.unit():
        assert store.get_application(app.id) is not None
        assert store.get_session(token, NOW, timedelta(minutes=30), timedelta(hours=8)) is not None
        assert store.messages_for(app.id, values=app.values) == []
    assert len(begun) == 1


def test_write_in_a_unit__committed_when_the_call_returns__seen_by_later_reads(store: Store) -> None:
    app = new_application(store)
    with store.unit():
        assert store.get_application(app.id).status == app.status
        store.update_application(app.id, app.row_version, status="confirmed")
        # another connection sees it already: committed, not waiting for the unit's end
        other = store.db.engine.connect()
        try:
            assert other.exec_driver_sql(f"SELECT status FROM applications WHERE id = {app.id}").scalar() == "confirmed"
        finally:
            other.close()
        assert store.get_application(app.id).status == "confirmed"


def test_failed_call_in_a_unit__rolled_back__the_unit_goes_on(store: Store) -> None:
    app = new_application(store)
    with store.unit():
        with pytest.raises(NotFound):
            store.update_application(10**9, 1, status="confirmed")
        assert store.get_application(app.id) is not None


def test_error_in_the_request__unit_rolled_back_and_closed(store: Store) -> None:
    app = new_application(store)
    with pytest.raises(RuntimeError):
        with store.unit():
            store.get_application(app.id)
            raise RuntimeError("the page failed")
    assert store.get_application(app.id) is not None            # the pool is fine afterwards
    assert store.db.engine.pool.checkedout() == 0


def _server_transaction(store: Store) -> object:
    """The PostgreSQL server's view of the unit's connection: idle (no transaction) or in one."""
    unit = store.db._unit.get()
    return unit.conn.connection.dbapi_connection.info.transaction_status


def test_reads_in_a_unit__postgresql__no_transaction_at_the_server(store: Store) -> None:
    if store.db.is_sqlite:
        pytest.skip("SQLite: the reads share one deferred transaction (one snapshot)")
    from psycopg.pq import TransactionStatus

    app = new_application(store)
    token, _ = store.create_session("applicant", app.id, NOW)
    with store.unit():
        assert store.get_applicant_session(token, NOW, timedelta(minutes=30), timedelta(hours=8)) is not None
        assert store.messages_for(app.id, values=app.values) == []
        assert _server_transaction(store) == TransactionStatus.IDLE       # no BEGIN was sent, none to COMMIT


def test_write_after_reads_in_a_unit__one_transaction__rolled_back_whole_on_failure(store: Store) -> None:
    app = new_application(store)
    other = new_application(store, cert_no="2", id_no="2")
    with store.unit():
        assert store.get_application(app.id) is not None

        def body(conn) -> None:
            conn.execute(sa.update(applications).where(applications.c.id == app.id).values(status="confirmed"))
            conn.execute(sa.update(applications).where(applications.c.id == other.id).values(status="confirmed"))
            raise RuntimeError("the second half failed")

        with pytest.raises(RuntimeError):
            store.db.run(body)
        assert store.get_application(app.id).status == app.status          # nothing of it stayed
    with store.db.engine.connect() as conn:                                  # the pool: transactional again
        assert not getattr(conn.connection.dbapi_connection, "autocommit", False)
