"""Staff work that does not read every application: each kind of search goes through its
index (the plan says so, on both databases), keyset pages cover every row exactly once,
and the export streams its rows from one server-side cursor. Timing is bench/scale.py's."""
from __future__ import annotations

import re
from typing import Any, Iterator

import psycopg.sql
import pytest
import sqlalchemy as sa

from store import Store
from store.applications import query_kind
from storetest import BACKENDS, Backend

ROWS = 20_000
POINTS = 64   # 16 agencies of 4 points, as bench/scale.py
SEARCH = {"exact": ["cert_no", "id_no", "email", "name", "point", "agency"], "contains": "name"}
SURNAMES, GIVEN = "王李张刘陈", "伟芳娜秀英敏静"
pytestmark = pytest.mark.xdist_group("store_staff_scale")   # one worker fills the shared databases once


def fill(store: Store, rows: int) -> None:
    """`rows` applications with kept values, made by the database (fast, no hashing)."""
    pg = store.dialect == "postgresql"
    series = ("generate_series(1, :n) s(g)" if pg else
              "(WITH RECURSIVE s(g) AS (SELECT 1 UNION ALL SELECT g + 1 FROM s WHERE g < :n) SELECT g FROM s) s")
    concat_name = (f"substr('{SURNAMES}', g % 5 + 1, 1) || substr('{GIVEN}', g / 5 % 7 + 1, 1)"
                   f" || substr('{GIVEN}', g / 35 % 7 + 1, 1)")
    pad = "lpad(CAST(g AS TEXT), 7, '0')" if pg else "substr('0000000' || g, -7)"
    now = "now()" if pg else "'2026-09-01T00:00:00+00:00'"

    def body(conn: sa.Connection) -> None:
        conn.execute(sa.text(
            "INSERT INTO applications (id, application_no, flow_id, flow_version, flow_digest, identity_key, "
            "status, status_data, answers, password_hash, row_version, created_at, updated_at) "
            f"SELECT g, 'TR2026' || {pad}, 'f', '1', 'd', 'C' || {pad}, "
            f"CASE WHEN g % 3 = 0 THEN 'confirmed' ELSE 'submitted' END, '{{}}', '{{}}', 'x', 1, {now}, {now} "
            f"FROM {series}"), {"n": rows})
        conn.execute(sa.text(
            "INSERT INTO application_values (application_id, field, value) "
            f"SELECT g, 'cert_no', 'C' || {pad} FROM {series} UNION ALL "
            f"SELECT g, 'id_no', '11010519491231' || {pad} FROM {series} UNION ALL "
            f"SELECT g, 'email', 'u' || g || '@example.cn' FROM {series} UNION ALL "
            f"SELECT g, 'name', {concat_name} FROM {series} UNION ALL "
            f"SELECT g, 'point', 'P' || (g % {POINTS}) FROM {series} UNION ALL "
            f"SELECT g, 'agency', 'A' || (g % {POINTS} / 4) FROM {series}"), {"n": rows})
    store.db.run(body)
    if not pg:   # ANALYZE is a write like any other on SQLite (the store's transactions hold it)
        store.db.run(lambda conn: conn.exec_driver_sql("ANALYZE"))
        store.db.engine.dispose()   # the statistics are read by each new connection
        return
    with store.db.engine.connect() as conn:   # as autovacuum leaves a table: visible, analysed
        conn.execution_options(isolation_level="AUTOCOMMIT").exec_driver_sql("VACUUM ANALYZE")


# What SQLite's ANALYZE writes of bench/scale.py's 200,000 applications (their kept values): its
# plans depend on these averages, which at that size rate a point (field, value) as two rows
STATS_200K = {"ix_application_values_field_prefix_key": "1200000 200000 2069 1 1",
              "ix_application_values_field_value_application_id": "1200000 200000 2 1",
              "sqlite_autoindex_application_values_1": "1200000 6 1"}


def as_at_200k(store: Store) -> None:
    """SQLite: plan as for 200,000 applications (read by each new connection)."""
    def body(conn: sa.Connection) -> None:
        for index, stat in STATS_200K.items():
            conn.execute(sa.text("UPDATE sqlite_stat1 SET stat = :stat WHERE idx = :index"),
                         {"stat": stat, "index": index})
    store.db.run(body)
    store.db.engine.dispose()


