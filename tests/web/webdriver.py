"""A very small WebDriver client (plain HTTP to chromedriver) and a threaded test server.

Enough to drive headless Chromium through the applicant's journey: navigate, find, click,
type, choose, read alerts, run a script, send a form for the file it returns, take full-page
screenshots. Plus what every browser test shares: `needs_browser` (skip where Debian's
chromium is missing), the fixtures `chrome` (one browser with a profile of its own per test)
and `site` (the app with its printed forms on a real socket and a running clock, `served`),
which the conftests take over, and `reach_identity_step` (from /apply/start to step 3;
webjourney.sign_in logs an applicant in).
"""
from __future__ import annotations

import base64
import json
import os
import subprocess
import threading
import time
import urllib.error
import urllib.request
from contextlib import contextmanager
from datetime import datetime, timedelta
from pathlib import Path
from socketserver import ThreadingMixIn
from typing import Any, Callable, Iterator
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

import pytest

from renderers.pdf import printers
from renderers.web.app import make_app
from testworkers import free_ports
from websupport import START, reading_seconds

ELEMENT = "element-6066-11e4-a52e-4f735466cecf"
CHROMIUM = "/usr/bin/chromium"
CHROMEDRIVER = "/usr/bin/chromedriver"
CHROME_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
               "--disable-background-networking", "--disable-component-update", "--disable-sync",
               "--disable-dev-shm-usage", "--lang=zh-CN", "--hide-scrollbars", "--force-device-scale-factor=1"]
HAVE_BROWSER = os.path.exists(CHROMIUM) and os.path.exists(CHROMEDRIVER)
needs_browser = pytest.mark.skipif(not HAVE_BROWSER, reason="needs Debian's chromium and chromedriver")


def free_port() -> int:
    return free_ports(1)[0]


class _Quiet(WSGIRequestHandler):
    def log_message(self, *args: Any) -> None:
        pass


class _Threaded(ThreadingMixIn, WSGIServer):
    daemon_threads = True


class TestServer:
    """The WSGI app on a local port, in a thread (the browser needs a real socket)."""

    __test__ = False

    def __init__(self, app: Any):
        self.clock: RunningClock | None = None  # set by `served`
        self.port = free_port()
        self.httpd = make_server("127.0.0.1", self.port, app, server_class=_Threaded, handler_class=_Quiet)
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def __enter__(self) -> TestServer:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


class WebDriverError(Exception):
    pass


