"""`shenbao console [FLOW]`: run a flow in the terminal, or headless with `--scenario FILE…`.

Interactive: the applicant's walk through the flow (see interactive.py), on the flow's own
dataset files and a real clock (`--now` fixes where it starts). Headless: every scenario
named by files, directories and globs is checked and played (see play.py), with one
ok/FAILED line each, a `N passed, N failed` summary, and on request JUnit XML, JSON and the
flow's branch coverage (shenbao/scenario_runs.py, shenbao/coverage.py). Reference data always
comes from the files the flow declares, held in memory: no database.
"""
from __future__ import annotations

import argparse
from dataclasses import dataclass
import sys
import time
from datetime import datetime, timedelta
from pathlib import Path
from typing import Callable, Sequence

from engine import Clock, DataSource, Flow, Run
from renderers.console.interactive import Console, Terminal
from renderers.console.play import Player, Report
from renderers.console.scenario import Scenario, ScenarioError, read_scenario
from renderers.console.screen import INDENT
from renderers.console.text import Texts
from shenbao.catalog import load_catalog
from shenbao.coverage import Coverage
from shenbao.datafiles import memory_source
from shenbao.flows import display_name, read_flow
from shenbao.scenario_runs import Result, collect, selects, summary, write_json, write_junit

from .options import add_flow_argument, read_or_report

Write = Callable[[str], object]


def add_console_arguments(parser: argparse.ArgumentParser) -> None:
    add_flow_argument(parser)
    parser.add_argument("--scenario", nargs="+", metavar="PATH",
                        help="play these scenario files, directories (every *.yaml inside) or globs headless: "
                             "one ok/FAILED line each and a summary; exit 1 when any failed, 2 on a bad file")
    parser.add_argument("--quiet", action="store_true", help="with --scenario: no transcripts, only the result lines")
    parser.add_argument("-x", "--exitfirst", action="store_true", help="with --scenario: stop at the first failure")
    parser.add_argument("-k", dest="select", metavar="EXPR",
                        help="with --scenario: only scenarios whose name, file name or tags match, e.g. "
                             "'status and not wrong_agency'")
    parser.add_argument("--junit-xml", metavar="FILE", help="with --scenario: write the results as JUnit XML")
    parser.add_argument("--json", metavar="FILE", help="with --scenario: write the results (and coverage) as JSON")
    parser.add_argument("--coverage", action="store_true",
                        help="with --scenario: report the flow's branches the scenarios exercised and missed")
    parser.add_argument("--fail-under", type=float, metavar="N",
                        help="with --scenario: exit 1 when coverage is below N percent (implies --coverage)")
    parser.add_argument("--now", metavar="'YYYY-MM-DD HH:MM'",
                        help="interactive: the clock starts at this moment (and runs on in real time)")


def run_console(args: argparse.Namespace) -> int:
    loaded = read_or_report(args.flow, load)
    if loaded is None:
        return 2
    flow, source = loaded
    if args.scenario:
        options = RunOptions(transcripts=not args.quiet, exitfirst=args.exitfirst, select=args.select,
                             junit_xml=args.junit_xml, json=args.json,
                             coverage=args.coverage or args.fail_under is not None, fail_under=args.fail_under)
        return play_files(flow, source, args.scenario, print, lambda line: print(line, file=sys.stderr), options)
    try:
        clock = real_clock(args.now)
    except ValueError:
        print(f"--now {args.now!r}: expected 'YYYY-MM-DD HH:MM'", file=sys.stderr)
        return 2
    return Console(Run(flow, source, clock), texts_for(flow), Terminal.real()).play()


def load(flow_path: str | Path) -> tuple[Flow, DataSource]:
    """The flow and its declared dataset files, in memory."""
    flow = read_flow(flow_path)
    return flow, memory_source(flow, Path(flow_path).resolve())


def texts_for(flow: Flow) -> Texts:
    return Texts(flow, load_catalog())


