"""The production topology on loopback, for bench/load.py and tests/deploy: PostgreSQL (a
temporary schema), `shenbao serve` nodes on ports of their own, `shenbao worker`s, and
Debian's nginx in front (deploy/nginx.conf) run as our own process (`nginx -p DIR -c CONF
-g 'daemon off;'`, pid and logs in a temporary folder), each stopped by its own PID.
Everything listens on 127.0.0.1 only."""
from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
SHENBAO = [sys.executable, "-m", "commands.cli"]
NGINX = shutil.which("nginx") or ("/usr/sbin/nginx" if Path("/usr/sbin/nginx").exists() else None)


def wait_for_port(port: int, seconds: float = 30.0, process: Process | None = None) -> None:
    """Until something listens on `port`; with `process`, a process that ended, or one that never
    listened, is reported with the end of its log (what it said, not only that nothing came)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return
        except OSError:
            if process is not None and not process.alive():
                raise RuntimeError(f"{process.describe()} ended before listening on 127.0.0.1:{port}") from None
            time.sleep(0.1)
    said = f"; {process.describe()}" if process is not None else ""
    raise TimeoutError(f"nothing listens on 127.0.0.1:{port} after {seconds:.0f} s{said}")


class Process:
    """One child in a process group of its own (a gunicorn master and its workers)."""

    def __init__(self, args: list[str], env: dict[str, str], log: Path):
        self.args, self.env, self.log = args, env, log
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> Process:
        out = open(self.log, "ab")
        self.process = subprocess.Popen(self.args, env=self.env, cwd=ROOT, stdout=out, stderr=subprocess.STDOUT,
                                        start_new_session=True)
        out.close()
        return self

    @property
    def pid(self) -> int:
        assert self.process is not None
        return self.process.pid

    def alive(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def describe(self, lines: int = 30) -> str:
        """The command, its exit status if it ended, and the last `lines` of its log."""
        status = "running" if self.alive() else f"exit {self.process.returncode if self.process else None}"
        try:
            tail = self.log.read_text(encoding="utf-8", errors="replace").splitlines()[-lines:]
        except OSError:
            tail = []
        return f"{' '.join(self.args)} ({status}), its log:\n" + "\n".join(tail)

    def kill(self) -> None:
        """SIGKILL to the process and all its children (its group)."""
        if self.alive():
            os.killpg(self.pid, signal.SIGKILL)
            self.process.wait(20)

    def stop(self, timeout: float = 30.0) -> None:
        if self.alive():
            os.killpg(self.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout)
            except subprocess.TimeoutExpired:
                self.kill()


def nginx_conf(listen: int, nodes: list[int], run: Path) -> str:
    servers = " ".join(f"server 127.0.0.1:{p} max_fails=1 fail_timeout=5s;" for p in nodes)
    template = (ROOT / "deploy" / "nginx.conf").read_text(encoding="utf-8")
    return (template.replace("@LISTEN@", f"127.0.0.1:{listen}").replace("@RUN@", str(run))
            .replace("@SERVERS@", servers))


class Topology:
    """`nodes` servers with `node_workers` gunicorn workers each, `workers` shenbao workers, one
    nginx on `ports[0]` (the nodes on the next ports), over the database `url`."""

    def __init__(self, url: str, tmp: Path, ports: list[int], nodes: int = 2, node_workers: int = 2,
                 workers: int = 1, secret: str = "t" * 48, extra_env: dict[str, str] | None = None):
        self.url, self.tmp, self.secret = url, tmp, secret
        self.port, self.node_ports = ports[0], ports[1:nodes + 1]
        self.env = {**os.environ, "SHENBAO_DATABASE_URL": url, "SHENBAO_SECRET": secret,
                    "SHENBAO_BASE_URL": f"http://127.0.0.1:{self.port}", "SHENBAO_OUTBOX_DIR": str(tmp / "outbox"),
                    "SHENBAO_FORWARDED_FOR": "1", **(extra_env or {})}
        self.nodes = [Process(SHENBAO + ["serve", "--port", str(p), "--workers", str(node_workers)], self.env,
                              tmp / f"node-{p}.log") for p in self.node_ports]
        self.workers = [Process(SHENBAO + ["worker", "--idle", "0.5"], self.env, tmp / f"worker-{n}.log")
                        for n in range(workers)]
        self.nginx: Process | None = None

    def init(self, demo: bool = True) -> None:
        subprocess.run(SHENBAO + ["init"] + (["--demo"] if demo else []), env=self.env, cwd=ROOT, check=True,
                       capture_output=True)

    def start(self) -> Topology:
        for node in self.nodes:
            node.start()
        for node, port in zip(self.nodes, self.node_ports):
            wait_for_port(port, 60, node)
        for worker in self.workers:
            worker.start()
        if NGINX is None:
            raise RuntimeError("nginx is not installed (Debian: apt-get install nginx)")
        run = self.tmp / "nginx"
        run.mkdir(exist_ok=True)
        conf = run / "nginx.conf"
        conf.write_text(nginx_conf(self.port, self.node_ports, run), encoding="utf-8")
        self.nginx = Process([NGINX, "-p", str(run), "-c", str(conf), "-g", "daemon off;"], self.env,
                             run / "stdout.log").start()
        wait_for_port(self.port, 20)
        return self

    def stop(self) -> None:
        for process in [*self.workers, *self.nodes, *([self.nginx] if self.nginx else [])]:
            process.stop()

    def worker_totals(self) -> tuple[int, int]:
        """(documents made, mails sent) that the stopped workers reported."""
        made = sent = 0
        for worker in self.workers:
            text = worker.log.read_text(encoding="utf-8", errors="replace")
            for line in text.splitlines():
                if line.startswith("shenbao worker: stopped ("):
                    parts = line.split("(")[1].split()
                    made, sent = made + int(parts[0]), sent + int(parts[3])
        return made, sent


def pg_schema(url: str) -> tuple[str, Any]:
    """A temporary schema in the PostgreSQL database `url`: (its URL, drop)."""
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    from web import database_for  # noqa: E402  (bench/web.py's, shared)

    return database_for(url, Path("."))
