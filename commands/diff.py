"""`shenbao diff [OLD] NEW [--database URL]`: what changes, for whom, between two versions of a flow.

OLD and NEW are flow files; with only NEW and `--database`, OLD is the version published there.
Each change is printed in Chinese with its impact (安全 / 影响未提交的草稿 / 影响已提交的申请), and
with `--database` the number of drafts and applications it touches. Exit 1 when a change touches
drafts or applications and the version name (`flow.version`) is unchanged, else 0.
"""
from __future__ import annotations

import argparse
import sys

from shenbao.catalog import load_catalog
from shenbao.flowdiff import compare
from shenbao.flows import read_flow
from shenbao.flowversions import parse_version
from store import Store, flow_versions

from .options import add_database_argument, database_url


def add_diff_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("flows", nargs="+", metavar="FLOW", help="OLD NEW, or NEW alone with --database")
    add_database_argument(parser)


def run_diff(args: argparse.Namespace) -> int:
    if len(args.flows) > 2 or (len(args.flows) == 1 and not args.database):
        print("give two flow files (OLD NEW), or one with --database to compare with the published version",
              file=sys.stderr)
        return 2
    new = read_flow(args.flows[-1])
    catalog = load_catalog()
    store = Store.open(database_url(args)) if args.database else None
    try:
        if len(args.flows) == 2:
            old = read_flow(args.flows[0])
        else:
            store.migrate()
            live = flow_versions.live(store, new.id)
            if live is None:
                print(catalog.text("publish.first", flow=new.id, version=new.version))
                return 0
            old = parse_version(live.text, new.filename)
        report = compare(old, new, catalog, store)
    finally:
        if store is not None:
            store.close()
    for line in report.text(catalog):
        print(line)
    return 1 if report.refused else 0
