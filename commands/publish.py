"""`shenbao publish FLOW [--database URL]`: make a checked flow the live version.

Checks the flow (as `shenbao check`), compares it with the version live in the database (as
`shenbao diff`), refuses a change that touches drafts or applications unless the version name
(`flow.version`) was changed, then records the new version. A running `shenbao serve` switches
to it within seconds; drafts and applications keep the version they were started under. A flow
that means the same as the live one (a comment edit) publishes nothing and changes nothing.
"""
from __future__ import annotations

import argparse
from datetime import datetime, timezone
from pathlib import Path

from shenbao.catalog import load_catalog
from shenbao.flows import read_flow
from shenbao.publishing import publish
from store import Store

from .options import add_database_argument, add_flow_argument, database_url


def add_publish_arguments(parser: argparse.ArgumentParser) -> None:
    add_flow_argument(parser)
    add_database_argument(parser)


def run_publish(args: argparse.Namespace) -> int:
    flow = read_flow(args.flow)  # a broken flow is refused with its located problems (see commands.cli)
    text = Path(args.flow).read_text(encoding="utf-8")
    with Store.open(database_url(args)) as store:
        store.migrate()
        code, lines = publish(store, flow, text, load_catalog(), datetime.now(timezone.utc))
    for line in lines:
        print(line)
    return code
