"""Benchmark: `shenbao check`'s loading pipeline next to yaml.safe_load of the same text.

    .venv/bin/python bench/check.py [--repeat N] [--size MB] [--profile]

Prints, for flows/teacher_registration.yaml and for a generated large flow of real fields
(the shipped flow's application step repeated with fresh field ids until the text is about
--size MB, under the size limit so it is checked, not refused):
  * the best-of-N time of `load_flow` (text, schemas and catalogue keys read beforehand);
  * the best-of-N time of `yaml.safe_load` (libyaml when available) of the same text;
  * their ratio.
Goals (issue 11): the shipped flow under 0.5 s; a large flow checked in time linear in its
size (a 10 MB file is refused at once by the size limit). `--profile` prints where the large
flow's time goes.
"""
from __future__ import annotations

import argparse
import cProfile
import pstats
import sys
import time
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from engine.loader import load_flow  # noqa: E402
from engine.problems import FlowError  # noqa: E402
from shenbao.catalog import load_catalog  # noqa: E402
from shenbao.flows import load_schemas  # noqa: E402

FLOW = ROOT / "flows" / "teacher_registration.yaml"


def large_flow(megabytes: float) -> str:
    """The shipped flow with its application step's work section repeated, fresh ids each time."""
    text = FLOW.read_text(encoding="utf-8")
    lines = text.split("\n")
    start = next(i for i, line in enumerate(lines) if line.strip() == "- title: section.work")
    end = next(i for i in range(start + 1, len(lines)) if not lines[i].strip())
    block = "\n".join(lines[start:end])
    copies, index = [], 0
    while sum(map(len, copies)) + len(text) < megabytes * 1_000_000:
        index += 1
        copies.append(block.replace("{id: ", "{id: c%d_" % index).replace("not_before_field: work_start",
                                                                          "not_before_field: c%d_work_start" % index))
    return "\n".join(lines[:end] + copies + lines[end:])


def best(function, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        function()
        times.append(time.perf_counter() - started)
    return min(times)


def load(text: str) -> None:
    try:
        load_flow(text, "bench.yaml", load_schemas(), load_catalog().messages.keys())
    except FlowError as exc:
        raise SystemExit(f"the benchmark flow does not load: {exc.problems[:3]}")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--size", type=float, default=0.95)
    parser.add_argument("--profile", action="store_true")
    args = parser.parse_args()
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    for name, text, repeat in (("shipped flow", FLOW.read_text(encoding="utf-8"), args.repeat),
                               (f"large flow ({args.size} MB)", large_flow(args.size), max(1, args.repeat // 3))):
        ours = best(lambda: load(text), repeat)
        baseline = best(lambda: yaml.load(text, Loader=loader), repeat)
        print(f"{name:24} {len(text) / 1e6:6.2f} MB  load_flow {ours * 1000:8.1f} ms   "
              f"yaml.safe_load {baseline * 1000:8.1f} ms   ratio {ours / baseline:5.1f}x")
    if args.profile:
        text = large_flow(args.size)
        cProfile.runctx("load(text)", globals(), {"text": text}, "/tmp/check.prof")
        pstats.Stats("/tmp/check.prof").sort_stats("cumulative").print_stats(25)


if __name__ == "__main__":
    main()
