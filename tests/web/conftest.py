"""Fixtures for the web tests (helpers live in websupport.py and webjourney.py)."""
from __future__ import annotations

from pathlib import Path
from typing import Any, Callable, Iterator

import pytest

from renderers.web.app import make_app, web_of
from renderers.web.context import Web
from renderers.web.settings import Settings, load_settings
from store import Store
from websupport import BACKENDS, CAPTCHA, Browser, Database, FakeClock, new_database, sqlite_template


@pytest.fixture(scope="session")
def template_db(tmp_path_factory: pytest.TempPathFactory) -> Callable[[], Path]:
    made: list[Path] = []

    def get() -> Path:
        if not made:
            made.append(sqlite_template(tmp_path_factory.mktemp("template")))
        return made[0]

    return get


@pytest.fixture(params=BACKENDS)
def database(request: pytest.FixtureRequest, tmp_path: Path, template_db: Callable[[], Path]) -> Iterator[Database]:
    found = new_database(request.param, tmp_path, template_db)
    yield found
    found.drop()


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
    built = make_app(settings, clock=clock, store=store)
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
