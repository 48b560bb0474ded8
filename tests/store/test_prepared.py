"""Prepared reads (store/prepared.py): compiled once per dialect, run on the driver's cursor, with
the same rows, types, events and errors as SQLAlchemy's own execute, on SQLite and PostgreSQL."""
from __future__ import annotations

from datetime import timezone

import pytest
import sqlalchemy as sa

from store import Store
from store.prepared import Prepared
from store.schema import applications, sessions
from test_applications import NOW, new_application

# a constant bound by the statement itself, a caller's parameter, a UTC timestamp, JSON
QUERY = (sa.select(applications.c.id, applications.c.status, applications.c.answers, applications.c.created_at,
                   sa.literal("fixed").label("constant"))
         .where(applications.c.status == "submitted", applications.c.id >= sa.bindparam("least"))
         .order_by(applications.c.id))


def test_rows__the_same_as_sqlalchemys_execute__types_processed(store: Store) -> None:
    first, second = new_application(store), new_application(store, cert_no="2", id_no="2")
    prepared = Prepared(QUERY)
    with store.db.engine.connect() as conn:
        expected = [tuple(r) for r in conn.execute(QUERY, {"least": second.id})]
        got = prepared.rows(conn, {"least": second.id})
        assert got == expected and len(got) == 1
        assert got[0][2] == {"name": "王晓燕", "graduation_date": "2007-07-01"}   # JSON decoded
        assert got[0][3] == NOW and got[0][3].tzinfo is timezone.utc                # aware UTC
        assert prepared.rows(conn, {"least": first.id}) == [tuple(r) for r in conn.execute(QUERY, {"least": first.id})]
        assert prepared.first(conn, {"least": 10**9}) is None
        assert prepared.first(conn, {"least": second.id}) == dict(zip(prepared.keys, expected[0]))
        assert prepared.keys == ("id", "status", "answers", "created_at", "constant")


def test_rows__sent_through_the_connections_events(store: Store) -> None:
    prepared, sent = Prepared(QUERY), []
    sa.event.listen(store.db.engine, "before_cursor_execute", lambda conn, cursor, sql, *a: sent.append(sql))
    with store.db.engine.connect() as conn:
        prepared.rows(conn, {"least": 0})
    assert sent == [str(QUERY.compile(dialect=store.db.engine.dialect))]


def test_rows__a_driver_error__raised_as_sqlalchemys(store: Store) -> None:
    missing = sa.Table("no_such_table", sa.MetaData(), sa.Column("id", sa.Integer))
    with store.db.engine.connect() as conn, pytest.raises(sa.exc.DBAPIError):
        Prepared(sa.select(missing)).rows(conn)


def test_rows__refuses_a_statement_whose_sql_depends_on_its_values(store: Store) -> None:
    expanding = sa.select(sessions).where(sessions.c.kind.in_(["applicant", "staff"]))
    with store.db.engine.connect() as conn, pytest.raises(ValueError):
        Prepared(expanding).rows(conn)
