"""Helpers for the web tests: databases with the demo data, a settable clock, and a
`Browser` over WebTest that keeps cookies, follows redirects and sends CSRF tokens.

Tests run on SQLite (a copy of one demo database made per session) and, when
SHENBAO_TEST_PG_URL is set, on PostgreSQL (a schema of its own per test).
"""
from __future__ import annotations

import itertools
import os
import re
import secrets
import shutil
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from html import unescape
from pathlib import Path
from typing import Any, Callable, Mapping

import sqlalchemy as sa
from argon2 import PasswordHasher
from webtest import TestApp

from shenbao.flows import read_flow
from shenbao.paths import DEFAULT_FLOW
from store import Store, load_demo
from shenbao.applications import demo_defaults

PG_URL = os.environ.get("SHENBAO_TEST_PG_URL")
BACKENDS = ["sqlite"] + (["postgresql"] if PG_URL else [])
FAST_HASHER = PasswordHasher(time_cost=1, memory_cost=64, parallelism=1)
CAPTCHA = "K7MQ"
RUN = secrets.token_hex(3)
_counter = itertools.count()
FLOW = read_flow(DEFAULT_FLOW)
BEIJING = timezone(timedelta(hours=8))
# 2027-03-15 10:00 in Beijing: inside the demo windows (2026-09-01 → 2030-12-31).
START = datetime(2027, 3, 15, 10, 0, tzinfo=BEIJING)


def reading_seconds(step_id: str | None = None) -> float:
    """The reading time the flow declares for a step (step 1 when not named): tests wait what the flow says."""
    step = FLOW.steps[0] if step_id is None else FLOW.step(step_id)
    return float(step.min_read_seconds or 0)


class FakeClock:
    def __init__(self, start: datetime = START):
        self.now = start

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)

    def set_local(self, *parts: int) -> None:
        self.now = datetime(*parts, tzinfo=BEIJING)  # type: ignore[misc]


def fill_demo(store: Store, only: tuple[str, ...] | None = None) -> None:
    store.migrate()
    store.sync_datasets(FLOW.datasets, FLOW.lookup_index_columns())
    demo = demo_defaults(FLOW)
    datasets = {k: v for k, v in FLOW.datasets.items() if only is None or k in only}
    load_demo(store, datasets, DEFAULT_FLOW.parent, None, demo)


def sqlite_template(folder: Path) -> Path:
    path = folder / "template.db"
    with Store.open(f"sqlite:///{path}", password_hasher=FAST_HASHER) as store:
        fill_demo(store)
    return path


def _psycopg(url: str) -> str:
    return url.replace("postgresql://", "postgresql+psycopg://", 1)


def _admin(body: Callable[[Any], None]) -> None:
    admin = sa.create_engine(_psycopg(PG_URL or ""))
    try:
        with admin.begin() as conn:
            body(conn)
    finally:
        admin.dispose()


# Tables a test may write to; emptied between PostgreSQL tests (reference data stays).
_MUTABLE = ("applications", "counters", "drafts", "sessions", "throttle", "password_resets", "mail_outbox",
            "messages", "audit_log", "staff", "flow_versions", "application_tallies", "tallied_fields")


@dataclass
class Database:
    """A demo database for one test; `open()` may be called again (a second process)."""

    kind: str
    url: str
    options: Mapping[str, Any]
    schema: str | None = None

    def open(self) -> Store:
        return Store.open(self.url, password_hasher=FAST_HASHER, **self.options)

    def reset(self) -> None:
        """PostgreSQL: back to the demo data. Filling a schema takes seconds, so one is filled
        per session and its mutable tables are emptied for each test (the audit log's
        append-only triggers are switched off for that moment only)."""
        def body(conn: Any) -> None:
            conn.execute(sa.text(f'SET LOCAL search_path TO "{self.schema}"'))
            conn.execute(sa.text("ALTER TABLE audit_log DISABLE TRIGGER USER"))
            conn.execute(sa.text(f"TRUNCATE {', '.join(_MUTABLE)} RESTART IDENTITY CASCADE"))
            conn.execute(sa.text("ALTER TABLE audit_log ENABLE TRIGGER USER"))

        _admin(body)
        with self.open() as store:
            fill_demo(store, only=("applications",))

    def drop(self) -> None:
        if self.schema is not None:
            _admin(lambda conn: conn.execute(sa.text(f'DROP SCHEMA IF EXISTS "{self.schema}" CASCADE')))


def pg_database() -> Database:
    schema = f"web_{RUN}_{next(_counter)}"
    _admin(lambda conn: conn.execute(sa.text(f'CREATE SCHEMA "{schema}"')))
    database = Database("postgresql", PG_URL or "", {"connect_args": {"options": f"-csearch_path={schema}"}},
                        schema)
    with database.open() as store:
        fill_demo(store)
    return database


