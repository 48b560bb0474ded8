"""Importing CSV and YAML data files: typed rows, all-or-nothing, problems with rows."""
from __future__ import annotations

import csv
from datetime import date, datetime
from pathlib import Path

import pytest
import sqlalchemy as sa
import yaml

from store import ImportFailed, Numbering, Store, StoreError, import_file, load_demo
from storetest import FLOW, flow_datasets

FIXTURES = Path(__file__).resolve().parent / "fixtures"


def _problems(caught: pytest.ExceptionInfo[ImportFailed]) -> list[tuple]:
    return [(p.row, p.code, p.column, p.line) for p in caught.value.problems]


def _tables(store: Store) -> set[str]:
    return set(store.db.read(lambda c: sa.inspect(c).get_table_names()))


def test_import__csv_with_bom_crlf_and_quoted_newline__loads_typed_rows(synced: Store) -> None:
    seen: list[tuple[int, int]] = []
    report = import_file(synced, flow_datasets(), "points", FIXTURES / "points_bom.csv",
                         progress=lambda done, total: seen.append((done, total)))
    assert report.rows == 3 and seen[-1] == (3, 3)
    p1, p2, p3 = synced.rows("points", {})
    assert p1["code"] == "p1" and p1["starts"] == datetime(2026, 9, 1, 8, 0)
    assert p1["notes"] == "第一行\r\n第二行, 含逗号"  # kept exactly as written
    assert p2["scope"] is None and p2["ends"] == datetime(2029, 6, 30, 17, 0)
    assert p3["starts"] == datetime(2026, 9, 1, 8, 0)
    assert synced.dataset_generation("points")[1] == 3


def test_import__yaml_with_photos__loads_dates_and_image_bytes(synced: Store) -> None:
    import_file(synced, flow_datasets(), "certificates", FIXTURES / "certificates.yaml")
    first = synced.rows("certificates", {"cert_no": "20071110822001207"})[0]
    assert first["photo"] == (FIXTURES / "photos" / "tiny.jpg").read_bytes()
    assert first["birth_date"] == date(1985, 4, 12) and first["registered_on"] is None
    old = synced.rows("certificates", {"id_no": "440524188001010014"})[0]
    assert (old["birth_date"], old["banned_until"], old["photo"]) == (
        date(1880, 1, 1), date(2030, 6, 30), None)
    assert synced.rows("certificates", {"cert_no": "20063210041143749"})[0]["photo"] is None


def test_import__bad_rows__reported_with_row_numbers_and_nothing_imported(synced: Store) -> None:
    datasets = flow_datasets()
    import_file(synced, datasets, "points", FIXTURES / "points_bom.csv")
    before = synced.rows("points", {})
    with pytest.raises(ImportFailed) as caught:
        import_file(synced, datasets, "points", FIXTURES / "points_bad.csv")
    assert _problems(caught) == [
        (2, "IMPORT_BAD_DATETIME", "starts", 3),
        (3, "IMPORT_KEY_EMPTY", "code", 4),
        (4, "IMPORT_ROW_LENGTH", None, 5),
        (5, "IMPORT_BAD_DATETIME", "starts", 6),
    ]
    assert caught.value.problems[0].value == "2026-13-01 08:00"
    assert synced.rows("points", {}) == before
    assert not [t for t in _tables(synced) if "__new" in t or t.startswith("ds_points_")]


def test_import__bad_header__reports_unknown_and_missing_columns(synced: Store) -> None:
    with pytest.raises(ImportFailed) as caught:
        import_file(synced, flow_datasets(), "points", FIXTURES / "points_bad_header.csv")
    assert _problems(caught) == [(0, "IMPORT_UNKNOWN_COLUMN", "adress", 1),
                                 (0, "IMPORT_MISSING_COLUMN", "address", 1),
                                 (0, "IMPORT_MISSING_COLUMN", "notes", 1)]


