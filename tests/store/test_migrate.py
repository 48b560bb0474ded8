"""Schema migrations: idempotent, complete, and matching the Core tables."""
from __future__ import annotations

import importlib
import pkgutil

import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext

import store as store_package
from store import Store
from store import migrate as migrations
from store.schema import metadata

from storetest import Backend


def test_migrate__empty_database_twice__reaches_head_and_is_idempotent(backend: Backend) -> None:
    store = backend.open()
    assert store.schema_revision() is None
    store.migrate()
    store.migrate()
    assert store.schema_revision() == migrations.head()
    tables = set(store.db.read(lambda conn: sa.inspect(conn).get_table_names()))
    assert {t.name for t in metadata.sorted_tables} <= tables
    store.close()


def test_migrate__from_two_stores_at_once__runs_once(backend: Backend) -> None:
    import threading

    stores = [backend.open(), backend.open()]
    errors: list[BaseException] = []

    def run(store: Store) -> None:
        try:
            store.migrate()
        except BaseException as error:  # noqa: BLE001 (reported below)
            errors.append(error)

    threads = [threading.Thread(target=run, args=(s,)) for s in stores]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert stores[0].schema_revision() == migrations.head()
    for store in stores:
        store.close()


def test_schema__core_tables__match_the_migrated_database(store: Store) -> None:
    # Every store module that declares a table registers it on the shared MetaData.
    for module in pkgutil.iter_modules(store_package.__path__):
        importlib.import_module(f"store.{module.name}")

    def diff(conn: sa.Connection) -> list[object]:
        context = MigrationContext.configure(conn, opts={
            "include_object": lambda obj, name, type_, reflected, compare_to:
                not (type_ == "table" and name is not None and name.startswith("ds_")),
            "compare_type": True,
        })
        return list(compare_metadata(context, metadata))

    assert store.db.read(diff) == []


def test_sqlite__connection__uses_wal_foreign_keys_and_busy_timeout(backend: Backend) -> None:
    if backend.kind != "sqlite":
        return
    store = backend.open(busy_timeout=1.5)

    def pragmas(conn: sa.Connection) -> tuple[object, ...]:
        return tuple(conn.exec_driver_sql(f"PRAGMA {name}").scalar()
                     for name in ("journal_mode", "foreign_keys", "busy_timeout"))

    assert store.db.read(pragmas) == ("wal", 1, 1500)
    store.close()
