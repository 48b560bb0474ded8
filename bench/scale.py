"""Benchmark: staff and applicant reads at 1k applications and at N, as ratios N/1k.

Fills a fresh database (PostgreSQL: a temporary schema, rows made by INSERT … SELECT over
generate_series with the indexes dropped and rebuilt; SQLite: a temporary file, executemany
in one transaction) with N applications shaped like the teacher flow's (its kept values:
identity, display name, e-mail, agency and point; 16 agencies of 4 points each), then times
through the store, median of --repeat calls each with other values:

  login            find_application by the flow's login values (no password hash: CPU, not scale)
  dashboard        get_application by id
  search <kind>    list_applications(text=…) as the staff list calls it (the columns it shows), one per
                   kind of query: application number, ID number, certificate number, e-mail, a name's
                   first two characters, a whole three-character name (PostgreSQL: the trigram index); a
                   name's first two characters in one point, and the list's total of a two-character
                   search. A random applicant's name finds 1 or 2 at 1k and a page of 51 at N; the
                   "common" rows search the fill's common name (COMMON), a page at both: like with like
  counts           count_by_status (all; one agency) and the home page's per-point breakdown
                   (from the tallies, store/tallies.py, built after the fill by `sync_tallies`)
  list             a page of 51 (all; one point; list_applications), first and a deep keyset page (?before=), and the
                   list's total (count_applications: all; one point; one agency and status)
  warmer           one worker round of the document queue: claim a batch of 10 changed
                   applications (made with the PDF samples' answers) and make their documents
  export           the staff CSV file of one point as an administrator downloads it
                   (renderers/web/staff/export.py), and the rows alone (stream_applications written
                   by csv), next to (PostgreSQL) COPY (SELECT the same rows and values) TO STDOUT;
                   also as CPU seconds of this process and the server's backends (/proc), which
                   other load on the machine blurs less than wall time

    .venv/bin/python bench/scale.py [--rows 1000000] --pg postgresql://postgres@127.0.0.1:5432/test
    .venv/bin/python bench/scale.py --rows 50000            # SQLite (default 200,000)

With --keep (PostgreSQL), the filled databases are schemas `scale_1000` and `scale_<N>` that stay
after the run and are reused by the next run with --keep (filled once; new migrations still run on
them), and --only WORDS times only the operations whose label contains one of the words:

    .venv/bin/python bench/scale.py --pg … --keep --only "name,export,COPY"

Prints seconds per operation at 1k and at N and their ratio (goal ≤ 2×), the rows a search or list
returned at each, and export/COPY
(goal ≤ 3×); next to them the same as CPU time of this process and the database's server
processes (PostgreSQL on this machine, read from /proc; each operation repeated for about
0.5 s), which a shared machine blurs less than wall time. Not a test: figures depend on the machine; compare ratios within one run.
"""
from __future__ import annotations

import argparse
import contextlib
import csv
import io
import random
import sqlite3
import statistics
import sys
import tempfile
import time
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Callable, Iterator

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests" / "pdf"))   # pdf_samples

import proc  # noqa: E402  (bench/ is on the path as the script's folder)
import sqlalchemy as sa  # noqa: E402

from shenbao.applications import tallied  # noqa: E402
from shenbao.flows import read_flow  # noqa: E402
from shenbao.paths import DEFAULT_FLOW  # noqa: E402
from store import Store  # noqa: E402
from web import database_for  # noqa: E402  (bench/web.py's, shared with durability and topology)

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗"          # 20
GIVEN = "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超兰霞平刚桂玉华红梅"  # 28
AGENCIES, POINTS_PER_AGENCY = 16, 4
POINTS = AGENCIES * POINTS_PER_AGENCY
PREFIX = "TR2026"


# A common name, as 王伟 is: every 16th of the first 1,024 applicants (62 at 1k, 64 at N), so that a
# search for it, or for its first two characters, finds a full page of 51 at 1k as at N (the other
# names are spread: a random applicant's name or first two characters find 1 or 2 at 1k).
COMMON, COMMON_EVERY, COMMON_UNTIL = "王伟芳", 16, 1024


