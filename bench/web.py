"""Benchmark: requests per second of the web application next to a bare Bottle hello-world,
under the same server and worker count, in the same run.

    .venv/bin/python bench/web.py [--server gunicorn|waitress|both] [--workers 2] [--threads 8]
                                  [--seconds 5] [--clients 4] [--pin] [--repeat N] [--database URL]

Measured, each for --seconds with --clients load processes (raw sockets, one request per
connection, `Connection: close`, so the load generator costs as little as possible):
  hello      GET /hello of a one-route Bottle app            (the baseline)
  dashboard  GET /account of a signed-in applicant           (session, application, lookups, messages)
  submit     POST /apply of step 7 with one wrong field      (CSRF, draft load and save, the engine's
             validation of ~30 fields, the page rendered again with the error)
  advance    POST /apply of step 5 choosing a point, then    (two requests per round, both counted:
             "back" from step 6                               the run moves on and back)
The ratio app/hello is the figure to quote: it does not depend on the machine. Beside it,
"CPU ms/req" is the servers' own CPU (user + system of the gunicorn master and every worker,
from /proc, before and after the case) per request served, and "CPU ratio" is hello's CPU per
request over the case's: far less sensitive than req/s to what else the machine runs (the
load generator included: at hello it, not the server, is often the limit). "of which app" is
the part of it spent inside the application's WSGI call (the thread CPU of the handling
thread from the call to its return, summed over the workers): what bench/profile_pages.py
profiles in process; the rest is the server's own (gunicorn's accept, parse, write, close,
its main loop and threads) and the kernel's socket work. With --pin the
servers share ONE CPU: req/s is per core, so 150 req/s is ~6.7 ms of that core per request.
Before the timed cases the run waits for the background worker to make the documents of the
applicants it just created (see `settle`). The demo data goes into a temporary SQLite database
unless --database names one (e.g. PostgreSQL).
"""
from __future__ import annotations

import argparse
import multiprocessing
import os
import re
import secrets
import statistics
import sys
import tempfile
import time
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import proc  # noqa: E402  (bench/ is on the path as the script's folder)
from loopback import fetch, free_port, request  # noqa: E402
from shenbao.applications import demo_defaults, indexed, key_of

WORK = {
    "password": "Bench2027#", "password_confirm": "Bench2027#", "email": "bench@163.com",
    "highest_degree": "bachelor", "highest_education": "undergraduate", "study_mode": "full_time",
    "major_category": "teacher_education", "graduated_school": "北京师范大学", "major": "汉语言文学",
    "graduation_date": "2007-07-01", "political_status": "masses", "school_location": "北京市海淀区",
    "school_nature": "public", "school_name": "海淀实验小学", "work_start": "2007-09-01",
    "employment_start": "2008-09-01", "post_nature": "full_time_teacher", "putonghua_level": "level_2a",
    "professional_title": "first_grade", "birthplace": "北京", "household_registration": "北京市海淀区",
    "address": "北京市海淀区中关村大街1号", "postcode": "100080", "telephone": "010-12345678",
    "mobile": "139",  # wrong on purpose: the page comes back with one error
}


Result = tuple[float, int, float, float]  # requests per second, failures, server CPU and app CPU ms per request

# The app's own CPU inside the served workers: (seconds, calls), in shared memory made before the
# servers fork, so every gunicorn worker adds to the same two numbers.
APP_CPU = multiprocessing.RawArray("d", 2)
APP_LOCK = multiprocessing.Lock()

# --pin: the servers on the first CPU, the load on the others (per-core efficiency)
SERVER_CPUS: set[int] | None = None
CLIENT_CPUS: set[int] | None = None

# -- servers ----------------------------------------------------------------------------

def hello_app() -> Any:
    import bottle

    app = bottle.Bottle()
    app.route("/hello", "GET", lambda: "Hello World")
    return app


def timed(wsgi: Any) -> Any:
    """The WSGI call, its handling thread's CPU added to APP_CPU."""
    def call(environ: dict[str, Any], start_response: Any) -> Any:
        started = time.thread_time()
        out = wsgi(environ, start_response)
        spent = time.thread_time() - started
        with APP_LOCK:
            APP_CPU[0] += spent
            APP_CPU[1] += 1
        return out
    return call


def pin(cpus: set[int] | None) -> None:
    if cpus:
        os.sched_setaffinity(0, cpus)