def real_clock(start: str | None) -> Clock:
    if start is None:
        return datetime.now
    fixed, began = datetime.fromisoformat(start), time.monotonic()
    return lambda: fixed + timedelta(seconds=time.monotonic() - began)


def play_file(flow: Flow, source: DataSource, path: str | Path, coverage: Coverage | None = None) -> Report:
    """Play one scenario file in-process; raises ScenarioError when the file is not a valid scenario."""
    scenario = read_scenario(path, flow)
    return Player(flow, source, texts_for(flow), coverage=coverage).play(scenario)


@dataclass(frozen=True)
class RunOptions:
    transcripts: bool = True
    exitfirst: bool = False
    select: str | None = None
    junit_xml: str | None = None
    json: str | None = None
    coverage: bool = False
    fail_under: float | None = None


def play_files(flow: Flow, source: DataSource, patterns: Sequence[str | Path], write: Write = print,
               complain: Write = print, options: RunOptions = RunOptions()) -> int:
    """Play every scenario named by files, directories and globs; one result line each and
    `N passed, N failed`. Exit 0 all passed (and coverage reached), 1 a scenario failed or
    coverage fell short, 2 a file is not a valid scenario or nothing was named. The located
    problems of files that are not valid scenarios also go to `complain` (stderr), like `check`'s."""
    paths, empty = collect(patterns)
    for pattern in empty:
        complain(f"{pattern}: no scenario files here")
    try:
        chosen = [p for p in paths if selects(options.select, _words(flow, p))]
    except ValueError as exc:
        complain(str(exc))
        return 2
    coverage = Coverage(flow) if options.coverage else None
    results = []
    for path in chosen:
        result = _play_one(flow, source, path, coverage)
        results.append(result)
        if options.transcripts:
            for line in result.transcript:
                write(line)
        write(_result_line(result))
        if result.error:
            for line in result.error.splitlines()[1:]:
                complain(line)
        if not result.ok:
            write(INDENT + (result.error or result.failure or "").replace("\n", "\n" + INDENT))
        if options.exitfirst and not result.ok:
            break
    write(summary(results))
    short = False
    if coverage is not None:
        for line in coverage.lines():
            write(line)
        if options.fail_under is not None and coverage.percent < options.fail_under:
            write(f"coverage {coverage.percent:.1f} % is under --fail-under {options.fail_under:g} %")
            short = True
    if options.junit_xml:
        write_junit(results, options.junit_xml, suite=f"scenarios of {flow.id}")
    if options.json:
        write_json(results, options.json, coverage.to_json() if coverage is not None else None)
    if empty or any(r.error for r in results) or not chosen:
        return 2
    return 1 if short or not all(r.ok for r in results) else 0


def _words(flow: Flow, path: Path) -> list[str]:
    """What `-k` matches against: the file's name, and the scenario's name and tags when it reads."""
    try:
        scenario = read_scenario(path, flow)
    except ScenarioError:
        return [path.stem]
    return [path.stem, scenario.name, *scenario.tags]


def _play_one(flow: Flow, source: DataSource, path: Path, coverage: Coverage | None) -> Result:
    began = time.perf_counter()
    try:
        scenario = read_scenario(path, flow)
    except ScenarioError as exc:
        return Result(display_name(path.resolve()), path.stem, time.perf_counter() - began,
                      error="not a valid scenario:\n" + "\n".join(str(p) for p in exc.problems),
                      line=exc.problems[0].line if exc.problems else None)
    report = Player(flow, source, texts_for(flow), coverage=coverage).play(scenario)
    failure = report.failure
    return Result(scenario.filename, scenario.name, time.perf_counter() - began,
                  failure=str(failure) if failure is not None else None,
                  line=failure.line if failure is not None else None, tags=scenario.tags,
                  actions=_count(scenario), transcript=report.transcript)


def _result_line(result: Result) -> str:
    return f"{'ok' if result.ok else 'FAILED':<6} {result.path}  {result.name}  ({result.seconds:.2f} s)"


def _count(scenario: Scenario | None) -> int:
    return 0 if scenario is None else len(scenario.actions) + _count(scenario.after)
