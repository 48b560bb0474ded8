"""`shenbao worker`: the deployment's background work (documents of changed applications, due
mail, housekeeping), taken from the store's queues; run one or many, on any machine that
reaches the database. Each job goes to one worker (store/jobs.py): several workers share
the queues without doing anything twice.

    shenbao worker [--idle SECONDS] [--once] [--nice N]

Settings as for `shenbao serve` (SHENBAO_* variables or SHENBAO_CONFIG). With the embedded
SQLite default, `shenbao serve` runs this worker in one of its processes itself.

The worker runs at a lower CPU priority (`--nice`, default 10): on a machine it shares with
`shenbao serve` nodes, the applicants' requests come first at peak and the documents (0.17 s
of CPU per application, more than all its web requests together) follow when there is room,
instead of taking an equal share and slowing every request (bench/load.py). Where the kernel
shares the CPU between sessions first (autogroup, /proc/self/autogroup), a process's own nice
value counts only against its own session; so a worker that leads a session of its own
(started by systemd, setsid or a supervisor) lowers its session's group as well. One started
inside someone else's session (a shell, a script) leaves that session's group alone.
"""
from __future__ import annotations

import argparse
import logging
import os
import signal
import sys
import threading
import time
from pathlib import Path
from typing import Any

import bottle

from renderers.pdf import printers
from renderers.web.app import housekeeping, make_app, web_of
from renderers.web.documents import CONFIG_KEY, documents_of
from shenbao.settings import load_settings
from shenbao.worker import InProcess, Worker

log = logging.getLogger("shenbao.worker")


def add_worker_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--idle", type=float, default=1.0,
                        help="seconds to wait when no job is due (default: %(default)s)")
    parser.add_argument("--once", action="store_true", help="do what is due now, then exit")
    parser.add_argument("--config", help="config file (TOML or INI with a [shenbao] section)")
    parser.add_argument("--nice", type=int, default=10,
                        help="lower this process's CPU priority by N, so web requests on the same machine "
                             "come first (default: %(default)s; 0 keeps it)")


def worker_for(app: bottle.Bottle) -> Worker:
    """The worker over an application's store, mailer and documents (one composition for
    `shenbao worker` and the in-process worker of `shenbao serve`)."""
    web = web_of(app)
    documents = documents_of(app) if CONFIG_KEY in app.config else None
    return Worker(web.store, web.mailer, documents, web.now, housekeeping(web))


def in_process(app: bottle.Bottle) -> InProcess | None:
    """For an SQLite database: the worker as a thread, in the one server process that holds the
    database's worker lock (none for PostgreSQL: run `shenbao worker`)."""
    web = web_of(app)
    if web.store.dialect != "sqlite":
        return None
    database = web.store.db.engine.url.database
    assert database is not None
    thread = InProcess(worker_for(app), Path(database + ".worker-lock"))
    thread.start()
    return thread


def lower_priority(steps: int) -> None:
    """Lower this process's CPU priority by `steps` nice levels, and its session's scheduler
    group's to the same level when this process leads the session (see the module's text)."""
    nice = os.nice(steps)
    if os.getsid(0) != os.getpid():
        return
    for _ in range(10):
        try:
            with open("/proc/self/autogroup", "w", encoding="ascii") as group:
                group.write(str(nice))
            return
        except BlockingIOError:  # unprivileged, the kernel allows one such change per 0.1 s machine-wide
            time.sleep(0.12)
        except OSError:  # no autogroup in this kernel, or not allowed
            break
    log.info("worker: only this process's nice value was lowered (its session's CPU group was not)")


def run_worker(args: argparse.Namespace) -> int:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    logging.getLogger("fontTools").setLevel(logging.WARNING)
    if args.nice > 0:
        lower_priority(args.nice)
    settings = load_settings(config=args.config) if args.config else load_settings()
    app = make_app(settings, printers=printers)
    worker = worker_for(app)
    if args.once:
        while worker.round():
            pass
        print(f"shenbao worker: {worker.made} documents made, {worker.sent} mails sent", flush=True)
        return 0
    stop = threading.Event()

    def halt(*_: Any) -> None:
        stop.set()

    signal.signal(signal.SIGTERM, halt)
    signal.signal(signal.SIGINT, halt)
    print(f"shenbao worker: running (nice {os.nice(0)})", flush=True)
    worker.run(stop, args.idle)
    print(f"shenbao worker: stopped ({worker.made} documents made, {worker.sent} mails sent)", flush=True)
    return 0


if __name__ == "__main__":
    parser = argparse.ArgumentParser(prog="shenbao worker")
    add_worker_arguments(parser)
    sys.exit(run_worker(parser.parse_args()))
