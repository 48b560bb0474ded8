"""The staff counts' tallies (store/tallies.py): after any sequence of creates, amendments of a
tallied answer and status moves, on both databases, and with several writers at once on
PostgreSQL, every tally equals a GROUP BY recount; the counts read the tallies; the revision
backfills them; `shenbao store recount` finds and mends a drift."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone
from functools import partial
from typing import Any

import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings, strategies as st

from commands.cli import main as cli_main
from shenbao.applications import bound_answers, tallied
from store.applications import name_key
from shenbao.flows import read_flow
from shenbao.paths import DEFAULT_FLOW
from store import Numbering, StaleWrite, Store
from store import migrate as migrations
from storetest import Backend
from together import run_together

FLOW = read_flow(DEFAULT_FLOW)
BOUND = bound_answers(FLOW)                 # the answers the teacher flow's roles bind through
NAME = FLOW.application.display_name
TALLIED = tallied(FLOW)                     # those and the display name's first two characters
FIELDS = [*BOUND, NAME]                     # the kept answers they are made from
STATUSES = list(FLOW.statuses)
NOW = datetime(2026, 3, 5, 9, 30, tzinfo=timezone(timedelta(hours=8)))
NUMBERING = Numbering("TR", True, 6)
# a few rows per tallied answer, so values repeat and pairs cross (two names share their beginning)
VALUES = {**{f: [f"{f[:2]}{i}" for i in range(3)] for f in BOUND}, NAME: ["王伟芳", "王伟", "李娜"]}


def create(store: Store, n: int, status: str, values: dict[str, str]) -> Any:
    return store.create_application(
        flow_id=FLOW.id, flow_version=FLOW.version, flow_digest=FLOW.digest, identity_key=f"K{n}",
        numbering=NUMBERING, status=status, answers={}, password="x",
        values={"cert_no": f"C{n}", **values}, now=NOW)


def recount_is_clean(store: Store) -> None:
    assert store.recount_tallies() == {}
    # and what the pages read from them equals what a count says
    counted = {f: _counted_by(store, f) for f in FIELDS}
    for field in FIELDS:
        assert store.count_by_value(field) == counted[field]
    assert store.count_by_status() == _counted_status(store)
    # a two-character name search's total, alone and in each scope, from the tallies
    for (value, _status) in counted[NAME]:
        for scope in [{}, *({f: v} for f in BOUND for v in VALUES[f])]:
            assert store.count_applications(where=scope, text=value[:2], contains=NAME) == _named(store, value[:2], scope)


def _named(store: Store, beginning: str, scope: dict[str, str]) -> int:
    """The applications whose name begins with `beginning` within `scope`, counted row by row."""
    return sum(1 for app in store.search_applications(where=scope, limit=10_000)
               if app.values.get(NAME, "").startswith(beginning))


def _counted_status(store: Store) -> dict[str, int]:
    query = sa.text("SELECT status, count(*) FROM applications GROUP BY status")
    return store.db.read(lambda conn: {s: int(n) for s, n in conn.execute(query)})


def _counted_by(store: Store, field: str) -> dict[tuple[str, str], int]:
    query = sa.text("SELECT v.value, a.status, count(*) FROM application_values v JOIN applications a "
                    "ON a.id = v.application_id WHERE v.field = :f GROUP BY v.value, a.status")
    return store.db.read(lambda conn: {(v, s): int(n) for v, s, n in conn.execute(query, {"f": field})})


def test_flow__binds_through_two_answers__both_tallied_with_the_names_beginning() -> None:
    assert len(BOUND) == 2 and all(FLOW.fields[f] for f in BOUND)
    assert TALLIED == [*BOUND, name_key(NAME)] and name_key(NAME) == "name:2"


operation = st.one_of(
    st.tuples(st.just("create"), st.sampled_from(STATUSES),
              st.fixed_dictionaries({f: st.sampled_from(VALUES[f] + [""]) for f in FIELDS})),
    st.tuples(st.just("amend"), st.integers(0, 30),
              st.fixed_dictionaries({f: st.sampled_from(VALUES[f] + [""]) for f in FIELDS})),
    st.tuples(st.just("move"), st.integers(0, 30), st.sampled_from(STATUSES)),
    st.tuples(st.just("both"), st.integers(0, 30), st.sampled_from(STATUSES)),
)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(steps=st.lists(operation, min_size=1, max_size=25))
def test_tallies__any_sequence_of_creates_amendments_and_moves__equal_a_recount(store: Store, steps: list) -> None:
    store.sync_tallies(TALLIED)
    made: list[Any] = []
    for kind, which, what in steps:
        if kind == "create":
            made.append(create(store, store.count_applications() + 1, which, {k: v for k, v in what.items() if v}))
            continue
        if not made:
            continue
        app = store.get_application(made[which % len(made)].id)
        if kind == "amend":   # the bound answers change (one may be emptied), the others stay
            values = {**{k: v for k, v in app.values.items() if k not in FIELDS}, **what}
            store.update_application(app.id, app.row_version, values=values)
        elif kind == "move":
            store.update_application(app.id, app.row_version, status=what)
        else:
            moved = {**app.values, FIELDS[0]: VALUES[FIELDS[0]][len(made) % 3]}
            store.update_application(app.id, app.row_version, status=what, values=moved)
    recount_is_clean(store)


def test_tallies__a_stale_write__changes_no_tally(store: Store) -> None:
    store.sync_tallies(TALLIED)
    app = create(store, 1, STATUSES[0], {f: VALUES[f][0] for f in FIELDS})
    store.update_application(app.id, app.row_version, status=STATUSES[1])
    with pytest.raises(StaleWrite):
        store.update_application(app.id, app.row_version, status=STATUSES[2])
    recount_is_clean(store)
    assert store.count_by_status() == {STATUSES[1]: 1}


def test_a_names_total__after_a_move_and_a_rename__follows_the_application(store: Store) -> None:
    store.sync_tallies(TALLIED)
    point = BOUND[1]
    there, elsewhere = VALUES[point][0], VALUES[point][1]
    app = create(store, 1, STATUSES[0], {point: there, NAME: "王伟芳"})
    create(store, 2, STATUSES[0], {point: elsewhere, NAME: "王伟"})

    def total(where: dict[str, str], text: str = "王伟") -> int:
        return store.count_applications(where=where, text=text, contains=NAME)
    assert (total({point: there}), total({point: elsewhere}), total({})) == (1, 1, 2)
    app = store.update_application(app.id, app.row_version, values={**app.values, point: elsewhere})
    assert (total({point: there}), total({point: elsewhere}), total({})) == (0, 2, 2)
    store.update_application(app.id, app.row_version, status=STATUSES[1], values={**app.values, NAME: "李娜"})
    assert (total({point: elsewhere}), total({point: elsewhere}, "李娜"), total({}, "李娜")) == (1, 1, 1)
    recount_is_clean(store)


def test_sync_tallies__a_new_set__rebuilds_and_an_equal_one_does_nothing(store: Store) -> None:
    for n in range(6):
        create(store, n, STATUSES[n % 2], {f: VALUES[f][n % 3] for f in FIELDS})
    assert store.sync_tallies(TALLIED) is True
    recount_is_clean(store)
    assert store.sync_tallies(list(reversed(TALLIED))) is False
    assert store.sync_tallies(TALLIED[:1]) is True
    assert store.tallied_fields() == frozenset(TALLIED[:1])
    assert store.recount_tallies() == {}


def test_counts__scope_and_status__read_only_the_tallies(store: Store) -> None:
    store.sync_tallies(TALLIED)
    for n in range(12):
        create(store, n, STATUSES[n % 3], {f: VALUES[f][n % 3] for f in FIELDS})
    first, second = BOUND
    one = {first: VALUES[first][1]}
    both = {first: VALUES[first][1], second: VALUES[second][1]}
    calls = {
        "home, all": lambda: (store.count_by_status(), store.count_by_value(first)),
        "home, in one scope": lambda: (store.count_by_status(where=one), store.count_by_value(second, where=one)),
        "list total": lambda: (store.count_applications(where=both, status=STATUSES[1]),
                               store.count_applications(where=one)),
        "a two-character name's total": lambda: (
            store.count_applications(text=" 王伟 ", contains=NAME, exact=["cert_no"]),
            store.count_applications(where=one, text="王伟", contains=NAME, status=STATUSES[1])),
    }
    expected = {label: call() for label, call in calls.items()}
    seen: list[str] = []
    sa.event.listen(store.db.engine, "before_cursor_execute", lambda *a: a[2] != "BEGIN" and seen.append(a[2]))
    for label, call in calls.items():
        seen.clear()
        assert call() == expected[label]
        assert seen and all("application_tallies" in s and "FROM applications" not in s
                            and "application_values" not in s for s in seen), (label, seen)
    assert store.count_applications(where=one) == 4 and store.count_applications(where=both, status=STATUSES[1]) == 4
    assert expected["a two-character name's total"] == (8, 4)
    # a search (text) is counted, not tallied
    seen.clear()
    assert store.count_applications(where=one, text="C1", exact=["cert_no"]) == 1
    assert any("FROM applications" in s for s in seen)


def test_migrate__0011__backfills_the_counts_of_a_database_at_0010(backend: Backend) -> None:
    store = backend.open()
    migrations.upgrade(store.db, "0010")
    at = "2026-03-05 01:30:00"
    apps = [(n, STATUSES[n % 3], {f: VALUES[f][n % 2] for f in FIELDS}) for n in range(1, 8)]

    def fill(conn: sa.Connection) -> None:
        for n, status, values in apps:
            conn.execute(sa.text(
                "INSERT INTO applications (id, application_no, flow_id, flow_version, flow_digest, identity_key,"
                " status, status_data, answers, password_hash, row_version, created_at, updated_at)"
                " VALUES (:n, :no, 'f', '1', :digest, :key, :status, '{}', '{}', 'x', 1, :at, :at)"),
                {"n": n, "no": f"TR{n}", "digest": "0" * 64, "key": f"K{n}", "status": status, "at": at})
            for field, value in {"cert_no": f"C{n}", **values}.items():
                conn.execute(sa.text("INSERT INTO application_values VALUES (:n, :f, :v)"),
                             {"n": n, "f": field, "v": value})
    store.db.run(fill)
    store.migrate()
    assert store.schema_revision() == migrations.head()
    assert store.tallied_fields() == frozenset()
    assert store.recount_tallies() == {}
    assert store.count_by_status() == {s: sum(1 for _n, st_, _v in apps if st_ == s) for s in STATUSES[:3]}
    assert store.sync_tallies(TALLIED) is True      # the flow names what else to count by
    recount_is_clean(store)
    store.close()


def test_recount__a_drift__is_found_and_fixed_by_the_command(backend: Backend, capsys: Any) -> None:
    store = backend.open()
    store.migrate()
    store.sync_tallies(TALLIED)
    app = create(store, 1, STATUSES[0], {f: VALUES[f][0] for f in FIELDS})
    store.db.run(lambda conn: conn.execute(sa.text("UPDATE applications SET status = :s WHERE id = :id"),
                                           {"s": STATUSES[1], "id": app.id}))   # around the store
    url = store.db.engine.url
    if backend.kind == "postgresql":   # the command opens its own store: in this test's schema
        url = url.update_query_dict({"options": f"-csearch_path={backend.schemas[0]}"})
    url = url.render_as_string(hide_password=False)
    drift = store.recount_tallies()
    # every row of the old status and of the new: 1 + k + k(k-1) each
    assert len(drift) == 2 * (1 + len(TALLIED) + len(TALLIED) * (len(TALLIED) - 1))
    assert cli_main(["store", "recount", "--database", url]) == 1
    assert f"{STATUSES[0]}: 1 → 0" in capsys.readouterr().out
    assert cli_main(["store", "recount", "--fix", "--database", url]) == 0
    assert cli_main(["store", "recount", "--database", url]) == 0
    assert "agree" in capsys.readouterr().out
    recount_is_clean(store)
    store.close()


def test_tallies__many_writers_at_once_on_postgresql__equal_a_recount(backend: Backend) -> None:
    if backend.kind != "postgresql":
        pytest.skip("SQLite has one writer at a time")
    store = backend.open(pool_size=12, retry_for=60)
    store.migrate()
    store.sync_tallies(TALLIED)

    def writer(t: int) -> None:
        for i in range(12):
            n = t * 100 + i
            app = create(store, n, STATUSES[0], {f: VALUES[f][(n + j) % 3] for j, f in enumerate(FIELDS)})
            for status in STATUSES[1:3]:
                app = store.update_application(app.id, app.row_version, status=status)
            if i % 3 == 0:   # and move it to another row of the first tallied answer
                store.update_application(app.id, app.row_version,
                                         values={**app.values, FIELDS[0]: VALUES[FIELDS[0]][t % 3]})

    run_together(*(partial(writer, t) for t in range(6)))
    assert store.count_applications() == 72
    recount_is_clean(store)
    store.close()
