"""Connection handling: one engine for SQLite or PostgreSQL, transactions with retry.

SQLite runs in WAL mode with foreign keys on and a busy timeout; write transactions
start with BEGIN IMMEDIATE so a writer waits for the lock up front instead of failing
half-way. A write is *durable* by default (SQLite `synchronous=FULL`, PostgreSQL
`synchronous_commit=on`: a committed submission survives a power cut); callers whose rows
are cheap to lose in a power cut (drafts, sessions, throttle counters) pass
`durable=False` (`NORMAL` / `off`: still safe against a crash of the process, never
corrupt, but one fsync fewer per request). The level is set per pooled connection only when
it changes, so steady traffic of one kind costs no extra statement. A transaction that meets a lock (SQLite) or a serialization failure or
deadlock (PostgreSQL) is re-run from the start a few times, then `StoreBusy` is raised
with nothing written. Transaction bodies must therefore be safe to re-run: they may
only touch the connection they are given. This module knows no table.

A *unit of work* (`with db.unit(): ...`, one per web request) makes the store calls inside
it share one connection. On SQLite its reads join one deferred transaction, opened by the
first call (one snapshot for the request). On PostgreSQL they run in autocommit, with no
transaction at the server: under READ COMMITTED each statement of a transaction reads its
own snapshot anyway, so a transaction of reads only added a BEGIN and a COMMIT round trip
(two of the dashboard's four, issue 10). A write commits before `run` returns (what the
caller reports as saved is saved, and no lock is held while a page renders): on PostgreSQL
the connection leaves autocommit for it, so the write is one transaction as outside a unit
(`SET synchronous_commit` included); on SQLite, whose deferred read transaction cannot
safely become a writer, the reads' transaction ends first and the write takes `BEGIN
IMMEDIATE` as outside a unit. Reads after a write see it. A busy write is re-run on its own
as outside a unit. The connection goes back to the pool out of autocommit.
"""
from __future__ import annotations

import random
import sqlite3
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.engine import make_url

from .codec import dumps, pg_loads
from .errors import StoreBusy, StoreError

T = TypeVar("T")

# PostgreSQL SQLSTATEs worth a retry: serialization failure, deadlock, lock not
# available, too many connections, server starting up.
_PG_RETRY = frozenset({"40001", "40P01", "55P03", "53300", "57P03"})
_SQLITE_BUSY = frozenset({sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED})
_IMMEDIATE = "shenbao_immediate"
_DURABLE = "shenbao_durable"
_SYNC = "shenbao_sync"            # key in the pooled connection's info: the level set on it


@dataclass(frozen=True)
class Settings:
    """`busy_timeout`: seconds a statement waits for a lock per attempt (SQLite's
    busy_timeout, PostgreSQL's lock_timeout).
    `retry_for`: seconds spent re-running a transaction before `StoreBusy`."""

    busy_timeout: float = 2.0
    retry_for: float = 6.0
    pool_size: int = 10
    recycle_seconds: int = 1800


def normalize_url(url: str) -> sa.URL:
    """`postgresql://` means psycopg 3 (the only PostgreSQL driver installed)."""
    parsed = make_url(url)
    if parsed.drivername in ("postgresql", "postgres"):
        parsed = parsed.set(drivername="postgresql+psycopg")
    if parsed.get_backend_name() not in ("sqlite", "postgresql"):
        raise StoreError("STORE_UNSUPPORTED_DATABASE", backend=parsed.get_backend_name())
    if parsed.get_backend_name() == "sqlite" and parsed.database in (None, "", ":memory:"):
        raise StoreError("STORE_SQLITE_NEEDS_FILE")
    return parsed


def create_engine(url: str, settings: Settings, **kwargs: Any) -> sa.Engine:
    parsed = normalize_url(url)
    if parsed.get_backend_name() == "sqlite":
        assert parsed.database is not None
        Path(parsed.database).expanduser().parent.mkdir(parents=True, exist_ok=True)
        engine = sa.create_engine(parsed, json_serializer=dumps, pool_size=settings.pool_size,
                                  connect_args={"check_same_thread": False}, **kwargs)
        _sqlite_hooks(engine, settings)
        return engine
    # No pre-ping (a round trip before every checkout): connections are recycled before
    # servers or proxies drop idle ones, and a connection found dead is retried in `run`.
    engine = sa.create_engine(parsed, json_serializer=dumps, json_deserializer=pg_loads,
                              pool_size=settings.pool_size, max_overflow=settings.pool_size, pool_recycle=settings.recycle_seconds,
                              **kwargs)
    _postgresql_hooks(engine, settings)
    return engine


