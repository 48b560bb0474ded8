"""The application layer's tests use the web tests' databases and journeys (tests/web) to
make real applications, then call shenbao's functions with no web context at all."""
from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "web"))

from websupport import web_fixtures  # noqa: E402

globals().update(web_fixtures())
