"""Admission: at most a few requests of a server process run the application at once.

A gthread worker has `THREADS` threads so that slow clients (headers or a form trickling
in) each hold a thread, not the worker. Running the application in all of them at once
only shares one interpreter lock eight ways: each request takes eight times as long, and
holds its database transaction (and any row lock it took, such as the application
number's counter) that much longer while the others queue behind it (bench/load.py at 200
clients: a tally row's lock waited on by 5 of 40 transactions at any moment, every one
"idle in transaction", waiting for Python). So a request reads its whole body first,
outside the gate, and then waits for one of `limit` places before it runs the app; the
threads still absorb slow clients, and the requests that do run finish in order.
Two places by default (`SHENBAO_RUNNING_REQUESTS`; 0 turns the gate off). On a quiet 2-core
machine, bench/load.py's 200 clients (PostgreSQL, one node, 60 s, 2026-12-02), two runs each:
no gate 37,566-38,210 requests, p95 dashboard 0.57-0.60 s and submission 1.70-1.87 s (p99
2.5-2.6 s); 2 places 41,816-41,871 requests, p95 dashboard 0.63-0.66 s and submission
0.86-0.97 s (p99 1.1-1.4 s); 4 places in between. With the application's work shared eight
ways a submission (27 ms of CPU, most of it the new account's password hash) took as long as
thirty dashboards; in turn it waits its place and then runs at full speed. (An earlier
measurement had the gate losing: the document worker's nice value did not hold across
sessions then, see commands/worker.py, and it took whatever a waiting gate left idle.)
The places are given in the order the requests came: a freed place passes straight to the
longest waiter, so a request arriving just then cannot take it first (a plain semaphore
lets it). The gate is held while the app makes the response, not while it is sent: a
streamed body (the staff CSV export, a document download) is sent after the place is given back.
"""
from __future__ import annotations

import io
import threading
from collections import deque
from typing import Any, Callable, Iterable

Wsgi = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]


class Admission:
    def __init__(self, app: Wsgi, limit: int, max_body: int) -> None:
        self.app = app
        self.limit = limit
        self.max_body = max_body  # larger bodies are the app's to refuse (413) unread
        self.gate = Gate(limit)

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        self._read_body(environ)
        with self.gate:
            return self.app(environ, start_response)

    def _read_body(self, environ: dict[str, Any]) -> None:
        try:
            length = int(environ.get("CONTENT_LENGTH") or 0)
        except ValueError:
            return  # the app answers 400
        if 0 < length <= self.max_body:
            environ["wsgi.input"] = io.BytesIO(environ["wsgi.input"].read(length))


class Gate:
    """A semaphore that hands a freed place to the longest waiter (first come, first served)."""

    def __init__(self, places: int) -> None:
        self.free = places
        self.lock = threading.Lock()
        self.waiting: deque[threading.Lock] = deque()

    def __enter__(self) -> None:
        with self.lock:
            if self.free and not self.waiting:
                self.free -= 1
                return
            turn = threading.Lock()
            turn.acquire()
            self.waiting.append(turn)
        turn.acquire()  # released by the request that hands its place over

    def __exit__(self, *exc: object) -> None:
        with self.lock:
            if self.waiting:
                self.waiting.popleft().release()
            else:
                self.free += 1
