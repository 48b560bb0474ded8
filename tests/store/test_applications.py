"""Applications: numbering, uniqueness, optimistic locking, search, passwords, audit."""
from __future__ import annotations

import threading
from datetime import date, datetime, timedelta, timezone
from functools import partial
from typing import Any

import pytest
import sqlalchemy as sa

from store import AuditEntry, Duplicate, NotFound, Numbering, StaleWrite, Store, StoreError
from storetest import Backend
from together import run_together

NOW = datetime(2026, 3, 5, 9, 30, tzinfo=timezone(timedelta(hours=8)))
DIGEST = "ab" * 32


NUMBERING = Numbering("TR", True, 6)
# The kept (searchable) values of these tests, with the identity key being the certificate.
KEPT = ("cert_no", "id_no", "agency", "point", "email")


def new_application(store: Store, cert_no: str = "20071110822001207",
                    id_no: str = "110108198504120144", **extra: Any):
    values = {"cert_no": cert_no, "id_no": id_no, "agency": "bj_haidian", "point": "bj_haidian_jinxiu",
              "email": "a@example.cn"}
    values.update({k: extra.pop(k) for k in KEPT if k in extra})
    answers = extra.pop("answers", {"name": "王晓燕", "graduation_date": date(2007, 7, 1)})
    fields: dict[str, Any] = dict(
        flow_id="teacher_registration", flow_version="2026.1", flow_digest=DIGEST, identity_key=cert_no,
        numbering=NUMBERING, status="submitted", password="Secret#2026", answers=answers,
        values={**values, "name": answers.get("name")}, now=NOW)
    fields.update(extra)
    return store.create_application(**fields)


def test_create__first_of_the_year__is_numbered_tr_year_000001(store: Store) -> None:
    app = new_application(store)
    assert app.application_no == "TR2026000001"
    assert app.row_version == 1
    assert app.answers == {"name": "王晓燕", "graduation_date": "2007-07-01"}
    assert app.created_at == NOW
    assert store.get_application(app.id) == app
    assert store.find_application(values={"cert_no": "20071110822001207", "id_no": "110108198504120144"}) == app
    assert store.find_application(values={"cert_no": "20071110822001207", "id_no": "110105194912310020"}) is None
    assert store.find_application(identity_key="20071110822001207") == app
    assert app.values["id_no"] == "110108198504120144"


def test_create__same_certificate_twice__is_refused_as_duplicate(store: Store) -> None:
    new_application(store)
    with pytest.raises(Duplicate) as caught:
        new_application(store, id_no="other")
    assert caught.value.code == "STORE_APPLICATION_EXISTS"
    assert store.count_applications() == 1


