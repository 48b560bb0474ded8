"""A fuzz of every route: thousands of malformed requests, 0 answers of 500, 0 tracebacks.

Routes are enumerated from the Bottle app itself, so a route added later is fuzzed too.
Each route is tried by four people (anonymous, an applicant, a point operator, an
administrator), each with a valid CSRF token most of the time so that requests get past
the door: first every route with every kind of bad value in turn (the systematic part),
then Hypothesis draws combinations (missing and duplicated fields, invalid UTF-8, NUL,
control characters, numbers beyond 64 bits, huge and empty values, odd methods). Both the
application's log and the WSGI error stream must stay free of tracebacks.
"""
from __future__ import annotations

import io
import logging
import re
import secrets
from typing import Any, Iterator
from urllib.parse import quote, unquote_to_bytes

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from webjourney import WANG, apply, login
from websupport import CAPTCHA, Browser

STAFF_PASSWORD = "Fuzz2027#staff"
FORM = "application/x-www-form-urlencoded"
# Raw (already percent-encoded) values: each one has broken some web application somewhere.
NASTY = (b"%FF", b"%C3%28", b"%ED%A0%80", b"%F4%90%80%80", b"%00", b"a%00b", b"%1B%5B2J", b"%7F", b"%C2%85",
         b"%E2%80%AE", b"%EF%BF%BF", b"%F0%A0%AE%B7", str(2 ** 64).encode(), str(10 ** 40).encode(), b"-1",
         b"-9223372036854775809", b"1e999", b"NaN", b"0x10", b"", b"%", b"%G1", b"+", b"%2F..%2F..%2Fetc%2Fpasswd",
         b"x" * 5000, b"%E4%B8%AD" * 2000, b"<script>alert(1)</script>", b"'%3B--", b"%0D%0ASet-Cookie:x=1",
         b"9999-99-99", b"2027-02-30")
PATH_VALUES = ("%FF", "%00", str(2 ** 64), str(10 ** 30), "0", "-1", "..%2F..%2Fsecret", "x" * 300, "%E2%80%AE",
               "%20", "login", "notice")
METHODS = ("GET", "POST", "PUT", "DELETE", "PATCH", "HEAD")


class Watch(logging.Handler):
    """Collects every log record that is an error or carries a traceback."""

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.bad: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        if record.levelno >= logging.ERROR or record.exc_info:
            self.bad.append(self.format(record) if record.exc_info is None else
                            f"{record.getMessage()}\n{logging.Formatter().formatException(record.exc_info)}")


