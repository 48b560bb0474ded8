"""Who is asking: the browser token, server-side sessions and CSRF tokens.

Every browser gets a random *browser token* (cookie `sb_browser`): wizard drafts and
captcha answers are kept in the store under it. Logging in creates a server-side
session (cookie `sb_applicant` or `sb_staff`; the store keeps only a SHA-256 of the
token) with idle and absolute timeouts; a new token is issued at every login. Cookies
are HttpOnly, SameSite=Lax, and Secure when the site is served over HTTPS. Bottle's
signed `secret=` cookies are never used (they unpickle).

CSRF tokens are HMACs under the site secret: of the session's own CSRF secret on pages
that need a login (so they change at every login), else of the browser token.
"""
from __future__ import annotations

import functools
import hashlib
import hmac
import re
import secrets
from datetime import timedelta
from typing import Any
import bottle

from store import Application, Message, Session

from .context import Web

BROWSER_COOKIE = "sb_browser"
SESSION_COOKIES = {"applicant": "sb_applicant", "staff": "sb_staff"}
CSRF_FIELD = "csrf_token"
CSRF_REFUSED = "csrf"  # the 403's body, so the error page can say the form expired
_TOKEN = re.compile(r"^[A-Za-z0-9_-]{32,64}$")
_TOUCH_EVERY = timedelta(seconds=60)
_ENV_BROWSER = "shenbao.browser"
_ENV_SESSION = "shenbao.session."
_ENV_REALM = "shenbao.realm"
_ENV_APPLICATION = "shenbao.application"  # read with the applicant's session
_ENV_MESSAGES = "shenbao.messages"          # its messages, read with it for the dashboard


def _cookie(name: str) -> str | None:
    value = bottle.request.get_cookie(name)
    return value if value and _TOKEN.match(value) else None


def _secure(web: Web) -> bool:
    return web.settings.https or bottle.request.urlparts.scheme == "https"


def set_cookie(web: Web, name: str, value: str) -> None:
    bottle.response.set_cookie(name, value, path="/", httponly=True, samesite="lax",
                               secure=_secure(web))


def delete_cookie(web: Web, name: str) -> None:
    bottle.response.set_cookie(name, "", path="/", httponly=True, samesite="lax",
                               secure=_secure(web), max_age=0, expires=0)


# -- the browser token ------------------------------------------------------------------

def browser_token(web: Web) -> str:
    """This browser's token, issuing one (and its cookie) on the first visit."""
    environ = bottle.request.environ
    token = environ.get(_ENV_BROWSER) or _cookie(BROWSER_COOKIE)
    if token is None:
        token = secrets.token_urlsafe(32)
        set_cookie(web, BROWSER_COOKIE, token)
    environ[_ENV_BROWSER] = token
    return token


def browser_key(web: Web, purpose: str) -> str:
    """A store key for something kept per browser (a draft, a captcha answer)."""
    return f"{purpose}:{browser_token(web)}"


# -- sessions ---------------------------------------------------------------------------

def current_session(web: Web, kind: str, with_messages: bool = False) -> Session | None:
    """The live session of `kind` for this request, or None (expired ones are removed).
    `with_messages`: an applicant's page that shows the messages (the dashboard) has them read
    with the session and its application, in the same statement (`messages_of`)."""
    environ = bottle.request.environ
    key = _ENV_SESSION + kind
    if key in environ:
        return environ[key]
    token = _cookie(SESSION_COOKIES[kind])
    found = None
    if token is not None:
        now = web.now()
        limits = (timedelta(minutes=web.settings.session_idle_minutes),
                  timedelta(hours=web.settings.session_absolute_hours))
        if kind == "applicant":  # the session and its application (and messages) in one statement
            read: tuple[Any, ...] | None = (web.store.get_applicant_dashboard(token, now, *limits) if with_messages
                                            else web.store.get_applicant_session(token, now, *limits))
            found = None if read is None else read[0]
            if read is not None:
                environ[_ENV_APPLICATION] = read[1]
                if with_messages:
                    environ[_ENV_MESSAGES] = read[2]
        else:
            found = web.store.get_session(token, now, *limits)
        if found is not None and found.kind != kind:
            found = None
        if found is not None and now - found.last_seen_at >= _TOUCH_EVERY:
            web.store.touch(token, now)
    environ[key] = found
    return found


