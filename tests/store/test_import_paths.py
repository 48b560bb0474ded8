"""PostgreSQL's CSV import by COPY against the row-by-row reference path: the same files,
good and bad, must give the same rows (the `_row` numbers included), the same problems in
the same order, and the same printed report, and a refused file must change nothing."""
from __future__ import annotations

import io
import random
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from commands.admin import print_problems
from store import ImportFailed, Store, StoreError, import_file
from store.importer import _Loader
from storetest import DS, FIXTURES, PG_URL, Backend, flow_datasets

pytestmark = pytest.mark.skipif(not PG_URL, reason="needs SHENBAO_TEST_PG_URL")

DATASETS: dict[str, Any] = {
    **flow_datasets(),
    # a date key, a number key and a required date: shapes the product flow does not declare
    "by_day": DS({"day": "date", "amount": "number", "due": "date", "label": "text"}, ("day",),
                 required=("due",)),
    "by_amount": DS({"amount": "number", "label": "text"}, ("amount",)),
    "badges": DS({"code": "text", "picture": "image", "note": "text"}, ("code",), required=("picture",)),
}
CERT_HEADER = ",".join(DATASETS["certificates"].columns)
BLANK10 = "," * 9


def cert(cert_no: str = "C1", id_no: str = "I1", name: str = "甲", born: str = "1985-04-12",
         issued: str = "2007-01-21", photo: str = "", rest: str = "valid,,,") -> str:
    return f"{cert_no},{id_no},{name},female,{born},01,1,primary_chinese,某市教育局,{issued},{photo},{rest}"


def certs(*rows: str, eol: str = "\n", header: str = CERT_HEADER) -> bytes:
    return (eol.join([header, *rows]) + eol).encode()


POINTS = "code,agency,name,starts,ends,scope,address,phone,notes"
PLANS = "agency,cycle,opens,closes"
LONG = "长" * 131072

