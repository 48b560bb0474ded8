"""Profile: where one request's time goes, in process (no server, no sockets), for the pages
bench/web.py and bench/load.py time.

    .venv/bin/python bench/profile_pages.py [--case dashboard|error|submit|all] [--requests 200]
                                            [--top 25] [--sort tottime|cumtime] [--database URL]
                                            [--evict MIB]

Cases:
  dashboard  GET /account of a signed-in applicant
  error      POST /apply of step 7 with one wrong field (bench/web.py's "submit")
  submit     POST /apply of step 7 that creates the application (bench/load.py's "submit"):
             a new teacher each time, walked to step 7 beforehand (that walk is not counted)
  step       POST /apply of step 4 (agency, a normal step that advances): a new teacher each time,
             walked to step 4 beforehand (not counted)
  get        GET /apply of step 7 (the page shown, the draft's idle time extended)
For each case: the mean wall time per request without the profiler (time.perf_counter, the
same requests again), then cProfile's top functions over --requests requests. The app is
the one `shenbao serve` runs (make_app with the PDF printers), called as a WSGI callable;
the demo data goes into a temporary SQLite file unless --database names a PostgreSQL one.

--evict MIB also times the same requests with MIB of memory written over between each two
(the CPU caches emptied of the app's data, as a served request finds them): the CPU of each
request alone (thread time around the call, the eviction not counted). A served request runs
after other workers' requests and the load's on the same core, so it starts cold: issue 10's
served cost per request beyond a hello (`bench/web.py`'s "of which app" against this file's
warm figure) is this, not more work (the same calls per request in process and served, by
cProfile in a worker). On the 2-core machine (32 MiB L3), --evict 32 took the dashboard from
0.55 to 1.5 ms of CPU, what `bench/web.py --pin` measured inside its workers at the same time.
"""
from __future__ import annotations

import argparse
import contextlib
import cProfile
import io
import pstats
import secrets
import sys
import tempfile
import time
from datetime import datetime, timedelta, timezone
from http.cookies import SimpleCookie
from pathlib import Path
from typing import Any, Callable, Iterator
from urllib.parse import urlencode

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from durability import ORDER, answers  # noqa: E402
from web import WORK, csrf_of, database_for, prepare_database, step_title  # noqa: E402


class Clock:
    """The real clock, moved on past the notice's reading time without sleeping."""

    def __init__(self) -> None:
        self.offset = timedelta()

    def __call__(self) -> datetime:
        return datetime.now(timezone.utc) + self.offset