def test_import__bad_yaml_rows__reported_with_lines(synced: Store) -> None:
    with pytest.raises(ImportFailed) as caught:
        import_file(synced, flow_datasets(), "certificates", FIXTURES / "certificates_bad.yaml",
                    photo_dir=FIXTURES / "photos")
    assert _problems(caught) == [
        (1, "IMPORT_NOT_TEXT", "ethnic_group", 1),
        (2, "IMPORT_UNKNOWN_COLUMN", "extra", 2),
        (3, "IMPORT_IMAGE_MISSING", "photo", 3),
        (4, "IMPORT_IMAGE_MISSING", "photo", 4),
        (5, "IMPORT_MISSING_COLUMN", "banned_until", 5),
    ]
    assert synced.rows("certificates", {}) == []


def test_import__duplicate_keys_across_chunks__reported_by_row(synced: Store, tmp_path: Path) -> None:
    path = tmp_path / "stages.csv"
    path.write_text("code,name\na,A\nb,B\nc,C\na,again\nd,D\nb,again\n", encoding="utf-8")
    with pytest.raises(ImportFailed) as caught:
        import_file(synced, flow_datasets(), "cert_types", path, chunk_size=2)
    assert [(p.row, p.code, p.value) for p in caught.value.problems] == [
        (4, "IMPORT_DUPLICATE_KEY", "a"), (6, "IMPORT_DUPLICATE_KEY", "b")]
    path.write_text("code,name\na,A\na,B\n", encoding="utf-8")
    with pytest.raises(ImportFailed) as caught:
        import_file(synced, flow_datasets(), "cert_types", path)
    assert [(p.row, p.code, p.value) for p in caught.value.problems] == [
        (2, "IMPORT_DUPLICATE_KEY", "a")]


def test_import__problem_limit__truncates_the_report(synced: Store, tmp_path: Path) -> None:
    path = tmp_path / "plans.csv"
    with path.open("w", encoding="utf-8", newline="") as stream:
        writer = csv.writer(stream)
        writer.writerow(["agency", "cycle", "opens", "closes"])
        writer.writerows([f"a{i}", "2026", "bad", "2026-01-01 00:00"] for i in range(50))
    with pytest.raises(ImportFailed) as caught:
        import_file(synced, flow_datasets(), "plans", path, max_problems=10)
    assert len(caught.value.problems) == 10 and caught.value.truncated


def test_import__unusable_files__are_refused(synced: Store, tmp_path: Path) -> None:
    (tmp_path / "x.json").write_text("[]")
    with pytest.raises(StoreError) as caught:
        import_file(synced, flow_datasets(), "plans", tmp_path / "x.json")
    assert caught.value.code == "IMPORT_FORMAT"
    (tmp_path / "latin.csv").write_bytes("agency,cycle,opens,closes\n\xe9,1,,\n".encode("latin-1"))
    with pytest.raises(ImportFailed) as caught:
        import_file(synced, flow_datasets(), "plans", tmp_path / "latin.csv")
    assert caught.value.problems[0].code == "IMPORT_NOT_UTF8"
    (tmp_path / "map.yaml").write_text("agency: x\n")
    with pytest.raises(ImportFailed) as caught:
        import_file(synced, flow_datasets(), "plans", tmp_path / "map.yaml")
    assert caught.value.problems[0].code == "IMPORT_NOT_A_LIST"
    (tmp_path / "broken.yaml").write_text("- {agency: [\n")
    with pytest.raises(ImportFailed) as caught:
        import_file(synced, flow_datasets(), "plans", tmp_path / "broken.yaml")
    assert caught.value.problems[0].code == "IMPORT_BAD_YAML"
    with pytest.raises(StoreError) as caught:
        import_file(synced, flow_datasets(), "applications", tmp_path / "map.yaml")
    assert caught.value.code == "DATASET_BUILTIN"


def test_import__reimport__replaces_rows_and_bumps_generation(synced: Store, tmp_path: Path) -> None:
    datasets = flow_datasets()
    path = tmp_path / "stages.yaml"
    path.write_text("- {code: a, name: A}\n- {code: b, name: B}\n", encoding="utf-8")
    import_file(synced, datasets, "cert_types", path)
    generation = synced.dataset_generation("cert_types")[0]
    path.write_text("- {code: c, name: C}\n", encoding="utf-8")
    import_file(synced, datasets, "cert_types", path)
    assert synced.rows("cert_types", {}) == [{"code": "c", "name": "C"}]
    assert synced.dataset_generation("cert_types") == (generation + 1, 1)


