"""`shenbao check FLOW…`: load each flow and print every problem as file:line:col CODE message — hint."""
from __future__ import annotations

import argparse
import sys

from engine import FlowError

from shenbao.flows import read_flow


def add_check_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("flows", nargs="+", help="flow files to check")


def run_check(args: argparse.Namespace) -> int:
    failed = False
    for path in args.flows:
        try:
            flow = read_flow(path)
        except FlowError as exc:
            failed = True
            for problem in exc.problems:
                print(problem)
            print(f"{path}: {len(exc.problems)} problem(s)", file=sys.stderr)
        except OSError as exc:
            failed = True
            print(f"{path}:1:1: IO_001 cannot read the file: {exc.strerror}")
        else:
            print(f"{path}: ok ({flow.id} {flow.version}, {len(flow.steps)} steps, {len(flow.fields)} fields)",
                  file=sys.stderr)
    return 1 if failed else 0
