"""What a parallel test run (pytest-xdist: `scripts/test.sh` passes `-n`) needs so its workers never
share state: a PostgreSQL database per worker, and ports nobody else picked.

PostgreSQL: the store migrates under one advisory lock per *database* (store/migrate.py), so
workers on one database wait on each other's migrations until StoreBusy. Worker gw0 therefore
uses the database `<name>_gw0` on the server of SHENBAO_TEST_PG_URL (`test` → `test_gw0`),
created on first use (the server must let the URL's user create databases: trust auth for
postgres, as on CI) and kept for the next run; the tests' own schemas in it are dropped as
before. A run without workers uses the URL as given. Temporary directories are the worker's own
already (pytest-xdist gives each a basetemp of its own).

Scheduling: a module whose tests share an expensive module fixture and run in order (the two-node
topology) declares `pytestmark = pytest.mark.xdist_group("name")`, and `GroupScheduling` sends all
its tests to one worker; every other test goes wherever a worker is free. pytest-xdist's own
`--dist loadgroup` does this by appending the group to each test's node id, which pytest 9.2's
node ids no longer take (the groups are silently ignored), so the scheduler reads the mark from
the module's text instead.
"""
from __future__ import annotations

import os
import re
import socket
import time
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.engine import make_url

PG_ENV = "SHENBAO_TEST_PG_URL"
_DONE_ENV = "SHENBAO_TEST_PG_WORKER"   # the worker whose database SHENBAO_TEST_PG_URL names already


def worker_id() -> str | None:
    """`gw0`, `gw1`, … inside a pytest-xdist worker; None in a run without workers."""
    return os.environ.get("PYTEST_XDIST_WORKER")


def worker_database_url(url: str, worker: str) -> str:
    parsed = make_url(url)
    return parsed.set(database=f"{parsed.database}_{worker}").render_as_string(hide_password=False)


def use_worker_database() -> None:
    """Point SHENBAO_TEST_PG_URL (read by the test helpers on import, and inherited by the
    servers and commands the tests start) at this worker's own database, creating it."""
    url, worker = os.environ.get(PG_ENV), worker_id()
    if not url or not worker or os.environ.get(_DONE_ENV) == worker:
        return
    mine = worker_database_url(url, worker)
    _create_database(url, make_url(mine).database or "")
    os.environ[PG_ENV] = mine
    os.environ[_DONE_ENV] = worker


def _create_database(url: str, name: str) -> None:
    admin = sa.create_engine(url.replace("postgresql://", "postgresql+psycopg://", 1), isolation_level="AUTOCOMMIT")
    try:
        for attempt in range(40):
            try:
                with admin.connect() as conn:
                    if not conn.execute(sa.text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": name}).first():
                        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
                return
            except sa.exc.DBAPIError as error:
                if "already exists" in str(error):   # another run made it at the same moment
                    return
                if attempt == 39:
                    raise
                time.sleep(0.25)   # e.g. "source database template1 is being accessed by other users"
    finally:
        admin.dispose()


def free_ports(count: int) -> list[int]:
    """`count` distinct ports that nothing listens on now (the kernel's choice, so parallel
    workers and other programs on the machine do not collide as they would on fixed ports)."""
    probes = [socket.socket() for _ in range(count)]
    try:
        for probe in probes:
            probe.bind(("127.0.0.1", 0))
        return [probe.getsockname()[1] for probe in probes]
    finally:
        for probe in probes:
            probe.close()


_GROUP_MARK = re.compile(r"""pytest\.mark\.xdist_group\(\s*(?:name\s*=\s*)?["']([^"']+)["']""")


def group_scheduling(config, log):  # type: ignore[no-untyped-def]
    """The scheduler for `--dist loadgroup` (tests/conftest.py's pytest_xdist_make_scheduler)."""
    from xdist.scheduler import LoadGroupScheduling

    class GroupScheduling(LoadGroupScheduling):
        groups: dict[str, str | None] = {}

        def _split_scope(self, nodeid: str) -> str:
            if "@" in nodeid:                       # a pytest-xdist that can mark node ids again
                return super()._split_scope(nodeid)
            module = nodeid.split("::", 1)[0]
            if module not in self.groups:
                path = Path(config.rootpath) / module
                found = _GROUP_MARK.search(path.read_text(encoding="utf-8")) if path.is_file() else None
                self.groups[module] = found.group(1) if found else None
            return self.groups[module] or nodeid

    return GroupScheduling(config, log)