def test_import__into_store_never_synced__syncs_the_dataset_first(store: Store) -> None:
    import_file(store, flow_datasets(), "points", FIXTURES / "points_bom.csv")
    assert len(store.rows("points", {})) == 3


def test_load_demo__imports_every_declared_file(synced: Store) -> None:
    datasets = flow_datasets()
    outcome = load_demo(synced, datasets, FLOW.parent)
    for name, spec in datasets.items():
        if name == "applications":
            assert outcome[name] == "skipped"
            continue
        with (FLOW.parent / spec.file).open(encoding="utf-8") as stream:
            expected = len(yaml.safe_load(stream))
        assert outcome[name] == f"imported:{expected}"
        assert len(synced.rows(name, {})) == expected


def test_load_demo__with_application_defaults__creates_demo_applications(synced: Store) -> None:
    defaults = {"flow_id": "teacher_registration", "flow_version": "2026.1",
                "flow_digest": "0" * 64, "status": "submitted", "numbering": Numbering("TR"),
                "unique": ("cert_no",)}
    outcome = load_demo(synced, flow_datasets(), FLOW.parent, demo_application=defaults)
    assert outcome["applications"] == "created:1"
    assert synced.rows("applications", {"cert_no": "20121110831159587"}) == [
        {"cert_no": "20121110831159587", "id_no": "110108198910107412"}]
    again = load_demo(synced, flow_datasets(), FLOW.parent, demo_application=defaults)
    assert again["applications"] == "created:0"


@pytest.mark.parametrize("cache_limit", [5000, 0], ids=["cached", "queried"])
def test_import__typed_values__match_the_way_the_engine_asks(backend, cache_limit: int) -> None:
    store = backend.open(cache_limit=cache_limit)
    store.migrate()
    datasets = flow_datasets()
    import_file(store, datasets, "points", FIXTURES / "points_bom.csv")
    import_file(store, datasets, "certificates", FIXTURES / "certificates.yaml")
    assert [r["code"] for r in store.rows("points", {"starts": datetime(2026, 9, 1, 8, 0)})] == [
        "p1", "p2", "p3"]
    assert [r["code"] for r in store.rows("points", {"ends": datetime(2029, 6, 30, 17, 0)})] == ["p2"]
    found = store.rows("certificates", {"birth_date": date(1880, 1, 1)})
    assert [r["name"] for r in found] == ["黄伯庸"]
    store.close()


def test_import__number_column__round_trips_as_decimal(store: Store, tmp_path: Path) -> None:
    from decimal import Decimal

    from storetest import DS

    datasets = {"fees": DS({"code": "text", "amount": "number"}, ("code",))}
    path = tmp_path / "fees.csv"
    path.write_text("code,amount\na,1.5\nb,\nc,12\n", encoding="utf-8")
    import_file(store, datasets, "fees", path)
    assert [(r["code"], r["amount"]) for r in store.rows("fees", {})] == [
        ("a", Decimal("1.5")), ("b", None), ("c", Decimal("12"))]
    path.write_text("code,amount\na,lots\nb,nan\n", encoding="utf-8")
    with pytest.raises(ImportFailed) as caught:
        import_file(store, datasets, "fees", path)
    assert [(p.row, p.code) for p in caught.value.problems] == [
        (1, "IMPORT_BAD_NUMBER"), (2, "IMPORT_BAD_NUMBER")]


def test_import__csv_dates__checked_and_stored_canonically(backend, tmp_path: Path) -> None:
    store = backend.open(cache_limit=0)
    store.migrate()
    header = ",".join(flow_datasets()["certificates"].columns)
    blank = ",".join([""] * 10)
    path = tmp_path / "certificates.csv"
    path.write_text(f"{header}\nC1,I1,甲,female, 1985-04-12 ,{blank}\nC2,I2,乙,male,1880-01-01,{blank}\n",
                    encoding="utf-8")
    import_file(store, flow_datasets(), "certificates", path)
    assert [r["cert_no"] for r in store.rows("certificates", {"birth_date": date(1985, 4, 12)})] == ["C1"]
    assert [r["cert_no"] for r in store.rows("certificates", {"birth_date": date(1880, 1, 1)})] == ["C2"]
    path.write_text(f"{header}\nC1,I1,甲,female,2026-02-30,{blank}\nC2,I2,乙,male,85-4-12,{blank}\n"
                    f"C3,I3,丙,male,2026-W01-1,{blank}\n", encoding="utf-8")
    with pytest.raises(ImportFailed) as caught:
        import_file(store, flow_datasets(), "certificates", path)
    assert [(p.row, p.code, p.column) for p in caught.value.problems] == [
        (1, "IMPORT_BAD_DATE", "birth_date"), (2, "IMPORT_BAD_DATE", "birth_date"),
        (3, "IMPORT_BAD_DATE", "birth_date")]
    assert len(store.rows("certificates", {})) == 2
    store.close()


