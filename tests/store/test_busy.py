"""A busy database: the store retries, then raises StoreBusy; nothing is half-written."""
from __future__ import annotations

import sqlite3
import time
from pathlib import Path

import psycopg
import pytest
import sqlalchemy as sa

from store import StoreBusy
from store.db import Database, Settings, create_engine, is_busy
from storetest import PG_URL, Backend
from test_applications import new_application
from together import run_together


def _hold_sqlite_write_lock(path: Path) -> sqlite3.Connection:
    holder = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    holder.execute("BEGIN IMMEDIATE")
    holder.execute("INSERT INTO counters (name, value) VALUES ('held', 1)")
    return holder


def test_sqlite_locked__retries_then_raises_store_busy_and_writes_nothing(backend: Backend) -> None:
    if backend.kind != "sqlite":
        pytest.skip("SQLite lock")
    store = backend.open(busy_timeout=0.1, retry_for=0.6)
    store.migrate()
    kept = new_application(store, cert_no="KEPT")
    holder = _hold_sqlite_write_lock(backend.tmp_path / "shenbao.db")
    started = time.monotonic()
    with pytest.raises(StoreBusy) as caught:
        new_application(store, cert_no="WAITING")
    assert time.monotonic() - started >= 0.6
    assert caught.value.code == "STORE_BUSY" and caught.value.params["attempts"] >= 2
    # Readers are not blocked by a writer in WAL mode.
    assert store.get_application(kept.id) == kept
    holder.rollback()
    holder.close()
    # The caller kept its input: the same call now succeeds, and nothing was lost.
    retried = new_application(store, cert_no="WAITING")
    assert {a.identity_key for a in store.search_applications()} == {"KEPT", "WAITING"}
    assert retried.application_no == "TR2026000002"
    store.close()


def test_sqlite_locked_briefly__write_goes_through_after_retry(backend: Backend) -> None:
    if backend.kind != "sqlite":
        pytest.skip("SQLite lock")
    store = backend.open(busy_timeout=0.05, retry_for=5)
    store.migrate()
    holder = _hold_sqlite_write_lock(backend.tmp_path / "shenbao.db")
    made = []

    def release() -> None:
        time.sleep(0.4)
        holder.rollback()
        holder.close()

    run_together(release, lambda: made.append(new_application(store)))
    assert store.get_application(made[0].id) == made[0]
    store.close()


def test_postgresql_locked__lock_timeout_retries_then_store_busy(backend: Backend) -> None:
    if backend.kind != "postgresql":
        pytest.skip("PostgreSQL lock")
    store = backend.open(busy_timeout=0.1, retry_for=0.6)
    store.migrate()
    schema = backend.schemas[0]
    holder = sa.create_engine(PG_URL or "", connect_args={"options": f"-csearch_path={schema}"})
    with holder.connect() as conn:
        conn.execute(sa.text("LOCK TABLE applications IN EXCLUSIVE MODE"))
        with pytest.raises(StoreBusy):
            new_application(store)
        conn.rollback()
    holder.dispose()
    assert new_application(store).application_no == "TR2026000001"
    store.close()


def _db(tmp_path: Path, retry_for: float) -> Database:
    settings = Settings(busy_timeout=0.05, retry_for=retry_for)
    return Database(create_engine(f"sqlite:///{tmp_path / 'x.db'}", settings), settings)


def _serialization_failure() -> sa.exc.OperationalError:
    return sa.exc.OperationalError("UPDATE ...", {}, psycopg.errors.SerializationFailure())


def test_run__serialization_failure__is_retried_until_it_passes(tmp_path: Path) -> None:
    db = _db(tmp_path, retry_for=5)
    calls: list[int] = []

    def body(conn: sa.Connection) -> str:
        calls.append(1)
        if len(calls) < 3:
            raise _serialization_failure()
        return "done"

    assert db.run(body) == "done" and len(calls) == 3
    db.dispose()


def test_run__other_errors__are_not_retried(tmp_path: Path) -> None:
    db = _db(tmp_path, retry_for=5)
    calls: list[int] = []

    def body(conn: sa.Connection) -> None:
        calls.append(1)
        conn.execute(sa.text("SELECT * FROM no_such_table"))

    with pytest.raises(sa.exc.OperationalError):
        db.run(body)
    assert len(calls) == 1
    db.dispose()


def test_is_busy__classifies_driver_errors() -> None:
    assert is_busy(_serialization_failure())
    assert is_busy(sa.exc.OperationalError("x", {}, psycopg.errors.DeadlockDetected()))
    assert not is_busy(sa.exc.IntegrityError("x", {}, psycopg.errors.UniqueViolation()))
    locked = sqlite3.OperationalError("database is locked")
    locked.sqlite_errorcode = sqlite3.SQLITE_BUSY  # type: ignore[attr-defined]
    assert is_busy(sa.exc.OperationalError("x", {}, locked))
    assert not is_busy(sa.exc.OperationalError("x", {}, sqlite3.OperationalError("no such table")))
