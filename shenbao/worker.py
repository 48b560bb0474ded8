"""Background work for a whole deployment: the documents of changed applications, due mail,
and the housekeeping chores, taken from the store's queues (store/jobs.py).

Run by `shenbao worker` (one or many processes, on any machine: the queues hand each job
to one of them) or, for the embedded SQLite default, by one thread inside `shenbao serve`
(`InProcess`: the server's workers elect one holder of a lock file, so `scripts/run.sh`
stays one command and the web workers do not each scan). Must not know HTTP.
"""
from __future__ import annotations

import fcntl
import logging
import threading
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, Callable

from store import Store, StoreBusy, jobs

from .documents import Documents, DocumentUnavailable
from .mail import Mailer

log = logging.getLogger("shenbao.worker")

LEASE = timedelta(minutes=2)      # a job a worker died on is claimed again after this
RETRY = timedelta(minutes=1)      # a job that failed is tried again after this


class Worker:
    def __init__(self, store: Store, mailer: Mailer, documents: Documents | None, clock: Callable[[], datetime],
                 chores: tuple[Callable[[], Any], ...] = (), chore_every: float = 60.0, batch: int = 10):
        self.store, self.mailer, self.documents, self.clock = store, mailer, documents, clock
        self.chores, self.chore_every, self.batch = chores, chore_every, batch
        self.made = 0      # documents drawn and stored by this worker
        self.sent = 0      # mails delivered by this worker
        self._chores_at = 0.0

    def round(self) -> int:
        """One pass over the queues; how many jobs were done (0: nothing was due)."""
        done = self.documents_round() + self.mail_round()
        self.chores_round()
        return done

    def documents_round(self) -> int:
        if self.documents is None:
            return 0
        claimed = jobs.claim_changes(self.store, self.clock(), LEASE, self.batch)
        for application_id, leased_until in claimed:
            try:
                for fmt in self.documents.formats:
                    if self.documents.make(application_id, fmt, self.clock):
                        self.made += 1
            except DocumentUnavailable as error:  # this machine cannot draw: leave it to another
                log.error("documents cannot be made here: %s", error)
                jobs.retry_change(self.store, application_id, leased_until, self.clock() + RETRY)
                continue
            except StoreBusy:
                log.warning("store busy while making the documents of application %s", application_id)
                jobs.retry_change(self.store, application_id, leased_until, self.clock() + RETRY)
                continue
            except Exception:  # one broken application must not stop the others
                log.exception("could not make the documents of application %s", application_id)
                jobs.retry_change(self.store, application_id, leased_until, self.clock() + RETRY)
                continue
            jobs.finish_change(self.store, application_id, leased_until)
        return len(claimed)

    def mail_round(self) -> int:
        sent = self.mailer.deliver_due()
        self.sent += sent
        return sent

    def chores_round(self) -> None:
        now = self.clock().timestamp()
        if not self.chores or now - self._chores_at < self.chore_every:
            return
        self._chores_at = now
        for chore in self.chores:
            try:
                chore()
            except Exception:
                log.exception("housekeeping chore failed")

    def run(self, stop: threading.Event, idle: float = 1.0) -> None:
        """Until `stop` is set: work while there is work, wait `idle` seconds when there is none."""
        while not stop.is_set():
            try:
                busy = self.round()
            except Exception:  # the database away for a moment: try again later
                log.exception("worker round failed")
                busy = 0
            if not busy:
                stop.wait(idle)


class InProcess(threading.Thread):
    """The worker as a thread of a server process; with `lock_file`, only the process holding
    that file's lock works (the others wait to take over if it exits)."""

    def __init__(self, worker: Worker, lock_file: Path | None, idle: float = 1.0, retake: float = 5.0):
        super().__init__(name="shenbao-worker", daemon=True)
        self.worker, self.lock_file, self.idle, self.retake = worker, lock_file, idle, retake
        self.stopping = threading.Event()
        self._held: Any = None

    def _take(self) -> bool:
        if self.lock_file is None:
            return True
        self.lock_file.parent.mkdir(parents=True, exist_ok=True)
        handle = open(self.lock_file, "a+")
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            handle.close()
            return False
        self._held = handle  # kept open for the life of the process: the lock goes with it
        return True

    def run(self) -> None:
        while not self.stopping.is_set():
            if self._take():
                log.info("background worker running in this process (pid lock %s)", self.lock_file)
                self.worker.run(self.stopping, self.idle)
                return
            self.stopping.wait(self.retake)

    def stop(self, timeout: float = 5.0) -> None:
        self.stopping.set()
        if self.is_alive():
            self.join(timeout)
