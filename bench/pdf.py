"""Benchmark: the 申请表 PDF — generation time and peak memory next to a minimal fpdf2
document, and download latency of a stored document next to a static file of the same size.

    .venv/bin/python bench/pdf.py [--runs N] [--requests N] [--no-server]

Generation: for each sample application (tests/pdf/pdf_samples.py) the median time over N
runs (wall and this process's CPU time), the peak traced memory of one run (tracemalloc:
Python allocations, where fontTools keeps a parsed font), the peak resident memory one
document adds in a fresh interpreter (rss+) and that interpreter's whole peak (peak), next
to a one-line fpdf2 document with the same font taken straight from the collection, and the
ratios (CPU). Samples are drawn as the application draws them (renderers/pdf/document_fonts.py: the
bold face cut to the catalogue's characters); the first one also with the renderer's default
fonts and straight from the .ttc. Also the HTML of the same view, and a whole form made by
shenbao.documents from a stored application (values from the database, then the PDF). Font preparation (a
one-time cost per machine, cached on disk) happens before timing and is reported separately.

Download: the real application under gunicorn (one sync worker, as `shenbao serve` runs it)
on loopback, with a temporary SQLite database holding the demo data and one application.
Sequential requests, one per connection, alternating: POST /application/form of the stored
PDF (session, CSRF, the application, the version check, the stored bytes), GET of a static
file with the same bytes from the same app and server, and, for scale, the dashboard. The first download of a
version not yet stored (drawn in the request) is timed too. The ratio cached/static is the
figure to quote: it does not depend on the machine.
"""
from __future__ import annotations

import argparse
import multiprocessing
import os
import re
import resource
import secrets
import statistics
import subprocess
import sys
import tempfile
import time
import tracemalloc
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Callable

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "tests" / "pdf")]

from fpdf import FPDF  # noqa: E402

import pdf_samples  # noqa: E402
from loopback import fetch, free_port, request  # noqa: E402
from renderers.pdf import FontPlan, find_fonts, prepared_fonts, render_html, render_pdf  # noqa: E402
from renderers.pdf.pdf import document_texts  # noqa: E402
from shenbao.applications import demo_defaults, indexed, key_of

LINE = "教师资格定期注册申请表 TR2026000123"


def minimal_document() -> bytes:
    """One line of text in Noto Sans CJK SC, straight from the .ttc: fpdf2 at its simplest."""
    source = find_fonts()
    pdf = FPDF()
    pdf.add_font("cjk", "", source.regular, collection_font_number=source.index)
    pdf.add_page()
    pdf.set_font("cjk", size=12)
    pdf.cell(text=LINE)
    return bytes(pdf.output())


def measure(make: Callable[[], bytes], runs: int) -> tuple[float, float, float, float]:
    """(median wall seconds, median CPU seconds, best CPU seconds, peak MiB) of `make`,
    after a warm-up run.

    CPU time (this process only) is what the ratios use: it grows less than wall time when
    other processes share the machine, as on a busy developer box or CI; the best run is
    the steadiest figure there.
    """
    make()
    walls, cpus = [], []
    for _ in range(runs):
        wall, cpu = time.perf_counter(), time.process_time()
        make()
        cpus.append(time.process_time() - cpu)
        walls.append(time.perf_counter() - wall)
    tracemalloc.start()
    make()
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return statistics.median(walls), statistics.median(cpus), min(cpus), peak / 2**20


def _maxrss_mib() -> float:
    """Peak resident memory of this process. VmHWM, not getrusage: ru_maxrss survives exec,
    so a child started by a big parent would report the parent's peak."""
    status = Path("/proc/self/status")
    if status.exists():
        for line in status.read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def rss_growth(job: str) -> tuple[float, float]:
    """(peak resident memory added by one job, whole peak of that process), in a fresh
    interpreter (MiB)."""
    run = subprocess.run([sys.executable, __file__, "--rss-of", job], capture_output=True, text=True, check=True)
    grown, peak = run.stdout.split()
    return float(grown), float(peak)


def _rss_child(job: str) -> None:
    if job == "minimal":
        make: Callable[[], bytes] = minimal_document
    else:
        name, _, variant = job.partition(":")
        view = pdf_samples.view(pdf_samples.SAMPLES[name]())
        make = lambda: render_pdf(view, fonts_for(view, variant))  # noqa: E731
    before = _maxrss_mib()
    make()
    print(f"{_maxrss_mib() - before:.1f} {_maxrss_mib():.1f}")


def fonts_for(view: Any, variant: str) -> Any:
    """"": what the application draws with (renderers/pdf/document_fonts.py: the small bold face);
    "prepared": the renderer's default (both prepared common faces); "ttc": the collection."""
    if variant == "ttc":
        source = find_fonts()
        return FontPlan(source.regular, source.bold, source.index)
    if variant == "prepared":
        return prepared_fonts()
    from renderers.pdf import DocumentFonts
    from shenbao.catalog import load_catalog

    return DocumentFonts(load_catalog()).for_view(view)


