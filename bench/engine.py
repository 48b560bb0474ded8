"""Benchmark: the engine's cost next to raw Cerberus, in one process.

    .venv/bin/python bench/engine.py [--repeat N] [--profile STEP]

Prints
  * ms per `load_flow` of flows/teacher_registration.yaml (text, schemas and catalogue keys
    read once beforehand: the loader's own work only);
  * µs per `Run.submit` for each step of the happy path, with a fixed clock and the demo
    MemorySource, each submission starting from the run's state just before that step
    (restored with `Run(..., state=...)`, outside the timed region);
  * µs for raw Cerberus validating the same step's fields: a prebuilt `cerberus.Validator` with
    the step's own schema (the one `FieldValidator` builds, domain checks included) on the same
    normalised document;
  * the same with `validate(doc, normalize=False)`, the leaner call the engine itself makes
    (its values arrive normalised; Cerberus' normalisation pass copies and re-checks the schema
    on every call);
  * the ratio engine / raw Cerberus (default call) per step and overall, and in brackets the
    ratio to the lean call (steps with no input fields have nothing for Cerberus to do, so no
    ratio).

Timings are best-of-N (the minimum is the least disturbed by the machine; the median is shown
too). The target is an engine overhead of at most 1.5x raw Cerberus for a step's submission.
`--profile STEP` runs cProfile over that step's submission and prints where the time goes.
"""
from __future__ import annotations

import argparse
import cProfile
import gc
import pstats
import statistics
import sys
import time
from datetime import datetime
from pathlib import Path
from typing import Any, Callable

import cerberus

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from engine import Run, load_flow  # noqa: E402
from shenbao.catalog import load_catalog  # noqa: E402
from shenbao.datafiles import memory_source  # noqa: E402
from shenbao.flows import display_name, load_schemas  # noqa: E402

FLOW_FILE = ROOT / "flows" / "teacher_registration.yaml"
START = datetime(2026, 11, 29, 9, 0)
NOW = datetime(2026, 11, 29, 9, 5)  # past every minimum reading time
TARGET = 1.5

# The happy path of the demo data: a certificate found in the registry, an agency whose window
# is open, a confirmation point, and a complete application form.
HAPPY_PATH: list[dict[str, Any]] = [
    {},
    {"accept_terms": "accept"},
    {"cert_no": "２００７１１１０８２２００１２０７", "id_no": "110108198504120144"},
    {"teaching_stage": "primary", "teaching_subject": "primary_chinese", "city": "110100", "agency": "bj_haidian"},
    {"point": "bj_haidian_jinxiu"},
    {},
    dict(password="abc12345#", password_confirm="abc12345#", email="Z@163.com", highest_degree="bachelor",
         highest_education="undergraduate", study_mode="full_time", major_category="teacher_education",
         graduated_school="北京师范大学", major="汉语言文学", graduation_date="2007-07-01", political_status="masses",
         school_location="北京市海淀区", school_nature="public", school_name="海淀实验小学", work_start="2007-09-01",
         employment_start="2007-09-01", post_nature="full_time_teacher", putonghua_level="level_2a",
         professional_title="first_grade", birthplace="北京", household_registration="北京市海淀区",
         address="北京市海淀区中关村大街1号", postcode="100080", telephone="010-12345678", mobile="13912345678"),
]


def best_of(fn: Callable[[], Any], setup: Callable[[], Any], repeat: int) -> tuple[float, float]:
    """(best, median) seconds of fn(setup()) over `repeat` runs; setup is not timed."""
    times = []
    gc.disable()
    try:
        for _ in range(repeat):
            arg = setup()
            start = time.perf_counter()
            fn(arg)
            times.append(time.perf_counter() - start)
    finally:
        gc.enable()
    return min(times), statistics.median(times)


def bench_load(repeat: int) -> tuple[float, float]:
    text = FLOW_FILE.read_text(encoding="utf-8")
    schemas, keys = load_schemas(), load_catalog().messages.keys()
    name = display_name(FLOW_FILE)
    return best_of(lambda _: load_flow(text, name, schemas, keys), lambda: None, repeat)


