"""`shenbao console [FLOW]`: run a flow in the terminal, or headless with `--scenario FILE…`.

Interactive: the applicant's walk through the flow (see interactive.py), on the flow's own
dataset files and a real clock (`--now` fixes where it starts). Headless: each scenario file
is checked (exit 2 on a bad file), played (see play.py) and its transcript printed; the
first unmet expectation stops everything with exit 1. Reference data always comes from the
files the flow declares, held in memory: no database.
"""
from __future__ import annotations

import argparse
import sys
import time
from datetime import datetime, timedelta
from pathlib import Path
from typing import Callable, Sequence

from engine import Clock, DataSource, Flow, FlowError, Run
from renderers.console.interactive import Console, Terminal
from renderers.console.play import Player, Report
from renderers.console.scenario import Scenario, ScenarioError, read_scenario
from renderers.console.text import Texts
from shenbao.catalog import load_catalog
from shenbao.datafiles import memory_source
from shenbao.flows import read_flow

from .options import add_flow_argument

Write = Callable[[str], object]


def add_console_arguments(parser: argparse.ArgumentParser) -> None:
    add_flow_argument(parser)
    parser.add_argument("--scenario", nargs="+", metavar="FILE",
                        help="play these scenario files headless and print a transcript (exit 1 on the first "
                             "unmet expectation, 2 on a bad file)")
    parser.add_argument("--quiet", action="store_true", help="with --scenario: print only failures and a count")
    parser.add_argument("--now", metavar="'YYYY-MM-DD HH:MM'",
                        help="interactive: the clock starts at this moment (and runs on in real time)")


def run_console(args: argparse.Namespace) -> int:
    try:
        flow, source = load(args.flow)
    except FlowError as exc:
        for problem in exc.problems:
            print(problem, file=sys.stderr)
        return 2
    except OSError as exc:
        print(f"{args.flow}: cannot read the flow: {exc.strerror}", file=sys.stderr)
        return 2
    if args.scenario:
        write: Write = (lambda line: None) if args.quiet else print
        return play_files(flow, source, args.scenario, write, lambda line: print(line, file=sys.stderr))
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


def play_file(flow: Flow, source: DataSource, path: str | Path) -> Report:
    """Play one scenario file in-process; raises ScenarioError when the file is not a valid scenario."""
    scenario = read_scenario(path, flow)
    return Player(flow, source, texts_for(flow)).play(scenario)


def play_files(flow: Flow, source: DataSource, paths: Sequence[str | Path], write: Write = print,
               complain: Write = print) -> int:
    """Check every file first (exit 2 on any bad one), then play them in order (exit 1 at the first failure)."""
    try:
        scenarios = [read_scenario(path, flow) for path in paths]
    except ScenarioError as exc:
        for problem in exc.problems:
            complain(str(problem))
        return 2
    actions = 0
    for scenario in scenarios:
        report = Player(flow, source, texts_for(flow)).play(scenario)
        for line in report.transcript:
            write(line)
        if report.failure is not None:
            complain(str(report.failure))
            return 1
        actions += _count(scenario)
        write("")
    complain(f"ok: {len(scenarios)} scenario(s), {actions} action(s)")
    return 0


def _count(scenario: Scenario | None) -> int:
    return 0 if scenario is None else len(scenario.actions) + _count(scenario.after)
