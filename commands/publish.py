"""`shenbao publish FLOW [--database URL]`: make a checked flow the live version.

Checks the flow (as `shenbao check`), compares it with the version live in the database (as
`shenbao diff`, texts included), refuses a change that touches drafts or applications unless the
version name (`flow.version`) was changed, then records the new version with the message catalogue
of `--locale DIR` (default locales/zh_CN). A running `shenbao serve` switches to it within seconds;
drafts and applications keep the version they were started under. A text fix alone (the flow
unchanged) is safe and becomes the live version's catalogue. A flow and texts that mean the same as
the live ones (a comment edit) publish nothing and change nothing.
"""
from __future__ import annotations

import argparse
import sys
from datetime import datetime, timezone
from pathlib import Path

from shenbao.catalog import Catalog, load_catalog
from shenbao.flows import read_flow
from shenbao.publishing import publish
from store import Store

from .diff import read_messages
from .options import add_database_argument, add_flow_argument, database_url


def add_publish_arguments(parser: argparse.ArgumentParser) -> None:
    add_flow_argument(parser)
    add_database_argument(parser)
    parser.add_argument("--locale", metavar="DIR", help="the folder holding the messages.yaml to publish with "
                        "(default: locales/zh_CN)")


def run_publish(args: argparse.Namespace) -> int:
    try:
        messages = read_messages(getattr(args, "locale", None))  # callers may leave it out
    except ValueError as exc:
        print(exc, file=sys.stderr)
        return 2
    # a broken flow is refused with its located problems (see commands.cli)
    flow = read_flow(args.flow, message_keys=messages.keys())
    text = Path(args.flow).read_text(encoding="utf-8")
    with Store.open(database_url(args)) as store:
        store.migrate()
        code, lines = publish(store, flow, text, Catalog(load_catalog().lang, messages), datetime.now(timezone.utc))
    for line in lines:
        print(line)
    return code