class Path_:
    """The happy path walked once: per step, the state before it and the normalised document."""

    def __init__(self) -> None:
        text = FLOW_FILE.read_text(encoding="utf-8")
        self.flow = load_flow(text, display_name(FLOW_FILE), load_schemas(), load_catalog().messages.keys())
        self.source = memory_source(self.flow, FLOW_FILE)
        self.clock = lambda: NOW
        run = Run(self.flow, self.source, lambda: START)
        self.steps = []
        for answers in HAPPY_PATH:
            step, state = run.step, run.state()
            run.clock = self.clock
            result = run.submit(answers)
            if not result.advanced:
                raise SystemExit(f"happy path broken at step {step.id}: {result}")
            inputs = [f.id for f in step.fields if f.is_input and f.id in run.answers]
            # passwords are not kept in state(), but the submitted document holds them
            document = {fid: run.answers[fid] for fid in inputs}
            self.steps.append((step, state, answers, document))

    def engine_submit(self, index: int, repeat: int) -> tuple[float, float]:
        step, state, answers, _ = self.steps[index]
        return best_of(lambda run: run.submit(answers), lambda: Run(self.flow, self.source, self.clock, state),
                       repeat)

    def raw_cerberus(self, index: int, repeat: int, normalize: bool = True) -> tuple[float, float] | None:
        step, _, _, document = self.steps[index]
        if not document:
            return None
        schema = step.validator._schema  # the step's own schema: same rules, same domain checks
        validator = cerberus.Validator(schema, allow_unknown=True)
        step.validator._local.document, step.validator._local.today = document, NOW.date()
        if not validator.validate(dict(document)):
            raise SystemExit(f"Cerberus refuses step {step.id}: {validator.errors}")
        return best_of(lambda doc: validator.validate(doc, normalize=normalize), lambda: dict(document), repeat)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=300, help="runs per measurement (best-of)")
    parser.add_argument("--profile", metavar="STEP", help="profile the submission of this step")
    args = parser.parse_args(argv)

    load_best, load_median = bench_load(max(10, args.repeat // 20))
    print(f"load_flow({display_name(FLOW_FILE)}): {load_best * 1e3:.1f} ms best, {load_median * 1e3:.1f} ms median")

    path = Path_()
    print(f"\nsubmit per step (µs, best of {args.repeat}; median in brackets)")
    print(f"{'step':<12} {'fields':>6} {'engine':>16} {'raw Cerberus':>16} {'lean Cerberus':>16} {'ratio':>16}")
    total_engine = total_raw = total_lean = 0.0
    for index, (step, _, _, document) in enumerate(path.steps):
        engine_best, engine_median = path.engine_submit(index, args.repeat)
        raw = path.raw_cerberus(index, args.repeat)
        lean = path.raw_cerberus(index, args.repeat, normalize=False)
        engine_text = f"{engine_best * 1e6:8.0f} [{engine_median * 1e6:5.0f}]"
        if raw is None or lean is None:
            print(f"{step.id:<12} {len(document):>6} {engine_text:>16} {'-':>16} {'-':>16} {'-':>16}")
            continue
        total_engine, total_raw, total_lean = total_engine + engine_best, total_raw + raw[0], total_lean + lean[0]
        ratio = engine_best / raw[0]
        flag = "" if ratio <= TARGET else "  over target"
        print(f"{step.id:<12} {len(document):>6} {engine_text:>16} {raw[0] * 1e6:8.0f} [{raw[1] * 1e6:5.0f}] "
              f"{lean[0] * 1e6:8.0f} [{lean[1] * 1e6:5.0f}] {ratio:6.2f}x [{engine_best / lean[0]:5.1f}x]{flag}")
    print(f"{'overall':<12} {'':>6} {total_engine * 1e6:8.0f}{'':>8} {total_raw * 1e6:8.0f}{'':>8} "
          f"{total_lean * 1e6:8.0f}{'':>8} {total_engine / total_raw:6.2f}x [{total_engine / total_lean:5.1f}x]"
          f"  (steps with fields; target <= {TARGET}x raw)")

    if args.profile:
        index = next(i for i, (s, *_) in enumerate(path.steps) if s.id == args.profile)
        step, state, answers, _ = path.steps[index]
        profiler = cProfile.Profile()
        for _ in range(200):
            run = Run(path.flow, path.source, path.clock, state)
            profiler.enable()
            run.submit(answers)
            profiler.disable()
        print(f"\ncProfile of 200 submissions of step {args.profile}:")
        pstats.Stats(profiler).sort_stats("cumulative").print_stats(30)
    return 0


if __name__ == "__main__":
    sys.exit(main())
