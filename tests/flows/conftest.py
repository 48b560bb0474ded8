"""The browser helpers of the web tests (tests/web/webdriver.py, websupport.py) for the event
sign-up's browser test."""
from __future__ import annotations

import sys
from pathlib import Path

WEB = Path(__file__).resolve().parents[1] / "web"
if str(WEB) not in sys.path:
    sys.path.insert(0, str(WEB))

from webdriver import chrome  # noqa: E402,F401  (the browser tests' fixture)
