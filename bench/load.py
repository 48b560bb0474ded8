"""Load: the peak-day mix of concurrent clients over loopback, against one `shenbao serve`
node and against the production topology (nginx in front of two nodes, one worker), both
over PostgreSQL. Prints, per request kind, the count, the error rate and p50/p95/p99.

    .venv/bin/python bench/load.py [--clients 200] [--seconds 60] [--topology single|two|both]
                                   [--node-workers N] [--database postgresql://postgres@127.0.0.1:5432/test]
                                   [--logs DIR]

Half the clients walk the wizard (a new teacher each time: certificate not in the registry,
the notice's 3 s reading time, steps 2-7 posted as a browser would, step 7 the submission),
half reload the dashboard of an applicant signed in beforehand. No think time besides the
notice's. A request counts as an error when it fails to connect, times out (30 s), answers
5xx, or is not the page expected. Kinds: `dashboard` (GET /account), `page` (GET /apply),
`step` (POST /apply of steps 1-6), `submit` (POST /apply of step 7). Bounded: --seconds of
load per topology (clients stop starting rounds then, and finish the request in flight),
127.0.0.1 only, ports 18300-18309 (`--port` moves them). PostgreSQL from --database or SHENBAO_TEST_PG_URL.
"""
from __future__ import annotations

import argparse
import itertools
import os
import secrets
import socket
import statistics
import sys
import tempfile
import threading
import time
from datetime import datetime, timezone
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import proc  # noqa: E402
from durability import ORDER, answers  # noqa: E402
from loopback import request  # noqa: E402
from topology import Topology, pg_schema  # noqa: E402
from web import csrf_of, step_title, tree_cpu  # noqa: E402



def fetch(port: int, raw: bytes, timeout: float = 30.0) -> tuple[int, bytes]:
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as conn:
        conn.sendall(raw)
        chunks = []
        while chunk := conn.recv(262144):
            chunks.append(chunk)
    data = b"".join(chunks)
    if not data[9:12].isdigit():  # closed without an answer (a worker killed mid-request)
        raise ConnectionResetError("no response")
    return int(data[9:12]), data.partition(b"\r\n\r\n")[2]


def postgres_cpu() -> float:
    """CPU seconds used so far by every live PostgreSQL process on this machine (its backends
    come and go with the pools; on a quiet machine they are this run's)."""
    return sum(p.cpu for p in proc.everyone().values() if p.name.startswith("postgres"))


class Account:
    """Where the machine's CPU went during the load: the nodes (gunicorn masters and workers),
    the shenbao workers (documents, mail), PostgreSQL, nginx and this load generator."""

    def __init__(self, topology: Topology) -> None:
        self.topology = topology
        self.start = self.read()

    def read(self) -> dict[str, float]:
        own = os.times()
        return {"nodes": sum(tree_cpu(n.pid) for n in self.topology.nodes),
                "shenbao worker": sum(tree_cpu(w.pid) for w in self.topology.workers),
                "nginx": tree_cpu(self.topology.nginx.pid) if self.topology.nginx else 0.0,
                "PostgreSQL": postgres_cpu(), "load generator": own.user + own.system,
                "wall": time.monotonic()}

    def used(self) -> dict[str, float]:
        """CPU seconds of each part since the start, and the wall time ("wall")."""
        end = self.read()
        return {k: end[k] - self.start[k] for k in end}


def cpu_report(used: dict[str, float], requests: int, clients: int, think: float, waited: float) -> None:
    """Where the CPU went, per request, and the floor it sets: with the CPUs saturated, a
    closed loop of `clients` (no think time besides `think` seconds in all) answers at most
    cores / CPU-per-request requests a second, so the mean response cannot be below
    (clients x wall - think) x CPU-per-request / (cores x wall) (Little's law)."""
    used = dict(used)
    wall = used.pop("wall")
    cores, n = os.cpu_count() or 1, max(requests, 1)
    total = sum(used.values())
    print(f"  CPU over {wall:.0f} s ({cores} cores, {100 * total / (cores * wall):.0f} % busy), ms per request: "
          + ", ".join(f"{k} {1000 * v / n:.1f}" for k, v in used.items() if v) + f"; all {1000 * total / n:.1f}")
    floor = (clients * wall - think) * (total / n) / (cores * wall)
    print(f"  mean response {waited / n:.3f} s; its CPU floor at this mix {floor:.3f} s "
          f"({clients} clients, {think / wall:.0f} of them reading the notice on average)")