def application_of(web: Web, session: Session) -> Application | None:
    """The application an applicant's session names: the one read with the session, else
    read now (a session started by this very request)."""
    read = bottle.request.environ.get(_ENV_APPLICATION)
    if read is not None and str(read.id) == session.subject:
        return read
    return web.store.get_application(int(session.subject))


def messages_of(web: Web, app: Application) -> list[Message]:
    """The messages to the applicant's application, newest first: those read with the session
    (`current_session(..., with_messages=True)`), else read now."""
    environ = bottle.request.environ
    read = environ.get(_ENV_APPLICATION)
    if read is not None and read.id == app.id and _ENV_MESSAGES in environ:
        return environ[_ENV_MESSAGES]
    return web.store.messages_for(app.id, values=app.values)


def keep_alive(web: Web, kind: str) -> bool:
    """Extend the live session of `kind` from now, however recently it was touched (the
    timeout warning's 继续填写); False when there is none. The caller checks CSRF."""
    token = _cookie(SESSION_COOKIES[kind])
    if current_session(web, kind) is None or token is None:
        return False
    web.store.touch(token, web.now())
    return True


def timeout_warning(idle_minutes: int, keepalive: str, body: str) -> dict[str, Any]:
    """What the timeout warning needs: the idle limit, when to warn, where to keep alive, its text."""
    seconds = idle_minutes * 60
    return {"seconds": seconds, "warn_before": min(120, seconds // 2), "keepalive": keepalive,
            "minutes": idle_minutes, "body": body}


def adopt(web: Web, kind: str) -> Session | None:
    """The session of `kind` if there is one, binding this page's CSRF tokens to it (for
    pages anyone may see that show signed-in controls, such as the log-out button)."""
    found = current_session(web, kind)
    if found is not None:
        bottle.request.environ[_ENV_REALM] = kind
    return found


def require(web: Web, kind: str, login_path: str, with_messages: bool = False) -> Session:
    """The session, or a redirect to the login page. Marks the request as belonging to
    that realm, so CSRF tokens rendered from now on are bound to the session."""
    found = current_session(web, kind, with_messages)
    if found is None:
        bottle.redirect(login_path)
    bottle.request.environ[_ENV_REALM] = kind
    return found


def login(web: Web, kind: str, subject: str | int) -> Session:
    """Start a session with a fresh token; any session this browser had is ended first."""
    old = _cookie(SESSION_COOKIES[kind])
    if old is not None:
        web.store.delete_session(old)
    token, record = web.store.create_session(kind, subject, web.now())
    set_cookie(web, SESSION_COOKIES[kind], token)
    bottle.request.environ[_ENV_SESSION + kind] = record
    bottle.request.environ[_ENV_REALM] = kind
    return record


def logout(web: Web, kind: str) -> None:
    token = _cookie(SESSION_COOKIES[kind])
    if token is not None:
        web.store.delete_session(token)
    delete_cookie(web, SESSION_COOKIES[kind])
    bottle.request.environ[_ENV_SESSION + kind] = None
    bottle.request.environ.pop(_ENV_REALM, None)


# -- CSRF -------------------------------------------------------------------------------

@functools.lru_cache(maxsize=16)
def _keyed(secret: str) -> hmac.HMAC:
    """An HMAC-SHA256 under the secret with nothing fed in yet: a token is a copy of it updated
    with its basis (the key's padding hashed once per secret, not on every page; each page draws
    a token, issue 10). The standard library's HMAC, so nothing of the construction is ours."""
    return hmac.new(secret.encode(), digestmod=hashlib.sha256)


def _csrf_for(web: Web, basis: str) -> str:
    keyed = _keyed(web.settings.secret).copy()
    keyed.update(basis.encode())
    return keyed.hexdigest()


def _csrf_basis(web: Web) -> str:
    realm = bottle.request.environ.get(_ENV_REALM)
    if realm is not None:
        found = current_session(web, realm)
        if found is not None:
            return f"session:{found.csrf_secret}"
    return f"browser:{browser_token(web)}"


def csrf_token(web: Web) -> str:
    return _csrf_for(web, _csrf_basis(web))


def check_csrf(web: Web) -> None:
    """Refuse a form post whose token does not match (403, before anything is done)."""
    sent = bottle.request.forms.get(CSRF_FIELD) or ""
    # bytes: compare_digest refuses str with non-ASCII characters (a TypeError, a 500)
    if not hmac.compare_digest(sent.encode("utf-8", "surrogatepass"), csrf_token(web).encode()):
        bottle.abort(403, CSRF_REFUSED)
