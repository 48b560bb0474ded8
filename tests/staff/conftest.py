"""Fixtures for the staff-side tests: the web tests' own fixtures (tests/web/conftest.py:
demo databases on SQLite and on PostgreSQL when SHENBAO_TEST_PG_URL is set, a settable
clock, the app, WebTest browsers) are taken over as they are, so both sides always test
against the same set-up; staffsupport.py adds staff accounts and moves."""
from __future__ import annotations

import sys
from pathlib import Path

WEB_TESTS = Path(__file__).resolve().parents[1] / "web"
if str(WEB_TESTS) not in sys.path:
    sys.path.insert(0, str(WEB_TESTS))


from websupport import web_fixtures  # noqa: E402

globals().update(web_fixtures())