@pytest.fixture(scope="module", params=BACKENDS)
def filled(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Store]:
    """One filled database per backend, shared by the module's tests that only read (filling and
    analysing 20,000 applications takes seconds; SQLite's statistics then those of 200,000); a
    test that writes takes `filled_own`."""
    backend = Backend(request.param, tmp_path_factory.mktemp("scale"))
    store = backend.open()
    store.migrate()
    fill(store, ROWS)
    if store.dialect == "sqlite":
        as_at_200k(store)
    yield store
    store.close()
    backend.cleanup()


@pytest.fixture
def filled_own(store: Store) -> Store:
    fill(store, ROWS)
    return store


def plans_of(store: Store, call: Any, prepared: bool = False) -> list[str]:
    """The query plan of each statement `call` runs on the store (as it runs them). `prepared`
    (PostgreSQL): the plan of the statement prepared and run with its values, as the server
    keeps it: psycopg prepares a statement run five times on a connection, and PostgreSQL then
    plans it once for any values (its generic plan) when that looks as cheap, which a value
    bound as a parameter can make far from right for the values it is run with (issue 10)."""
    seen: list[tuple[str, Any]] = []

    def listen(conn: Any, cursor: Any, statement: str, parameters: Any, context: Any, executemany: bool) -> None:
        if statement.lstrip().upper().startswith("SELECT"):
            seen.append((statement, parameters))

    sa.event.listen(store.db.engine, "before_cursor_execute", listen)
    try:
        call()
    finally:
        sa.event.remove(store.db.engine, "before_cursor_execute", listen)
    prefix = "EXPLAIN " if store.dialect == "postgresql" else "EXPLAIN QUERY PLAN "

    def explain(conn: sa.Connection) -> list[str]:
        found = []
        for statement, parameters in seen:
            if prepared:
                rows = _generic_plan(conn, statement, parameters)
            else:
                rows = conn.exec_driver_sql(prefix + statement, parameters).all()
            found.append("\n".join(str(r[-1]) for r in rows))
        return found
    return store.db.read(explain)


def _generic_plan(conn: sa.Connection, statement: str, parameters: Any) -> list[Any]:
    """PostgreSQL's generic plan of `statement` (psycopg's %(name)s parameters), run with `parameters`."""
    names: list[str] = []

    def number(match: re.Match[str]) -> str:
        if match.group(1) not in names:
            names.append(match.group(1))
        return f"${names.index(match.group(1)) + 1}"
    numbered = re.sub(r"%\((\w+)\)s", number, statement).replace("%%", "%")
    conn.exec_driver_sql("SET LOCAL plan_cache_mode = force_generic_plan")
    types = ", ".join("bigint" if isinstance(parameters[name], int) else "text" for name in names)
    conn.exec_driver_sql(f"PREPARE plan_test{f'({types})' if names else ''} AS {numbered}".replace("%", "%%"), ())
    try:
        raw = conn.connection.dbapi_connection
        values = ", ".join(psycopg.sql.Literal(parameters[name]).as_string(raw) for name in names)
        return conn.exec_driver_sql(f"EXPLAIN EXECUTE plan_test{f'({values})' if names else ''}".replace("%", "%%"),
                                    ()).all()
    finally:
        conn.exec_driver_sql("DEALLOCATE plan_test")
        conn.exec_driver_sql("SET LOCAL plan_cache_mode = auto")


@pytest.fixture(params=["planned", "prepared"])
def plan_of(request: pytest.FixtureRequest, filled: Store) -> Any:
    """The plan of the first statement a call runs on `filled`: as planned for its values, and
    (PostgreSQL) as prepared, the plan a server keeps for a statement it has run often."""
    prepared = request.param == "prepared"
    if prepared and filled.dialect != "postgresql":
        pytest.skip("a generic plan is PostgreSQL's")
    return lambda call: plans_of(filled, call, prepared)[0]


KINDS = {  # text → the index its kind goes through (PostgreSQL; SQLite: the same b-tree ones)
    "tr20260000123": "ix_applications_application_no",
    "110105194912310000123": "ix_application_values_field_value_application_id",
    "C0000123": "ix_application_values_field_value_application_id",
    "u123@example.cn": "ix_application_values_field_value_application_id",
    "王芳": "ix_application_values_field_prefix_key",
    "王芳秀": "ix_application_values_value_trgm",
}


