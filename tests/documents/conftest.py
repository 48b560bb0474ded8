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

globals().update(web_fixtures())


class Drawn:
    """Counts the files drawn, by format (a stored file served again is not drawn)."""

    def __init__(self) -> None:
        self.calls: list[str] = []

    def count(self, fmt: str) -> int:
        return self.calls.count(fmt)


class Counting:
    """A printer that counts what it draws (and draws it with the real one)."""

    def __init__(self, printer: Any, fmt: str, counter: Drawn):
        self.printer, self.fmt, self.counter = printer, fmt, counter
        self.media_type, self.layout = printer.media_type, printer.layout

    def draw(self, view: Any) -> bytes:
        self.counter.calls.append(self.fmt)
        return self.printer.draw(view)


@pytest.fixture
def drawn(monkeypatch: pytest.MonkeyPatch, app: Any) -> Drawn:
    counter = Drawn()
    printers = documents_of(app).printers
    for fmt, printer in list(printers.items()):
        monkeypatch.setitem(printers, fmt, Counting(printer, fmt, counter))
    return counter