def serve(kind: str, server: str, port: int, workers: int, threads: int, env: dict[str, str]) -> None:
    os.environ.update(env)
    pin(SERVER_CPUS)
    import logging

    logging.disable(logging.WARNING)
    from renderers.pdf import printers
    from renderers.web.app import make_app
    from commands.serve import serve_gunicorn, serve_waitress, worker_started

    app = make_app(printers=printers) if kind == "app" else hello_app()
    app.wsgi = timed(app.wsgi)  # Bottle.__call__ calls self.wsgi
    hook = worker_started if kind == "app" else None  # exactly what `shenbao serve` runs
    url = f"http://127.0.0.1:{port}/"
    sys.stdout = open(os.devnull, "w")  # noqa: SIM115 - the servers print their address
    if server == "gunicorn":
        serve_gunicorn(app, "127.0.0.1", port, workers, url, quiet=True, after_fork=hook, threads=threads)
    else:
        serve_waitress(app, "127.0.0.1", port, threads, url, hook)


def start(kind: str, server: str, workers: int, threads: int, env: dict[str, str]) -> tuple[multiprocessing.Process, int]:
    port = free_port()
    process = multiprocessing.Process(target=serve, args=(kind, server, port, workers, threads, env), daemon=True)
    process.start()
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            if fetch(port, request("GET", "/hello" if kind == "hello" else "/"))[0] == 200:
                return process, port
        except OSError:
            time.sleep(0.1)
    raise SystemExit(f"{kind} server did not start")


def stop(process: multiprocessing.Process) -> None:
    process.terminate()
    process.join(10)


# -- the load ---------------------------------------------------------------------------

def load(port: int, rounds: list[bytes], seconds: float, queue: Any) -> None:
    """Repeat this client's round of requests until time is up; report (ok, failed)."""
    pin(CLIENT_CPUS)
    ok = failed = 0
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        for raw in rounds:
            status, _, _ = fetch(port, raw)
            if status < 400:
                ok += 1
            else:
                failed += 1
    queue.put((ok, failed))


def tree_cpu(pid: int) -> float:
    """CPU seconds (user + system) used so far by process `pid` and every live descendant
    (the gunicorn master and its workers), from /proc: the server's own cost, whatever else
    the machine is running."""
    procs = proc.everyone()
    tree, grown = {pid}, True
    while grown:
        grown = False
        for child, found in procs.items():
            if found.parent in tree and child not in tree:
                tree.add(child)
                grown = True
    return sum(procs[p].cpu for p in tree if p in procs)


def measure(port: int, per_client: list[list[bytes]], seconds: float, server: int) -> Result:
    """(requests per second, failures, server CPU and app CPU ms per request) of one case."""
    queue: Any = multiprocessing.Queue()
    clients = [multiprocessing.Process(target=load, args=(port, rounds, seconds, queue))
               for rounds in per_client]
    cpu, app = tree_cpu(server), (APP_CPU[0], APP_CPU[1])
    started = time.monotonic()
    for client in clients:
        client.start()
    results = [queue.get() for _ in clients]
    elapsed = time.monotonic() - started
    cpu = tree_cpu(server) - cpu
    app_cpu, calls = APP_CPU[0] - app[0], APP_CPU[1] - app[1]
    for client in clients:
        client.join()
    ok, failed = sum(r[0] for r in results), sum(r[1] for r in results)
    return ok / elapsed, failed, 1000 * cpu / max(ok + failed, 1), 1000 * app_cpu / max(calls, 1)


# -- preparing applicants ---------------------------------------------------------------

def prepare_database(url: str) -> None:
    from shenbao.flows import read_flow
    from shenbao.paths import DEFAULT_FLOW
    from store import Store, load_demo

    flow = read_flow(DEFAULT_FLOW)
    with Store.open(url) as store:
        store.migrate()
        store.sync_datasets(flow.datasets, flow.lookup_index_columns())
        load_demo(store, flow.datasets, DEFAULT_FLOW.parent, None,
                  demo_defaults(flow))


def csrf_of(page: bytes) -> str:
    found = re.search(rb'name="csrf_token" value="([^"]+)"', page)
    assert found, page[:300]
    return found.group(1).decode()


def signed_in(url: str, port: int, clients: int) -> list[list[bytes]]:
    """One applicant (and session) per client; the round is GET /account."""
    from shenbao.flows import read_flow
    from shenbao.paths import DEFAULT_FLOW
    from store import Store

    flow = read_flow(DEFAULT_FLOW)
    rounds = []
    with Store.open(url) as store:
        for n in range(clients):
            answers = {"name": "王晓燕", "agency": "bj_haidian", "point": "bj_haidian_jinxiu",
                       "id_no": "110108198504120144", "cert_no": f"BENCH{secrets.token_hex(6)}",
                       "email": "bench@163.com"}
            app = store.create_application(
                flow_id=flow.id, flow_version=flow.version, flow_digest=flow.digest,
                identity_key=key_of(flow, answers), numbering=flow.application.number,
                values={k: answers.get(k) for k in indexed(flow)}, status=flow.initial_status.id,
                password=secrets.token_urlsafe(12), answers=answers)
            token, _ = store.create_session("applicant", app.id, datetime.now(timezone.utc))
            raw = request("GET", "/account", {"sb_applicant": token})
            status, page, _ = fetch(port, raw)
            assert status == 200 and b"TR" in page, page[:500]
            rounds.append([raw])
    return rounds