class Tally:
    def __init__(self) -> None:
        self.times: dict[str, list[float]] = {}
        self.errors: dict[str, int] = {}
        self.why: dict[str, int] = {}  # what the errors were: a status, an unexpected page, an OSError
        self.lock = threading.Lock()
        self.cpu: dict[str, float] = {}  # where the CPU went (Account.used)
        self.think = 0.0  # seconds the wizard clients spent reading (not waiting for an answer)
        self.clients = 0

    def timed(self, kind: str, port: int, raw: bytes, ok: tuple[int, ...] = (200, 303, 302),
              expect: bytes | None = None) -> tuple[int, bytes] | None:
        start = time.perf_counter()
        failure = ""
        try:
            status, body = fetch(port, raw)
        except OSError as error:
            status, body, failure = 0, b"", type(error).__name__
        elapsed = time.perf_counter() - start
        good = status in ok and (expect is None or expect in body)
        with self.lock:
            self.times.setdefault(kind, []).append(elapsed)
            if not good:
                self.errors[kind] = self.errors.get(kind, 0) + 1
                why = f"{kind} {failure or status}{'' if failure or status not in ok else ' unexpected page'}"
                self.why[why] = self.why.get(why, 0) + 1
        return (status, body) if good else None

    def report(self, title: str) -> None:
        print(f"\n{title}")
        print(f"  {'kind':<10} {'requests':>8} {'errors':>7} {'error %':>8} {'p50 s':>8} {'p95 s':>8} {'p99 s':>8}")
        for kind in ("dashboard", "page", "step", "submit"):
            times = sorted(self.times.get(kind, []))
            if not times:
                continue
            errors = self.errors.get(kind, 0)
            q = statistics.quantiles(times, n=100, method="inclusive") if len(times) > 1 else times * 99
            print(f"  {kind:<10} {len(times):8d} {errors:7d} {100 * errors / len(times):8.2f} "
                  f"{q[49]:8.3f} {q[94]:8.3f} {q[98]:8.3f}")
        if self.cpu:
            cpu_report(self.cpu, sum(len(t) for t in self.times.values()), self.clients, self.think,
                       sum(sum(t) for t in self.times.values()))
        if self.why:
            print("  errors: " + ", ".join(f"{why} × {n}" for why, n in sorted(self.why.items())))


def signed_in(url: str, port: int, count: int) -> list[bytes]:
    """An applicant and a session per dashboard client (made in the store: not measured)."""
    from shenbao.flows import read_flow
    from shenbao.paths import DEFAULT_FLOW
    from shenbao.applications import indexed, key_of
    from store import Store

    flow = read_flow(DEFAULT_FLOW)
    raws = []
    with Store.open(url) as store:
        for _ in range(count):
            answers = {"name": "王晓燕", "agency": "bj_haidian", "point": "bj_haidian_jinxiu",
                       "id_no": "110108198504120144", "cert_no": f"LOAD{secrets.token_hex(6)}", "email": "load@163.com"}
            app = store.create_application(
                flow_id=flow.id, flow_version=flow.version, flow_digest=flow.digest,
                identity_key=key_of(flow, answers), numbering=flow.application.number,
                values={k: answers.get(k) for k in indexed(flow)}, status=flow.initial_status.id,
                password=secrets.token_urlsafe(12), answers=answers)
            token, _ = store.create_session("applicant", app.id, datetime.now(timezone.utc))
            raws.append(request("GET", "/account", {"sb_applicant": token}))
    return raws