class Fuzzer:
    def __init__(self, app: Any, web: Any, store: Any, clock: Any, new_browser: Any):
        self.app, self.web, self.store, self.clock = app, web, store, clock
        self.errors = io.StringIO()
        self.sent = 0
        self.statuses: dict[int, int] = {}
        self.routes = [(r.method, r.rule) for r in app.routes]
        apply(new_browser(address="10.8.0.1"), clock, web, WANG)
        self.applicant_id = store.find_application(values={"cert_no": WANG.cert_no}).id
        for name, role, bound in (("fz-point", "point_operator", "bj_haidian_jinxiu"), ("fz-admin", "admin", None)):
            store.create_staff(name, STAFF_PASSWORD, role, bound=bound)
        self.staff_ids = [s.id for s in store.list_staff()] if hasattr(store, "list_staff") else [1]
        self.people = {kind: new_browser(address=f"10.7.0.{n}") for n, kind in
                       enumerate(("anonymous", "applicant", "fz-point", "fz-admin"), start=1)}
        self.csrf: dict[str, str] = {}
        self.names = self.field_names()
        for kind in self.people:
            self.sign_in(kind)

    # -- people -------------------------------------------------------------------------
    def sign_in(self, kind: str) -> None:
        b: Browser = self.people[kind]
        if kind == "applicant":
            login(b, WANG)
            b.get("/account/password")
        elif kind.startswith("fz-"):
            b.get("/staff/login")
            b.get("/captcha/login.png")
            b.post("/staff/login", {"username": kind, "password": STAFF_PASSWORD, "captcha": CAPTCHA})
            b.get("/staff/messages")
        else:
            b.get("/login")
        self.csrf[kind] = b.csrf

    def field_names(self) -> list[str]:
        names = {f for f in self.web.flow.fields} | {"action", "confirm", "row_version", "to", "page", "q", "body",
                                                     "format", "email", "username", "password", "captcha"}
        return sorted(names)

    # -- one request ----------------------------------------------------------------------
    def url(self, rule: str, values: Iterator[str]) -> str:
        return re.sub(r"<[^>]+>", lambda _m: next(values), rule)

    def send(self, kind: str, method: str, path: str, body: bytes | None = None,
             content_type: str = FORM) -> int:
        """Straight into the WSGI app (WebOb would itself choke on some of these paths), with
        this person's cookies; the path is given percent-encoded, as on the wire."""
        b: Browser = self.people[kind]
        raw_path, _, query = path.partition("?")
        environ = {"REQUEST_METHOD": method, "SCRIPT_NAME": "", "PATH_INFO": unquote_to_bytes(raw_path).decode("latin1"),
                   "QUERY_STRING": query, "SERVER_NAME": "shenbao.test", "SERVER_PORT": "80",
                   "SERVER_PROTOCOL": "HTTP/1.1", "REMOTE_ADDR": f"10.7.1.{self.sent % 200}",
                   "HTTP_COOKIE": "; ".join(f"{k}={v}" for k, v in b.app.cookies.items()),
                   "wsgi.version": (1, 0), "wsgi.url_scheme": "http", "wsgi.input": io.BytesIO(body or b""),
                   "wsgi.errors": self.errors, "wsgi.multithread": False, "wsgi.multiprocess": False,
                   "wsgi.run_once": False}
        if body is not None:
            environ["CONTENT_TYPE"], environ["CONTENT_LENGTH"] = content_type, str(len(body))
        seen: list[Any] = []
        chunks = self.app(environ, lambda status, headers, exc_info=None: seen.append((status, headers)))
        text = b"".join(chunks)
        if hasattr(chunks, "close"):
            chunks.close()
        status = int(seen[0][0].split()[0])
        self.sent += 1
        self.statuses[status] = self.statuses.get(status, 0) + 1
        assert status != 500, (kind, method, path, body[:300] if body else None, text[:300])
        location = dict(seen[0][1]).get("Location", "")
        if status in (302, 303) and "/login" in location and kind != "anonymous" and self.sent % 7 == 0:
            self.sign_in(kind)  # signed out (logout, a password change): back in, now and then
        return status

    def form(self, kind: str, pairs: list[tuple[str, bytes]], token: bool = True) -> bytes:
        parts = [f"{quote(name)}=".encode() + value for name, value in pairs]
        if token:
            parts.insert(secrets.randbelow(len(parts) + 1), b"csrf_token=" + self.csrf[kind].encode())
        return b"&".join(parts)


@pytest.fixture
def fuzzer(app, web, store, clock, new_browser) -> Iterator[Fuzzer]:
    watch = Watch()
    root = logging.getLogger()
    root.addHandler(watch)
    try:
        made = Fuzzer(app, web, store, clock, new_browser)
        made.watch = watch  # type: ignore[attr-defined]
        yield made
    finally:
        root.removeHandler(watch)


def check_clean(fuzzer: Fuzzer) -> None:
    assert fuzzer.watch.bad == [], fuzzer.watch.bad[:3]  # type: ignore[attr-defined]
    assert "Traceback" not in fuzzer.errors.getvalue(), fuzzer.errors.getvalue()[:2000]
    assert 500 not in fuzzer.statuses


