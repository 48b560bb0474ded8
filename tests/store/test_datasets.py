"""Reference datasets: table sync, rows(match), the cache, staff edits."""
from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pytest
import sqlalchemy as sa

from store import Duplicate, NotFound, Store, StoreError, import_file, load_demo
from storetest import DS, FLOW, Backend, flow_datasets, flow_index_columns
from test_applications import new_application

FIXTURES = Path(__file__).resolve().parent / "fixtures"


def _indexed_columns(store: Store, table: str) -> set[tuple[str, ...]]:
    return store.db.read(lambda c: {tuple(i["column_names"]) for i in sa.inspect(c).get_indexes(table)})


def test_sync__creates_tables_indexes_then_leaves_them(synced: Store) -> None:
    again = synced.sync_datasets(flow_datasets(), flow_index_columns())
    assert set(again.actions.values()) == {"unchanged", "builtin"}
    assert again.actions["applications"] == "builtin"
    assert ("agency",) in _indexed_columns(synced, "ds_points")
    # certificates are matched on (cert_no, id_no): the unique key index serves the lookup.
    indexes = synced.db.read(lambda c: sa.inspect(c).get_indexes("ds_certificates"))
    assert sorted((i["column_names"], bool(i["unique"])) for i in indexes) == [
        (["cert_no", "id_no"], True), (["id_no"], False)]


def test_sync__changed_columns__recreate_the_table_empty(synced: Store) -> None:
    datasets = flow_datasets()
    import_file(synced, datasets, "points", FIXTURES / "points_bom.csv")
    changed = {"points": DS({**datasets["points"].columns, "capacity": "number"}, ("code",))}
    assert synced.sync_datasets(changed).actions == {"points": "recreated"}
    assert synced.rows("points", {}) == []
    assert "capacity" in synced.db.read(lambda c: [x["name"] for x in sa.inspect(c).get_columns("ds_points")])


def test_sync__new_lookup_column__adds_an_index_and_keeps_rows(synced: Store) -> None:
    datasets = flow_datasets()
    import_file(synced, datasets, "points", FIXTURES / "points_bom.csv")
    report = synced.sync_datasets({"points": datasets["points"]}, {"points": {"scope", "agency"}})
    assert report.actions == {"points": "unchanged"}
    assert {("scope",), ("agency",)} <= _indexed_columns(synced, "ds_points")
    assert len(synced.rows("points", {})) == 3


def test_sync__bad_declarations__are_refused_with_codes(store: Store) -> None:
    cases = {
        "DATASET_BAD_TYPE": {"x": DS({"a": "blob"}, ("a",))},
        "DATASET_BAD_KEY": {"x": DS({"a": "text"}, ("b",))},
        "DATASET_BAD_NAME": {"X-1": DS({"a": "text"}, ("a",))},
        "DATASET_BAD_COLUMN": {"x": DS({"a b": "text"}, ("a b",))},
    }
    for code, datasets in cases.items():
        with pytest.raises(StoreError) as caught:
            store.sync_datasets(datasets)
        assert caught.value.code == code


def _demo_rows(name: str) -> list[dict]:
    import yaml
    spec = flow_datasets()[name]
    with (FLOW.parent / spec.file).open(encoding="utf-8") as stream:
        return yaml.safe_load(stream)


@pytest.mark.parametrize("cache_limit", [5000, 0], ids=["cached", "queried"])
def test_rows__match__equals_a_brute_force_filter(backend: Backend, cache_limit: int) -> None:
    store = backend.open(cache_limit=cache_limit)
    store.migrate()
    datasets = flow_datasets()
    store.sync_datasets(datasets, flow_index_columns())
    load_demo(store, datasets, FLOW.parent)
    for name in ("points", "subjects", "code_lists", "plans"):
        raw = _demo_rows(name)
        key = datasets[name].key
        everything = store.rows(name, {})
        assert [tuple(r[k] for k in key) for r in everything] == sorted(tuple(r[k] for k in key) for r in raw)
        for column in datasets[name].columns:
            if datasets[name].columns[column] != "text":
                continue
            for value in {r[column] for r in raw} | {"no-such-value"}:
                expected = sorted(tuple(r[k] for k in key) for r in raw if r[column] == value)
                found = store.rows(name, {column: value})
                assert [tuple(r[k] for k in key) for r in found] == expected, (name, column, value)
    two = store.rows("code_lists", {"list": "degree", "code": "master"})
    assert [r["name"] for r in two] == ["硕士"]
    cert = store.rows("certificates", {"cert_no": "20071110822001207", "id_no": "110108198504120144"})
    assert len(cert) == 1 and cert[0]["photo"].startswith(b"\xff\xd8")
    assert store.rows("certificates", {"cert_no": "20071110822001207", "id_no": "x"}) == []
    with pytest.raises(StoreError) as caught:
        store.rows("points", {"agnecy": "bj_haidian"})
    assert caught.value.code == "DATASET_UNKNOWN_COLUMN"
    with pytest.raises(StoreError):
        store.rows("nothing", {})
    store.close()


