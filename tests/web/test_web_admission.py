"""The admission gate (commands/admission.py): at most `limit` requests of a process run the
app at once, the rest wait their turn; a body is read before the gate; a body too large is
left unread for the app to refuse; a streamed response is sent after the place is given back."""
from __future__ import annotations

import io
import threading

from commands.admission import Admission, Gate
from commands.serve import admitted
from renderers.web.app import make_app
from shenbao.settings import Settings


class Probe:
    """A WSGI app that counts how many run at once and waits until it is let go."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.running = self.most = self.entered = 0
        self.go = threading.Event()
        self.bodies: list[bytes] = []

    def __call__(self, environ, start_response):
        with self.lock:
            self.running += 1
            self.entered += 1
            self.most = max(self.most, self.running)
        self.go.wait(10)
        self.bodies.append(environ["wsgi.input"].read())
        with self.lock:
            self.running -= 1
        start_response("200 OK", [])
        return [b"ok"]


def call(app, body: bytes = b"", length: str | None = None) -> list[bytes]:
    environ = {"REQUEST_METHOD": "POST", "wsgi.input": io.BytesIO(body),
               "CONTENT_LENGTH": str(len(body)) if length is None else length}
    return list(app(environ, lambda status, headers: None))


def test_admission__six_at_once__two_run_the_app_and_all_are_answered():
    probe = Probe()
    gate = Admission(probe, limit=2, max_body=1000)
    threads = [threading.Thread(target=call, args=(gate, b"n=%d" % n)) for n in range(6)]
    for thread in threads:
        thread.start()
    for _ in range(100):  # until two are inside (the others wait at the gate)
        if probe.entered == 2:
            break
        threading.Event().wait(0.02)
    threading.Event().wait(0.2)
    assert probe.entered == 2
    probe.go.set()
    for thread in threads:
        thread.join(10)
    assert probe.most == 2 and probe.entered == 6
    assert sorted(probe.bodies) == sorted(b"n=%d" % n for n in range(6))


class SlowBody(io.RawIOBase):
    """A body that arrives only when `arrived` is set (a client trickling its form)."""

    def __init__(self, data: bytes) -> None:
        self.data, self.arrived = data, threading.Event()

    def read(self, size: int = -1) -> bytes:
        self.arrived.wait(10)
        data, self.data = self.data, b""
        return data


def test_admission__a_slow_body_is_read_before_the_gate():
    probe = Probe()
    probe.go.set()
    gate = Admission(probe, limit=1, max_body=1000)
    slow = SlowBody(b"name=slow")
    environ = {"REQUEST_METHOD": "POST", "wsgi.input": slow, "CONTENT_LENGTH": "9"}
    waiting = threading.Thread(target=lambda: list(gate(environ, lambda s, h: None)))
    waiting.start()
    assert call(gate, b"x=1") == [b"ok"]  # answered while the slow body is still coming
    slow.arrived.set()
    waiting.join(10)
    assert sorted(probe.bodies) == [b"name=slow", b"x=1"]


def test_admission__a_body_over_the_limit_or_a_bad_length_is_left_to_the_app():
    seen = []

    def app(environ, start_response):
        seen.append(environ["wsgi.input"])
        return [b""]

    gate = Admission(app, limit=1, max_body=4)
    big = io.BytesIO(b"12345")
    gate({"wsgi.input": big, "CONTENT_LENGTH": "5"}, None)
    odd = io.BytesIO(b"1")
    gate({"wsgi.input": odd, "CONTENT_LENGTH": "x"}, None)
    assert seen[0] is big and big.tell() == 0 and seen[1] is odd


def test_admission__a_streamed_body_is_sent_after_the_place_is_given_back():
    gate = None
    free = []

    def app(environ, start_response):
        def stream():
            free.append(gate.gate.free)  # the place is back while sending
            yield b"row\n"
        return stream()

    gate = Admission(app, limit=1, max_body=10)
    assert list(gate({"wsgi.input": io.BytesIO(), "CONTENT_LENGTH": ""}, None)) == [b"row\n"]
    assert free == [1]


def test_gate__places_go_in_the_order_requests_came_and_a_newcomer_queues_behind():
    gate = Gate(1)
    order = []
    gate.__enter__()  # the one place is taken
    threads = []
    for n in range(5):
        thread = threading.Thread(target=lambda n=n: (gate.__enter__(), order.append(n), gate.__exit__()))
        thread.start()
        for _ in range(500):  # until it waits: each comes after the one before
            if len(gate.waiting) == n + 1:
                break
            threading.Event().wait(0.01)
        threads.append(thread)
    assert len(gate.waiting) == 5 and gate.free == 0
    gate.__exit__()  # hands the place to the first waiter, never back to the pool
    for thread in threads:
        thread.join(10)
    assert order == [0, 1, 2, 3, 4] and gate.free == 1 and not gate.waiting


def test_serve__the_app_is_admitted_with_the_settings_limit(tmp_path):
    settings = Settings(database_url=f"sqlite:///{tmp_path / 'db.sqlite'}", secret="s" * 40,
                        outbox_dir=str(tmp_path / "outbox"), running_requests=3)
    app = make_app(settings)
    wrapped = admitted(app)
    assert isinstance(wrapped, Admission) and wrapped.limit == 3 and wrapped.app is app
    assert wrapped.max_body == settings.max_body_bytes + settings.max_upload_bytes
    hello = __import__("bottle").Bottle()
    assert admitted(hello) is hello


def test_serve__by_default__two_places_and_zero_turns_the_gate_off(tmp_path):
    settings = Settings(database_url=f"sqlite:///{tmp_path / 'db.sqlite'}", secret="s" * 40,
                        outbox_dir=str(tmp_path / "outbox"))
    app = make_app(settings)
    wrapped = admitted(app)
    assert isinstance(wrapped, Admission) and wrapped.limit == 2 and wrapped.app is app
    off = Settings(database_url=f"sqlite:///{tmp_path / 'db.sqlite'}", secret="s" * 40,
                   outbox_dir=str(tmp_path / "outbox"), running_requests=0)
    ungated = make_app(off)
    assert admitted(ungated) is ungated
