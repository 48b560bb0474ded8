"""`shenbao diagram FLOW`: the flow as a picture, the applicant's journey or the status machine,
as Graphviz DOT, Mermaid or SVG (shenbao/diagram.py draws; this module only reads the flow and
writes the result)."""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

from shenbao.catalog import load_catalog
from shenbao.describe import Words
from shenbao.diagram import FORMATS, VIEWS, DiagramError, render
from shenbao.flows import read_flow

from .options import add_flow_argument, read_or_report


def add_diagram_arguments(parser: argparse.ArgumentParser) -> None:
    add_flow_argument(parser)
    parser.add_argument("--view", choices=VIEWS, default="journey",
                        help="journey: steps, gates, warnings and lookups; status: statuses and staff moves "
                             "(default: %(default)s)")
    parser.add_argument("--format", choices=FORMATS, default="svg", help="default: %(default)s")
    parser.add_argument("-o", "--output", metavar="FILE", help="write here instead of stdout")


def run_diagram(args: argparse.Namespace) -> int:
    flow = read_or_report(args.flow, read_flow)
    if flow is None:
        return 2
    try:
        text = render(flow, Words(flow, load_catalog()), args.view, args.format)
    except DiagramError as exc:
        print(f"shenbao diagram: {exc}", file=sys.stderr)
        return 2
    if args.output:
        Path(args.output).write_text(text, encoding="utf-8")
    else:
        sys.stdout.write(text)
    return 0