# ---- the stored application and the server ---------------------------------------------------

def application_answers(values: dict[str, Any]) -> dict[str, Any]:
    """A sample's values as the wizard stores them: codes for the agency and point, ISO dates."""
    from engine import to_json

    skip = {"password", "password_confirm", "application_no", "status", "flow_version", "generated_on", "photo"}
    answers = {k: to_json(v) for k, v in values.items() if k not in skip}
    answers["agency"], answers["point"] = values["chosen_agency"]["code"], values["chosen_point"]["code"]
    return answers


def prepare_database(url: str, count: int) -> list[str]:
    """The demo data and `count` applications made from the first sample; their numbers."""
    from shenbao.flows import read_flow
    from shenbao.paths import DEFAULT_FLOW
    from store import Store, load_demo

    flow = read_flow(DEFAULT_FLOW)
    values = pdf_samples.registry_with_photo()
    numbers = []
    with Store.open(url) as store:
        store.migrate()
        store.sync_datasets(flow.datasets, flow.lookup_index_columns())
        load_demo(store, flow.datasets, DEFAULT_FLOW.parent, None,
                  demo_defaults(flow))
        for n in range(count):
            answers = {**application_answers(values), "cert_no": f"2007111082200{n:04d}"}
            made = store.create_application(
                flow_id=flow.id, flow_version=flow.version, flow_digest=flow.digest,
                identity_key=key_of(flow, answers), numbering=flow.application.number,
                values={k: answers.get(k) for k in indexed(flow)}, status=flow.initial_status.id, answers=answers,
                password=secrets.token_urlsafe(12), photo=values["photo"])
            numbers.append(made.application_no)
    return numbers


def serve(port: int, static_dir: str, env: dict[str, str]) -> None:
    """The application as `shenbao serve` runs it, plus one static folder on the same app."""
    os.environ.update(env)
    import logging

    import bottle

    logging.disable(logging.WARNING)
    from renderers.pdf import printers
    from renderers.web.app import make_app
    from commands.serve import serve_gunicorn, worker_started

    app = make_app(printers=printers)
    app.route("/bench-static/<name>", "GET", lambda name: bottle.static_file(name, root=static_dir))
    sys.stdout = open(os.devnull, "w")  # noqa: SIM115 - the server prints its address
    serve_gunicorn(app, "127.0.0.1", port, 1, f"http://127.0.0.1:{port}/", quiet=True, after_fork=worker_started)


def session_for(url: str, application_no: str) -> dict[str, str]:
    from store import Store

    with Store.open(url) as store:
        found = store.find_application(application_no=application_no)
        assert found is not None
        token, _ = store.create_session("applicant", found.id, datetime.now(timezone.utc))
    return {"sb_applicant": token}


def download_latency(requests: int) -> dict[str, Any]:
    """Cached download vs static file of the same size, and first downloads (drawn in the request)."""
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{Path(tmp) / 'bench.db'}"
        numbers = prepare_database(url, 6)
        env = {"SHENBAO_DATABASE_URL": url, "SHENBAO_SECRET": secrets.token_urlsafe(32),
               "SHENBAO_OUTBOX_DIR": str(Path(tmp) / "outbox"), "SHENBAO_MAIL_INTERVAL": "3600"}
        static_dir = Path(tmp) / "static"
        static_dir.mkdir()
        port = free_port()
        server = multiprocessing.Process(target=serve, args=(port, str(static_dir), env), daemon=True)
        server.start()
        try:
            _wait_for(port)
            sessions = [session_for(url, number) for number in numbers]
            posts = [download_request(port, cookies) for cookies in sessions]
            fetch(port, request("GET", "/"))  # a first request warms the worker's imports
            found: dict[str, Any] = {"first": [timed(port, raw, b"%PDF") for raw in posts[1:]]}
            body = fetch(port, posts[0])[1]
            (static_dir / "same-size.pdf").write_bytes(body)
            cases = {"cached": posts[0], "static": request("GET", "/bench-static/same-size.pdf"),
                     "dashboard": request("GET", "/account", sessions[0])}
            found.update({case: [] for case in cases})
            for _ in range(requests):  # interleaved, so that a busy moment hurts all alike
                for case, raw in cases.items():
                    found[case].append(timed(port, raw, body if case != "dashboard" else b""))
        finally:
            server.terminate()
            server.join(10)
    found["size"] = len(body)
    return found


def download_request(port: int, cookies: dict[str, str]) -> bytes:
    """The export POST of the choose-format page, with that page's CSRF token."""
    status, page, _ = fetch(port, request("GET", "/application/form", cookies))
    found = re.search(rb'name="csrf_token" value="([^"]+)"', page)
    assert status == 200 and found, page[:300]
    return request("POST", "/application/form", cookies, {"csrf_token": found.group(1).decode(), "format": "pdf"})


def timed(port: int, raw: bytes, expected: bytes) -> float:
    """Seconds for one request; its body must be `expected` (or start with it when short)."""
    status, body, seconds = fetch(port, raw)
    assert status == 200 and (body == expected or (len(expected) < 16 and body.startswith(expected))), body[:300]
    return seconds


