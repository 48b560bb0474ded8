"""Fixtures for the web tests (helpers live in websupport.py and webjourney.py)."""
from __future__ import annotations

from pathlib import Path
from typing import Any, Callable, Iterator

import pytest

from renderers.pdf import printers
from renderers.web.app import make_app, web_of
from renderers.web.context import Web
from shenbao.settings import Settings, load_settings
from store import Store
from webdriver import chrome, site  # noqa: F401  (the browser tests' fixtures; other folders take them over)
from websupport import (BACKENDS, CAPTCHA, Browser, Database, FakeClock, pg_database, sqlite_database,
                        sqlite_template as make_sqlite_template)


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Callable[[], Path]:
    made: list[Path] = []

    def get() -> Path:
        if not made:
            made.append(make_sqlite_template(tmp_path_factory.mktemp("template")))
        return made[0]

    return get


@pytest.fixture(scope="session")
def pg_template() -> Iterator[Callable[[], Database]]:
    made: list[Database] = []

    def get() -> Database:
        if not made:
            made.append(pg_database())
        else:
            made[0].reset()
        return made[0]

    yield get
    for database in made:
        database.drop()


@pytest.fixture(params=BACKENDS)
def database(request: pytest.FixtureRequest, tmp_path: Path, sqlite_template: Callable[[], Path],
             pg_template: Callable[[], Database]) -> Database:
    if request.param == "sqlite":
        return sqlite_database(tmp_path, sqlite_template())
    return pg_template()


@pytest.fixture
def store(database: Database) -> Iterator[Store]:
    opened = database.open()
    yield opened
    opened.close()


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def settings(tmp_path: Path, database: Database) -> Settings:
    return load_settings(env={}, database_url=database.url, secret="test-secret-" + "x" * 40,
                         outbox_dir=str(tmp_path / "outbox"), captcha_fixed=CAPTCHA,
                         base_url="http://shenbao.test")


@pytest.fixture
def app(settings: Settings, clock: FakeClock, store: Store) -> Any:
    built = make_app(settings, clock=clock, store=store, printers=printers)
    built.catchall = True
    return built


@pytest.fixture
def web(app: Any) -> Web:
    return web_of(app)


@pytest.fixture
def browser(app: Any) -> Browser:
    return Browser(app)


@pytest.fixture
def new_browser(app: Any) -> Callable[..., Browser]:
    return lambda **kw: Browser(app, **kw)