# (id, dataset, file bytes): every kind of problem the reference path reports, and the
# shapes of good files that COPY must read exactly as csv.reader does.
CASES: list[tuple[str, str, bytes]] = [
    ("plain", "certificates", certs(cert(), cert("C2", "I2", born="1880-01-01"), cert("C3", "I3"))),
    ("crlf_bom", "certificates", b"\xef\xbb\xbf" + certs(cert(), cert("C2", "I2"), eol="\r\n")),
    ("cr_only", "certificates", certs(cert(), cert("C2", "I2"), eol="\r")),
    ("no_final_eol", "certificates", certs(cert(), cert("C2", "I2"))[:-1]),
    ("blank_lines", "certificates", certs("", cert(), "", "", cert("C2", "I2"), "", "")),
    ("mixed_eol", "certificates", (CERT_HEADER + "\n" + cert() + "\r\n" + cert("C2", "I2") + "\r"
                                   + cert("C3", "I3") + "\n").encode()),
    ("quoted_everything", "certificates", certs(
        ",".join(f'"{v}"' for v in cert().split(",")),
        '"C2","I2","王 ""小"" 明, 二","male","1990-01-01","","1","","","2010-02-28","","valid","","",""',
        'C3,I3,"多\r\n行\n名\r字",male,"2000-02-29",,,,,,,"",,,')),
    ("reordered_header", "certificates", certs(
        "1985-04-12,C1,I1,甲," + ",".join(["female", "01", "1", "x", "y", "2007-01-21", "", "valid", "", "", ""]),
        header="birth_date,cert_no,id_no,name,gender,ethnic_group,cert_type,subject,issuer,issue_date,"
               "photo,state,registered_on,next_registration_from,banned_until")),
    ("loose_dates", "certificates", certs(cert(born=" 1985-04-12 "), cert("C2", "I2", born="2000-02-29"),
                                          cert("C3", "I3", born="1900-02-28", issued="\u30002004-02-29\t"))),
    ("bad_dates", "certificates", certs(
        cert(born="2026-02-30"), cert("C2", "I2", born="2025-02-29"), cert("C3", "I3", born="0000-01-01"),
        cert("C4", "I4", born="85-4-12"), cert("C5", "I5", born="2026-W01-1"), cert("C6", "I6", born="20260101"),
        cert("C7", "I7", born="1900-02-29", issued="2026-13-01"), cert("C8", "I8", born="1985-04-12x"),
        cert("C9", "I9", born="１９８５-04-12"), cert("C10", "I10", issued='"2007-01-21 "'))),
    ("photos", "certificates", certs(cert(photo="tiny.jpg"), cert("C2", "I2"), cert("C3", "I3", photo="missing.jpg"),
                                     cert("C4", "I4", photo="../points_bom.csv"))),
    ("photo_ok", "certificates", certs(cert(photo="tiny.jpg"), cert("C2", "I2", photo=' tiny.jpg'))),
    ("bad_codes", "certificates", certs(
        cert("a..b"), cert("../x", "I2"), cert("C" * 41, "I3"), cert("C" * 40, "I4"), cert("C 5", "I5"),
        cert("张三", "I6"), cert("C7", "-I7"), cert('"C8"', "I8"), cert("C9", ".I9"), cert("C.10", "I_10-x"))),
    ("code_with_newline", "certificates", certs('"C1\n",I1,甲,female,1985-04-12,,,,,,,,,,')),
    ("empty_keys", "certificates", certs(cert(""), cert("C2", ""), cert('""', "I3"), cert("C4", "I4"))),
    ("row_length", "certificates", certs(cert(), "C2,I2,short", cert("C3", "I3") + ",extra", "   ", cert("C4", "I4"))),
    ("end_marker_line", "certificates", certs(cert(), "\\.", cert("C2", "I2"))),
    ("end_marker_quoted", "points", (POINTS + '\np1,bj,n,2026-09-01 08:00,2026-09-02 08:00,,,,"a\n\\.\nb"\n').encode()),
    ("stray_quotes", "certificates", certs(cert(name='王"小'), cert("C2", "I2", name='"王"小'),
                                            cert("C3", "I3", name=' "x"'), cert("C4", "I4", name='"a""b"c"'))),
    ("unterminated_quote", "certificates", certs(cert(), 'C2,I2,"open' + BLANK10 + ",x")),
    ("duplicates", "certificates", certs(cert(), cert("C2", "I2"), cert(), cert("C2", "I2"), cert("C2", "I3"),
                                          cert("C1", "I1", name="again"))),
    ("field_at_limit", "points", (POINTS + f"\np1,bj,n,2026-09-01 08:00,2026-09-02 08:00,,,,{LONG}\n").encode()),
    ("field_over_limit", "points", (POINTS + f"\np1,bj,n,2026-09-01 08:00,2026-09-02 08:00,,,,{LONG}x\n"
                                    "p2,bj,n,bad,bad,,,,\n").encode()),
    ("quoted_over_limit", "points", (POINTS + f'\np1,bj,n,2026-09-01 08:00,2026-09-02 08:00,,,,"{LONG}x"\n').encode()),
    ("datetimes", "points", (POINTS + "\np1,bj,a,2026-09-01 08:00,2026-09-01T17:30:59,,,,\n"
                             "p2,bj,b,2026-09-01 08:00:00+08:00,2026-09-01 08:00:00.250000,,,,\n"
                             "p3,bj,c, 2026-09-01 08:00 ,2026-09-01T08,,,,\n").encode()),
    ("bad_datetimes", "points", (POINTS + "\np1,bj,a,2026-09-01,2026-09-01 24:00,,,,\n"
                                 "p2,bj,b,2026-09-01 23:60,2026-09-01 08:00,,,,\n"
                                 "p5,bj,b,2026-09-01 08:00,2026-09-01 08:00:60,,,,\n"
                                 "p3,bj,c,,2026-09-01 08:00,,,,\np4,,,,,,,,\n").encode()),
    ("required_empty", "plans", (PLANS + "\nbj,2027,2027-01-01 08:00,\nsh,2027,,2027-12-31 17:00\n"
                                 'gz,2027,"",""\nxa,,2027-01-01 08:00,2027-12-31 17:00\n').encode()),
    ("numbers", "teaching_stages", b"code,name,rank\na,A,1\nb,B,1.50\nc,C,007\nd,D,-0\ne,E,1e3\nf,F, 2 \n"
                                   b"g,G,\nh,H,-12.5\ni,I,1_000\n"),
    ("bad_numbers", "teaching_stages", b"code,name,rank\na,A,lots\nb,B,nan\nc,C,Infinity\nd,D,1.2.3\ne,E,-\n"),
    ("number_key", "by_amount", b"amount,label\n1.5,a\n1.50,b\n2,c\n,d\n"),
    ("date_key", "by_day", b"day,amount,due,label\n2026-01-01,1,2026-02-01,a\n 2026-01-01,2,2026-02-01,b\n"
                           b"2026-01-02,3,,c\n,4,2026-02-01,d\n"),
    ("required_image", "badges", b'code,picture,note\na,tiny.jpg,x\nb,,y\nc,"",z\nd,nothere.jpg,\n'),
    ("header_only", "certificates", (CERT_HEADER + "\n").encode()),
    ("empty_file", "certificates", b""),
    ("bad_header", "points", b"code,adress,name,starts,ends,scope,phone,notes,name\np1,x,y,,,,,,\n"),
    ("header_spaces_quotes", "points", (" code ,\"agency\",name,starts,ends,scope,address,phone,notes\n"
                                        "p1,bj,n,2026-09-01 08:00,2026-09-02 08:00,,,,\n").encode()),
    ("utf16", "points", ("\ufeff" + POINTS + "\np1,bj,n,2026-09-01 08:00,2026-09-02 08:00,,,,\n").encode("utf-16")),
    ("invalid_utf8", "certificates", certs(cert(born="bad"), cert("C2", "I2")) + b"C3,I3,\xe7\x94,female,,,,,,,,,,,\n"),
    ("invalid_utf8_header", "certificates", b"cert_no\xff," + certs(cert())[8:]),
    ("nul_byte", "certificates", certs(cert(), cert("C2", "I2", name="a\x00b"))),
    ("many_problems", "certificates", certs(*(cert(f"C{i}", f"I{i}", born="bad") for i in range(30)))),
    ("dots_elsewhere", "certificates", certs(cert(name="a..b"), cert("C2", "I2", name="..."))),
]