def step_title(step: str) -> str:
    from shenbao.catalog import load_catalog
    from shenbao.flows import read_flow
    from shenbao.paths import DEFAULT_FLOW

    return load_catalog().text(read_flow(DEFAULT_FLOW).step(step).title)


def drafts_at(port: int, clients: int, step: str) -> list[tuple[str, str]]:
    """Walk one browser per client through the wizard to `step`: (browser token, CSRF token)."""
    answers = {"terms": {"accept_terms": "accept"},
               "identity": {"cert_no": "20071110822001207", "id_no": "110108198504120144"},
               "agency": {"teaching_stage": "primary", "teaching_subject": "primary_chinese", "city": "110100", "agency": "bj_haidian"},
               "point": {"point": "bj_haidian_jinxiu"}, "notes": {}}
    order = ["notice", "terms", "identity", "agency", "point", "notes", "application"]
    browsers = []
    for _ in range(clients):
        cookies = {"sb_browser": secrets.token_urlsafe(32)}
        fetch(port, request("GET", "/apply/start", cookies))
        browsers.append((cookies, csrf_of(fetch(port, request("GET", "/apply", cookies))[1])))
    time.sleep(3.05)  # the notice's reading time is real here (once for all of them)
    for cookies, csrf in browsers:
        for current in order[:order.index(step)]:
            fetch(port, request("POST", "/apply", cookies, {"csrf_token": csrf, "action": "next", "step": current,
                                                            **answers.get(current, {})}))
        page = fetch(port, request("GET", "/apply", cookies))[1].decode()
        assert step_title(step) in page, page[:400]
    return [(cookies["sb_browser"], csrf) for cookies, csrf in browsers]


def wizard_rounds(port: int, clients: int) -> tuple[list[list[bytes]], list[list[bytes]]]:
    submit, advance = [], []
    for browser, csrf in drafts_at(port, clients, "application"):
        submit.append([request("POST", "/apply", {"sb_browser": browser},
                               {"csrf_token": csrf, "action": "next", "step": "application", **WORK})])
    for browser, csrf in drafts_at(port, clients, "point"):
        cookies = {"sb_browser": browser}
        advance.append([request("POST", "/apply", cookies, {"csrf_token": csrf, "action": "next", "step": "point",
                                                            "point": "bj_haidian_jinxiu"}),
                        request("POST", "/apply", cookies, {"csrf_token": csrf, "action": "back", "step": "notes"})])
    return submit, advance


# -- main -------------------------------------------------------------------------------