def systematic(fuzzer: Fuzzer, stride: int) -> None:
    """Every route, by every person, with every `stride`-th nasty value: in each field, in the URL."""
    for method, rule in fuzzer.routes:
        for kind in fuzzer.people:
            for n, value in list(enumerate(NASTY))[::stride]:
                path = fuzzer.url(rule, iter([PATH_VALUES[(n + i) % len(PATH_VALUES)] for i in range(4)]))
                if method == "POST":
                    names = fuzzer.names[n % len(fuzzer.names)::max(1, len(NASTY) // 2)][:12]
                    pairs = [(name, value) for name in names] + [(names[0], b"1")]  # one duplicated
                    fuzzer.send(kind, "POST", path, fuzzer.form(kind, pairs, token=n % 5 != 0))
                elif n % 3 == 0:
                    fuzzer.send(kind, method, f"{path}?{quote(fuzzer.names[n % len(fuzzer.names)])}=".encode()
                                .decode("latin1") + value.decode("latin1")[:300] + "&page=" + PATH_VALUES[n % 4])


FIELD = st.one_of(st.sampled_from(["csrf_token", "action", "row_version", "to", "page", "id_no", "cert_no"]),
                  st.text(max_size=12))
VALUE = st.one_of(st.sampled_from(NASTY), st.binary(max_size=24).map(lambda b: quote(b).encode()),
                  st.text(max_size=40).map(lambda t: quote(t).encode()),
                  st.integers(min_value=-2 ** 80, max_value=2 ** 80).map(lambda i: str(i).encode()))


def test_fuzz__every_route_every_person__no_500_no_traceback(fuzzer, database):
    # the full run on SQLite; a quarter of it on PostgreSQL (what differs there is the database's
    # own refusals, e.g. of NUL in text, which the same requests reach)
    sqlite = database.kind == "sqlite"
    systematic(fuzzer, 1 if sqlite else 4)
    routes = fuzzer.routes
    budget = 5200 if sqlite else fuzzer.sent + 450

    @settings(max_examples=max(1, budget - fuzzer.sent) // 3, deadline=None, database=None, derandomize=True,
              suppress_health_check=list(HealthCheck))
    @given(route=st.sampled_from(routes), kind=st.sampled_from(sorted(fuzzer.people)),
           method=st.one_of(st.none(), st.sampled_from(METHODS)),
           path_values=st.lists(st.one_of(st.sampled_from(PATH_VALUES), st.text(max_size=8).map(quote)),
                                min_size=4, max_size=4),
           pairs=st.lists(st.tuples(st.one_of(st.sampled_from(fuzzer.names), FIELD).map(str), VALUE), max_size=14),
           token=st.booleans(), multipart=st.integers(min_value=0, max_value=9))
    def draw(route, kind, method, path_values, pairs, token, multipart):
        verb, rule = route
        path = fuzzer.url(rule, iter(path_values))
        verb = method or verb
        pairs = pairs + pairs[:1]  # a duplicated field
        if verb in ("POST", "PUT", "PATCH"):
            if multipart == 0:
                body = b"".join(b"--B\r\nContent-Disposition: form-data; name=\"" + quote(n).encode() + b"\"\r\n\r\n"
                                + v.replace(b"%", b"\xff") + b"\r\n" for n, v in pairs) + b"--B--\r\n"
                fuzzer.send(kind, verb, path, body, "multipart/form-data; boundary=B")
            else:
                fuzzer.send(kind, verb, path, fuzzer.form(kind, pairs, token))
        else:
            query = "&".join(f"{quote(n)}={v.decode('latin1')[:200]}" for n, v in pairs)
            fuzzer.send(kind, verb, f"{path}?{query}" if query else path)
        for _ in range(2):  # the same route again, by another person, as it is (its plain form)
            other = sorted(fuzzer.people)[(fuzzer.sent + len(pairs)) % len(fuzzer.people)]
            fuzzer.send(other, route[0], path, fuzzer.form(other, pairs[:3], True) if route[0] == "POST" else None)

    draw()
    print(f"fuzz[{database.kind}]: {fuzzer.sent} requests over {len(routes)} routes: {sorted(fuzzer.statuses.items())}")
    assert fuzzer.sent >= budget - 3
    check_clean(fuzzer)
