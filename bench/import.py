"""Benchmark: import N generated certificate rows through `store.import_file`, next to
raw DB-API executemany baselines of the same rows in the same run, on SQLite and (with
--pg URL) PostgreSQL. Baselines (csv.reader + executemany, one commit per chunk):
`raw keyed`: into a table whose primary key is (cert_no, id_no), the obvious way;
`raw bare`: into a table with no index, then a unique index built at the end, which is
what the store does (it adds type checks, conversion, staging and the swap). On PostgreSQL
also `raw COPY`: the CSV file streamed through `COPY … FROM STDIN (FORMAT csv)` (psycopg's
copy) into a bare table, then the unique index: the floor (issue 10's goal: store ≤ 1.3×).

    .venv/bin/python bench/import.py --rows 1000000 [--pg postgresql://postgres@127.0.0.1:5432/test]

Works in a temporary directory (SQLite) and a temporary schema (PostgreSQL), both removed
at the end. Prints rows/s, seconds and the ratio store/raw.
"""
from __future__ import annotations

import argparse
import csv
import random
import secrets
import sqlite3
import sys
import tempfile
import time
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any, Callable, Iterator

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import sqlalchemy as sa  # noqa: E402

from store import Store, import_file  # noqa: E402

COLUMNS = {
    "cert_no": "text", "id_no": "text", "name": "text", "gender": "text", "birth_date": "date",
    "ethnic_group": "text", "cert_type": "text", "subject": "text", "issuer": "text",
    "issue_date": "date", "photo": "image", "state": "text", "registered_on": "date",
    "next_registration_from": "date", "banned_until": "date",
}
KEY = ("cert_no", "id_no")
CHUNK = 5000
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗"
GIVEN = "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超秀兰霞平刚桂英"


@dataclass(frozen=True)
class Dataset:
    columns: dict[str, str]
    key: tuple[str, ...]


DATASETS = {"certificates": Dataset(COLUMNS, KEY)}


def generate(path: Path, rows: int, seed: int = 7) -> None:
    rng = random.Random(seed)
    start = date(1960, 1, 1)
    with path.open("w", encoding="utf-8", newline="") as stream:
        writer = csv.writer(stream)
        writer.writerow(COLUMNS)
        for n in range(rows):
            born = start + timedelta(days=rng.randrange(16000))
            issued = born + timedelta(days=8000 + rng.randrange(4000))
            registered = issued + timedelta(days=rng.randrange(3000)) if n % 3 == 0 else None
            writer.writerow([
                f"{issued.year}{rng.randrange(11, 66)}{n:011d}",  # 17 digits, unique by n
                f"{rng.randrange(110000, 660000)}{born:%Y%m%d}{n % 1000:03d}{rng.choice('0123456789X')}",
                rng.choice(SURNAMES) + rng.choice(GIVEN) + rng.choice(GIVEN),
                rng.choice(("male", "female")), born.isoformat(), f"{rng.randrange(1, 57):02d}",
                str(n % 6 + 1), "primary_chinese", "某市教育局", issued.isoformat(), "",
                "valid", registered.isoformat() if registered else "",
                (registered + timedelta(days=1826)).isoformat() if registered else "", "",
            ])


def csv_chunks(path: Path, size: int) -> Iterator[list[tuple[str | None, ...]]]:
    with path.open(encoding="utf-8-sig", newline="") as stream:
        reader = csv.reader(stream)
        next(reader)
        chunk: list[tuple[str | None, ...]] = []
        for values in reader:
            chunk.append(tuple(v or None for v in values))
            if len(chunk) >= size:
                yield chunk
                chunk = []
        if chunk:
            yield chunk


RAW_DDL = {
    "sqlite": {"text": "TEXT", "date": "DATE", "image": "BLOB"},
    "postgresql": {"text": "TEXT", "date": "DATE", "image": "BYTEA"},
}


def _ddl(dialect: str, keyed: bool) -> tuple[str, str | None]:
    columns = ", ".join(f"{c} {RAW_DDL[dialect][t]}" for c, t in COLUMNS.items())
    if keyed:
        return f"CREATE TABLE raw_certificates ({columns}, PRIMARY KEY (cert_no, id_no))", None
    return (f"CREATE TABLE raw_certificates ({columns})",
            "CREATE UNIQUE INDEX raw_key ON raw_certificates (cert_no, id_no)")


def raw_sqlite(db: Path, csv_path: Path, keyed: bool) -> float:
    """Baseline: csv.reader + sqlite3 executemany, one commit per chunk."""
    db.unlink(missing_ok=True)
    conn = sqlite3.connect(db, isolation_level=None)
    conn.execute("PRAGMA journal_mode = WAL")
    conn.execute("PRAGMA synchronous = FULL")
    create, index = _ddl("sqlite", keyed)
    conn.execute(create)
    insert = f"INSERT INTO raw_certificates VALUES ({', '.join('?' * len(COLUMNS))})"
    started = time.perf_counter()
    for chunk in csv_chunks(csv_path, CHUNK):
        conn.execute("BEGIN")
        conn.executemany(insert, chunk)
        conn.execute("COMMIT")
    if index:
        conn.execute(index)
    seconds = time.perf_counter() - started
    conn.close()
    return seconds


