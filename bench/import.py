"""Benchmark: import N generated certificate rows through `store.import_file`, next to
raw DB-API executemany baselines of the same rows in the same run, on SQLite and (with
--pg URL) PostgreSQL. Baselines (csv.reader + executemany, one commit per chunk):
`raw keyed`: into a table whose primary key is (cert_no, id_no), the obvious way;
`raw bare`: into a table with no index, then a unique index built at the end, which is
what the store does (it adds type checks, conversion, staging and the swap). On PostgreSQL
also `raw COPY`: the CSV file streamed through `COPY … FROM STDIN (FORMAT csv)` (psycopg's
copy) into a bare table, then the unique index: the floor (issue 10's goal: store ≤ 1.3×).
The store takes the COPY path there (the file's bytes through COPY, see store/importer.py);
`--row-by-row` adds a run of the reference path.

    .venv/bin/python bench/import.py --rows 1000000 [--pg postgresql://postgres@127.0.0.1:5432/test]
        [--no-sqlite] [--repeat N] [--row-by-row]

Works in a temporary directory (SQLite) and a temporary schema (PostgreSQL), both removed
at the end. Prints rows/s, wall seconds and the ratio store/raw; then the CPU seconds of
this process and, on PostgreSQL, of the server backends doing the work (read from /proc
when the server runs on this machine; parallel index-build workers not counted) and the
ratio of CPU totals, which a shared machine disturbs much less than wall time. With
--repeat, each figure is the median of N runs.
"""
from __future__ import annotations

import argparse
import csv
import os
import random
import secrets
import sqlite3
import sys
import tempfile
import statistics
import time
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Callable, Iterator

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import proc  # noqa: E402  (bench/ is on the path as the script's folder)
import sqlalchemy as sa  # noqa: E402

from shenbao.flows import read_flow  # noqa: E402
from shenbao.paths import DEFAULT_FLOW  # noqa: E402
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


# The table the product builds: the flow's declaration and the indexes its lookups ask for.
FLOW = read_flow(DEFAULT_FLOW)
DATASETS = {"certificates": FLOW.datasets["certificates"]}
INDEX = {"certificates": FLOW.lookup_index_columns().get("certificates", set())}
assert dict(DATASETS["certificates"].columns) == COLUMNS and DATASETS["certificates"].key == KEY


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


@dataclass(frozen=True)
class Run:
    seconds: float
    cpu: float                 # this process
    server: float | None       # PostgreSQL backends (None: not measurable here)


def backend_cpu(pids: list[int]) -> dict[int, float] | None:
    """CPU seconds used so far by each server process (None when /proc does not show them)."""
    found = proc.cpu_of(pids)
    return found if len(found) == len(pids) else None


class Meter:
    """Wall, process CPU and server CPU of one measured run."""

    def __init__(self, pids: Callable[[], list[int]] | None = None) -> None:
        self.pids = pids
        self.start_server = backend_cpu(pids()) if pids else None
        self.wall, self.cpu = time.perf_counter(), time.process_time()

    def stop(self) -> Run:
        wall, cpu = time.perf_counter() - self.wall, time.process_time() - self.cpu
        server = None
        if self.pids is not None and self.start_server is not None:
            now = backend_cpu(self.pids())
            if now is not None:
                server = sum(v - self.start_server.get(pid, 0.0) for pid, v in now.items())
        return Run(wall, cpu, server)


def raw_sqlite(db: Path, csv_path: Path, keyed: bool) -> Run:
    """Baseline: csv.reader + sqlite3 executemany, one commit per chunk."""
    db.unlink(missing_ok=True)
    conn = sqlite3.connect(db, isolation_level=None)
    conn.execute("PRAGMA journal_mode = WAL")
    conn.execute("PRAGMA synchronous = FULL")
    create, index = _ddl("sqlite", keyed)
    conn.execute(create)
    insert = f"INSERT INTO raw_certificates VALUES ({', '.join('?' * len(COLUMNS))})"
    meter = Meter()
    for chunk in csv_chunks(csv_path, CHUNK):
        conn.execute("BEGIN")
        conn.executemany(insert, chunk)
        conn.execute("COMMIT")
    if index:
        conn.execute(index)
    run = meter.stop()
    conn.close()
    return run


def raw_postgresql(url: str, schema: str, csv_path: Path, keyed: bool) -> Run:
    """Baseline: csv.reader + psycopg executemany, one commit per chunk."""
    import psycopg

    conninfo = sa.engine.make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)
    with psycopg.connect(conninfo, options=f"-csearch_path={schema}") as conn:
        create, index = _ddl("postgresql", keyed)
        conn.execute("DROP TABLE IF EXISTS raw_certificates")
        conn.execute(create)
        conn.commit()
        insert = f"INSERT INTO raw_certificates VALUES ({', '.join(['%s'] * len(COLUMNS))})"
        meter = Meter(lambda: [conn.info.backend_pid])
        for chunk in csv_chunks(csv_path, CHUNK):
            with conn.cursor() as cursor:
                cursor.executemany(insert, chunk)
            conn.commit()
        if index:
            conn.execute(index)
            conn.commit()
        return meter.stop()