@pytest.fixture(scope="module")
def pg_store(tmp_path_factory: pytest.TempPathFactory):
    backend = Backend("postgresql", tmp_path_factory.mktemp("paths"))
    store = backend.open()
    store.migrate()
    store.sync_datasets(DATASETS)
    yield store
    store.close()
    backend.cleanup()


def _table(store: Store, dataset: str) -> list[tuple]:
    """Every row with every column (`_row` too, once a file was imported)."""
    rows = store.db.read(lambda conn: conn.execute(sa.text(f'SELECT * FROM "ds_{dataset}"')).all())
    return sorted((tuple(r) for r in rows), key=repr)


def _outcome(store: Store, dataset: str, path: Path, **options: Any) -> tuple:
    """What an import did: its result or refusal (problems and the printed report), then the
    rows the table holds afterwards."""
    try:
        report = import_file(store, DATASETS, dataset, path, photo_dir=FIXTURES / "photos", **options)
        result: tuple = ("imported", report.rows)
    except ImportFailed as error:
        printed = io.StringIO()
        print_problems(error, printed)
        result = ("refused", error.problems, error.truncated, printed.getvalue())
    except StoreError as error:
        result = ("error", error.code, error.params)
    return result, _table(store, dataset)


def _both(store: Store, dataset: str, path: Path, monkeypatch: pytest.MonkeyPatch,
          **options: Any) -> tuple[tuple, tuple]:
    baseline = FIXTURES.parent / "fixtures" / "certificates.yaml"
    if dataset == "certificates":   # a refused file must leave these rows as they were
        import_file(store, DATASETS, dataset, baseline)
    reference = _outcome(store, dataset, path, row_by_row=True, **options)
    if dataset == "certificates":
        import_file(store, DATASETS, dataset, baseline)
    with monkeypatch.context() as patched:
        def no_rows(*args: Any, **kwargs: Any) -> None:
            raise AssertionError("the COPY path fell back to the row-by-row path")
        patched.setattr(_Loader, "_stream", no_rows)
        fast = _outcome(store, dataset, path, **options)
    return reference, fast