def wizard_client(port: int, tally: Tally, until: float, numbers: itertools.count, done_title: bytes) -> None:
    while time.monotonic() < until:
        n = next(numbers)
        _cert_no, steps = answers(n)
        cookies = {"sb_browser": secrets.token_urlsafe(32)}
        if tally.timed("page", port, request("GET", "/apply/start", cookies)) is None:
            time.sleep(0.5)  # as a person would before trying again (not a loop of instant failures)
            continue
        got = tally.timed("page", port, request("GET", "/apply", cookies))
        if got is None:
            time.sleep(0.5)
            continue
        csrf = csrf_of(got[1])
        time.sleep(3.05)  # the notice's reading time
        with tally.lock:
            tally.think += 3.05
        for step in ORDER:
            kind = "submit" if step == "application" else "step"
            form = {"csrf_token": csrf, "action": "next", "step": step, **steps.get(step, {})}
            sent = tally.timed(kind, port, request("POST", "/apply", cookies, form))
            if sent is None:
                break
            if step == "application":
                page = tally.timed("page", port, request("GET", "/apply", cookies), expect=done_title)
                if page is None:
                    break


def dashboard_client(port: int, raw: bytes, tally: Tally, until: float) -> None:
    while time.monotonic() < until:
        tally.timed("dashboard", port, raw, ok=(200,), expect=b"TR")


def run(kind: str, args: argparse.Namespace, tmp: Path) -> Tally:
    url, drop = pg_schema(args.database)
    nodes = 1 if kind == "single" else 2
    topology = Topology(url, tmp / kind, list(range(args.port, args.port + 10)), nodes=nodes, node_workers=args.node_workers, workers=1)
    (tmp / kind).mkdir()
    try:
        topology.init(demo=True)
        topology.start()
        port = topology.node_ports[0] if kind == "single" else topology.port
        dashboards = signed_in(url, port, args.clients - args.clients // 2)
        tally = Tally()
        tally.clients = args.clients
        account = Account(topology)
        until = time.monotonic() + args.seconds
        numbers = itertools.count(1)
        done_title = step_title("done").encode()
        threads = [threading.Thread(target=wizard_client, args=(port, tally, until, numbers, done_title), daemon=True)
                   for _ in range(args.clients // 2)]
        threads += [threading.Thread(target=dashboard_client, args=(port, raw, tally, until), daemon=True)
                    for raw in dashboards]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(args.seconds + 120)
        tally.cpu = account.used()
        return tally
    finally:
        topology.stop()
        drop()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--clients", type=int, default=200, help="half wizard, half dashboard (default: %(default)s)")
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--topology", choices=("single", "two", "both"), default="both")
    parser.add_argument("--node-workers", type=int, default=0,
                        help="gunicorn workers per node (default: what `shenbao serve` uses here)")
    parser.add_argument("--database", default=os.environ.get("SHENBAO_TEST_PG_URL"),
                        help="PostgreSQL URL (a temporary schema is made in it)")
    parser.add_argument("--port", type=int, default=18300, help="first of the 10 loopback ports used (default: %(default)s)")
    parser.add_argument("--logs", help="keep the nodes', the worker's and nginx's logs in this (new) folder")
    args = parser.parse_args()
    if not args.database:
        parser.error("PostgreSQL is needed: --database or SHENBAO_TEST_PG_URL")
    if not args.node_workers:
        from commands.serve import default_workers

        args.node_workers = default_workers()
    kinds = ("single", "two") if args.topology == "both" else (args.topology,)
    print(f"bench/load.py: {os.cpu_count()} CPUs, {args.clients} clients ({args.clients // 2} wizard, "
          f"{args.clients - args.clients // 2} dashboard), {args.seconds:g} s each, {args.node_workers} workers per node")
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(args.logs) if args.logs else Path(tmp)
        folder.mkdir(parents=True, exist_ok=True)
        for kind in kinds:
            tally = run(kind, args, folder)
            title = ("one node" if kind == "single" else "nginx + two nodes") + \
                f" ({args.node_workers} gunicorn workers each) + one shenbao worker, PostgreSQL"
            tally.report(title)
    return 0


if __name__ == "__main__":
    sys.exit(main())
