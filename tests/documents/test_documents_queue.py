"""Background work as a queue (store/jobs.py, shenbao/worker.py): a changed application is
queued in the transaction that changed it, workers claim disjoint batches (FOR UPDATE SKIP
LOCKED on PostgreSQL), and each document and each mail is made exactly once however many
workers run at once."""
from __future__ import annotations

import sys
from datetime import timedelta
from functools import partial
from pathlib import Path

import pytest

from docsupport import Counting, Drawn
from docsupport import WANG, application_of, signed_in
from renderers.web.app import mail_config
from renderers.web.documents import documents_of
from shenbao.documents import Documents
from shenbao.mail import Mailer
from shenbao.worker import LEASE, Worker
from store import Store, documents as stored, jobs
from together import run_together
from websupport import FLOW

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "staff"))
from staffsupport import clone  # noqa: E402


@pytest.fixture
def wang(new_browser, clock, web):
    return signed_in(new_browser, clock, web, WANG, "10.2.0.1")


def html_worker(web, app, store, drawn, outbox=None):
    """A worker with its own store (as another process would have), drawing the html form only."""
    store.sync_datasets(web.flow.datasets, web.flow.lookup_index_columns())
    printer = Counting(documents_of(app).printers["html"], "html", drawn)
    documents = Documents(web.flow, store, web.catalog, web.tz, {"html": printer})
    config = mail_config(web.settings)
    if outbox is not None:
        config = type(config)(**{**config.__dict__, "outbox_dir": str(outbox)})
    return Worker(store, Mailer(store, config, web.now), documents, web.now)


def drain(worker, rounds=200):
    for _ in range(rounds):
        if not worker.round():
            return


def drain_together(workers, stores):
    """Each worker drains in a thread of its own, at the same time; their stores are closed after."""
    try:
        run_together(*(partial(drain, w) for w in workers))
    finally:
        for s in stores:
            s.close()


def test_submission__queues_its_application__a_worker_makes_its_documents_once(wang, app, web, store):
    saved = application_of(store, WANG)
    assert saved.id in [a for a, _ in jobs.claim_changes(store, web.now(), timedelta(0), 100)]
    drawn = Drawn()
    worker = html_worker(web, app, store, drawn)
    drain(worker)
    queued = len(drawn.calls)                          # this one and any other the demo data holds
    assert queued == worker.made >= 1
    key = Documents(web.flow, store, web.catalog, web.tz, {"html": documents_of(app).printers["html"]}).version_key(saved)
    assert stored.get(store, saved.id, "html", key) is not None
    assert jobs.queued_changes(store) == 0
    drain(worker)
    assert len(drawn.calls) == queued                  # nothing queued: nothing drawn again
    store.update_application(saved.id, saved.row_version, answers={**saved.answers, "mobile": "13800001111"})
    assert jobs.queued_changes(store) == 1
    drain(worker)
    assert len(drawn.calls) == queued + 1 and jobs.queued_changes(store) == 0


def test_changed_while_claimed__stays_queued(wang, store, web):
    saved = application_of(store, WANG)
    ((claimed, leased_until),) = [c for c in jobs.claim_changes(store, web.now(), LEASE, 100) if c[0] == saved.id]
    assert jobs.claim_changes(store, web.now(), LEASE, 100) == []          # leased: nobody else gets it
    store.update_application(saved.id, saved.row_version, status="confirmed")
    assert not jobs.finish_change(store, claimed, leased_until)            # changed meanwhile: kept
    assert [a for a, _ in jobs.claim_changes(store, web.now(), LEASE, 100)] == [saved.id]
    assert jobs.claim_changes(store, web.now() + LEASE * 2, LEASE, 100) != []  # a dead worker's lease ends


def test_two_workers_at_once__each_document_made_exactly_once(wang, app, web, store, database):
    first = application_of(store, WANG)
    made = [first] + [clone(store, first, n)[0] for n in range(1, 16)]
    queued = jobs.queued_changes(store)
    assert queued >= len(made)
    drawn = Drawn()
    stores = [database.open(), database.open()]
    workers = [html_worker(web, app, s, drawn) for s in stores]
    for w in workers:
        w.batch = 2
    drain_together(workers, stores)
    assert len(drawn.calls) == queued                  # one drawing per queued application
    assert sum(w.made for w in workers) == queued
    if store.dialect == "postgresql":
        assert all(w.made for w in workers), [w.made for w in workers]  # both took a share
    assert jobs.queued_changes(store) == 0


def test_two_workers_at_once__each_mail_sent_exactly_once(app, web, store, database, tmp_path):
    ids = [store.enqueue_mail(f"a{n}@163.com", f"subject {n}", "body", web.now()) for n in range(40)]
    stores = [database.open(), database.open()]
    workers = [html_worker(web, app, s, Drawn(), tmp_path / "outbox") for s in stores]
    drain_together(workers, stores)
    files = sorted((tmp_path / "outbox").glob("*.eml"))
    sent_ids = sorted(int(f.stem.rsplit("-", 1)[1]) for f in files)
    assert sent_ids == sorted(ids)
    assert sum(w.sent for w in workers) == len(ids)
    assert store.due_mail(web.now() + timedelta(days=1)) == []