def sqlite_database(tmp_path: Path, template: Path) -> Database:
    path = tmp_path / "shenbao.db"
    shutil.copy(template, path)
    return Database("sqlite", f"sqlite:///{path}", {})


# -- a browser over WebTest ---------------------------------------------------------------

_CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')
_TAG = re.compile(r"<[^>]+>")


def text_of(html: str) -> str:
    return re.sub(r"[ \t\r\n]+", " ", unescape(_TAG.sub(" ", html))).strip(" ")


class Browser:
    def __init__(self, app: Any, address: str = "10.0.0.1", scheme: str = "http"):
        environ = {"REMOTE_ADDR": address, "wsgi.url_scheme": scheme}
        self.app = TestApp(app, extra_environ=environ)
        self.page: Any = None

    # navigation ---------------------------------------------------------------------
    def get(self, path: str, status: int | str | None = None, follow: bool = True) -> Any:
        response = self.app.get(path, status="*")
        while follow and response.status_int in (301, 302, 303):
            response = response.follow(status="*")
        self._check(response, status)
        if response.content_type == "text/html":
            self.page = response
        return response

    def post(self, path: str, data: Mapping[str, Any] | None = None, status: int | str | None = None,
             follow: bool = True, csrf: str | None = None, files: list[tuple[str, str, bytes]] | None = None) -> Any:
        """`files`: (field, file name, content) sent as multipart/form-data, as a file input does."""
        fields = dict(data or {})
        fields.setdefault("csrf_token", csrf if csrf is not None else self.csrf)
        step = self.step_shown
        if step is not None and path == "/apply":
            fields.setdefault("step", step)  # the wizard's forms name the step they were drawn for
        response = self.app.post(path, fields, status="*", upload_files=files) if files else \
            self.app.post(path, fields, status="*")
        while follow and response.status_int in (301, 302, 303):
            response = response.follow(status="*")
        self._check(response, status)
        if response.content_type == "text/html":
            self.page = response
        return response

    def submit(self, values: Mapping[str, Any] | None = None, button: str = "next", action: str = "/apply",
               status: int | str | None = None) -> Any:
        """Submit the page's form as a browser would: with what it shows, plus `values`."""
        form = next(f for f in self.page.forms.values() if f.action == action and f.method.upper() == "POST"
                    and "action" in f.fields)
        for name, value in (values or {}).items():
            form[name] = value
        response = form.submit("action", value=button, status="*")
        while response.status_int in (301, 302, 303):
            response = response.follow(status="*")
        self._check(response, status)
        self.page = response
        return response

    @staticmethod
    def _check(response: Any, status: int | str | None) -> None:
        if status == "*":
            return
        wanted = status if status is not None else 200
        assert response.status_int == wanted, (response.status, text_of(response.text)[:600])

    # reading the page ----------------------------------------------------------------
    @property
    def html(self) -> str:
        return self.page.text

    @property
    def text(self) -> str:
        return text_of(self.html)

    @property
    def csrf(self) -> str:
        found = _CSRF.search(self.html) if self.page is not None else None
        return found.group(1) if found else ""

    @property
    def step_shown(self) -> str | None:
        found = re.search(r'name="step" value="([^"]*)"', self.html) if self.page is not None else None
        return found.group(1) if found else None

    @property
    def h1(self) -> str:
        found = re.search(r"<h1[^>]*>(.*?)</h1>", self.html, re.S)
        return text_of(found.group(1)) if found else ""

    def field_errors(self) -> dict[str, str]:
        return {m.group(1): text_of(m.group(2))
                for m in re.finditer(r'<span class="field-error" id="([\w-]+)-error">(.*?)</span>', self.html, re.S)}

    def summary(self) -> list[str]:
        found = re.search(r'<div class="error-summary".*?</ul>', self.html, re.S)
        if not found:
            return []
        return [text_of(item) for item in re.findall(r"<li>(.*?)</li>", found.group(0), re.S)]

    def notices(self) -> list[str]:
        return [text_of(m) for m in re.findall(r'<div class="notice[^"]*"[^>]*>(.*?)</div>', self.html, re.S)]

    def value(self, field_id: str) -> str | None:
        found = re.search(rf'<input[^>]*id="{field_id}"[^>]*value="([^"]*)"', self.html)
        return unescape(found.group(1)) if found else None

    def cookie(self, name: str) -> str | None:
        return self.app.cookies.get(name)


def web_fixtures() -> dict[str, object]:
    """The fixtures of tests/web/conftest.py, for another folder's conftest to take over as they
    are (`globals().update(web_fixtures())`), so every folder tests against the same set-up."""
    import importlib.util

    path = Path(__file__).resolve().parent / "conftest.py"
    spec = importlib.util.spec_from_file_location("shenbao_web_test_fixtures", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return {name: value for name, value in vars(module).items()
            if type(value).__name__ == "FixtureFunctionDefinition" or hasattr(value, "_pytestfixturefunction")}
