"""Fixtures for the accessibility tests: the web tests' own fixtures (tests/web/conftest.py)
taken over as they are, and one headless Chromium for the whole folder (starting one costs
seconds; each test starts from a blank page with no cookies)."""
from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Iterator

import pytest

TESTS = Path(__file__).resolve().parents[1]
for folder in (TESTS / "web", TESTS / "staff"):
    if str(folder) not in sys.path:
        sys.path.insert(0, str(folder))

from webdriver import CHROMEDRIVER, CHROMIUM, Chrome  # noqa: E402
from websupport import web_fixtures  # noqa: E402
from walk import block_scripts  # noqa: E402

globals().update(web_fixtures())

HAVE_BROWSER = os.path.exists(CHROMIUM) and os.path.exists(CHROMEDRIVER)


@pytest.fixture(scope="session")
def shared_chrome(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Chrome]:
    if not HAVE_BROWSER:
        pytest.skip("needs Debian's chromium and chromedriver")
    browser = Chrome(tmp_path_factory.mktemp("a11y-profile"))
    yield browser
    browser.quit()


@pytest.fixture
def chrome(shared_chrome: Chrome) -> Iterator[Chrome]:
    shared_chrome.go("about:blank")
    shared_chrome.cmd("DELETE", "/cookie")
    yield shared_chrome
    block_scripts(shared_chrome, False)
    shared_chrome.cmd("POST", "/goog/cdp/execute", {"cmd": "Page.setFontSizes",
                                                     "params": {"fontSizes": {"standard": 16}}})
    shared_chrome.resize(1280, 900)
    shared_chrome.go("about:blank")
    shared_chrome.cmd("DELETE", "/cookie")
