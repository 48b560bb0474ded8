"""`shenbao serve`: the web application under gunicorn (threaded workers, app preloaded).

Threaded (`gthread`) workers, not sync ones: a sync worker reading a request is held by
that one connection, so five clients trickling their headers a byte at a time stalled
every worker and nobody was answered (tests/web/test_web_slowclients.py). A gthread
worker waits for each connection in a thread of its own; a slow client costs one of
`THREADS` threads, not a worker. Behind a buffering proxy (nginx) the same holds.

Settings come from SHENBAO_* environment variables or the config file named by
SHENBAO_CONFIG (see shenbao/settings.py). The app is built once in the master (flow checked,
database migrated, datasets registered) and forked into the workers; each worker drops
the inherited connection pool. Background work is `shenbao worker`'s (with SQLite, one
server worker runs it as a thread: `scripts/run.sh` stays one command).
`--server waitress` runs waitress instead (one process, threads), e.g. where fork is
unavailable. The local URL is printed once the server is listening.
"""
from __future__ import annotations

import argparse
import gc
import logging
import os
import sys
from typing import Any, Callable

import bottle
import waitress
from gunicorn.app.base import BaseApplication

from renderers.pdf import printers
from renderers.web.app import make_app, web_of
from renderers.web.context import compile_templates
from shenbao.settings import load_settings

from .admission import Admission
from .worker import in_process

log = logging.getLogger("shenbao.web")


def default_workers() -> int:
    """2 x CPUs + 1 (at most 12): sync workers spend part of each request waiting for the
    database, so more workers than CPUs keep the CPUs busy (bench/web.py: 4 workers on 2
    CPUs served 1.3-1.6x the requests of 2)."""
    return min(2 * (os.cpu_count() or 1) + 1, 12)


def add_serve_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on (default: %(default)s)")
    parser.add_argument("--port", type=int, default=8080, help="port (default: %(default)s)")
    parser.add_argument("--workers", type=int, default=0,
                        help="worker processes (default: $SHENBAO_WORKERS, else 2 x CPUs + 1, at most 12)")
    parser.add_argument("--server", choices=("gunicorn", "waitress"), default="gunicorn")
    parser.add_argument("--config", help="config file (TOML or INI with a [shenbao] section)")
    parser.add_argument("--flow", help="flow file to serve (default: the configured one, else the teacher "
                                       "registration flow); run `shenbao init --flow FILE` on the database first")


def run_serve(args: argparse.Namespace) -> int:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    logging.getLogger("fontTools").setLevel(logging.WARNING)  # it narrates every font cut at INFO
    overrides = {"flow_file": args.flow} if args.flow else {}
    settings = load_settings(config=args.config, **overrides) if args.config else load_settings(**overrides)
    workers = args.workers or settings.workers or default_workers()
    app = make_app(settings, printers=printers)
    url = f"http://{'localhost' if args.host in ('127.0.0.1', '0.0.0.0') else args.host}:{args.port}/"
    if args.server == "waitress":
        return serve_waitress(app, args.host, args.port, workers * 4, url, worker_started)
    return serve_gunicorn(app, args.host, args.port, workers, url)


THREADS = 8  # per worker: slow or idle keep-alive connections each hold one


def worker_started(app: bottle.Bottle) -> None:
    """In each worker after the fork: drop the connections the master opened (they must not
    be shared across processes). With SQLite, the background work (documents, mail,
    housekeeping) runs as a thread of the one worker that holds the database's worker lock;
    with PostgreSQL it is `shenbao worker`'s, run beside the servers (commands/worker.py)."""
    web = web_of(app)
    web.store.db.engine.dispose(close=False)
    in_process(app)


def serve_gunicorn(app: bottle.Bottle, host: str, port: int, workers: int, url: str, quiet: bool = False,
                   after_fork: Callable[[bottle.Bottle], None] | None = worker_started, threads: int = THREADS) -> int:
    def post_fork(server: Any, worker: Any) -> None:
        if after_fork is not None:
            after_fork(app)

    def when_ready(server: Any) -> None:
        print(f"shenbao: serving on {url} ({workers} gunicorn workers)", flush=True)

    options = {"bind": f"{host}:{port}", "workers": workers, "worker_class": "gthread", "threads": threads,
               "preload_app": True,
               "post_fork": post_fork, "when_ready": when_ready, "timeout": 30, "graceful_timeout": 10,
               "keepalive": 2, "accesslog": None if quiet else "-", "errorlog": "-",
               "loglevel": "warning" if quiet else "info", "limit_request_line": 4094, "limit_request_fields": 100}

    before_fork(app)

    class Server(BaseApplication):
        def load_config(self) -> None:
            for key, value in options.items():
                self.cfg.set(key, value)
            if "control_socket_disable" in self.cfg.settings:  # gunicorn ≥ 23: no socket in $HOME
                self.cfg.set("control_socket_disable", True)

        def load(self) -> Any:
            return admitted(app)

    Server().run()
    return 0


def before_fork(app: bottle.Bottle) -> None:
    """In the master, once the app is built: compile the templates (else each worker compiles
    its own on its first requests), then freeze what exists into the garbage collector's
    permanent generation, so the workers' collections never walk the flow, the catalogue and
    the compiled templates again (they are never freed; the pages stay shared copy-on-write).
    bench/profile_pages.py: the cyclic collector took ~0.4 ms of a step-7 POST unfrozen."""
    if "shenbao.web" in app.config:
        compile_templates(web_of(app).env)
        compile_templates(web_of(app).templates())
    gc.collect()
    gc.freeze()


def admitted(app: bottle.Bottle) -> Any:
    """The app behind its admission gate (commands/admission.py); another WSGI app (bench/web.py's
    hello) as it is."""
    if "shenbao.web" not in app.config:
        return app
    settings = web_of(app).settings
    if settings.running_requests <= 0:  # SHENBAO_RUNNING_REQUESTS=0: no gate (commands/admission.py)
        return app
    return Admission(app, settings.running_requests, settings.max_body_bytes + settings.max_upload_bytes)


def serve_waitress(app: bottle.Bottle, host: str, port: int, threads: int, url: str,
                   started: Callable[[bottle.Bottle], None] | None = None) -> int:
    if started is not None:
        started(app)
    print(f"shenbao: serving on {url} (waitress, {threads} threads)", flush=True)
    waitress.serve(admitted(app), host=host, port=port, threads=threads, ident="shenbao")
    return 0


if __name__ == "__main__":
    parser = argparse.ArgumentParser(prog="shenbao serve")
    add_serve_arguments(parser)
    sys.exit(run_serve(parser.parse_args()))