def _postgresql_hooks(engine: sa.Engine, settings: Settings) -> None:
    @event.listens_for(engine, "connect")
    def _connect(dbapi_connection: Any, _record: Any) -> None:
        # Like SQLite's busy_timeout: a blocked lock wait ends (55P03, retried) instead
        # of hanging a request for as long as another transaction holds the lock.
        with dbapi_connection.cursor() as cursor:
            cursor.execute(f"SET lock_timeout = {int(settings.busy_timeout * 1000)}")
            cursor.execute("SET synchronous_commit = on")
        dbapi_connection.commit()
        _record.info[_SYNC] = "on"

    @event.listens_for(engine, "begin")
    def _begin(conn: sa.Connection) -> None:
        durable = conn.get_execution_options().get(_DURABLE)
        if durable is not None:
            _set_level(conn, "on" if durable else "off",
                       lambda level: conn.exec_driver_sql(f"SET synchronous_commit = {level}"))

    @event.listens_for(engine, "rollback")
    def _rollback(conn: sa.Connection) -> None:
        # A SET inside a transaction that rolls back is undone: forget what we set
        # (an invalidated connection is thrown away with what it knew).
        if not conn.invalidated:
            conn.connection.info.pop(_SYNC, None)


def _set_level(conn: sa.Connection, level: str, apply: Callable[[str], Any]) -> None:
    info = conn.connection.info
    if info.get(_SYNC) != level:
        apply(level)
        info[_SYNC] = level


def _sqlite_hooks(engine: sa.Engine, settings: Settings) -> None:
    @event.listens_for(engine, "connect")
    def _connect(dbapi_connection: Any, _record: Any) -> None:
        # Take transaction control away from the sqlite3 module: we emit BEGIN ourselves.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute(f"PRAGMA busy_timeout = {int(settings.busy_timeout * 1000)}")
        cursor.execute("PRAGMA journal_mode = WAL")
        cursor.execute("PRAGMA foreign_keys = ON")
        # FULL: a committed submission survives a power cut, not only a crash.
        cursor.execute("PRAGMA synchronous = FULL")
        cursor.close()
        _record.info[_SYNC] = "FULL"

    @event.listens_for(engine, "begin")
    def _begin(conn: sa.Connection) -> None:
        options = conn.get_execution_options()
        durable = options.get(_DURABLE)
        if durable is not None:  # outside the transaction: SQLite ignores it inside one
            _set_level(conn, "FULL" if durable else "NORMAL",
                       lambda level: conn.exec_driver_sql(f"PRAGMA synchronous = {level}"))
        _control(conn, "BEGIN IMMEDIATE" if options.get(_IMMEDIATE, False) else "BEGIN")


def _control(conn: sa.Connection, sql: str) -> None:
    """A statement without parameters or rows on the driver's cursor, through the connection's own
    path for one (its events and error handling: what `exec_driver_sql` does, without building an
    execution context and a result for it; SQLite's BEGIN of every request)."""
    cursor = conn.connection.cursor()
    try:
        conn._cursor_execute(cursor, sql, ())
    finally:
        cursor.close()


def is_busy(error: BaseException) -> bool:
    """True for a lock or serialization failure that a re-run may get past."""
    orig = getattr(error, "orig", error)
    if isinstance(orig, sqlite3.OperationalError):
        code = getattr(orig, "sqlite_errorcode", None)
        if code is not None:
            return code & 0xFF in _SQLITE_BUSY
        text = str(orig)
        return "database is locked" in text or "database table is locked" in text
    return getattr(orig, "sqlstate", None) in _PG_RETRY


class _Unit:
    """The connection and open transaction store calls of one unit of work share."""

    def __init__(self) -> None:
        self.conn: sa.Connection | None = None
        self.transaction: sa.RootTransaction | None = None

    def end(self, commit: bool = True) -> None:
        """End the open transaction, if any (the connection stays for the next one)."""
        transaction, self.transaction = self.transaction, None
        if transaction is not None and transaction.is_active:
            if commit:
                transaction.commit()
            else:
                transaction.rollback()

    def close(self, commit: bool) -> None:
        try:
            self.end(commit)
        finally:
            conn, self.conn = self.conn, None
            if conn is not None:
                try:
                    if not conn.invalidated:
                        _autocommit(conn, False)  # the pool hands out transactional connections
                except Exception:
                    conn.invalidate()             # never back to the pool in autocommit
                    raise
                finally:
                    conn.close()