def test_import__between_chunks__other_writers_get_through(backend, tmp_path: Path) -> None:
    from test_applications import new_application

    importer = backend.open()
    importer.migrate()
    impatient = backend.open(busy_timeout=0.05, retry_for=0.2)
    path = tmp_path / "stages.csv"
    path.write_text("code,name\n" + "".join(f"s{i},S{i}\n" for i in range(30)), encoding="utf-8")
    created: list[str] = []

    def progress(done: int, total: int) -> None:
        if done < total:  # mid-import: the importer must not be holding the write lock
            created.append(new_application(impatient, cert_no=f"C{done}").application_no)

    import_file(importer, flow_datasets(), "cert_types", path, progress, chunk_size=10)
    assert len(created) == 2 and len(importer.rows("cert_types", {})) == 30
    importer.close()
    impatient.close()


def test_import__required_column_empty_or_key_no_code__refused_by_row(synced: Store, tmp_path: Path) -> None:
    path = tmp_path / "plans.csv"
    path.write_text("agency,cycle,opens,closes\nbj,2027,2027-01-01 08:00,\n../x,2027,2027-01-01 08:00,"
                    "2027-12-31 17:00\n", encoding="utf-8")
    with pytest.raises(ImportFailed) as caught:
        import_file(synced, flow_datasets(), "plans", path)
    assert [(p.row, p.code, p.column) for p in caught.value.problems] == [
        (1, "IMPORT_REQUIRED_EMPTY", "closes"), (2, "IMPORT_BAD_CODE", "agency")]


def test_import__invalid_utf8_after_bad_rows__one_problem_at_its_line(synced: Store, tmp_path: Path) -> None:
    path = tmp_path / "plans.csv"
    path.write_bytes(b"agency,cycle,opens,closes\nbj,2027,bad,2027-12-31 17:00\n"
                     b"sh,2027,2027-01-01 08:00,2027-12-31 17:00\n"
                     b"gz,\xe9,2027-01-01 08:00,2027-12-31 17:00\nxa,2027,bad,bad\n")
    with pytest.raises(ImportFailed) as caught:
        import_file(synced, flow_datasets(), "plans", path)
    assert _problems(caught) == [(0, "IMPORT_NOT_UTF8", None, 4)]


def test_import__invalid_utf8_past_the_problem_limit__still_reported(synced: Store, tmp_path: Path) -> None:
    path = tmp_path / "plans.csv"
    path.write_bytes(b"agency,cycle,opens,closes\n" + b"bj,2027,bad,bad\n" * 20
                     + b"x" * 20000 + b",\xff,,\n")
    with pytest.raises(ImportFailed) as caught:
        import_file(synced, flow_datasets(), "plans", path, max_problems=3)
    assert _problems(caught) == [(0, "IMPORT_NOT_UTF8", None, 22)]


def test_import__nul_byte__refused_as_not_text_at_its_line(synced: Store, tmp_path: Path) -> None:
    path = tmp_path / "plans.csv"
    path.write_bytes(b"agency,cycle,opens,closes\r\nbj,2027,2027-01-01 08:00,2027-12-31 17:00\r\n"
                     b"sh,20\x0027,2027-01-01 08:00,2027-12-31 17:00\r\n")
    with pytest.raises(ImportFailed) as caught:
        import_file(synced, flow_datasets(), "plans", path)
    assert _problems(caught) == [(0, "IMPORT_NOT_UTF8", None, 3)]
    assert synced.rows("plans", {}) == []