@pytest.mark.parametrize("listed", [False, True])
@pytest.mark.parametrize("text", list(KINDS))
def test_search__each_kind_of_query__through_its_index_not_a_scan(filled: Store, text: str, listed: bool, plan_of: Any) -> None:
    # whole records, or the columns the staff list shows (list_applications): the same plan
    search = filled.list_applications if listed else filled.search_applications
    found = search(text=text, limit=51, **SEARCH)
    assert found and all({text, text.upper()} & {a.application_no, *a.values.values()} or
                         a.values["name"].startswith(text) for a in found)
    plan = plan_of(lambda: search(text=text, limit=51, **SEARCH))
    if filled.dialect == "postgresql":
        assert "Seq Scan on applications" not in plan and "Seq Scan on application_values" not in plan, plan
        index = KINDS[text]
        assert any(f"{scan} {index}" in plan for scan in (
            "Bitmap Index Scan on", "Index Scan using", "Index Scan Backward using", "Index Only Scan using",
            "Index Only Scan Backward using")), plan
    else:
        assert "SCAN applications" not in plan and "SCAN application_values" not in plan, plan
        expected = ("INDEX" if query_kind(text) != "name" else "ix_application_values_field_prefix_key"
                    if len(text) == 2 else "ix_application_values_field_value_application_id")
        assert expected in plan, plan


