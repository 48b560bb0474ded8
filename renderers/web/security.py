"""Request limits, security headers and friendly error pages, for every route.

Headers: a CSP without inline script or style, frame-ancestors none, nosniff, a strict
referrer policy, and no caching of pages (they carry personal data). Bodies above the
configured size are refused before they are read; what remains is decoded and checked
once (inputs.py). Errors render a Chinese page; a crash logs its traceback and shows no
detail to the browser. `Application` replaces Bottle's last-resort "Critical error" page
(no headers, the path echoed) with the same Chinese page and the same headers.
"""
from __future__ import annotations

import functools
import logging
import sys
from contextlib import nullcontext
from typing import Any, Callable, ContextManager

import bottle

from store import StoreBusy

from . import inputs
from .context import Web
from .sessions import CSRF_REFUSED, current_session

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
REFUSALS = {CSRF_REFUSED: "error.csrf", inputs.INPUT_REFUSED: "error.input"}  # HTTPError body → message


def header_list(https: bool) -> list[tuple[str, str]]:
    """The headers of a page built outside Bottle's response object (the last-resort page)."""
    found = [*HEADERS.items(), ("Cache-Control", "no-store"), ("Content-Type", "text/html; charset=UTF-8")]
    return found + ([("Strict-Transport-Security", "max-age=31536000")] if https else [])


class Application(bottle.Bottle):
    """Bottle, whose last resort (an exception while the response itself is being built, after
    every error handler) is a logged traceback and the site's own 500 page with its headers."""

    fallback: Callable[[], bytes] = staticmethod(lambda: b"500")
    https = False
    unit: Callable[[], ContextManager[Any]] = staticmethod(nullcontext)  # the store's unit of work

    def wsgi(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Any:
        try:
            with self.unit():  # one request, one unit of work: its reads share a transaction
                out = self._cast(self._handle(environ))
            if bottle.response._status_code in (100, 101, 204, 304) or environ["REQUEST_METHOD"] == "HEAD":
                if hasattr(out, "close"):
                    out.close()
                out = []
            exc_info = environ.pop("bottle.exc_info", None)
            start_response(bottle.response._wsgi_status_line(), bottle.response.headerlist, exc_info)
            return out
        except (KeyboardInterrupt, SystemExit, MemoryError):
            raise
        except Exception:
            if not self.catchall:
                raise
            log.exception("%s %s: the response could not be built", environ.get("REQUEST_METHOD"),
                          environ.get("PATH_INFO"))
            start_response("500 Internal Server Error", header_list(self.https), sys.exc_info())
            return [b"" if environ.get("REQUEST_METHOD") == "HEAD" else self.fallback()]


def _kept(name: str, value: str) -> tuple[str, str]:
    """A header as Bottle's `set_header` keeps it (its name normalised, both checked), worked out once."""
    kept = bottle.HeaderDict()
    kept[name] = value
    (key, [found]), = kept.dict.items()
    return key, found


_FIXED = tuple(_kept(name, value) for name, value in HEADERS.items())
_HSTS = _kept("Strict-Transport-Security", "max-age=31536000")
_NO_STORE = _kept("Cache-Control", "no-store")


def add_headers(web: Web) -> None:
    """What `response.set_header` does for each of these, with the names and values it would keep
    worked out once (seven normalisations and checks per request, issue 10): the same headers."""
    headers = bottle.response._headers
    for key, value in _FIXED:
        headers[key] = [value]
    if web.settings.https:
        headers[_HSTS[0]] = [_HSTS[1]]
    if not bottle.request.path.startswith("/static/"):
        headers[_NO_STORE[0]] = [_NO_STORE[1]]


def install(app: bottle.Bottle, web: Web) -> None:
    """Before any route is added (inputs.install sets the bounded `int` route filter)."""
    limit = web.settings.max_body_bytes
    with_file = limit + web.settings.max_upload_bytes  # a multipart form may carry a photo
    bottle.BaseRequest.MEMFILE_MAX = limit  # a larger body is spooled to a temporary file

    @app.hook("before_request")
    def _limit_body() -> None:
        environ = bottle.request.environ
        if "chunked" in environ.get("HTTP_TRANSFER_ENCODING", "").lower():
            raise bottle.HTTPError(411)
        try:
            length = int(environ.get("CONTENT_LENGTH") or 0)
        except ValueError:
            raise bottle.HTTPError(400) from None
        multipart = environ.get("CONTENT_TYPE", "").lower().startswith("multipart/form-data")
        if length > (with_file if multipart else limit):
            raise bottle.HTTPError(413)

    inputs.install(app)

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
        if error.status_code in (400, 403) and isinstance(error.body, str):
            key = REFUSALS.get(error.body, key)
        try:
            return web.render("error.html", message_key=key, status=error.status_code, signed_in=signed_in(web),
                              **(too_large(web) if error.status_code == 413 else {}))
        except Exception:  # the error page itself must never fail
            log.exception("error page failed")
            return web.t(key)

    for code in (400, 403, 404, 405, 411, 413, 500, 502, 503):
        app.error(code)(handler)
    app.default_error_handler = handler  # any other status (416 from a range request …)
    if isinstance(app, Application):
        app.https = web.settings.https
        app.fallback = lambda: fallback_page(web)


def signed_in(web: Web) -> bool:
    """Whether an applicant is signed in, so an error page (a 413 of a 20 MB photo on the edit
    page) has the header of the page they came from; a store that cannot say: not signed in."""
    try:
        return current_session(web, "applicant") is not None
    except Exception:  # noqa: BLE001 (the error page must never fail; busy or broken store)
        log.warning("error page: session not read", exc_info=True)
        return False


def too_large(web: Web) -> dict[str, Any]:
    """What the 413 page says of a form with a file (step 7's photo): the limit in MB, from the
    settings, and the way back to the page whose typing the browser's back button still holds
    (a GET of the path the form was posted to shows that page again)."""
    environ = bottle.request.environ
    if not environ.get("CONTENT_TYPE", "").lower().startswith("multipart/form-data"):
        return {}
    limit = web.settings.max_upload_bytes / (1024 * 1024)
    path = bottle.request.path
    return {"limit_mb": f"{round(limit, 1):g}", "back_to": path if path.startswith("/") and not
            path.startswith("//") else "/"}


def fallback_page(web: Web) -> bytes:
    """The 500 page without a request to render for (no CSRF token, no session)."""
    try:
        page = web.env.get_template("error.html").render(csrf_token="", message_key="error.500", status=500)
    except Exception:  # the template itself is broken: the words alone
        log.exception("last-resort page failed")
        page = web.t("error.500")
    return page.encode("utf-8")