def test_worker_command__once__makes_what_is_queued_then_nothing(tmp_path):
    import os
    import subprocess

    root = Path(__file__).resolve().parents[2]
    env = {**os.environ, "SHENBAO_DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite'}", "SHENBAO_SECRET": "s" * 40,
           "SHENBAO_OUTBOX_DIR": str(tmp_path / "outbox")}
    command = [sys.executable, "-m", "commands.cli"]
    subprocess.run(command + ["init", "--demo"], env=env, cwd=root, check=True, capture_output=True)
    with Store.open(env["SHENBAO_DATABASE_URL"]) as opened:
        queued = jobs.queued_changes(opened)
    assert queued >= 1
    first = subprocess.run(command + ["worker", "--once"], env=env, cwd=root, check=True, capture_output=True, text=True)
    formats = len(FLOW.documents["application_form"].formats)
    assert f"{queued * formats} documents made" in first.stdout, first.stdout + first.stderr
    again = subprocess.run(command + ["worker", "--once"], env=env, cwd=root, check=True, capture_output=True, text=True)
    assert "0 documents made, 0 mails sent" in again.stdout


def test_worker_command__runs_below_the_web_servers_cpu_priority(tmp_path):
    """At peak the applicants' requests come first; documents follow (commands/worker.py, --nice)."""
    import os
    import subprocess

    root = Path(__file__).resolve().parents[2]
    env = {**os.environ, "SHENBAO_DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite'}", "SHENBAO_SECRET": "s" * 40,
           "SHENBAO_OUTBOX_DIR": str(tmp_path / "outbox")}
    command = [sys.executable, "-m", "commands.cli"]
    subprocess.run(command + ["init"], env=env, cwd=root, check=True, capture_output=True)
    for extra, lower in (([], 10), (["--nice", "0"], 0)):
        worker = subprocess.Popen(command + ["worker", *extra], env=env, cwd=root, stdout=subprocess.PIPE,
                                  stderr=subprocess.DEVNULL, text=True)
        try:
            line = worker.stdout.readline()
            assert "running" in line, line
            nice = int(Path(f"/proc/{worker.pid}/stat").read_text().rsplit(")", 1)[1].split()[16])
            assert nice == min(os.nice(0) + lower, 19), line
            assert autogroup_nice(worker.pid) == autogroup_nice(os.getpid())  # our session's group is left alone
        finally:
            worker.terminate()
            worker.wait(30)


def autogroup_nice(pid: int) -> int | None:
    """The nice value of the scheduler's group of process `pid`'s session (None: no autogroup).
    The file reads "/autogroup-85 nice 0"; some kernels and sandboxes have the file but leave it
    empty, or answer with something else, which also means no autogroup to compare."""
    try:
        words = Path(f"/proc/{pid}/autogroup").read_text().split()
    except OSError:
        return None
    if len(words) != 3 or words[1] != "nice" or not words[2].lstrip("-").isdigit():
        return None
    return int(words[2])


def test_worker_command__in_a_session_of_its_own__lowers_its_sessions_cpu_share(tmp_path):
    """With autogroup (Linux's default on desktops and many servers), the scheduler first shares
    the CPU between sessions, and a process's own nice value counts only inside its session: a
    worker started in a session of its own (systemd, setsid, a supervisor) took as much CPU as a
    whole web node at nice 10 (a third of the machine in bench/load.py). Its session's group
    must be lowered too."""
    import os
    import subprocess

    if autogroup_nice(os.getpid()) is None:
        pytest.skip("this kernel has no autogroup (/proc/self/autogroup)")
    root = Path(__file__).resolve().parents[2]
    env = {**os.environ, "SHENBAO_DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite'}", "SHENBAO_SECRET": "s" * 40,
           "SHENBAO_OUTBOX_DIR": str(tmp_path / "outbox")}
    command = [sys.executable, "-m", "commands.cli"]
    subprocess.run(command + ["init"], env=env, cwd=root, check=True, capture_output=True)
    for extra, lower in (([], 10), (["--nice", "3"], 3), (["--nice", "0"], 0)):
        worker = subprocess.Popen(command + ["worker", *extra], env=env, cwd=root, stdout=subprocess.PIPE,
                                  stderr=subprocess.DEVNULL, text=True, start_new_session=True)
        try:
            line = worker.stdout.readline()
            assert "running" in line, line
            assert autogroup_nice(worker.pid) == (min(os.nice(0) + lower, 19) if lower else 0), line
        finally:
            worker.terminate()
            worker.wait(30)