def test_rows__returned_dicts__are_copies_of_the_cache(synced: Store) -> None:
    import_file(synced, flow_datasets(), "points", FIXTURES / "points_bom.csv")
    synced.rows("points", {"code": "p1"})[0]["name"] = "changed"
    assert synced.rows("points", {"code": "p1"})[0]["name"] == "海淀确认点"


def test_shared_rows__the_same_list_while_current__a_new_one_after_an_edit(synced: Store) -> None:
    import_file(synced, flow_datasets(), "points", FIXTURES / "points_bom.csv")
    first = synced.shared_rows("points")
    assert first is not None and first == synced.rows("points", {})
    assert synced.shared_rows("points") is first  # nothing copied, nothing compared
    synced.update_row("points", {"code": "p1"}, {"scope": "西城区"})
    after = synced.shared_rows("points")
    assert after is not first and [r["scope"] for r in after if r["code"] == "p1"] == ["西城区"]
    assert synced.shared_rows("applications") is None  # never cached


def test_rows__applications__come_from_the_applications_table(synced: Store) -> None:
    app = new_application(synced)
    cert_no, id_no = app.values["cert_no"], app.values["id_no"]
    assert synced.rows("applications", {"cert_no": cert_no}) == [{"cert_no": cert_no, "id_no": id_no}]
    assert synced.rows("applications", {"cert_no": cert_no, "id_no": "other"}) == []
    assert synced.rows("applications", {"cert_no": "nope"}) == []


def test_cache__edit_in_another_process__seen_after_ttl_or_invalidate(backend: Backend) -> None:
    writer = backend.open()
    writer.migrate()
    reader = backend.open(cache_ttl=3600)
    for store in (writer, reader):
        store.sync_datasets(flow_datasets(), flow_index_columns())
    import_file(writer, flow_datasets(), "points", FIXTURES / "points_bom.csv")
    assert reader.rows("points", {"code": "p2"})[0]["scope"] is None
    writer.update_row("points", {"code": "p2"}, {"scope": "西城区", "ends": "2031-01-01 17:00"})
    assert reader.rows("points", {"code": "p2"})[0]["scope"] is None  # still cached
    reader.invalidate("points")
    row = reader.rows("points", {"code": "p2"})[0]
    assert (row["scope"], row["ends"]) == ("西城区", datetime(2031, 1, 1, 17, 0))
    reader.cache_ttl = 0
    writer.update_row("points", {"code": "p2"}, {"scope": "东城区"})
    assert reader.rows("points", {"code": "p2"})[0]["scope"] == "东城区"
    writer.close()
    reader.close()


def test_edit__insert_update_delete_rows(synced: Store) -> None:
    synced.insert_row("plans", {"agency": "hz_xihu", "cycle": "2026", "opens": "2026-09-01 08:00",
                                "closes": "2026-09-30 17:00"})
    assert synced.rows("plans", {"agency": "hz_xihu"})[0]["opens"] == datetime(2026, 9, 1, 8)
    with pytest.raises(Duplicate):
        synced.insert_row("plans", {"agency": "hz_xihu", "cycle": "2027"})
    synced.update_row("plans", {"agency": "hz_xihu"}, {"closes": "2026-10-31 17:00"})
    assert synced.rows("plans", {"agency": "hz_xihu"})[0]["closes"] == datetime(2026, 10, 31, 17)
    with pytest.raises(StoreError) as caught:
        synced.update_row("plans", {"agency": "hz_xihu"}, {"closes": "soon"})
    assert caught.value.code == "IMPORT_BAD_DATETIME"
    with pytest.raises(NotFound):
        synced.update_row("plans", {"agency": "nobody"}, {"cycle": "x"})
    assert synced.dataset_generation("plans")[1] == 1
    synced.delete_row("plans", {"agency": "hz_xihu"})
    assert synced.rows("plans", {}) == [] and synced.dataset_generation("plans")[1] == 0
    with pytest.raises(StoreError):
        synced.update_row("applications", {"cert_no": "x"}, {"id_no": "y"})
