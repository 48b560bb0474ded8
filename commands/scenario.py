"""`shenbao scenario new FLOW`: write a skeleton scenario that walks the flow's happy path with
sample answers (shenbao/scenario_new.py finds them by playing the flow on its demo data), then
play the file written through the console renderer to show that it runs.
"""
from __future__ import annotations

import argparse
import sys
from datetime import datetime
from pathlib import Path

from renderers.console.scenario import ScenarioError
from shenbao.catalog import load_catalog
from shenbao.flows import display_name
from shenbao.scenario_new import to_yaml, walk

from .console import load, play_file
from .options import add_flow_argument, read_or_report


def add_scenario_arguments(parser: argparse.ArgumentParser) -> None:
    sub = parser.add_subparsers(dest="scenario_command", required=True)
    new = sub.add_parser("new", help="write a skeleton scenario that walks the happy path with sample answers")
    add_flow_argument(new)
    new.add_argument("-o", "--output", metavar="FILE", help="where to write it (default: stdout)")
    new.add_argument("--start", metavar="'YYYY-MM-DD HH:MM'",
                     help="the scenario's clock at the start (default: now, to the minute)")


def run_scenario(args: argparse.Namespace) -> int:
    try:
        start = datetime.fromisoformat(args.start) if args.start else datetime.now().replace(second=0,
                                                                                              microsecond=0)
    except ValueError:
        print(f"--start {args.start!r}: expected 'YYYY-MM-DD HH:MM'", file=sys.stderr)
        return 2
    loaded = read_or_report(args.flow, load)
    if loaded is None:
        return 2
    flow, source = loaded
    skeleton = walk(flow, source, start)
    catalog = load_catalog()
    name = catalog.text("scenario.new.name", title=catalog.text(flow.title))
    comment = [f"Skeleton written by `shenbao scenario new {display_name(Path(args.flow).resolve())}`: the happy path with sample answers.",
               "Edit the answers and add expectations; the format is in renderers/console/README.md."]
    if skeleton.stuck:
        comment.append(f"The sample answers could not get past step '{skeleton.stuck}': answer it by hand.")
    text = to_yaml(flow, skeleton, name, start, comment)
    if not args.output:
        sys.stdout.write(text)
        return 0 if skeleton.complete else 1
    target = Path(args.output)
    target.write_text(text, encoding="utf-8")
    try:
        report = play_file(flow, source, target)
    except ScenarioError as exc:
        for problem in exc.problems:
            print(problem, file=sys.stderr)
        return 1
    outcome = "plays through to the end" if skeleton.complete and report.ok else "does not play through"
    print(f"{target}: {len(skeleton.actions)} action(s), reaches step '{skeleton.reached}'; {outcome}")
    return 0 if skeleton.complete and report.ok else 1