class Browser:
    """A WSGI client that keeps cookies: requests go straight to the app's callable."""

    def __init__(self, app: Any, cookies: dict[str, str] | None = None):
        self.app, self.cookies = app, dict(cookies or {})

    def call(self, method: str, path: str, form: dict[str, str] | None = None) -> tuple[int, bytes]:
        body = urlencode(form or {}).encode()
        environ = {
            "REQUEST_METHOD": method, "PATH_INFO": path, "QUERY_STRING": "", "SERVER_NAME": "127.0.0.1",
            "SERVER_PORT": "80", "SERVER_PROTOCOL": "HTTP/1.1", "REMOTE_ADDR": "127.0.0.1",
            "HTTP_HOST": "127.0.0.1", "HTTP_USER_AGENT": "bench", "wsgi.url_scheme": "http",
            "wsgi.input": io.BytesIO(body), "wsgi.errors": sys.stderr, "wsgi.version": (1, 0),
            "wsgi.multithread": False, "wsgi.multiprocess": True, "wsgi.run_once": False,
            "CONTENT_LENGTH": str(len(body)) if method == "POST" else "",
            "CONTENT_TYPE": "application/x-www-form-urlencoded" if method == "POST" else "",
        }
        if self.cookies:
            environ["HTTP_COOKIE"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        status: list[str] = []
        headers: list[tuple[str, str]] = []

        def start_response(line: str, sent: list[tuple[str, str]], exc_info: Any = None) -> None:
            status.append(line)
            headers.extend(sent)

        out = self.app(environ, start_response)
        page = b"".join(out)
        if hasattr(out, "close"):
            out.close()
        for name, value in headers:
            if name.lower() == "set-cookie":
                for morsel in SimpleCookie(value).values():
                    self.cookies[morsel.key] = morsel.value
        return int(status[0][:3]), page


def make(url: str, tmp: Path) -> tuple[Any, Any, Clock]:
    import logging

    logging.disable(logging.WARNING)
    from commands.serve import before_fork
    from renderers.pdf import printers
    from renderers.web.app import make_app, web_of
    from shenbao.settings import Settings

    settings = Settings(database_url=url, secret=secrets.token_urlsafe(32), outbox_dir=str(tmp / "outbox"),
                        mail_interval=3600.0)
    clock = Clock()
    app = make_app(settings, clock=clock, printers=printers)
    before_fork(app)  # what `shenbao serve` does in its master: templates compiled, the heap frozen
    return app, web_of(app), clock


def walk_to_step7(app: Any, clock: Clock, n: int, to: str = "application"
                  ) -> tuple[Browser, str, dict[str, dict[str, str]]]:
    """A new teacher's browser at step 7 (or the step `to`): (browser, CSRF token, the answers per step)."""
    _cert_no, steps = answers(n)
    browser = Browser(app, {"sb_browser": secrets.token_urlsafe(32)})
    browser.call("GET", "/apply/start")
    csrf = csrf_of(browser.call("GET", "/apply")[1])
    clock.offset += timedelta(seconds=4)  # past the notice's reading time
    for step in ORDER[:ORDER.index(to)]:
        status, page = browser.call("POST", "/apply", {"csrf_token": csrf, "action": "next", "step": step,
                                                       **steps.get(step, {})})
        assert status == 303 or status == 302, (step, status, page[:600])
    return browser, csrf, steps


def dashboard_case(app: Any, web: Any, clock: Clock, count: int) -> list[Callable[[], None]]:
    from shenbao.applications import indexed, key_of

    flow = web.flow
    answers_ = {"name": "王晓燕", "agency": "bj_haidian", "point": "bj_haidian_jinxiu",
                "id_no": "110108198504120144", "cert_no": f"PROF{secrets.token_hex(6)}", "email": "bench@163.com"}
    made = web.store.create_application(
        flow_id=flow.id, flow_version=flow.version, flow_digest=flow.digest, identity_key=key_of(flow, answers_),
        numbering=flow.application.number, values={k: answers_.get(k) for k in indexed(flow)},
        status=flow.initial_status.id, password=secrets.token_urlsafe(12), answers=answers_)
    token, _ = web.store.create_session("applicant", made.id, web.now())
    browser = Browser(app, {"sb_applicant": token})

    def one() -> None:
        status, page = browser.call("GET", "/account")
        assert status == 200 and b"TR" in page, page[:400]

    return [one] * count


def error_case(app: Any, web: Any, clock: Clock, count: int) -> list[Callable[[], None]]:
    browser, csrf, _steps = walk_to_step7(app, clock, 900_000 + secrets.randbelow(90_000))
    form = {"csrf_token": csrf, "action": "next", "step": "application", **WORK}  # mobile "139": one error
    title = step_title("application").encode()

    def one() -> None:
        status, page = browser.call("POST", "/apply", form)
        assert status == 200 and title in page, page[:400]

    return [one] * count


def posting_case(step: str) -> Callable[[Any, Any, Clock, int], list[Callable[[], None]]]:
    """POST of `step` that moves on, each call by a new teacher walked to that step beforehand."""
    def case(app: Any, web: Any, clock: Clock, count: int) -> list[Callable[[], None]]:
        base = secrets.randbelow(800_000)
        calls = []
        for i in range(count):
            browser, csrf, steps = walk_to_step7(app, clock, base + i, to=step)
            form = {"csrf_token": csrf, "action": "next", "step": step, **steps[step]}

            def one(browser: Browser = browser, form: dict[str, str] = form) -> None:
                status, page = browser.call("POST", "/apply", form)
                assert status in (302, 303), (status, page[:600])

            calls.append(one)
        return calls
    return case


submit_case = posting_case("application")  # step 7: creates the application
step_case = posting_case("agency")         # step 4: a normal step that advances


def get_case(app: Any, web: Any, clock: Clock, count: int) -> list[Callable[[], None]]:
    browser, _csrf, _steps = walk_to_step7(app, clock, 900_000 + secrets.randbelow(90_000))
    title = step_title("application").encode()

    def one() -> None:
        status, page = browser.call("GET", "/apply")
        assert status == 200 and title in page, page[:400]

    return [one] * count


CASES = {"dashboard": dashboard_case, "error": error_case, "submit": submit_case, "step": step_case,
         "get": get_case}


class Evictor:
    """Writes one byte per cache line over `mib` MiB: the caches hold that, not the app's data."""

    def __init__(self, mib: int):
        self.size = mib << 20
        self.view = memoryview(bytearray(self.size))
        self.fill = [b"\1" * len(range(0, self.size, 64)), b"\2" * len(range(0, self.size, 64))]
        self.turn = 0

    def __call__(self) -> None:
        self.turn ^= 1
        self.view[::64] = self.fill[self.turn]


def cold_cpu(calls: list[Callable[[], None]], evict: Evictor) -> float:
    """Mean CPU seconds of each call alone, the caches emptied before it."""
    spent = 0.0
    for call in calls:
        evict()
        started = time.thread_time()
        call()
        spent += time.thread_time() - started
    return spent / len(calls)


def profile(name: str, app: Any, web: Any, clock: Clock, count: int, top: int, sort: str,
            evict_mib: int = 0) -> None:
    case = CASES[name]
    for call in case(app, web, clock, 5):  # warm: templates compiled, reference lists cached
        call()
    timed = case(app, web, clock, count)
    started, cpu = time.perf_counter(), time.process_time()
    for call in timed:
        call()
    wall, cpu = (time.perf_counter() - started) / count, (time.process_time() - cpu) / count
    if evict_mib:
        cold = cold_cpu(case(app, web, clock, count), Evictor(evict_mib))
        print(f"\n== {name}: {cold * 1000:.2f} ms of CPU per request with {evict_mib} MiB written over before each "
              f"(caches cold, as served), against {cpu * 1000:.2f} ms warm")
    profiled = case(app, web, clock, count)
    profiler = cProfile.Profile()
    profiler.enable()
    for call in profiled:
        call()
    profiler.disable()
    print(f"\n== {name}: {wall * 1000:.2f} ms per request, {cpu * 1000:.2f} ms of CPU (mean of {count}, no profiler); "
          f"cProfile over {count} requests, by {sort}:")
    out = io.StringIO()
    stats = pstats.Stats(profiler, stream=out)
    stats.strip_dirs().sort_stats(sort).print_stats(top)
    print("\n".join(line for line in out.getvalue().splitlines() if line.strip()
                    and not line.startswith(("   Ordered by", "   List reduced"))))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--case", choices=(*CASES, "all"), default="all")
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--top", type=int, default=25)
    parser.add_argument("--sort", choices=("tottime", "cumtime"), default="tottime")
    parser.add_argument("--database", help="database URL (default: a temporary SQLite file)")
    parser.add_argument("--evict", type=int, default=0, metavar="MIB",
                        help="also time each request after MIB of memory is written over (cold caches; "
                             "the L3 size, e.g. 32)")
    args = parser.parse_args()
    with served(args.database) as (url, app, web, clock):
        print(f"bench/profile_pages.py: database {url.split(':')[0]}, {args.requests} requests per case")
        for name in CASES if args.case == "all" else (args.case,):
            profile(name, app, web, clock, args.requests, args.top, args.sort, args.evict)
    return 0


@contextlib.contextmanager
def served(database: str | None) -> Iterator[tuple[str, Any, Any, Any]]:
    """(database URL, WSGI app, its Web, its clock) on the demo data in `database` (default: a
    temporary SQLite file), as `make` builds them; the store closed and the database dropped after."""
    with tempfile.TemporaryDirectory() as tmp:
        url, cleanup = database_for(database, Path(tmp))
        try:
            prepare_database(url)
            app, web, clock = make(url, Path(tmp))
            yield url, app, web, clock
            web.store.close()
        finally:
            cleanup()


if __name__ == "__main__":
    sys.exit(main())
