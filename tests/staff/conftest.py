"""Fixtures for the staff-side tests: the web tests' own fixtures (tests/web/conftest.py:
demo databases on SQLite and on PostgreSQL when SHENBAO_TEST_PG_URL is set, a settable
clock, the app, WebTest browsers) are taken over as they are, so both sides always test
against the same set-up; staffsupport.py adds staff accounts and moves."""
from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

WEB_TESTS = Path(__file__).resolve().parents[1] / "web"
if str(WEB_TESTS) not in sys.path:
    sys.path.insert(0, str(WEB_TESTS))


def _web_fixtures() -> dict[str, object]:
    spec = importlib.util.spec_from_file_location("shenbao_web_test_fixtures", WEB_TESTS / "conftest.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return {name: value for name, value in vars(module).items()
            if type(value).__name__ == "FixtureFunctionDefinition" or hasattr(value, "_pytestfixturefunction")}


globals().update(_web_fixtures())
