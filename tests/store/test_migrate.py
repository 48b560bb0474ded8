"""Schema migrations: idempotent, complete, and matching the Core tables."""
from __future__ import annotations

import importlib
import pkgutil

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext

import store as store_package
from store import Store
from store import migrate as migrations
from store.schema import PREFIX_INDEX, PREFIX_KEY_INDEX, TRIGRAM_INDEX, metadata

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


@pytest.mark.filterwarnings("ignore:Skipped unsupported reflection of expression-based index")
def test_schema__core_tables__match_the_migrated_database(store: Store) -> None:
    # Every store module that declares a table registers it on the shared MetaData.
    for module in pkgutil.iter_modules(store_package.__path__):
        importlib.import_module(f"store.{module.name}")

    def diff(conn: sa.Connection) -> list[object]:
        context = MigrationContext.configure(conn, opts={
            # the trigram index exists only where pg_trgm could be created (see revision 0007);
            # the collation "C" prefix index only on PostgreSQL (revision 0008); the name's
            # first-two-characters index is an expression, made by revision 0012's SQL
            "include_object": lambda obj, name, type_, reflected, compare_to:
                not (type_ == "table" and name is not None and name.startswith("ds_"))
                and name not in (TRIGRAM_INDEX, PREFIX_INDEX, PREFIX_KEY_INDEX),
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


def test_migrate__0007__moves_the_old_searched_columns_into_application_values(backend: Backend) -> None:
    store = backend.open()
    migrations.upgrade(store.db, "0006")
    row = ("INSERT INTO applications (application_no, flow_id, flow_version, flow_digest, cert_no, id_no, agency,"
           " point, status, status_data, answers, password_hash, email, row_version, created_at, updated_at)"
           " VALUES ('TR2026000001', 'f', '1', :digest, 'C1', 'I1', 'A1', 'P1', 'submitted', '{}',"
           " '{\"name\": \"王晓燕\"}', 'x', 'a@example.cn', 1, :at, :at)")
    staff = ("INSERT INTO staff (username, password_hash, role, agency, point, active, created_at)"
             " VALUES ('op', 'x', 'point_operator', 'A1', 'P1', :yes, :at), ('rev', 'x', 'agency_reviewer', 'A1',"
             " NULL, :yes, :at)")
    at = "2026-03-05 01:30:00"
    store.db.run(lambda conn: (conn.execute(sa.text(row), {"digest": "0" * 64, "at": at}),
                               conn.execute(sa.text(staff), {"yes": True, "at": at})))
    store.migrate()
    app = store.find_application(identity_key="C1")
    assert app is not None and app.values == {"cert_no": "C1", "id_no": "I1", "agency": "A1", "point": "P1",
                                              "email": "a@example.cn", "name": "王晓燕"}
    assert [(s.username, s.bound) for s in store.list_staff()] == [("op", "P1"), ("rev", "A1")]
    columns = {c["name"] for c in store.db.read(lambda conn: sa.inspect(conn).get_columns("applications"))}
    assert not columns & {"cert_no", "id_no", "email", "agency", "point"}
    if backend.kind == "postgresql":  # trust auth as superuser here: pg_trgm can be created
        indexes = {i["name"] for i in store.db.read(lambda conn: sa.inspect(conn).get_indexes("application_values"))}
        assert {TRIGRAM_INDEX, PREFIX_INDEX} <= indexes
    store.close()


def test_migrate__0009__staff_keep_bound_only_and_any_bound_answer_is_a_message_scope(backend: Backend) -> None:
    store = backend.open()
    migrations.upgrade(store.db, "0008")
    staff = ("INSERT INTO staff (username, password_hash, role, agency, point, bound, active, created_at)"
             " VALUES ('op', 'x', 'point_operator', 'A1', 'P1', NULL, :yes, :at),"
             " ('rev', 'x', 'agency_reviewer', 'A1', NULL, 'A1', :yes, :at)")
    message = "INSERT INTO messages (scope, target, author, body, created_at) VALUES ('point', 'P1', 1, 'm', :at)"
    at = "2026-03-05 01:30:00"
    store.db.run(lambda conn: (conn.execute(sa.text(staff), {"yes": True, "at": at}),
                               conn.execute(sa.text(message), {"at": at})))
    with pytest.raises(sa.exc.IntegrityError):     # before: only the first flow's two scopes
        store.db.run(lambda conn: conn.execute(sa.text(message.replace("'point'", "'event'")), {"at": at}))
    store.migrate()
    assert [(s.username, s.bound) for s in store.list_staff()] == [("op", "P1"), ("rev", "A1")]
    columns = {c["name"] for c in store.db.read(lambda conn: sa.inspect(conn).get_columns("staff"))}
    assert not columns & {"agency", "point"}
    author = store.find_staff("op").id
    store.post_message("event", "spring_concert", author, "any flow's bound answer")
    assert [m.body for m in store.messages_by_target("point", "P1")] == ["m"]
    with pytest.raises(sa.exc.IntegrityError):     # the table still refuses an empty scope
        store.db.run(lambda conn: conn.execute(sa.text(message.replace("'point'", "''")), {"at": at}))
    store.close()


def test_migrate__0010__versions_published_before_keep_no_catalogue_and_new_ones_share_one(backend: Backend) -> None:
    from datetime import datetime, timezone

    from store import flow_versions

    store = backend.open()
    migrations.upgrade(store.db, "0009")
    at = datetime(2026, 3, 1, tzinfo=timezone.utc)
    store.db.run(lambda conn: conn.execute(sa.text(
        "INSERT INTO flow_versions (digest, flow_id, version, text, published_at) "
        "VALUES ('d1', 'f', '1', 'flow: {}', :at)"), {"at": at.replace(tzinfo=None)}))
    store.migrate()
    assert flow_versions.by_digest(store, "d1").catalogue is None           # not recorded, not invented
    texts = {"b.key": "乙", "a.key": "甲"}
    for digest, version in (("d2", "2"), ("d3", "3")):
        assert flow_versions.publish(store, flow_id="f", version=version, digest=digest, text="flow: {}", at=at,
                                     messages=texts)
    d2, d3 = flow_versions.by_digest(store, "d2"), flow_versions.by_digest(store, "d3")
    assert d2.catalogue == d3.catalogue == flow_versions.catalogue_digest(dict(reversed(texts.items())))
    assert flow_versions.stored_messages(store, d2.catalogue) == texts
    assert store.db.read(lambda conn: conn.execute(sa.text("SELECT count(*) FROM flow_catalogues")).scalar()) == 1
    store.close()



def test_migrate__0012__after_an_interrupted_concurrent_build__the_prefix_key_index_is_rebuilt_valid(
        backend: Backend) -> None:
    prefix_key = importlib.import_module("store.migrations.versions.0012_name_prefix_key")
    store = backend.open()
    migrations.upgrade(store.db, "0011")
    if backend.kind == "postgresql":   # what an operator runs on a live database, outside a transaction
        with store.db.engine.connect() as conn:
            conn = conn.execution_options(isolation_level="AUTOCOMMIT")
            conn.exec_driver_sql(prefix_key.PREFIX_KEY_CONCURRENTLY)
            # as an interrupted CREATE INDEX CONCURRENTLY leaves it: there, but not valid
            conn.exec_driver_sql("UPDATE pg_index SET indisvalid = false "
                                 f"WHERE indexrelid = '{PREFIX_KEY_INDEX}'::regclass")
    store.migrate()
    assert store.schema_revision() == "0012"
    if backend.kind == "postgresql":
        valid = store.db.read(lambda conn: conn.exec_driver_sql(
            "SELECT i.indisvalid FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid "
            f"WHERE c.relname = '{PREFIX_KEY_INDEX}' AND c.relnamespace = current_schema()::regnamespace").all())
        assert valid == [(True,)]
    else:
        assert store.db.read(lambda conn: conn.exec_driver_sql(
            f"SELECT count(*) FROM sqlite_master WHERE name = '{PREFIX_KEY_INDEX}'").scalar()) == 1
    store.close()
