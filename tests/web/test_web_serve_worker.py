"""With the embedded SQLite database, `shenbao serve` runs the background worker itself, in
exactly one of its gunicorn workers (the one holding `<database>.worker-lock`): mail put in
the outbox is delivered once, and the documents of a queued application are made, with no
`shenbao worker` beside it (scripts/run.sh stays one command)."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import sqlalchemy as sa

from store import Store, jobs
from store.schema import mail_outbox
from webdriver import free_port

ROOT = Path(__file__).resolve().parents[2]
SHENBAO = [sys.executable, "-m", "commands.cli"]


def unsent(store: Store) -> int:
    query = sa.select(sa.func.count()).select_from(mail_outbox).where(mail_outbox.c.sent_at.is_(None))
    return int(store.db.read(lambda conn: conn.scalar(query)))


def test_serve_on_sqlite__one_in_process_worker__mail_sent_once_documents_made(tmp_path):
    url = f"sqlite:///{tmp_path / 'db.sqlite'}"
    env = {**os.environ, "SHENBAO_DATABASE_URL": url, "SHENBAO_SECRET": "s" * 40,
           "SHENBAO_OUTBOX_DIR": str(tmp_path / "outbox")}
    subprocess.run(SHENBAO + ["init", "--demo"], env=env, cwd=ROOT, check=True, capture_output=True)
    with Store.open(url) as store:
        assert jobs.queued_changes(store) >= 1
        for n in range(5):
            store.enqueue_mail(f"t{n}@163.com", f"subject {n}", "body")
    server = subprocess.Popen(SHENBAO + ["serve", "--port", str(free_port()), "--workers", "3"], env=env, cwd=ROOT,
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, start_new_session=True)
    try:
        deadline = time.monotonic() + 90
        with Store.open(url) as store:
            # unsent, not due: a mail the worker has claimed is not due while it is being written
            while time.monotonic() < deadline and (jobs.queued_changes(store) or unsent(store)):
                time.sleep(0.3)
            assert jobs.queued_changes(store) == 0 and unsent(store) == 0
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        output = server.communicate(timeout=30)[0]
    assert len(list((tmp_path / "outbox").glob("*.eml"))) == 5
    assert output.count("background worker running in this process") == 1, output[-3000:]


def test_serve__writes_no_control_socket_into_the_home_directory(tmp_path):
    """gunicorn ≥ 23 opens a control socket at $HOME/.gunicorn/gunicorn.ctl by default: a web
    service writes nothing into a home directory (and the service has no use for the socket)."""
    home = tmp_path / "home"
    home.mkdir()
    url = f"sqlite:///{tmp_path / 'db.sqlite'}"
    env = {**{k: v for k, v in os.environ.items() if k != "XDG_RUNTIME_DIR"}, "HOME": str(home),
           "SHENBAO_DATABASE_URL": url, "SHENBAO_SECRET": "s" * 40, "SHENBAO_OUTBOX_DIR": str(tmp_path / "outbox")}
    subprocess.run(SHENBAO + ["init"], env=env, cwd=ROOT, check=True, capture_output=True)
    server = subprocess.Popen(SHENBAO + ["serve", "--port", str(free_port()), "--workers", "1"], env=env, cwd=ROOT,
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, start_new_session=True)
    try:
        assert server.stdout is not None
        for line in server.stdout:                    # until the master is ready (its sockets are open)
            if "shenbao: serving on" in line:
                break
        time.sleep(1.0)
        assert list(home.iterdir()) == []
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.communicate(timeout=30)
