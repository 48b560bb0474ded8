"""Fixtures for the application-form download tests.

The databases, the settable clock and the WebTest `Browser` are the web tests' own helpers
(tests/web/websupport.py and webjourney.py) and its fixtures are taken over as they are
(websupport.web_fixtures), so both folders test against the same set-up. Every test runs on
SQLite and, when SHENBAO_TEST_PG_URL is set, on PostgreSQL too.
"""
from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "web"))

from renderers.web.documents import documents_of  # noqa: E402
from websupport import web_fixtures  # noqa: E402
from docsupport import Counting, Drawn  # noqa: E402

globals().update(web_fixtures())


@pytest.fixture
def drawn(monkeypatch: pytest.MonkeyPatch, app: Any) -> Drawn:
    counter = Drawn()
    printers = documents_of(app).printers
    for fmt, printer in list(printers.items()):
        monkeypatch.setitem(printers, fmt, Counting(printer, fmt, counter))
    return counter
