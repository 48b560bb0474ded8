"""`shenbao migrate --rules FILE [--database URL]`: move the applications of older published
versions of the live flow to the live version, with a rule for every change that touches them
(see shenbao.migration for the rules file). Without a rule for such a change nothing moves and
the changes are listed (exit 1). Drafts are not moved; they finish under their own version.
"""
from __future__ import annotations

import argparse
from datetime import datetime, timezone
from pathlib import Path

from shenbao.catalog import load_catalog
from shenbao.flows import read_flow
from shenbao.flowversions import parse_version
from shenbao.migration import migrate, plan, read_rules
from store import Store, flow_versions

from .options import add_database_argument, add_flow_argument, database_url


def add_migrate_arguments(parser: argparse.ArgumentParser) -> None:
    add_flow_argument(parser)
    parser.add_argument("--rules", required=True, help="the migration rules (YAML: statuses, options, fields)")
    add_database_argument(parser)


def run_migrate(args: argparse.Namespace) -> int:
    flow = read_flow(args.flow)
    rules = read_rules(Path(args.rules).read_text(encoding="utf-8"))
    catalog = load_catalog()
    with Store.open(database_url(args)) as store:
        store.migrate()
        live = flow_versions.live(store, flow.id)
        if live is None or live.digest != flow.digest:
            print(catalog.text("migrate.not_live", flow=flow.id, version=flow.version))
            return 1
        older = [parse_version(v.text, flow.filename) for v in flow_versions.history(store, flow.id)
                 if v.digest != flow.digest]
        missing = [(old, change) for old in older for change in plan(old, flow, rules)]
        for old, change in missing:
            print(catalog.text("migrate.missing", version=old.version,
                               change=catalog.text(f"diff.{change.code}", **change.params)))
        if missing:
            return 1
        now = datetime.now(timezone.utc)
        for old in older:
            moved = migrate(store, old, flow, rules, now)
            print(catalog.text("migrate.done", count=moved, old=old.version, new=flow.version))
    return 0