def _wait_for(port: int) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if fetch(port, request("GET", "/"))[0] == 200:
                return
        except OSError:
            time.sleep(0.1)
    raise SystemExit("the server did not start")


def stored_application_document(runs: int) -> tuple[float, float, float, float]:
    """A whole form as the download makes it: values from the database, then the PDF."""
    from zoneinfo import ZoneInfo

    from renderers.pdf import printers
    from shenbao.catalog import load_catalog
    from shenbao.documents import Documents
    from shenbao.flows import read_flow
    from shenbao.paths import DEFAULT_FLOW
    from store import Store

    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{Path(tmp) / 'bench.db'}"
        number = prepare_database(url, 1)[0]
        flow = read_flow(DEFAULT_FLOW)
        with Store.open(url) as store:
            store.sync_datasets(flow.datasets, flow.lookup_index_columns())
            catalog = load_catalog()
            documents = Documents(flow, store, catalog, ZoneInfo("Asia/Shanghai"), printers(catalog))
            found = store.find_application(application_no=number)
            assert found is not None
            return measure(lambda: documents.render(found, "pdf"), runs)


def _ms(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] * 1000


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--requests", type=int, default=200, help="downloads timed of each kind")
    parser.add_argument("--no-server", action="store_true", help="generation only")
    parser.add_argument("--rss-of", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.rss_of:
        _rss_child(args.rss_of)
        return 0
    generation_report(args.runs)
    if not args.no_server:
        download_report(args.requests)
    return 0


def generation_report(runs: int) -> None:
    fonts = prepared_fonts()
    start = time.perf_counter()
    views = {name: pdf_samples.view(make()) for name, make in pdf_samples.SAMPLES.items()}
    for view in views.values():
        fonts.plan("".join(document_texts(view)))
    print(f"font preparation (cached in {fonts.dir}): {time.perf_counter() - start:.2f} s")

    base = (*measure(minimal_document, runs), *rss_growth("minimal"))
    rows = [("minimal one-line document (.ttc)", *base)]
    for name, view in views.items():
        plan = fonts_for(view, "")
        rows.append((name, *measure(lambda v=view, p=plan: render_pdf(v, p), runs), *rss_growth(name)))
    first = next(iter(views))
    for variant, label in (("prepared", "renderer's default fonts (full bold)"),
                           ("ttc", "fonts straight from .ttc")):
        plan = fonts_for(views[first], variant)
        rows.append((f"{first}, {label}", *measure(lambda p=plan: render_pdf(views[first], p), runs),
                     *rss_growth(f"{first}:{variant}")))
    rows.append((f"{first}, HTML", *measure(lambda: render_html(views[first]).encode(), runs), None, None))
    rows.append(("stored application via shenbao.documents", *stored_application_document(runs), None, None))

    print(f"{'document (PDF unless named)':58} {'wall':>7} {'cpu':>7} {'x base':>6} {'best':>7} {'traced':>8} "
          f"{'x base':>6} {'rss+':>7} {'x base':>6} {'peak':>7}")
    for name, wall, cpu, best, mib, rss, peak in rows:
        memory = f"{rss:5.1f}MB {rss / max(base[4], 0.1):5.2f}x {peak:5.0f}MB" if rss is not None else ""
        print(f"{name:58} {wall * 1000:5.0f}ms {cpu * 1000:5.0f}ms {cpu / base[1]:5.2f}x {best * 1000:5.0f}ms "
              f"{mib:6.1f}MB {mib / base[3]:5.2f}x {memory}")
    samples = rows[1:len(views) + 1]
    worst_cpu, worst_peak = max(r[2] for r in samples), max(r[6] for r in samples)
    print(f"goal generation < 300 ms cpu and < 150 MB peak: worst sample {worst_cpu * 1000:.0f} ms cpu, "
          f"{worst_peak:.0f} MB peak ({'met' if worst_cpu < 0.3 and worst_peak < 150 else 'NOT met'})")


def download_report(requests: int) -> None:
    found = download_latency(requests)
    static = statistics.median(found["static"])
    print(f"\ndownload over gunicorn (1 sync worker, loopback, one request per connection), "
          f"{found['size'] / 1024:.0f} KiB, {requests} requests each:")
    print(f"  {'case':46} {'median':>8} {'p90':>8} {'x static':>8}")
    for label, key in (("static file, same size, same app", "static"),
                       ("stored document (POST /application/form)", "cached"),
                       ("the dashboard page (GET /account), for scale", "dashboard"),
                       ("first download, drawn in the request", "first")):
        times = found[key]
        print(f"  {label:46} {statistics.median(times) * 1000:6.2f}ms {_ms(times, 0.9):6.2f}ms "
              f"{statistics.median(times) / static:7.2f}x")
    print(f"goal stored download as fast as a static file: "
          f"{statistics.median(found['cached']) / static:.2f}x the static file's median")


if __name__ == "__main__":
    sys.exit(main())
