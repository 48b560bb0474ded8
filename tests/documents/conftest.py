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

from shenbao import documents as documents_module  # noqa: E402
from websupport import web_fixtures  # noqa: E402

globals().update(web_fixtures())


class Drawn:
    """Counts the files drawn, by format (a stored file served again is not drawn)."""

    def __init__(self) -> None:
        self.calls: list[str] = []

    def count(self, fmt: str) -> int:
        return self.calls.count(fmt)


@pytest.fixture
def drawn(monkeypatch: pytest.MonkeyPatch) -> Drawn:
    counter = Drawn()
    for fmt, draw in list(documents_module.RENDERERS.items()):
        def counting(view: Any, fonts: Any, fmt: str = fmt, draw: Any = draw) -> bytes:
            counter.calls.append(fmt)
            return draw(view, fonts)
        monkeypatch.setitem(documents_module.RENDERERS, fmt, counting)
    return counter
