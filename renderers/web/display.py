"""The 大字版 (larger text) switch: a link in every page's header sets a cookie and comes
back to the same page, so it works without JavaScript and persists across visits; the
layout reads the cookie and puts `class="large-text"` on <html>, which scales every size
in site.css (they are in rem). A plain GET, like a language switch: it changes only how
pages look, never data, so it needs no CSRF token.
"""
from __future__ import annotations

import functools
from typing import Any
from urllib.parse import urljoin

import bottle

COOKIE = "shenbao_text"
SIZES = ("large", "standard")
YEAR = 365 * 24 * 3600


def large_text() -> bool:
    """For the templates: this request asked for the larger text."""
    try:
        return bottle.request.get_cookie(COOKIE) == "large"
    except RuntimeError:  # rendered outside a request (a test, a document)
        return False


def here() -> str:
    """For the templates: this page's path and query, to come back to after switching."""
    try:
        request = bottle.request
        path = _fullpath(request.script_name, request.path)
        return path + (f"?{request.query_string}" if request.query_string else "")
    except RuntimeError:
        return "/"


@functools.lru_cache(maxsize=1024)
def _fullpath(script_name: str, path: str) -> str:
    """Bottle's `request.fullpath`, kept per path: its urljoin was 4 % of a dashboard in the profile."""
    return urljoin(script_name, path.lstrip("/"))


def back_to(raw: str | None) -> str:
    """Only a path on this site (never `//host` or `http://...`: no open redirect)."""
    path = (raw or "").strip()
    if not path.startswith("/") or path.startswith("//") or "\\" in path or any(ord(c) < 32 for c in path):
        return "/"
    return path


def install(app: bottle.Bottle, web: Any) -> None:
    """`web` is the Web context (not imported: context.py imports this module for its templates)."""
    @app.get("/display/<size>")
    def switch(size: str) -> None:
        if size not in SIZES:
            bottle.abort(404)
        bottle.response.set_cookie(COOKIE, size, max_age=YEAR, path="/", httponly=True, samesite="Lax",
                                   secure=web.settings.https)
        bottle.redirect(back_to(bottle.request.query.get("back")))