class Chrome:
    def __init__(self, profile: Path, width: int = 1280, height: int = 900):
        self.port = free_port()
        self.driver = subprocess.Popen([CHROMEDRIVER, f"--port={self.port}"], stdout=subprocess.DEVNULL,
                                       stderr=subprocess.DEVNULL)
        self._wait_for_driver()
        caps = {"browserName": "chrome", "unhandledPromptBehavior": "ignore",
                "goog:chromeOptions": {"binary": CHROMIUM,
                                       "args": CHROME_ARGS + [f"--user-data-dir={profile}",
                                                              f"--window-size={width},{height}"]}}
        self.session = self._call("POST", "/session", {"capabilities": {"alwaysMatch": caps}})["sessionId"]

    def _wait_for_driver(self) -> None:
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{self.port}/status", timeout=1):
                    return
            except (urllib.error.URLError, ConnectionError):
                time.sleep(0.1)
        raise WebDriverError("chromedriver did not start")

    def _call(self, method: str, path: str, body: Any = None) -> Any:
        data = None if body is None else json.dumps(body).encode()
        request = urllib.request.Request(f"http://127.0.0.1:{self.port}{path}", data=data, method=method,
                                         headers={"Content-Type": "application/json"})
        try:
            with urllib.request.urlopen(request, timeout=60) as response:
                return json.loads(response.read())["value"]
        except urllib.error.HTTPError as error:
            raise WebDriverError(error.read().decode("utf-8", "replace")[:500]) from None

    def cmd(self, method: str, path: str, body: Any = None) -> Any:
        return self._call(method, f"/session/{self.session}{path}", body)

    def quit(self) -> None:
        try:
            self._call("DELETE", f"/session/{self.session}")
        finally:
            self.driver.terminate()
            self.driver.wait(10)

    # -- pages ---------------------------------------------------------------------------
    def go(self, url: str) -> None:
        self.cmd("POST", "/url", {"url": url})

    def script(self, source: str, *args: Any) -> Any:
        return self.cmd("POST", "/execute/sync", {"script": source, "args": list(args)})

    def find(self, css: str) -> str:
        return self.cmd("POST", "/element", {"using": "css selector", "value": css})[ELEMENT]

    def find_all(self, css: str) -> list[str]:
        return [e[ELEMENT] for e in self.cmd("POST", "/elements", {"using": "css selector", "value": css})]

    def click(self, css: str) -> None:
        self.cmd("POST", f"/element/{self.find(css)}/click", {})

    def type(self, css: str, text: str) -> None:
        element = self.find(css)
        self.cmd("POST", f"/element/{element}/clear", {})
        self.cmd("POST", f"/element/{element}/value", {"text": text})

    def upload(self, css: str, path: Path) -> None:
        """Choose a local file in an <input type=file> (WebDriver sends its path as keys)."""
        self.cmd("POST", f"/element/{self.find(css)}/value", {"text": str(path)})

    def choose(self, select_id: str, value: str) -> None:
        self.click(f'#{select_id} option[value="{value}"]')

    def set_value(self, css: str, value: str) -> None:
        """For date inputs, whose typing depends on the browser's locale."""
        self.script("document.querySelector(arguments[0]).value = arguments[1];", css, value)

    def text(self, css: str = "body") -> str:
        return self.cmd("GET", f"/element/{self.find(css)}/text")

    def enabled(self, css: str) -> bool:
        return self.cmd("GET", f"/element/{self.find(css)}/enabled")

    def wait(self, condition: Callable[[], Any], timeout: float = 10, what: str = "") -> Any:
        deadline = time.monotonic() + timeout
        while True:
            try:
                found = condition()
            except WebDriverError:
                found = None
            if found:
                return found
            if time.monotonic() > deadline:
                raise WebDriverError(f"timed out waiting for {what}")
            time.sleep(0.1)

    def h1(self) -> str:
        return self.text("h1")

    def post_form(self, css: str) -> tuple[int, str, bytes]:
        """Send the form as the browser would (this session's cookies, the form's CSRF token) and
        return the status, the Content-Type and the body's bytes: the file a download would save."""
        sent = self.script("""
            var form = document.querySelector(arguments[0]);
            var x = new XMLHttpRequest(); x.open('POST', form.action, false);
            x.overrideMimeType('text/plain; charset=x-user-defined');
            x.setRequestHeader('Content-Type', 'application/x-www-form-urlencoded');
            x.send(new URLSearchParams(new FormData(form)).toString());
            var s = x.responseText, out = '';
            for (var i = 0; i < s.length; i++) out += String.fromCharCode(s.charCodeAt(i) & 0xff);
            return [x.status, x.getResponseHeader('Content-Type'), btoa(out)];""", css)
        return sent[0], sent[1], base64.b64decode(sent[2])

    def alert_text(self) -> str | None:
        try:
            return self.cmd("GET", "/alert/text")
        except WebDriverError:
            return None

    def resize(self, width: int, height: int) -> None:
        self.cmd("POST", "/window/rect", {"width": width, "height": height})

    def screenshots(self, folder: Path, name: str) -> None:
        """The whole page at desktop width and at 375 px (a phone): folder/name.png, name-375.png."""
        self.screenshot(folder / f"{name}.png", 1280)
        self.screenshot(folder / f"{name}-375.png", 375)

    def screenshot(self, path: Path, width: int) -> None:
        """The whole page at `width` CSS pixels (the window is grown to the page's height)."""
        self.resize(width, 900)
        height = self.script("return Math.max(document.documentElement.scrollHeight, document.body.scrollHeight);")
        self.resize(width, min(int(height) + 140, 6000))
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(base64.b64decode(self.cmd("GET", "/screenshot")))
        self.resize(1280, 900)


@pytest.fixture
def chrome(tmp_path: Path) -> Iterator[Chrome]:
    """Headless Chromium with a profile of its own, for one test."""
    browser = Chrome(tmp_path / "profile")
    yield browser
    browser.quit()


def reach_identity_step(chrome: Chrome, url: str, web: Any) -> None:
    """From /apply/start to step 3: step 1 read for its whole reading time (the countdown, or the
    clock where scripts are off), step 2's terms accepted."""
    steps = web.flow.steps
    began = time.monotonic()
    chrome.go(url + "/apply/start")
    chrome.wait(lambda: chrome.enabled("button.next"), timeout=reading_seconds() + 3, what="the countdown")
    time.sleep(max(0.0, reading_seconds() + 0.1 - (time.monotonic() - began)))
    chrome.click("button.next")
    chrome.wait(lambda: chrome.h1() == web.t(steps[1].title), what="step 2")
    chrome.click('input[name="accept_terms"][value="accept"]')
    chrome.click("button.next")
    chrome.wait(lambda: chrome.h1() == web.t(steps[2].title), what="step 3")


class RunningClock:
    """Dates fixed to the tests' day, seconds passing for real (the countdown runs in the browser);
    `later(seconds)` moves it on, e.g. past an idle limit."""

    def __init__(self, start: datetime = START):
        self.start, self.began, self.offset = start, time.monotonic(), 0.0

    def __call__(self) -> datetime:
        return self.start + timedelta(seconds=time.monotonic() - self.began + self.offset)

    def later(self, seconds: float) -> None:
        self.offset += seconds


@contextmanager
def served(settings: Any, store: Any, **app: Any) -> Iterator[TestServer]:
    """The app (make_app's keywords: printers, …) on a real socket, on a running clock (`.clock`)."""
    clock = RunningClock()
    with TestServer(make_app(settings, clock=clock, store=store, **app)) as server:
        server.clock = clock
        yield server


@pytest.fixture
def site(settings: Any, store: Any) -> Iterator[TestServer]:
    """The app with its printed forms, served on a running clock."""
    with served(settings, store, printers=printers) as server:
        yield server