def name_of(n: int) -> str:
    if n % COMMON_EVERY == 0 and n <= COMMON_UNTIL:
        return COMMON
    return SURNAMES[n % 20] + GIVEN[n // 20 % 28] + GIVEN[n // 560 % 28]


def values_of(n: int) -> dict[str, str]:
    point = n % POINTS
    return {"cert_no": f"C{n:012d}", "id_no": f"{110000000000000000 + n:018d}", "name": name_of(n),
            "email": f"u{n}@example.cn", "point": f"P{point:02d}", "agency": f"A{point // POINTS_PER_AGENCY:02d}"}


# -- filling ------------------------------------------------------------------------------

def fill_postgresql(store: Store, rows: int, statuses: list[str]) -> None:
    engine = store.db.engine
    with engine.begin() as conn:
        indexes = list(conn.execute(sa.text(
            "SELECT i.indexname, i.indexdef FROM pg_indexes i WHERE i.schemaname = current_schema() "
            "AND i.tablename IN ('applications', 'application_values') AND NOT EXISTS ("
            "SELECT 1 FROM pg_constraint c WHERE c.conname = i.indexname)")))
        for name, _definition in indexes:
            conn.execute(sa.text(f'DROP INDEX "{name}"'))
        status_array = "ARRAY[" + ",".join(f"'{s}'" for s in statuses) + "]"
        name = (f"CASE WHEN g % {COMMON_EVERY} = 0 AND g <= {COMMON_UNTIL} THEN '{COMMON}' ELSE "
                f"substr('{SURNAMES}', g % 20 + 1, 1) || substr('{GIVEN}', g / 20 % 28 + 1, 1)"
                f" || substr('{GIVEN}', g / 560 % 28 + 1, 1) END")
        conn.execute(sa.text(
            "INSERT INTO applications (id, application_no, flow_id, flow_version, flow_digest, identity_key, "
            "status, status_data, answers, password_hash, row_version, created_at, updated_at) "
            f"SELECT g, '{PREFIX}' || lpad(g::text, 7, '0'), 'teacher_registration', '1', 'bench', "
            f"'C' || lpad(g::text, 12, '0'), ({status_array})[g % {len(statuses)} + 1], '{{}}', "
            f"json_build_object('name', {name}, 'graduation_date', '2007-07-01'), 'x', 1, "
            "now() - (g || ' seconds')::interval, now() FROM generate_series(1, :n) g"), {"n": rows})
        point = f"g % {POINTS}"
        conn.execute(sa.text(
            "INSERT INTO application_values (application_id, field, value) SELECT g, f, v "
            "FROM generate_series(1, :n) g, LATERAL (VALUES "
            "('cert_no', 'C' || lpad(g::text, 12, '0')), ('id_no', (110000000000000000 + g)::text), "
            f"('name', {name}), ('email', 'u' || g || '@example.cn'), "
            f"('point', 'P' || lpad(({point})::text, 2, '0')), "
            f"('agency', 'A' || lpad((({point}) / {POINTS_PER_AGENCY})::text, 2, '0'))) kept(f, v)"), {"n": rows})
        for _name, definition in indexes:
            conn.execute(sa.text(definition))
        conn.execute(sa.text("SELECT setval(pg_get_serial_sequence('applications', 'id'), :n)"), {"n": rows})
    with engine.connect() as conn:
        conn = conn.execution_options(isolation_level="AUTOCOMMIT")
        conn.execute(sa.text("VACUUM ANALYZE applications"))
        conn.execute(sa.text("VACUUM ANALYZE application_values"))


def fill_sqlite(path: Path, rows: int, statuses: list[str]) -> None:
    at = datetime(2026, 9, 1, tzinfo=timezone.utc).isoformat()
    db = sqlite3.connect(path)
    with db:
        db.executemany(
            "INSERT INTO applications (id, application_no, flow_id, flow_version, flow_digest, identity_key, "
            "status, status_data, answers, password_hash, row_version, created_at, updated_at) "
            "VALUES (?, ?, 'teacher_registration', '1', 'bench', ?, ?, '{}', ?, 'x', 1, ?, ?)",
            ((n, f"{PREFIX}{n:07d}", f"C{n:012d}", statuses[n % len(statuses)],
              f'{{"name": "{name_of(n)}", "graduation_date": "2007-07-01"}}', at, at) for n in range(1, rows + 1)))
        db.executemany("INSERT INTO application_values (application_id, field, value) VALUES (?, ?, ?)",
                       ((n, k, v) for n in range(1, rows + 1) for k, v in values_of(n).items()))
    db.execute("ANALYZE")
    db.close()


# -- timing ---------------------------------------------------------------------------------

def export_csv(store: Store, point: str) -> int:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    count = 0
    for app in store.stream_applications(where={"point": point}):
        writer.writerow([app.application_no, app.status, *app.values.values(), *app.answers.values(),
                         app.created_at.isoformat(), app.updated_at.isoformat()])
        count += 1
        if buffer.tell() > 1 << 16:
            buffer.seek(0)
            buffer.truncate()
    return count


def staff_file(store: Store, database: str, flow: Any, tmp: Path) -> Callable[[str], int]:
    """The staff side's CSV export of one point as an administrator downloads it (the file's
    bytes from renderers/web/staff/export.py: labels, place names, local times, formula guard)."""
    from profile_pages import make
    from renderers.web.staff.base import Desk
    from renderers.web.staff.export import Export
    from store import Staff, load_demo
    from shenbao.applications import demo_defaults

    store.sync_datasets(flow.datasets, flow.lookup_index_columns())
    load_demo(store, flow.datasets, DEFAULT_FLOW.parent, None, demo_defaults(flow))
    _app, web, _clock = make(database, tmp)
    desk = Desk(web)
    admin = Staff(0, "admin", "admin", True, datetime.now(timezone.utc))
    return lambda point: sum(len(part) for part in Export(desk).lines(admin, {"where": {"point": point},
                                                                               "status": None}))


def server_cpu(store: Store) -> dict[int, float]:
    """CPU seconds so far of each server process of the store's database (PostgreSQL on this
    machine, read from /proc; empty for SQLite or a server elsewhere)."""
    if store.dialect != "postgresql":
        return {}
    pids = store.db.read(lambda conn: list(conn.scalars(sa.text(
        "SELECT pid FROM pg_stat_activity WHERE datname = current_database()"))))
    return proc.cpu_of(pids)


def copy_csv(store: Store, point: str) -> int:
    """The same rows and kept values, as PostgreSQL's COPY writes them."""
    query = ("SELECT a.application_no, a.status, (SELECT json_object_agg(v.field, v.value) FROM application_values v "
             "WHERE v.application_id = a.id), a.answers, a.status_data, a.created_at, a.updated_at "
             "FROM applications a WHERE a.id IN (SELECT application_id FROM application_values "
             f"WHERE field = 'point' AND value = '{point}') ORDER BY a.id DESC")
    raw = store.db.engine.raw_connection()
    try:
        size = 0
        with raw.cursor() as cursor:
            with cursor.copy(f"COPY ({query}) TO STDOUT WITH (FORMAT csv)") as copy:
                for chunk in copy:
                    size += len(chunk)
        return size
    finally:
        raw.close()


def warmer_round(store: Store, flow: Any, picks: list[int], batch: int = 10) -> float:
    """Median seconds of one documents round of the worker (claim `batch` changed applications
    from the queue, draw and store their documents), each round over freshly changed ones."""
    from zoneinfo import ZoneInfo

    import pdf_samples
    from pdf import application_answers
    from renderers.pdf import printers
    from shenbao.applications import indexed, key_of
    from shenbao.catalog import load_catalog
    from shenbao.documents import Documents
    from shenbao.mail import MailConfig, Mailer
    from shenbao.worker import Worker
    from store import Duplicate, load_demo
    from shenbao.applications import demo_defaults

    store.sync_datasets(flow.datasets, flow.lookup_index_columns())
    load_demo(store, flow.datasets, DEFAULT_FLOW.parent, None, demo_defaults(flow))
    sample = pdf_samples.registry_with_photo()
    made = []
    for n in range(batch):
        answers = {**application_answers(sample), "cert_no": f"2007111082299{n:04d}"}
        try:
            made.append(store.create_application(
                flow_id=flow.id, flow_version=flow.version, flow_digest=flow.digest,
                identity_key=key_of(flow, answers), numbering=flow.application.number,
                values={k: answers.get(k) for k in indexed(flow)}, status=flow.initial_status.id,
                answers=answers, password="x", photo=sample["photo"]).id)
        except Duplicate:   # a kept database (--keep): made by an earlier run
            found = store.find_application(identity_key=key_of(flow, answers))
            assert found is not None
            made.append(found.id)
    catalog = load_catalog()
    documents = Documents(flow, store, catalog, ZoneInfo("Asia/Shanghai"), printers(catalog))
    clock = lambda: datetime.now(timezone.utc)  # noqa: E731
    worker = Worker(store, Mailer(store, MailConfig(), clock),
                    documents, clock, batch=batch)
    times = []
    for round_ in range(len(picks) + 1):
        for application_id in made:   # a change: a new version of each, queued
            app = store.get_application(application_id)
            store.update_application(app.id, app.row_version, status_data={"round": round_})
        start = time.perf_counter()
        assert worker.documents_round() == batch
        times.append(time.perf_counter() - start)
    return statistics.median(times[1:])   # the first warms the fonts


Operations = dict[str, tuple[Callable[[int], Any], list[int]]]


def operations_of(store: Store, rows: int, repeat: int, flow: Any, database: str, tmp: Path) -> Operations:
    """Label → (call, the picks it is timed with)."""
    rng = random.Random(rows)
    picks = [rng.randrange(1, rows + 1) for _ in range(repeat)]
    spec = flow.application
    search = {"exact": list(spec.searchable), "contains": spec.display_name}
    v = values_of

    deep = max(200, rows // 50)   # a keyset page below it: a full page at 1k too (199 rows; 3 of one point)
    listed = lambda **query: store.list_applications(limit=51, **query)  # noqa: E731  (as the staff list reads)

    def search_by(text: Callable[[int], str], scoped: bool = False) -> Callable[[int], Any]:
        return lambda n: listed(text=text(n), **search, where={"point": v(n)["point"]} if scoped else None)

    operations: dict[str, Callable[[int], Any]] = {
        "login (find by login values)": lambda n: store.find_application(values={f: v(n)[f] for f in spec.login}),
        "dashboard (get application)": lambda n: store.get_application(n),
        "search: application number": search_by(lambda n: f"{PREFIX}{n:07d}".lower()),
        "search: ID number": search_by(lambda n: v(n)["id_no"]),
        "search: certificate number": search_by(lambda n: v(n)["cert_no"]),
        "search: e-mail": search_by(lambda n: v(n)["email"]),
        "search: name, 2 first characters": search_by(lambda n: name_of(n)[:2]),
        "search: name, 3 characters": search_by(lambda n: name_of(n)),
        "search: ID number, one point": search_by(lambda n: v(n)["id_no"], scoped=True),
        "search: name, 2 first characters, one point": search_by(lambda n: name_of(n)[:2], scoped=True),
        "search: name, 2 first characters, common": search_by(lambda n: COMMON[:2]),
        "search: name, 3 characters, common": search_by(lambda n: COMMON),
        "search: name, 2 first characters, common, one point": lambda n: listed(
            text=COMMON[:2], **search, where={"point": "P00"}),
        "search: its total, 2 first characters": lambda n: store.count_applications(text=name_of(n)[:2], **search),
        "search: its total, one point": lambda n: store.count_applications(
            text=name_of(n)[:2], where={"point": v(n)["point"]}, **search),
        "counts: by status, all": lambda n: store.count_by_status(),
        "counts: by status, one agency": lambda n: store.count_by_status(where={"agency": v(n)["agency"]}),
        "counts: per point × status, one agency": lambda n: store.count_by_value("point", where={"agency": v(n)["agency"]}),
        "list: total, all": lambda n: store.count_applications(),
        "list: total, one point": lambda n: store.count_applications(where={"point": v(n)["point"]}),
        "list: total, one agency, one status": lambda n: store.count_applications(
            where={"agency": v(n)["agency"]}, status=flow.initial_status.id),
        "list: first page, all": lambda n: listed(),
        "list: deep keyset page, all": lambda n: listed(before=deep),
        "list: first page, one point": lambda n: listed(where={"point": v(n)["point"]}),
        "list: deep keyset page, one point": lambda n: listed(where={"point": v(n)["point"]}, before=deep),
    }
    point_picks = picks[: max(3, repeat // 5)]
    timed: Operations = {label: (call, picks) for label, call in operations.items()}
    timed["warmer: claim + make a batch of 10"] = (lambda n: warmer_round(store, flow, point_picks), point_picks)
    timed["export: rows of one point (stream_applications)"] = (lambda n: export_csv(store, v(n)["point"]),
                                                                 point_picks)
    exported = staff_file(store, database, flow, tmp)
    timed["export: one point (the staff CSV file)"] = (lambda n: exported(v(n)["point"]), point_picks)
    if store.dialect == "postgresql":
        timed["COPY of the same rows"] = (lambda n: copy_csv(store, v(n)["point"]), point_picks)
    return timed


def cpu_of(store: Store, call: Callable[[int], Any], picks: list[int], seconds: float) -> float:
    """Mean CPU seconds per call of `call`: this process's and the database server's
    (`server_cpu`, in 10 ms clock ticks), over enough rounds of `picks` for about 0.5 s of
    calls (`seconds`: the wall time of one), for work whose wall time a loaded machine blurs."""
    rounds = max(1, round(0.5 / max(seconds, 1e-4) / len(picks)))
    before, own = server_cpu(store), time.process_time()
    for _ in range(rounds):
        for n in picks:
            call(n)
    own = time.process_time() - own
    after = server_cpu(store)
    server = sum(t - before.get(pid, 0.0) for pid, t in after.items())
    return (own + server) / (rounds * len(picks))


def interleaved(small: Operations, large: Operations, only: list[str] | None) -> tuple[dict[str, float], ...]:
    """Median seconds per operation at 1k and at N, the two timed in turn (a 1k call, an N call,
    …) so that whatever else the machine does at that moment weighs on both alike; then the median
    number of rows each list or search returned at 1k and at N (what the times compare). The warmer
    times its own rounds (it returns its median)."""
    results: tuple[dict[str, float], dict[str, float]] = ({}, {})
    found: tuple[dict[str, float], dict[str, float]] = ({}, {})
    for label in large:
        if only and not any(word in label for word in only):
            continue
        sides = (small[label], large[label])
        if label.startswith("warmer"):
            for side, (call, picks) in enumerate(sides):
                results[side][label] = call(picks[0])
            continue
        for call, picks in sides:
            call(picks[0])   # warm
        times: tuple[list[float], list[float]] = ([], [])
        sizes: tuple[list[int], list[int]] = ([], [])
        for pair in zip(sides[0][1], sides[1][1]):
            for side, (call, _picks) in enumerate(sides):
                start = time.perf_counter()
                result = call(pair[side])
                times[side].append(time.perf_counter() - start)
                if isinstance(result, list):
                    sizes[side].append(len(result))
        for side in (0, 1):
            results[side][label] = statistics.median(times[side])
            if sizes[side]:
                found[side][label] = statistics.median(sizes[side])
    return (*results, *found)


def kept_database(url: str, rows: int) -> tuple[str, bool]:
    """(URL, filled already) of schema scale_<rows> in the database at `url`, made if missing."""
    schema = f"scale_{rows}"
    admin = sa.create_engine(url.replace("postgresql://", "postgresql+psycopg://", 1))
    try:
        with admin.begin() as conn:
            conn.execute(sa.text(f'CREATE SCHEMA IF NOT EXISTS "{schema}"'))
            filled = conn.scalar(sa.text(
                "SELECT count(*) FROM pg_tables WHERE schemaname = :s AND tablename = 'application_tallies'"),
                {"s": schema}) and conn.scalar(sa.text(
                    f'SELECT EXISTS (SELECT 1 FROM "{schema}".application_tallies) '
                    f'AND EXISTS (SELECT 1 FROM "{schema}".applications WHERE id = :n)'), {"n": rows})
            if filled and conn.scalar(sa.text(f'SELECT answers->>\'name\' FROM "{schema}".applications '
                                              f"WHERE id = {COMMON_EVERY}")) != COMMON:
                # filled before the fill had its common name: filled again
                conn.execute(sa.text(f'DROP SCHEMA "{schema}" CASCADE'))
                conn.execute(sa.text(f'CREATE SCHEMA "{schema}"'))
                filled = False
    finally:
        admin.dispose()
    joiner = "&" if "?" in url else "?"
    return f"{url}{joiner}options=-csearch_path%3D{schema}", bool(filled)


@contextlib.contextmanager
def filled(url: str | None, rows: int, repeat: int, tmp: Path,
           keep: bool = False) -> Iterator[tuple[Store, Operations]]:
    """A database of `rows` applications (made, or kept from an earlier run with `keep`), open,
    and its operations."""
    flow = read_flow(DEFAULT_FLOW)
    statuses = list(flow.statuses)
    if keep and url:
        database, done = kept_database(url, rows)
        drop: Callable[[], None] = lambda: None  # noqa: E731
    else:
        (database, drop), done = database_for(url, tmp, f"scale-{rows}"), False
    try:
        with Store.open(database) as store:
            store.migrate()
            if done:
                start = time.perf_counter()
                rebuilt = store.sync_tallies(tallied(flow))   # a no-op unless the tallied set changed
                print(f"  reusing the {rows:,} applications of a kept database"
                      + (f" (tallies rebuilt for the flow's set in {time.perf_counter() - start:.1f} s)"
                         if rebuilt else ""), flush=True)
            else:
                start = time.perf_counter()
                if store.dialect == "postgresql":
                    fill_postgresql(store, rows, statuses)
                else:
                    fill_sqlite(Path(database.removeprefix("sqlite:///")), rows, statuses)
                store.sync_tallies(tallied(flow))   # the flow's tallied set: rebuilt from the filled rows
                kept = store.db.read(lambda conn: conn.scalar(sa.text("SELECT count(*) FROM application_tallies")))
                print(f"  filled {rows:,} applications in {time.perf_counter() - start:.1f} s "
                      f"({kept:,} tally rows: what the counts read from)", flush=True)
            yield store, operations_of(store, rows, repeat, flow, database, tmp)
    finally:
        drop()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--pg", help="a PostgreSQL URL (default: SQLite in a temporary directory)")
    parser.add_argument("--rows", type=int, help="N (default 1,000,000 on PostgreSQL, 200,000 on SQLite)")
    parser.add_argument("--repeat", type=int, default=15, help="calls per operation (the median is shown)")
    parser.add_argument("--keep", action="store_true",
                        help="PostgreSQL: keep the filled schemas scale_1000 and scale_<N> and reuse them")
    parser.add_argument("--only", help="comma-separated words: time only the operations whose label has one")
    args = parser.parse_args()
    rows = args.rows or (1_000_000 if args.pg else 200_000)
    only = [w for w in (args.only or "").split(",") if w] or None
    with tempfile.TemporaryDirectory() as tmp:
        print(f"{'PostgreSQL' if args.pg else 'SQLite'}: 1,000 and {rows:,} applications", flush=True)
        with filled(args.pg, 1000, args.repeat, Path(tmp), args.keep) as (_store, at_1k), \
                filled(args.pg, rows, args.repeat, Path(tmp), args.keep) as (store, at_n):
            small, large, rows_1k, rows_n = interleaved(at_1k, at_n, only)
            cpu = {label: cpu_of(store, *at_n[label], large[label]) for label in large
                   if not label.startswith("warmer")}
            cpu_1k = {label: cpu_of(_store, *at_1k[label], small[label]) for label in cpu}
    print(f"\n{'operation':52} {'1k ms':>8} {f'{rows // 1000}k ms':>9} {'ratio':>6}   "
          f"{'CPU ms 1k':>9} {'N':>8} {'ratio':>6}   {'rows 1k/N':>9}")
    for label, seconds in large.items():
        line = f"{label:52} {small[label] * 1000:8.2f} {seconds * 1000:9.2f} {seconds / small[label]:5.1f}×"
        if label in cpu:
            line += f"   {cpu_1k[label] * 1000:9.2f} {cpu[label] * 1000:8.2f} {cpu[label] / cpu_1k[label]:5.1f}×"
        if label in rows_n:
            line += f"   {rows_1k[label]:>4g}/{rows_n[label]:<4g}"
        print(line)
    if any("common" in label for label in large):
        print(f"\nName searches: issue 10's rows are \"search: name, …\" (a random applicant's name: at 1k it "
              "finds 1 or 2, at N a page of 51, so their ratio is also the cost of 49 more rows); "
              f"\"…, common\" is the same search for {COMMON[:2]}/{COMMON} ({COMMON_UNTIL // COMMON_EVERY} "
              "applicants of the first 1,024 are so named), a full page at 1k as at N: like with like. "
              "One point holds 15 or 16 applications at 1k, so no search in it finds a page there.")
    if "COPY of the same rows" in large:
        for label in ("export: one point (the staff CSV file)", "export: rows of one point (stream_applications)"):
            if label in large:
                print(f"\n{label} / COPY at {rows:,}: {large[label] / large['COPY of the same rows']:.1f}× "
                      f"wall (goal ≤ 3×), {cpu[label] / cpu['COPY of the same rows']:.1f}× CPU "
                      "(this process and the server's)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
