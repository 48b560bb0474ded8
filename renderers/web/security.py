"""Request limits, security headers and friendly error pages, for every route.

Headers: a CSP without inline script or style, frame-ancestors none, nosniff, a strict
referrer policy, and no caching of pages (they carry personal data). Bodies above the
configured size are refused before they are read. Errors render a Chinese page; a
crash logs its traceback and shows no detail to the browser.
"""
from __future__ import annotations

import functools
import logging
from typing import TYPE_CHECKING, Any, Callable

import bottle

from store import StoreBusy

if TYPE_CHECKING:
    from .context import Web

from .sessions import CSRF_REFUSED

log = logging.getLogger("shenbao.web")

CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
       "form-action 'self'; frame-ancestors 'none'; base-uri 'none'; object-src 'none'")
HEADERS = {
    "Content-Security-Policy": CSP,
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=()",
    "Cross-Origin-Opener-Policy": "same-origin",
}
ERRORS = {400: "error.400", 403: "error.403", 404: "error.404", 405: "error.405",
          411: "error.413", 413: "error.413", 500: "error.500", 503: "error.503"}


def add_headers(web: Web) -> None:
    response = bottle.response
    for name, value in HEADERS.items():
        response.set_header(name, value)
    if web.settings.https:
        response.set_header("Strict-Transport-Security", "max-age=31536000")
    if not bottle.request.path.startswith("/static/"):
        response.set_header("Cache-Control", "no-store")


def install(app: bottle.Bottle, web: Web) -> None:
    limit = web.settings.max_body_bytes
    bottle.BaseRequest.MEMFILE_MAX = limit

    @app.hook("before_request")
    def _limit_body() -> None:
        environ = bottle.request.environ
        if "chunked" in environ.get("HTTP_TRANSFER_ENCODING", "").lower():
            raise bottle.HTTPError(411)
        try:
            length = int(environ.get("CONTENT_LENGTH") or 0)
        except ValueError:
            raise bottle.HTTPError(400) from None
        if length > limit:
            raise bottle.HTTPError(413)

    @app.hook("after_request")
    def _headers() -> None:
        add_headers(web)

    def busy_page(callback: Callable[..., Any]) -> Callable[..., Any]:
        """A database that stays locked gives "系统繁忙, try again", never a traceback."""
        @functools.wraps(callback)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            try:
                return callback(*args, **kwargs)
            except StoreBusy:
                log.warning("store busy: %s %s", bottle.request.method, bottle.request.path)
                return web.page("error.html", 503, message_key="error.503")
        return wrapper

    app.install(busy_page)

    def handler(error: bottle.HTTPError) -> str:
        add_headers(web)
        if error.status_code >= 500:
            log.error("%s %s failed:\n%s", bottle.request.method, bottle.request.path,
                      error.traceback or error.exception)
        key = ERRORS.get(error.status_code, "error.400" if error.status_code < 500 else "error.500")
        if error.status_code == 403 and error.body == CSRF_REFUSED:
            key = "error.csrf"
        try:
            return web.render("error.html", message_key=key, status=error.status_code)
        except Exception:  # the error page itself must never fail
            log.exception("error page failed")
            return web.t(key)

    for code in (400, 403, 404, 405, 411, 413, 500, 502, 503):
        app.error(code)(handler)
