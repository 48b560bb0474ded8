"""`shenbao explain FLOW`: the flow's specification for sign-off, in plain Chinese (HTML or PDF,
drawn by renderers/pdf), or two versions side by side with the differences marked (`--compare
OLD_FLOW`, HTML or PDF), headed by the semantic diff's list of changes and their impact
(shenbao/flowdiff.py, as `shenbao diff` prints it). shenbao/specification.py words it; this
module reads and writes files."""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

from engine import Flow
from renderers.pdf import render_compare, render_html, render_pdf
from shenbao.catalog import load_catalog
from shenbao.describe import Words
from shenbao.flowdiff import compare as semantic_diff
from shenbao.flows import read_flow
from shenbao.specification import as_document, compare, compare_document, specify

from .options import add_flow_argument, read_or_report


def add_explain_arguments(parser: argparse.ArgumentParser) -> None:
    add_flow_argument(parser)
    parser.add_argument("--format", choices=("html", "pdf"), default="html", help="default: %(default)s")
    parser.add_argument("--compare", metavar="OLD_FLOW",
                        help="another version of the flow: both side by side, differences marked (HTML or PDF)")
    parser.add_argument("-o", "--output", metavar="FILE", help="write here instead of stdout")


def run_explain(args: argparse.Namespace) -> int:
    flows: list[Flow] = []
    for path in ([args.compare] if args.compare else []) + [args.flow]:
        flow = read_or_report(path, read_flow)
        if flow is None:
            return 2
        flows.append(flow)
    catalog = load_catalog()
    specs = [specify(flow, Words(flow, catalog)) for flow in flows]
    words = Words(flows[-1], catalog)
    if args.compare:
        old, new = specs
        changes = [f"{line.text}（{line.impact}）" for line in semantic_diff(flows[0], flows[1], catalog).lines]
        title = catalog.text("explain.spec.compare", title=catalog.text(flows[-1].title))
        left, right = f"{args.compare}（{old.version}）", f"{args.flow}（{new.version}）"
        if args.format == "pdf":
            data: bytes | str = render_pdf(compare_document(title, left, right, compare(old, new), changes, words))
        else:
            data = render_compare(
                title, left, right, compare(old, new),
                {k: catalog.text(f"explain.spec.{k}") for k in ("changed", "added", "removed", "item", "changes_title",
                                                                 "no_changes")}, changes)
    elif args.format == "pdf":
        data = render_pdf(as_document(specs[-1], words))
    else:
        data = render_html(as_document(specs[-1], words))
    if args.output:
        target = Path(args.output)
        target.write_bytes(data) if isinstance(data, bytes) else target.write_text(data, encoding="utf-8")
    elif isinstance(data, bytes):
        sys.stdout.buffer.write(data)
    else:
        sys.stdout.write(data)
    return 0