def _autocommit(conn: sa.Connection, on: bool) -> None:
    """PostgreSQL: the unit's reads without a transaction at the server, its writes in one (psycopg
    keeps the flag on the client: no round trip). Only ever changed between transactions."""
    if conn.dialect.name == "postgresql":
        dbapi = conn.connection.dbapi_connection
        if dbapi is not None and dbapi.autocommit != on:
            dbapi.autocommit = on


class Database:
    """An engine plus the retry policy; hands out transactions."""

    def __init__(self, engine: sa.Engine, settings: Settings) -> None:
        self.engine = engine
        self.settings = settings
        self.is_sqlite = engine.dialect.name == "sqlite"
        self._unit: ContextVar[_Unit | None] = ContextVar(f"shenbao_unit_{id(self)}", default=None)

    @contextmanager
    def unit(self) -> Iterator[None]:
        """One unit of work (see the module's doc): nested units join the outer one."""
        if self._unit.get() is not None:
            yield
            return
        unit = _Unit()
        token = self._unit.set(unit)
        ok = False
        try:
            yield
            ok = True
        finally:
            self._unit.reset(token)
            unit.close(commit=ok)

    def _in_unit(self, unit: _Unit, body: Callable[[sa.Connection], T], write: bool, durable: bool) -> T:
        if write and self.is_sqlite:
            unit.end()  # a deferred read transaction must not turn into a writer
            return self._run_alone(body, write, durable)
        if unit.conn is None or unit.conn.invalidated:
            if unit.conn is not None:
                unit.close(commit=False)
            unit.conn = self.engine.connect()
        conn = unit.conn
        fresh = unit.transaction is None
        if fresh or write:  # a write after reads: their transaction holds nothing at the server
            _autocommit(conn, not write)
        if fresh:
            unit.transaction = conn.begin()
        try:
            if write and not self.is_sqlite:
                _set_level(conn, "on" if durable else "off",
                           lambda level: conn.exec_driver_sql(f"SET synchronous_commit = {level}"))
            result = body(conn)
            if write:
                unit.end()
            return result
        except sa.exc.DBAPIError as error:
            unit.end(commit=False)
            if not (is_busy(error) or error.connection_invalidated):
                raise
            if not write and not fresh and not error.connection_invalidated:
                raise
            # the shared transaction is gone: re-run this call on its own
            if error.connection_invalidated:
                unit.close(commit=False)
            return self._run_alone(body, write, durable)
        except BaseException:
            unit.end(commit=False)
            raise

    @contextmanager
    def connect(self, write: bool, durable: bool = True) -> Iterator[sa.Connection]:
        """One transaction, no retry (for callers that manage their own)."""
        with self.engine.connect() as conn:
            if write:
                conn.execution_options(**{_DURABLE: durable, _IMMEDIATE: self.is_sqlite})
            with conn.begin():
                yield conn

    def run(self, body: Callable[[sa.Connection], T], write: bool = True, durable: bool = True) -> T:
        """Run `body` in one transaction, re-running it while the database is busy or the
        pooled connection turned out to be dead (the server restarted, a proxy dropped it).
        Inside a unit of work, in the unit's transaction (see the module's doc)."""
        unit = self._unit.get()
        if unit is not None:
            return self._in_unit(unit, body, write, durable)
        return self._run_alone(body, write, durable)

    def _run_alone(self, body: Callable[[sa.Connection], T], write: bool, durable: bool) -> T:
        deadline = time.monotonic() + self.settings.retry_for
        attempt = 0
        while True:
            try:
                with self.connect(write, durable) as conn:
                    return body(conn)
            except sa.exc.DBAPIError as error:
                if not (is_busy(error) or error.connection_invalidated):
                    raise
                attempt += 1
                if time.monotonic() >= deadline:
                    raise StoreBusy(attempts=attempt) from error
                # Jittered backoff so retrying writers do not collide in lockstep.
                pause = min(0.05 * 2 ** min(attempt, 5), 0.5) * random.uniform(0.5, 1.0)
                time.sleep(min(pause, max(0.0, deadline - time.monotonic())))

    def read(self, body: Callable[[sa.Connection], T]) -> T:
        return self.run(body, write=False)

    def dispose(self) -> None:
        self.engine.dispose()