@pytest.mark.parametrize("before", [None, 9000])
def test_search__a_names_first_two_characters__a_page_reads_a_page_in_id_order(filled: Store, before: Any, plan_of: Any) -> None:
    # 王伟 begins 1 name in 35 (20,000 rows: 571 matches): the index lists them in id order, so a
    # page of 51 reads 51 of them, not all of them and a sort
    call = lambda: filled.search_applications(text="王伟", limit=51, before=before, **SEARCH)  # noqa: E731
    found = call()
    assert len(found) == 51 and all(a.values["name"].startswith("王伟") for a in found)
    assert [a.id for a in found] == sorted((a.id for a in found), reverse=True)
    assert all(a.id < before for a in found) if before else found[0].id == max(
        n for n in range(1, ROWS + 1) if n % 5 == 0 and n // 5 % 7 == 0)
    plan = plan_of(call)
    if filled.dialect == "postgresql":
        assert "Sort" not in plan and "Seq Scan" not in plan, plan
        assert re.search(r"Index (Only )?Scan Backward using ix_application_values_field_prefix_key", plan), plan
    else:
        assert "TEMP B-TREE" not in plan and "SCAN applications" not in plan, plan
        assert "ix_application_values_field_prefix_key" in plan, plan


def test_search__a_part_of_a_name__from_three_characters_on_postgresql(filled_own: Store) -> None:
    filled = filled_own
    filled.db.run(lambda conn: conn.execute(sa.text(
        "UPDATE application_values SET value = '欧阳芳秀' WHERE application_id = 1 AND field = 'name'")))
    assert [a.id for a in filled.search_applications(text="欧阳", **SEARCH)] == [1]
    assert [a.id for a in filled.search_applications(text="阳芳", **SEARCH)] == []     # two: the beginning only
    assert [a.id for a in filled.search_applications(text="欧阳芳", **SEARCH)] == [1]  # the beginning, three
    assert [a.id for a in filled.search_applications(text="芳", **SEARCH)] == []       # one: the beginning only
    part = [a.id for a in filled.search_applications(text="阳芳秀", **SEARCH)]
    assert part == ([1] if filled.dialect == "postgresql" else [])


@pytest.mark.parametrize("listed", [False, True])
def test_search__a_names_first_two_characters_in_one_point__both_indexes_walked_in_id_order(
        filled: Store, listed: bool, plan_of: Any) -> None:
    # 王伟 in point P0: the name's prefix-key index and the point's (field, value, application_id)
    # index, both walked down in id order and merged, a page read after a page of each; no sort,
    # no scan of the applications (the staff list's columns or whole records: the same plan)
    search = filled.list_applications if listed else filled.search_applications
    call = lambda: search(text="王伟", where={"point": "P0"}, limit=51, **SEARCH)  # noqa: E731
    found = call()
    expected = [n for n in range(ROWS, 0, -1) if n % 5 == 0 and n // 5 % 7 == 0 and n % POINTS == 0][:51]
    assert [a.id for a in found] == expected and all(a.values["point"] == "P0" for a in found)
    plan = plan_of(call)
    if filled.dialect == "postgresql":
        assert "Sort" not in plan and "Seq Scan" not in plan, plan
        assert re.search(r"Index (Only )?Scan Backward using ix_application_values_field_prefix_key", plan), plan
        assert "ix_application_values_field_value_application_id" in plan, plan
    else:
        # SQLite walks the name's index in id order and probes the point per row (store.
        # applications._probed): its statistics would have it walk the whole point and sort
        assert "TEMP B-TREE" not in plan and "SCAN applications" not in plan, plan
        assert plan.splitlines()[0].startswith("SEARCH name_ USING COVERING INDEX ix_application_values_field_prefix_key"), plan
        assert "SEARCH scope_ USING INDEX sqlite_autoindex_application_values_1 (application_id=? AND field=?)" in plan, plan


@pytest.mark.parametrize("count", [False, True])
def test_search__a_number_in_a_scope__the_number_drives_the_scope_is_checked_per_match(
        filled: Store, count: bool, plan_of: Any) -> None:
    # 1 application in 20,000, its scope 1 in 64: joined to the scope, the plan would walk the
    # scope's whole index (a merge join in id order) for one row; probed per match it reads a few
    number, point = "110105194912310000123", f"P{123 % POINTS}"

    def call() -> Any:
        if count:
            return filled.count_applications(text=number, where={"point": point}, **SEARCH)
        return [a.id for a in filled.search_applications(text=number, where={"point": point}, limit=51, **SEARCH)]
    assert call() == (1 if count else [123])
    outside = {"point": f"P{124 % POINTS}"}
    assert filled.count_applications(text=number, where=outside, **SEARCH) == 0
    assert filled.search_applications(text=number, where=outside, **SEARCH) == []
    plan = plan_of(call)
    if filled.dialect == "postgresql":
        assert not re.search(r"(Merge|Hash)( Semi)? Join", plan), plan
        assert "SubPlan" in plan, plan
    else:
        assert "SCAN applications" not in plan and "SCAN application_values" not in plan, plan


def test_list__a_page_in_one_scope__reads_the_scope_index_in_order(filled: Store, plan_of: Any) -> None:
    plan = plan_of(lambda: filled.search_applications(where={"point": "P3"}, limit=51, before=9000))
    if filled.dialect == "postgresql":
        assert "Seq Scan" not in plan and "Sort" not in plan, plan
        assert "ix_application_values_field_value_application_id" in plan, plan
    else:
        assert "SCAN applications" not in plan and "TEMP B-TREE" not in plan, plan


@pytest.mark.parametrize("where", [None, {"agency": "A0"}, {"agency": "A0", "point": "P3"}])
def test_keyset_pages__every_row_exactly_once__forwards_and_back(store: Store, where: Any) -> None:
    fill(store, 333)
    expected = [a.id for a in store.search_applications(where=where, limit=10_000)]
    assert expected == sorted(expected, reverse=True) and expected
    pages: list[list[int]] = []
    before = None
    while True:
        page = [a.id for a in store.search_applications(where=where, limit=17, before=before)]
        if not page:
            break
        pages.append(page)
        before = page[-1]
    assert [i for p in pages for i in p] == expected and all(len(p) == 17 for p in pages[:-1])
    back: list[list[int]] = []
    after = pages[-1][0]
    back.append(pages[-1])
    while True:
        page = [a.id for a in store.search_applications(where=where, limit=17, after=after)]
        if not page:
            break
        assert page == sorted(page, reverse=True)
        back.insert(0, page)
        after = page[0]
    assert [i for p in back for i in p] == expected


def test_export_stream__one_statement__streamed_in_batches(store: Store, monkeypatch: Any) -> None:
    # PostgreSQL: one plain statement whose rows the server sends as it makes them, `batch` at a
    # time (psycopg's chunked rows, libpq 17; single rows before), read while they arrive: no
    # server-side cursor, whose FETCH round trips keep the server waiting on the client. SQLite
    # steps its cursor.
    fill(store, 1200)
    executed: list[str] = []

    def listen(conn: Any, cursor: Any, statement: str, parameters: Any, context: Any, executemany: bool) -> None:
        if "FROM applications" in statement or "FROM application_values" in statement:
            executed.append(statement)

    if store.dialect == "postgresql":
        import psycopg

        real = psycopg.Cursor.stream

        def stream(self: Any, query: Any, params: Any = None, **options: Any) -> Any:
            executed.append(f"stream {options.get('size')}: {query}")
            return real(self, query, params, **options)
        monkeypatch.setattr(psycopg.Cursor, "stream", stream)
    sa.event.listen(store.db.engine, "before_cursor_execute", listen)
    try:
        rows = store.stream_applications(where={"point": "P3"}, batch=100)
        assert iter(rows) is rows                       # an iterator, not a list
        first = next(rows)
        assert len(executed) == 1                       # the first row came before the others were read
        if store.dialect == "postgresql":
            import psycopg

            size = 100 if psycopg.pq.version() >= 170000 else 1
            assert executed[0].startswith(f"stream {size}: SELECT"), executed[0]
        rest = list(rows)
    finally:
        rows.close()
        sa.event.remove(store.db.engine, "before_cursor_execute", listen)
    assert len(executed) == 1                           # one query for every row and its values
    everything = [first, *rest]
    listed = store.search_applications(where={"point": "P3"}, limit=5000)
    assert everything == listed                         # the same records, values and times included
    assert all(a.values["point"] == "P3" and a.values["cert_no"] == a.identity_key for a in everything)
    assert everything[0].created_at.tzinfo is not None


def test_export_stream__left_early__the_connection_is_fine_for_the_next_caller(store: Store) -> None:
    fill(store, 1200)
    rows = store.stream_applications(batch=100)
    assert [next(rows) for _ in range(3)]
    rows.close()                                        # a client that went away mid-file
    assert store.count_applications(where={"point": "P3"}) == len(
        list(store.stream_applications(where={"point": "P3"})))
    assert store.get_application(7) is not None


@pytest.mark.parametrize("count", ["by_status", "by_value"])
def test_counts_in_a_scope__from_the_indexes_not_a_scan(filled: Store, count: str, plan_of: Any) -> None:
    call = ((lambda: filled.count_by_status(where={"agency": "A3"})) if count == "by_status"
            else (lambda: filled.count_by_value("point", where={"agency": "A3"})))
    found = call()
    assert sum(found.values()) == sum(1 for n in range(1, ROWS + 1) if n % POINTS // 4 == 3)
    plan = plan_of(call)
    if filled.dialect == "postgresql":
        assert "Seq Scan" not in plan, plan
        assert "ix_application_values_field_value_application_id" in plan, plan
    else:
        assert "SCAN applications" not in plan and "SCAN application_values" not in plan, plan
        assert "COVERING INDEX ix_application_values_field_value_application_id" in plan, plan


@pytest.mark.parametrize("where", [None, {"point": "P0"}, {"agency": "A0", "point": "P0"}])
def test_count__a_names_first_two_characters__from_the_indexes_alone(filled: Store, where: Any, plan_of: Any) -> None:
    call = lambda: filled.count_applications(text="王伟", where=where, **SEARCH)  # noqa: E731
    in_scope = {"P0": lambda n: n % POINTS == 0, None: lambda n: True}[(where or {}).get("point")]
    assert call() == sum(1 for n in range(1, ROWS + 1) if n % 5 == 0 and n // 5 % 7 == 0 and in_scope(n))
    assert call() == len(filled.search_applications(text="王伟", where=where, limit=ROWS, **SEARCH))
    plan = plan_of(call)
    if filled.dialect == "postgresql":
        assert "on applications" not in plan and "Seq Scan" not in plan, plan
        assert "Index Only Scan using ix_application_values_field_prefix_key" in plan, plan
    else:
        assert "applications" not in plan.replace("application_values", ""), plan
        assert "COVERING INDEX ix_application_values_field_prefix_key" in plan, plan
