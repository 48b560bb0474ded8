"""Request input, decoded and checked once, before any route sees it.

WSGI hands Bottle the query string and form body as bytes dressed up as latin-1 text;
each route used to turn them into UTF-8 itself (`forms.decode()`), so one undecodable
byte was a traceback on every POST route. Here, before routing, the query and the body
are decoded as UTF-8 once and put back decoded (so `forms.decode()` is a no-op after
it); a byte sequence that is not UTF-8, or a control character no keyboard types (NUL,
ESC …; tab and line breaks are fine), is refused with a 400 page that says so. Integers
taken from URLs are bounded to what a 64-bit column holds: route ids by the `int`
filter (longer numbers are simply not found), form and query numbers by `number()`.
"""
from __future__ import annotations

import re
from binascii import unhexlify
from typing import Any

import bottle

INPUT_REFUSED = "input"  # the 400's body, so the error page can say what was wrong
LARGEST = 2 ** 63 - 1
_DIGITS = r"[0-9]{1,18}"           # every such number fits a signed 64-bit column
_NUMBER = re.compile(rf"^{_DIGITS}$")
_UNTYPABLE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_ESCAPES = re.compile(rb"(?:%[0-9A-Fa-f]{2})+")  # a run of percent escapes
_DONE = "shenbao.input_checked"


class Refused(Exception):
    """Input that cannot be a form a person filled in."""


def _text(value: str, recode: bool) -> str:
    return _utf8(value.encode("latin1")) if recode else _typable(value)


def _utf8(data: bytes) -> str:
    """Bytes as the text a person typed: UTF-8, with no character no keyboard makes."""
    try:
        return _typable(data.decode("utf-8"))
    except UnicodeError:
        raise Refused from None


def _typable(value: str) -> str:
    if _UNTYPABLE.search(value):
        raise Refused
    return value


def _decoded(found: bottle.FormsDict) -> bottle.FormsDict:
    copy = bottle.FormsDict()
    copy.recode_unicode = False
    for key, value in found.allitems():
        copy.append(_text(key, found.recode_unicode), _text(value, found.recode_unicode))
    return copy


def _unescaped(run: re.Match[bytes]) -> bytes:
    return unhexlify(run[0].replace(b"%", b""))


def _unquoted(part: str) -> str:
    """One name or value of a query string or form body (WSGI's latin-1 text of its bytes),
    unquoted to its bytes and read as UTF-8: what Bottle's parse and `_text` make of it. Each
    run of %XX escapes is turned into its bytes at once (urllib's unquote_to_bytes, one escape
    at a time, was most of the parse for Chinese text); a % not followed by two hex digits
    stays, as there."""
    raw = part.replace("+", " ").encode("latin1")
    return _utf8(_ESCAPES.sub(_unescaped, raw) if b"%" in raw else raw)


def _parsed(text: str) -> bottle.FormsDict:
    """A query string or url-encoded body, decoded in one pass: the pairs as Bottle's own
    parse splits them (`&`, then the first `=`; empty pairs skipped), each part as `_unquoted`."""
    found = bottle.FormsDict()
    found.recode_unicode = False
    for pair in text.split("&"):
        if pair:
            key, _, value = pair.partition("=")
            found.append(_unquoted(key), _unquoted(value))
    return found


def check_request() -> None:
    """Decode the query and the form body (raises Refused); uploads keep their bytes.

    A url-encoded body (anything not multipart, as Bottle reads it) is parsed here once, straight
    into its decoded form, and stands for Bottle's own (`request.POST`, so `forms` and `files`
    read it): Bottle's parse, its copy for `forms` and the decoded copy of that were a tenth of
    the step-7 POST (issue 10). A multipart body is Bottle's to parse; its texts are checked."""
    request = bottle.request
    environ = request.environ
    if environ.get(_DONE):
        return
    environ[_DONE] = True
    try:
        environ["bottle.request.query"] = environ["bottle.get"] = _parsed(environ.get("QUERY_STRING", ""))
        if request.method not in ("POST", "PUT", "PATCH"):
            return
        if "multipart/" not in environ.get("CONTENT_TYPE", "").lower():
            posted = _parsed(request.body.read().decode("latin1"))
            environ["bottle.request.post"] = environ["bottle.request.forms"] = posted
            return
        environ["bottle.request.forms"] = _decoded(request.forms)
        for name in request.files.keys():
            _text(name, request.files.recode_unicode)
    except (UnicodeError, bottle.MultipartError, ValueError):
        # multipart text parts are decoded by Bottle itself (UnicodeError); a broken
        # multipart body is a MultipartError or ValueError
        raise Refused from None


def number(text: Any, default: int | None = None) -> int | None:
    """A non-negative integer a 64-bit column holds, else `default` (never an exception)."""
    if isinstance(text, str) and _NUMBER.match(text.strip()):
        return int(text.strip())
    return default


def required_number(text: Any) -> int:
    """Like number(), but a form that lacks it or spoils it is refused (400)."""
    found = number(text)
    if found is None:
        bottle.abort(400, INPUT_REFUSED)
    return found  # type: ignore[return-value]


def _bounded_int(_config: str) -> tuple[str, Any, Any]:
    return _DIGITS, int, lambda value: str(int(value))


def install(app: bottle.Bottle) -> None:
    """Before any route is added: the bounded `int` filter, and the input check."""
    app.router.add_filter("int", _bounded_int)

    @app.hook("before_request")
    def _check_input() -> None:
        try:
            check_request()
        except Refused:
            raise bottle.HTTPError(400, INPUT_REFUSED) from None