def test_create__takes_the_number_last__its_counter_row_is_locked_only_for_the_commit(store: Store) -> None:
    """Every submission of a series waits for the counter row another holds until it commits:
    numbering first made a burst of submissions queue behind each other's whole transaction
    (issue 10, bench/load.py). After the number only the application's own row is written."""
    sent: list[str] = []

    def seen(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        sent.append(" ".join(statement.split()))

    sa.event.listen(store.db.engine, "before_cursor_execute", seen)
    try:
        new_application(store)
    finally:
        sa.event.remove(store.db.engine, "before_cursor_execute", seen)
    counter = next(i for i, s in enumerate(sent) if "counters" in s)
    commit = next((i for i, s in enumerate(sent) if i > counter and s.startswith(("COMMIT", "BEGIN", "SELECT"))),
                  len(sent))  # SQLite commits without a statement; the record is read after it
    assert [s.split(" SET ")[0] for s in sent[counter + 1:commit]] == ["UPDATE applications"], sent[counter:]
    assert new_application(store, cert_no="2", id_no="2").application_no == "TR2026000002"


def test_create__twenty_threads_at_once__get_distinct_consecutive_numbers(backend: Backend) -> None:
    store = backend.open(pool_size=20, retry_for=30)
    store.migrate()
    numbers: list[str] = []
    start = threading.Barrier(20)

    def create(index: int) -> None:
        start.wait()
        numbers.append(new_application(store, cert_no=f"C{index:04d}").application_no)

    try:
        run_together(*(partial(create, i) for i in range(20)))
    finally:
        store.close()
    assert sorted(numbers) == [f"TR2026{n:06d}" for n in range(1, 21)]


def test_create__number_follows_the_year_of_now(store: Store) -> None:
    new_application(store)
    later = new_application(store, cert_no="X2", now=datetime(2027, 1, 1, 0, 5, tzinfo=NOW.tzinfo))
    assert later.application_no == "TR2027000001"


def test_update__with_current_row_version__applies_and_bumps_it(store: Store) -> None:
    app = new_application(store)
    updated = store.update_application(app.id, 1, values={**app.values, "point": "bj_haidian_preschool"},
                                       answers={**app.answers, "major": "数学"},
                                       now=NOW + timedelta(minutes=5))
    assert (updated.row_version, updated.values["point"]) == (2, "bj_haidian_preschool")
    assert updated.values["cert_no"] == app.values["cert_no"]
    assert updated.answers["major"] == "数学"
    assert updated.updated_at == NOW + timedelta(minutes=5)


def test_update__second_tab_with_old_row_version__is_refused_as_stale(store: Store) -> None:
    app = new_application(store)
    store.update_application(app.id, app.row_version, values={**app.values, "email": "first@example.cn"})
    with pytest.raises(StaleWrite):
        store.update_application(app.id, app.row_version, values={**app.values, "email": "second@example.cn"})
    assert store.get_application(app.id).values["email"] == "first@example.cn"


def test_update__unknown_field_or_missing_row__is_refused(store: Store) -> None:
    app = new_application(store)
    with pytest.raises(StoreError) as caught:
        store.update_application(app.id, 1, password_hash="x")
    assert caught.value.code == "STORE_UNKNOWN_FIELD"
    with pytest.raises(NotFound):
        store.update_application(app.id + 100, 1, status="confirmed")


def test_update__cert_no_of_another_application__is_refused_as_duplicate(store: Store) -> None:
    new_application(store)
    other = new_application(store, cert_no="X2")
    with pytest.raises(Duplicate):
        store.update_application(other.id, 1, identity_key="20071110822001207")


def test_update__with_audit__writes_status_change_in_same_transaction(store: Store) -> None:
    app = new_application(store, audit=AuditEntry(actor="applicant", action="create"))
    store.update_application(app.id, 1, status="materials_incomplete",
                             status_data={"missing_materials": ["contract"]},
                             audit=AuditEntry(actor="staff:7", action="transition"))
    trail = store.audit_for(app.id)
    assert [(e.action, e.from_status, e.to_status) for e in trail] == [
        ("create", None, None), ("transition", "submitted", "materials_incomplete")]
    assert store.get_application(app.id).status_data == {"missing_materials": ["contract"]}
    with pytest.raises(StaleWrite):
        store.update_application(app.id, 1, status="confirmed",
                                 audit=AuditEntry(actor="staff:7", action="transition"))
    assert len(store.audit_for(app.id)) == 2


def test_passwords__stored_as_argon2id_and_checked(store: Store) -> None:
    app = new_application(store)
    stored = store.db.read(lambda c: c.execute(sa.text(
        "SELECT password_hash FROM applications")).scalar())
    assert stored.startswith("$argon2id$")
    assert store.check_application_password(app.id, "Secret#2026")
    assert not store.check_application_password(app.id, "wrong")
    store.set_application_password(app.id, "Other#2027")
    assert store.check_application_password(app.id, "Other#2027")
    assert store.get_application(app.id).row_version == 1


SEARCH = {"exact": ("cert_no", "id_no"), "contains": "name"}


def test_search__by_numbers_name_and_scope(store: Store) -> None:
    a = new_application(store)
    b = new_application(store, cert_no="964410641191263", id_no="440524188001010014",
                        agency="gz_tianhe", point="gz_1", answers={"name": "黄伯庸"})
    c = new_application(store, cert_no="X3", id_no="11010519491231002X",
                        answers={"name": "%_王"})
    store.update_application(c.id, 1, status="confirmed")
    assert [x.id for x in store.search_applications()] == [c.id, b.id, a.id]
    assert [x.id for x in store.search_applications(text="tr2026000002", **SEARCH)] == [b.id]
    assert [x.id for x in store.search_applications(text="11010519491231002x", **SEARCH)] == [c.id]
    assert [x.id for x in store.search_applications(text="964410641191263", **SEARCH)] == [b.id]
    # a name by its beginning (a surname); on PostgreSQL from three characters also by a part
    assert [x.id for x in store.search_applications(text="黄伯", **SEARCH)] == [b.id]
    assert [x.id for x in store.search_applications(text="伯庸", **SEARCH)] == []
    assert [x.id for x in store.search_applications(text="王", **SEARCH)] == [a.id]
    assert [x.id for x in store.search_applications(text="%", **SEARCH)] == [c.id]
    assert [x.id for x in store.search_applications(text="%_", **SEARCH)] == [c.id]
    assert [x.id for x in store.search_applications(text="_王", **SEARCH)] == []
    assert [x.id for x in store.search_applications(text="晓燕", **SEARCH)] == []
    assert [x.id for x in store.search_applications(text="黄伯庸", **SEARCH)] == [b.id]
    assert [x.id for x in store.search_applications(text="王晓燕", **SEARCH)] == [a.id]
    assert [x.id for x in store.search_applications(where={"agency": "bj_haidian"}, status="submitted")] == [a.id]
    assert [x.id for x in store.search_applications(limit=1, offset=1)] == [b.id]
    assert store.count_applications(where={"agency": "bj_haidian"}) == 2
    assert store.count_by_status() == {"submitted": 2, "confirmed": 1}
    assert store.count_by_status(where={"agency": "bj_haidian"}) == {"submitted": 1, "confirmed": 1}
    assert store.count_by_status(where={"point": "gz_1"}) == {"submitted": 1}


@pytest.mark.parametrize("name", ["O'王", "王'--", "王\\x", "王\\'", "王%/_", "王/%", "'; DROP TABLE applications; --"])
def test_search__quotes_backslashes_and_like_signs__found_as_typed_never_run_as_sql(store: Store, name: str) -> None:
    # a search's values are written into its statement (store.applications.known): quoted by
    # the dialect, every character is the character typed, in each kind of name search
    other = new_application(store, answers={"name": "王伟"})
    target = new_application(store, cert_no="964410641191263", id_no="440524188001010014", point="gz_1",
                             agency="gz_tianhe", answers={"name": name})
    for text in dict.fromkeys([name[:2], name[:3], name]):
        for where in (None, {"point": "gz_1"}):
            found = store.list_applications(text=text, where=where, **SEARCH)
            assert target.id in [x.id for x in found] and other.id not in [x.id for x in found], (text, where)
            assert store.count_applications(text=text, where=where, **SEARCH) == len(found)
    assert [x.id for x in store.list_applications(where={"point": name})] == []
    assert store.count_by_status() == {"submitted": 2}


def test_search__a_nul_character__refused_before_any_sql(store: Store) -> None:
    # libpq ends a statement's text at a NUL; the web refuses one as input (renderers/web/inputs.py)
    new_application(store)
    for query in ({"text": "王\x00"}, {"text": "1\x00"}, {"where": {"point": "p\x00"}}):
        with pytest.raises(ValueError):
            store.list_applications(**query, **SEARCH)
    assert len(store.list_applications(**SEARCH)) == 1


def test_list__the_search_s_rows_as_a_list_shows_them__kept_values_no_answers(store: Store) -> None:
    a = new_application(store)
    b = new_application(store, cert_no="964410641191263", id_no="440524188001010014",
                        agency="gz_tianhe", point="gz_1", answers={"name": "黄伯庸", "age": 41})
    c = new_application(store, cert_no="X3", id_no="11010519491231002X", answers={"name": "王伯"})
    store.update_application(c.id, 1, status="confirmed")
    for query in ({}, {"text": "王", **SEARCH}, {"text": "黄伯", **SEARCH}, {"text": "964410641191263", **SEARCH},
                  {"where": {"agency": "bj_haidian"}}, {"limit": 1, "before": c.id}, {"limit": 1, "after": a.id},
                  {"where": {"agency": "bj_haidian"}, "status": "confirmed"}):
        full = store.search_applications(**query)
        listed = store.list_applications(**query)
        assert [x.id for x in listed] == [x.id for x in full] and full, query
        for record, row in zip(full, listed):
            assert (row.application_no, row.flow_digest, row.status, row.updated_at, row.values) == (
                record.application_no, record.flow_digest, record.status, record.updated_at, record.values)
            assert not hasattr(row, "answers") and row.values["name"] == record.answers["name"]


def test_photo__kept_apart_from_the_record(store: Store) -> None:
    app = new_application(store, photo=b"\xff\xd8jpeg")
    assert store.get_application_photo(app.id) == b"\xff\xd8jpeg"
    store.update_application(app.id, 1, photo=b"\xff\xd8new")
    assert store.get_application_photo(app.id) == b"\xff\xd8new"


def test_audit__has_no_update_or_delete_path(store: Store) -> None:
    entry_id = store.audit("admin", "import", data={"rows": 3}, now=NOW)
    assert not [n for n in dir(store) if "audit" in n and
                any(w in n for w in ("update", "delete", "remove", "edit", "purge", "clear"))]
    for statement in ("UPDATE audit_log SET actor = 'x'", "DELETE FROM audit_log"):
        with pytest.raises(sa.exc.DBAPIError) as caught:
            store.db.run(lambda conn, s=statement: conn.execute(sa.text(s)))
        assert "AUDIT_APPEND_ONLY" in str(caught.value)
    rows = store.db.read(lambda c: c.execute(sa.text("SELECT id, actor FROM audit_log")).all())
    assert [tuple(r) for r in rows] == [(entry_id, "admin")]


def test_audit__existing_row_cannot_be_replaced_by_an_insert(store: Store, backend: Backend) -> None:
    """SQLite's INSERT OR REPLACE deletes the old row without firing DELETE triggers;
    PostgreSQL's ON CONFLICT DO UPDATE is an update. Both are refused."""
    entry_id = store.audit("admin", "import", data={"rows": 3}, now=NOW)
    columns = "(id, at, actor, action) VALUES (:id, :at, 'intruder', 'forged')"
    statements = ([f"INSERT OR REPLACE INTO audit_log {columns}", f"REPLACE INTO audit_log {columns}",
                   f"INSERT INTO audit_log {columns} ON CONFLICT(id) DO UPDATE SET actor = 'intruder'"]
                  if backend.kind == "sqlite" else
                  [f"INSERT INTO audit_log {columns} ON CONFLICT (id) DO UPDATE SET actor = 'intruder'",
                   f"INSERT INTO audit_log {columns} ON CONFLICT (id) DO UPDATE SET actor = EXCLUDED.actor"])
    for statement in statements:
        with pytest.raises(sa.exc.DBAPIError) as caught:
            store.db.run(lambda conn, s=statement: conn.execute(sa.text(s), {"id": entry_id, "at": NOW}))
        assert "AUDIT_APPEND_ONLY" in str(caught.value)
    rows = store.db.read(lambda c: c.execute(sa.text("SELECT id, actor FROM audit_log")).all())
    assert [tuple(r) for r in rows] == [(entry_id, "admin")]
    assert store.audit("admin", "import", now=NOW) > entry_id   # new rows still go in


def test_create__numbering_without_year__is_prefix_and_digits(store: Store) -> None:
    first = new_application(store, numbering=Numbering("EV", False, 5))
    second = new_application(store, cert_no="X2", numbering=Numbering("EV", False, 5))
    assert (first.application_no, second.application_no) == ("EV00001", "EV00002")


def test_values__count_by_kept_value_and_status(store: Store) -> None:
    a = new_application(store)
    new_application(store, cert_no="X2", point="gz_1")
    store.update_application(a.id, 1, status="confirmed")
    assert store.count_by_value("point") == {("bj_haidian_jinxiu", "confirmed"): 1, ("gz_1", "submitted"): 1}
    assert store.count_by_value("point", where={"agency": "bj_haidian"}) == {
        ("bj_haidian_jinxiu", "confirmed"): 1, ("gz_1", "submitted"): 1}
    assert store.count_by_value("point", where={"point": "gz_1"}) == {("gz_1", "submitted"): 1}