def raw_postgresql(url: str, schema: str, csv_path: Path, keyed: bool) -> float:
    """Baseline: csv.reader + psycopg executemany, one commit per chunk."""
    import psycopg

    conninfo = sa.engine.make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)
    with psycopg.connect(conninfo, options=f"-csearch_path={schema}") as conn:
        create, index = _ddl("postgresql", keyed)
        conn.execute("DROP TABLE IF EXISTS raw_certificates")
        conn.execute(create)
        conn.commit()
        insert = f"INSERT INTO raw_certificates VALUES ({', '.join(['%s'] * len(COLUMNS))})"
        started = time.perf_counter()
        for chunk in csv_chunks(csv_path, CHUNK):
            with conn.cursor() as cursor:
                cursor.executemany(insert, chunk)
            conn.commit()
        if index:
            conn.execute(index)
            conn.commit()
        return time.perf_counter() - started


def raw_copy(url: str, schema: str, csv_path: Path) -> float:
    """Baseline: the file itself through COPY FROM STDIN (no Python per row), then the index."""
    import psycopg

    conninfo = sa.engine.make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)
    with psycopg.connect(conninfo, options=f"-csearch_path={schema}") as conn:
        create, index = _ddl("postgresql", False)
        conn.execute("DROP TABLE IF EXISTS raw_certificates")
        conn.execute(create)
        conn.commit()
        started = time.perf_counter()
        with conn.cursor() as cursor, csv_path.open("rb") as stream:
            with cursor.copy("COPY raw_certificates FROM STDIN WITH (FORMAT csv, HEADER)") as copy:
                while block := stream.read(1 << 20):
                    copy.write(block)
        conn.commit()
        assert index is not None
        conn.execute(index)
        conn.commit()
        return time.perf_counter() - started


def through_store(store: Store, csv_path: Path, rows: int) -> float:
    store.migrate()
    store.sync_datasets(DATASETS, {"certificates": set(KEY)})
    shown = [0.0]

    def progress(done: int, total: int) -> None:
        if time.monotonic() - shown[0] > 2 or done == total:
            shown[0] = time.monotonic()
            print(f"  {done:>10,} / {total:,}", file=sys.stderr)

    started = time.perf_counter()
    report = import_file(store, DATASETS, "certificates", csv_path, progress)
    seconds = time.perf_counter() - started
    assert report.rows == rows, report
    return seconds


def measure(name: str, rows: int, ours: Callable[[], float],
            raw: Callable[[bool], float], copy: Callable[[], float] | None = None) -> None:
    results = {"store import_file": ours(), "raw keyed": raw(True), "raw bare": raw(False)}
    if copy is not None:
        results["raw COPY"] = copy()
    mine = results["store import_file"]
    for label, seconds in results.items():
        ratio = "" if label.startswith("store") else f"   store time / this = {mine / seconds:.2f}"
        print(f"{name:<11} {label:<18} {rows / seconds:>9,.0f} rows/s {seconds:7.1f} s{ratio}",
              flush=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--pg", metavar="URL", help="also benchmark this PostgreSQL database")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="shenbao-bench-") as tmp:
        folder = Path(tmp)
        csv_path = folder / "certificates.csv"
        started = time.perf_counter()
        generate(csv_path, args.rows)
        print(f"generated {args.rows:,} rows ({csv_path.stat().st_size / 1e6:.0f} MB) in "
              f"{time.perf_counter() - started:.1f} s", file=sys.stderr)
        store = Store.open(f"sqlite:///{folder / 'store.db'}")
        measure("sqlite", args.rows, lambda: through_store(store, csv_path, args.rows),
                lambda keyed: raw_sqlite(folder / "raw.db", csv_path, keyed))
        store.close()
        if args.pg:
            pg_bench(args.pg, csv_path, args.rows)
    return 0


def pg_bench(url: str, csv_path: Path, rows: int) -> None:
    schema = f"bench_{secrets.token_hex(4)}"
    admin = sa.create_engine(url.replace("postgresql://", "postgresql+psycopg://", 1))
    with admin.begin() as conn:
        conn.execute(sa.text(f'CREATE SCHEMA "{schema}"'))
    try:
        store = Store.open(url, connect_args={"options": f"-csearch_path={schema}"})
        measure("postgresql", rows, lambda: through_store(store, csv_path, rows),
                lambda keyed: raw_postgresql(url, schema, csv_path, keyed),
                lambda: raw_copy(url, schema, csv_path))
        store.close()
    finally:
        with admin.begin() as conn:
            conn.execute(sa.text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


if __name__ == "__main__":
    sys.exit(main())