@pytest.mark.parametrize("dataset, data", [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_import_paths__same_file__same_rows_and_problems(pg_store: Store, tmp_path: Path,
                                                         monkeypatch: pytest.MonkeyPatch,
                                                         dataset: str, data: bytes) -> None:
    path = tmp_path / f"{dataset}.csv"
    path.write_bytes(data)
    reference, fast = _both(pg_store, dataset, path, monkeypatch)
    assert fast == reference
    if reference[0][0] == "refused":   # and the same when the report is cut short
        short_reference, short_fast = _both(pg_store, dataset, path, monkeypatch, max_problems=2)
        assert short_fast == short_reference


TOKENS = ["", "C1", "I1", "a", "甲乙", " ", ",", '"', '""', '"x"', '"a,b"', '"多\n行"', "\r", "\n", "\r\n",
          "1985-04-12", "2000-02-29", "2026-02-30", " 1985-04-12", "1.5", "-", "..", "\\.", "x" * 45, "tiny.jpg"]


@pytest.mark.parametrize("seed", range(12))
def test_import_paths__random_files__same_rows_and_problems(pg_store: Store, tmp_path: Path,
                                                            monkeypatch: pytest.MonkeyPatch, seed: int) -> None:
    """Rows built from awkward pieces (quotes, separators, line ends, near-dates, long codes)."""
    rng = random.Random(seed)
    lines = [CERT_HEADER]
    for n in range(40):
        values = cert(f"C{n}", f"I{n}").split(",")
        for _ in range(rng.randrange(3)):
            at = rng.randrange(len(values))
            values[at] = "".join(rng.choice(TOKENS) for _ in range(rng.randrange(1, 3)))
        lines.append(",".join(values))
    path = tmp_path / "certificates.csv"
    path.write_bytes((rng.choice(["\n", "\r\n"]).join(lines) + "\n").encode())
    reference, fast = _both(pg_store, "certificates", path, monkeypatch)
    assert fast == reference


@pytest.mark.parametrize("eol", ["\n", "\r\n", "\r"], ids=["lf", "crlf", "cr"])
def test_import_copy__canonical_rows__go_to_copy_unparsed(pg_store: Store, tmp_path: Path,
                                                          monkeypatch: pytest.MonkeyPatch, eol: str) -> None:
    """No Python per row for rows in the forms the COPY path vouches for, quoted or not."""
    checked: list[int] = []
    check = _Loader._check_plain
    monkeypatch.setattr(_Loader, "_check_plain", lambda self, record: checked.append(record.row) or check(self, record))
    rows = [cert(f"C{n}", f"I{n}", born=f"19{n % 90 + 10}-0{n % 9 + 1}-2{n % 9}") for n in range(3000)]
    rows[7] = ",".join(f'"{v}"' if v else v for v in rows[7].split(","))
    rows[9] = cert("C9", "I9", name='"姓, 名"', born="2000-02-29")
    path = tmp_path / "certificates.csv"
    path.write_bytes(certs(*rows, eol=eol))
    assert import_file(pg_store, DATASETS, "certificates", path, chunk_size=500).rows == 3000
    assert checked == [] and pg_store.rows("certificates", {"cert_no": "C9"})[0]["name"] == "姓, 名"
