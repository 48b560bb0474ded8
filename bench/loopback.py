"""Raw HTTP/1.1 over loopback for the benchmarks: no client library between the timer and the
socket, so what is measured is the server. Shared by bench/web.py and bench/pdf.py."""
from __future__ import annotations

import socket
import time
from urllib.parse import urlencode


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def request(method: str, path: str, cookies: dict[str, str] | None = None, form: dict[str, str] | None = None) -> bytes:
    body = urlencode(form or {}).encode()
    head = [f"{method} {path} HTTP/1.1", "Host: 127.0.0.1", "Connection: close", "User-Agent: bench"]
    if cookies:
        head.append("Cookie: " + "; ".join(f"{k}={v}" for k, v in cookies.items()))
    if method == "POST":
        head += ["Content-Type: application/x-www-form-urlencoded", f"Content-Length: {len(body)}"]
    return ("\r\n".join(head) + "\r\n\r\n").encode() + body


def fetch(port: int, raw: bytes, timeout: float = 60) -> tuple[int, bytes, float]:
    """(status, body, seconds from connecting to the last byte)."""
    start = time.perf_counter()
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as conn:
        conn.sendall(raw)
        chunks = []
        while chunk := conn.recv(262144):
            chunks.append(chunk)
    elapsed = time.perf_counter() - start
    data = b"".join(chunks)
    return int(data[9:12]), data.partition(b"\r\n\r\n")[2], elapsed