def raw_copy(url: str, schema: str, csv_path: Path) -> Run:
    """Baseline: the file itself through COPY FROM STDIN (no Python per row), then the index."""
    import psycopg

    conninfo = sa.engine.make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)
    with psycopg.connect(conninfo, options=f"-csearch_path={schema}") as conn:
        create, index = _ddl("postgresql", False)
        conn.execute("DROP TABLE IF EXISTS raw_certificates")
        conn.execute(create)
        conn.commit()
        meter = Meter(lambda: [conn.info.backend_pid])
        with conn.cursor() as cursor, csv_path.open("rb") as stream:
            with cursor.copy("COPY raw_certificates FROM STDIN WITH (FORMAT csv, HEADER)") as copy:
                while block := stream.read(1 << 20):
                    copy.write(block)
        conn.commit()
        assert index is not None
        conn.execute(index)
        conn.commit()
        return meter.stop()


BENCH_APP = "shenbao-bench-import"


def store_backends(store: Store) -> Callable[[], list[int]] | None:
    """The server processes of the store's pooled connections (PostgreSQL)."""
    if store.db.engine.dialect.name != "postgresql":
        return None

    def pids() -> list[int]:
        return store.db.read(lambda conn: [int(r[0]) for r in conn.execute(sa.text(
            "SELECT pid FROM pg_stat_activity WHERE application_name = :name"), {"name": BENCH_APP})])
    return pids


def through_store(store: Store, csv_path: Path, rows: int, row_by_row: bool = False) -> Run:
    store.migrate()
    store.sync_datasets(DATASETS, INDEX)
    shown = [0.0]

    def progress(done: int, total: int) -> None:
        if time.monotonic() - shown[0] > 2 or done == total:
            shown[0] = time.monotonic()
            print(f"  {done:>10,} / {total:,}", file=sys.stderr)

    meter = Meter(store_backends(store))
    report = import_file(store, DATASETS, "certificates", csv_path, progress, row_by_row=row_by_row)
    run = meter.stop()
    assert report.rows == rows, report
    return run


def median(runs: list[Run]) -> Run:
    servers = [r.server for r in runs if r.server is not None]
    return Run(statistics.median(r.seconds for r in runs), statistics.median(r.cpu for r in runs),
               statistics.median(servers) if len(servers) == len(runs) else None)


def measure(name: str, rows: int, repeat: int, runs: dict[str, Callable[[], Run]]) -> None:
    results = {label: median([run() for _ in range(repeat)]) for label, run in runs.items()}
    mine = results["store import_file"]
    for label, run in results.items():
        ratio = "" if label.startswith("store") else f"   store time / this = {mine.seconds / run.seconds:.2f}"
        server = "" if run.server is None else f" + server {run.server:5.1f} s"
        cpu = f"   cpu {run.cpu:5.1f} s{server}"
        if not label.startswith("store") and mine.server is not None and run.server is not None:
            cpu += f"   store cpu / this = {(mine.cpu + mine.server) / (run.cpu + run.server):.2f}"
        print(f"{name:<11} {label:<18} {rows / run.seconds:>9,.0f} rows/s {run.seconds:7.1f} s"
              f"{ratio}{cpu}", flush=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--pg", metavar="URL", help="also benchmark this PostgreSQL database")
    parser.add_argument("--no-sqlite", action="store_true", help="PostgreSQL only")
    parser.add_argument("--repeat", type=int, default=1, help="median of N runs of each")
    parser.add_argument("--row-by-row", action="store_true",
                        help="also the store's reference path on PostgreSQL")
    args = parser.parse_args(argv)
    print(f"load average {' '.join(f'{x:.2f}' for x in os.getloadavg())}", file=sys.stderr)
    with tempfile.TemporaryDirectory(prefix="shenbao-bench-") as tmp:
        folder = Path(tmp)
        csv_path = folder / "certificates.csv"
        started = time.perf_counter()
        generate(csv_path, args.rows)
        print(f"generated {args.rows:,} rows ({csv_path.stat().st_size / 1e6:.0f} MB) in "
              f"{time.perf_counter() - started:.1f} s", file=sys.stderr)
        if not args.no_sqlite:
            store = Store.open(f"sqlite:///{folder / 'store.db'}")
            measure("sqlite", args.rows, args.repeat, {
                "store import_file": lambda: through_store(store, csv_path, args.rows),
                "raw keyed": lambda: raw_sqlite(folder / "raw.db", csv_path, True),
                "raw bare": lambda: raw_sqlite(folder / "raw.db", csv_path, False)})
            store.close()
        if args.pg:
            pg_bench(args.pg, csv_path, args.rows, args.repeat, args.row_by_row)
    print(f"load average {' '.join(f'{x:.2f}' for x in os.getloadavg())}", file=sys.stderr)
    return 0


def pg_bench(url: str, csv_path: Path, rows: int, repeat: int, row_by_row: bool) -> None:
    schema = f"bench_{secrets.token_hex(4)}"
    admin = sa.create_engine(url.replace("postgresql://", "postgresql+psycopg://", 1))
    with admin.begin() as conn:
        conn.execute(sa.text(f'CREATE SCHEMA "{schema}"'))
    try:
        store = Store.open(url, connect_args={"options": f"-csearch_path={schema}",
                                              "application_name": BENCH_APP})
        runs = {"store import_file": lambda: through_store(store, csv_path, rows)}
        if row_by_row:
            runs["store row by row"] = lambda: through_store(store, csv_path, rows, row_by_row=True)
        runs.update({"raw keyed": lambda: raw_postgresql(url, schema, csv_path, True),
                     "raw bare": lambda: raw_postgresql(url, schema, csv_path, False),
                     "raw COPY": lambda: raw_copy(url, schema, csv_path)})
        measure("postgresql", rows, repeat, runs)
        store.close()
    finally:
        with admin.begin() as conn:
            conn.execute(sa.text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


if __name__ == "__main__":
    sys.exit(main())