def database_for(url: str | None, tmp: Path, name: str = "bench") -> tuple[str, Any]:
    """A temporary SQLite file `name`.db in tmp, or a temporary schema in the given PostgreSQL
    database; with the function that drops the schema."""
    if not url:
        return f"sqlite:///{tmp / f'{name}.db'}", lambda: None
    import sqlalchemy as sa

    schema = f"bench_{secrets.token_hex(4)}"
    admin = sa.create_engine(url.replace("postgresql://", "postgresql+psycopg://", 1))
    with admin.begin() as conn:
        conn.execute(sa.text(f'CREATE SCHEMA "{schema}"'))

    def drop() -> None:
        with admin.begin() as conn:
            conn.execute(sa.text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()

    joiner = "&" if "?" in url else "?"
    return f"{url}{joiner}options=-csearch_path%3D{schema}", drop


def threads_of(server: str, args: argparse.Namespace) -> int:
    """Threads per gunicorn worker (default: what `shenbao serve` uses); waitress: 4 per worker
    in its one process."""
    if server == "waitress":
        return args.workers * 4
    from commands.serve import THREADS

    return args.threads or THREADS


def settle(url: str, limit: float = 300.0) -> None:
    """Wait until the background worker has made the documents of the applications this run
    created (bench applicants are new applications: each queues its documents, ~0.2 s of CPU
    each, store/jobs.py). With SQLite that worker is a thread of one server worker: timed
    meanwhile, it was charged to whichever case ran first (issue 10: ~3 ms of the
    dashboard's ~7 ms per request). PostgreSQL has no worker in the servers (`shenbao worker`
    is not run here), so nothing is made there."""
    from store import Store, jobs

    if not url.startswith("sqlite"):
        return
    deadline = time.monotonic() + limit
    with Store.open(url) as store:
        while jobs.queued_changes(store) and time.monotonic() < deadline:
            time.sleep(0.2)


def run(server: str, args: argparse.Namespace, url: str, env: dict[str, str]) -> dict[str, Result]:
    results: dict[str, Result] = {}
    process, port = start("hello", server, args.workers, threads_of(server, args), env)
    try:
        hello = [[request("GET", "/hello")] for _ in range(args.clients)]
        results["hello"] = measure(port, hello, args.seconds, process.pid)
    finally:
        stop(process)
    process, port = start("app", server, args.workers, threads_of(server, args), env)
    try:
        dashboard = signed_in(url, port, args.clients)
        submit, advance = wizard_rounds(port, args.clients)
        settle(url)
        results["dashboard"] = measure(port, dashboard, args.seconds, process.pid)
        results["submit"] = measure(port, submit, args.seconds, process.pid)
        results["advance"] = measure(port, advance, args.seconds, process.pid)
    finally:
        stop(process)
    return results


def median(rounds: list[dict[str, Result]]) -> dict[str, Result]:
    """Per case: the median rate and CPU per request over the rounds, and every failure."""
    return {case: (statistics.median(r[case][0] for r in rounds), sum(r[case][1] for r in rounds),
                   statistics.median(r[case][2] for r in rounds), statistics.median(r[case][3] for r in rounds))
            for case in rounds[0]}


def report(server: str, workers: int, threads: int, results: dict[str, Result]) -> None:
    hello, hello_cpu = results["hello"][0], results["hello"][2]
    print(f"\n{server}, {workers} workers, {threads} threads " + ("per worker" if server == "gunicorn" else "(one process)"))
    print(f"  {'case':<10} {'req/s':>9} {'ratio to hello':>15} {'CPU ms/req':>11} {'of which app':>13} "
          f"{'CPU ratio':>10} {'failed':>7}")
    for case, (rate, failed, cpu, app) in results.items():
        print(f"  {case:<10} {rate:9.1f} {rate / hello:15.3f} {cpu:11.2f} {app:13.2f} {hello_cpu / cpu:10.3f} {failed:7d}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--server", choices=("gunicorn", "waitress", "both"), default="both")
    parser.add_argument("--workers", type=int, default=0,
                        help="server workers (default: what `shenbao serve` uses here)")
    parser.add_argument("--threads", type=int, default=0,
                        help="threads per gunicorn worker (default: what `shenbao serve` uses)")
    parser.add_argument("--seconds", type=float, default=5.0)
    parser.add_argument("--clients", type=int, default=4)
    parser.add_argument("--database", help="database URL (default: a temporary SQLite file)")
    parser.add_argument("--pin", action="store_true",
                        help="servers on one CPU, load processes on the others: per-core efficiency")
    parser.add_argument("--repeat", type=int, default=1,
                        help="rounds, servers alternating; the median of each case is shown (default: %(default)s)")
    args = parser.parse_args()
    if args.pin:
        global SERVER_CPUS, CLIENT_CPUS
        cpus = sorted(os.sched_getaffinity(0))
        SERVER_CPUS, CLIENT_CPUS = {cpus[0]}, set(cpus[1:]) or {cpus[0]}
    if not args.workers:
        from commands.serve import default_workers

        args.workers = default_workers()
    with tempfile.TemporaryDirectory() as tmp:
        url, cleanup = database_for(args.database, Path(tmp))
        prepare_database(url)
        env = {"SHENBAO_DATABASE_URL": url, "SHENBAO_SECRET": secrets.token_urlsafe(32),
               "SHENBAO_OUTBOX_DIR": str(Path(tmp) / "outbox"), "SHENBAO_MAIL_INTERVAL": "3600"}
        where = (f"servers on CPU {sorted(SERVER_CPUS)}, load on CPU {sorted(CLIENT_CPUS or ())}" if SERVER_CPUS
                 else "not pinned")
        print(f"bench/web.py: {os.cpu_count()} CPUs ({where}), {args.clients} load processes, {args.seconds:g} s "
              f"per case, {args.repeat} round(s), database {url.split(':')[0]}")
        servers = ("gunicorn", "waitress") if args.server == "both" else (args.server,)
        rounds: dict[str, list[dict[str, Result]]] = {s: [] for s in servers}
        for _ in range(args.repeat):
            for server in servers:
                rounds[server].append(run(server, args, url, env))
        for server in servers:
            report(server, args.workers, threads_of(server, args), median(rounds[server]))
        cleanup()
    return 0


if __name__ == "__main__":
    sys.exit(main())
