"""Benchmark: generating the 申请表 PDF, time and peak memory, against a minimal fpdf2 document.

    .venv/bin/python bench/pdf.py [--runs N]

For each sample application (tests/pdf/pdf_samples.py) it prints the median generation
time over N runs (wall and this process's CPU time), the peak traced memory of one run
(tracemalloc: Python allocations, where fontTools keeps a parsed font) and the peak
resident memory one document adds in a fresh interpreter (rss+), next to a one-line fpdf2
document with the same font taken straight from the collection, and the ratios (CPU). Font preparation (a one-time
cost per machine, cached on disk) happens before timing and is reported separately.
"""
from __future__ import annotations

import argparse
import resource
import statistics
import subprocess
import sys
import time
import tracemalloc
from pathlib import Path
from typing import Callable

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "tests" / "pdf")]

from fpdf import FPDF  # noqa: E402

import pdf_samples  # noqa: E402
from renderers.pdf import FontPlan, find_fonts, prepared_fonts, render_pdf  # noqa: E402
from renderers.pdf.pdf import document_texts  # noqa: E402

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


def measure(make: Callable[[], bytes], runs: int) -> tuple[float, float, float]:
    """(median wall seconds, median CPU seconds, peak MiB) of `make`, after a warm-up run.

    CPU time (this process only) is what the ratios use: it does not grow when other
    processes share the machine, as on a busy developer box or CI.
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
    return statistics.median(walls), statistics.median(cpus), peak / 2**20


def _maxrss_mib() -> float:
    """Peak resident memory of this process. VmHWM, not getrusage: ru_maxrss survives exec,
    so a child started by a big parent would report the parent's peak."""
    status = Path("/proc/self/status")
    if status.exists():
        for line in status.read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def rss_growth(job: str) -> float:
    """Peak resident memory added by one job, in a fresh interpreter (MiB)."""
    run = subprocess.run([sys.executable, __file__, "--rss-of", job], capture_output=True, text=True, check=True)
    return float(run.stdout.strip())


def _rss_child(job: str) -> None:
    if job == "minimal":
        make: Callable[[], bytes] = minimal_document
    else:
        name, _, plain = job.partition(":")
        view = pdf_samples.view(pdf_samples.SAMPLES[name]())
        source = find_fonts()
        fonts = FontPlan(source.regular, source.bold, source.index) if plain else prepared_fonts()
        make = lambda: render_pdf(view, fonts)  # noqa: E731
    before = _maxrss_mib()
    make()
    print(f"{_maxrss_mib() - before:.1f}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--rss-of", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.rss_of:
        _rss_child(args.rss_of)
        return 0

    fonts = prepared_fonts()
    start = time.perf_counter()
    views = {name: pdf_samples.view(make()) for name, make in pdf_samples.SAMPLES.items()}
    for view in views.values():
        fonts.plan("".join(document_texts(view)))
    print(f"font preparation (cached in {fonts.dir}): {time.perf_counter() - start:.2f} s")

    base = (*measure(minimal_document, args.runs), rss_growth("minimal"))
    source = fonts.source
    unprepared = FontPlan(source.regular, source.bold, source.index)
    rows = [("minimal one-line document (.ttc)", *base)]
    for name, view in views.items():
        rows.append((name, *measure(lambda v=view: render_pdf(v, fonts), args.runs), rss_growth(name)))
    first = next(iter(views))
    rows.append((f"{first}, fonts straight from .ttc",
                 *measure(lambda: render_pdf(views[first], unprepared), args.runs), rss_growth(f"{first}:plain")))

    print(f"{'document':44} {'wall':>7} {'cpu':>7} {'x base':>6} {'traced':>8} {'x base':>6} {'rss+':>7} {'x base':>6}")
    for name, wall, cpu, mib, rss in rows:
        print(f"{name:44} {wall * 1000:5.0f}ms {cpu * 1000:5.0f}ms {cpu / base[1]:5.2f}x "
              f"{mib:6.1f}MB {mib / base[2]:5.2f}x {rss:5.1f}MB {rss / max(base[3], 0.1):5.2f}x")
    return 0


if __name__ == "__main__":
    sys.exit(main())
