"""Arguments shared by several sub-commands: the flow file and the database URL."""
from __future__ import annotations

import argparse
import os

from shenbao.paths import DEFAULT_FLOW
from shenbao.settings import default_database_url


def add_flow_argument(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("flow", nargs="?", default=str(DEFAULT_FLOW), help="flow file (default: %(default)s)")


def add_database_argument(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--database", help="database URL (default: $SHENBAO_DATABASE_URL or var/shenbao.db)")


def database_url(args: argparse.Namespace) -> str:
    if getattr(args, "database", None):
        return args.database
    return os.environ.get("SHENBAO_DATABASE_URL") or default_database_url()
