"""Durability under `kill -9`: concurrent applicants submit over loopback HTTP while every
server process (gunicorn's master and all its workers) is killed with SIGKILL, twice; the
server is started again and the clients retry. Reports acknowledged submissions lost
(must be 0) and applications stored twice (must be 0), on SQLite and on PostgreSQL.

    .venv/bin/python bench/durability.py [--applicants 60] [--clients 8] [--workers 3]
                                         [--database postgresql://postgres@127.0.0.1:5432/test]

PostgreSQL runs too when --database or SHENBAO_TEST_PG_URL names one (a temporary schema in
it). Each applicant is a different teacher (own certificate and ID number, not in the
registry, so they type the certificate at step 4) walking all eight steps with a fresh
browser; an applicant counts as acknowledged when the page of step 8 came back. A client
whose connection breaks starts that applicant again in a new browser; "already applied"
then means the earlier attempt was stored (fine: stored, just not acknowledged).
Bounded: about a minute per database with the defaults. Exit status 1 if anything was lost
or duplicated.
"""
from __future__ import annotations

import argparse
import os
import queue
import secrets
import signal
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from loopback import fetch, free_port, request  # noqa: E402
from web import WORK, csrf_of, database_for, prepare_database, step_title  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
ORDER = ["notice", "terms", "identity", "agency", "point", "notes", "application"]
WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)


def id_number(n: int) -> str:
    """A valid resident ID number (GB 11643 check digit), male, born 1990."""
    body = f"1101011990{1 + n % 12:02d}{1 + n % 28:02d}{(2 * n + 1) % 1000:03d}"
    return body + "10X98765432"[sum(int(d) * w for d, w in zip(body, WEIGHTS)) % 11]


def answers(n: int) -> tuple[str, dict[str, dict[str, str]]]:
    cert_no = f"201511108{n:08d}"
    return cert_no, {
        "terms": {"accept_terms": "accept"},
        "identity": {"cert_no": cert_no, "id_no": id_number(n)},
        "agency": {"name": "赵新", "gender": "male", "ethnic_group": "01", "cert_type": "2",
                   "cert_subject": "primary_chinese", "cert_issuer": "北京市海淀区教育委员会",
                   "cert_issue_date": "2015-07-10", "teaching_stage": "primary",
                   "teaching_subject": "primary_chinese", "city": "110100", "agency": "bj_haidian"},
        "point": {"point": "bj_haidian_jinxiu"},
        "application": {**WORK, "mobile": "13912345678"},
    }


class Server:
    def __init__(self, url: str, workers: int, tmp: Path):
        self.port = free_port()
        self.env = {**os.environ, "SHENBAO_DATABASE_URL": url, "SHENBAO_SECRET": "d" * 48,
                    "SHENBAO_BASE_URL": f"http://127.0.0.1:{self.port}", "SHENBAO_OUTBOX_DIR": str(tmp / "outbox")}
        self.workers = workers
        self.process: subprocess.Popen[str] | None = None

    def start(self) -> None:
        self.process = subprocess.Popen(
            [sys.executable, "-m", "commands.cli", "serve", "--port", str(self.port), "--workers", str(self.workers)],
            env=self.env, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
            start_new_session=True)
        line = self.process.stdout.readline() if self.process.stdout else ""
        assert "serving on" in line, line

    def kill(self) -> None:
        """SIGKILL to the master and every worker (they share the process group)."""
        assert self.process is not None
        os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(20)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            self.process.wait(20)


class Done(Exception):
    """The applicant had already applied (an earlier, unacknowledged attempt was stored)."""


def walk(port: int, steps: dict[str, dict[str, str]], done_title: str, exists_text: str) -> bool:
    """All eight steps in a fresh browser; True when step 8 came back."""
    cookies = {"sb_browser": secrets.token_urlsafe(32)}
    fetch(port, request("GET", "/apply/start", cookies), timeout=20)
    csrf = csrf_of(fetch(port, request("GET", "/apply", cookies), timeout=20)[1])
    time.sleep(3.05)  # the notice's reading time
    page = b""
    for step in ORDER:
        status, page, _ = fetch(port, request("POST", "/apply", cookies,
                                              {"csrf_token": csrf, "action": "next", "step": step,
                                               **steps.get(step, {})}),
                                timeout=20)
        if status == 303:
            page = fetch(port, request("GET", "/apply", cookies), timeout=20)[1]
        if exists_text.encode() in page:
            raise Done
        if status >= 500:
            raise ConnectionError(status)
    return done_title.encode() in page


def run(url: str, args: argparse.Namespace, tmp: Path) -> tuple[int, int, int, int]:
    from shenbao.catalog import load_catalog

    prepare_database(url)
    server = Server(url, args.workers, tmp)
    server.start()
    done_title = step_title("done")
    exists_text = load_catalog().text("gate.application_exists").split("，")[0][:8]
    todo: queue.Queue[int] = queue.Queue()
    for n in range(args.applicants):
        todo.put(n)
    acked: list[str] = []
    retries = [0]
    lock = threading.Lock()

    def client() -> None:
        while True:
            try:
                n = todo.get_nowait()
            except queue.Empty:
                return
            cert_no, steps = answers(n)
            for _attempt in range(40):
                try:
                    if walk(server.port, steps, done_title, exists_text):
                        with lock:
                            acked.append(cert_no)
                    break
                except Done:
                    break
                except (OSError, ConnectionError, AssertionError, ValueError):
                    with lock:
                        retries[0] += 1
                    time.sleep(0.5)

    threads = [threading.Thread(target=client, daemon=True) for _ in range(args.clients)]
    for thread in threads:
        thread.start()
    kills = 0
    for share in (1 / 3, 2 / 3):  # kill -9 everything, twice, mid-run
        while len(acked) < args.applicants * share and any(t.is_alive() for t in threads):
            time.sleep(0.1)
        server.kill()
        kills += 1
        time.sleep(1.0)
        server.start()
    for thread in threads:
        thread.join(300)
    server.stop()
    lost, duplicated = check(url, acked)
    return len(acked), lost, duplicated, retries[0]


def check(url: str, acked: list[str]) -> tuple[int, int]:
    import sqlalchemy as sa

    from store import Store

    with Store.open(url) as store:
        rows = store.db.read(lambda c: c.execute(sa.text(
            "SELECT value, count(*) FROM application_values WHERE field = 'cert_no' AND value LIKE '201511108%' "
            "GROUP BY value")).all())
    stored = {r[0]: r[1] for r in rows}
    return sum(1 for c in acked if c not in stored), sum(1 for n in stored.values() if n > 1)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--applicants", type=int, default=60)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--workers", type=int, default=3)
    parser.add_argument("--database", default=os.environ.get("SHENBAO_TEST_PG_URL"),
                        help="a PostgreSQL URL to run on too (a temporary schema in it)")
    args = parser.parse_args()
    bad = False
    backends = [None] + ([args.database.replace("postgresql+psycopg://", "postgresql://", 1)] if args.database else [])
    for pg in backends:
        with tempfile.TemporaryDirectory() as folder:
            url, drop = database_for(pg, Path(folder))
            try:
                started = time.monotonic()
                acked, lost, duplicated, retries = run(url, args, Path(folder))
            finally:
                drop()
            kind = "postgresql" if pg else "sqlite"
            print(f"durability[{kind}]: {args.applicants} applicants, {args.clients} clients, kill -9 of every "
                  f"server process twice: {acked} acknowledged, {lost} lost, {duplicated} duplicated, "
                  f"{retries} retried attempts, {time.monotonic() - started:.0f} s", flush=True)
            bad = bad or lost > 0 or duplicated > 0
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
