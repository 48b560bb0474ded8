"""Arguments shared by several sub-commands: the flow file and the database URL, and
reading the flow they name with its problems reported."""
from __future__ import annotations

import argparse
import os
import sys
from typing import Callable, TypeVar

from engine import FlowError

from shenbao.paths import DEFAULT_FLOW
from shenbao.settings import default_database_url

T = TypeVar("T")


def add_flow_argument(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("flow", nargs="?", default=str(DEFAULT_FLOW), help="flow file (default: %(default)s)")


def add_database_argument(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--database", help="database URL (default: $SHENBAO_DATABASE_URL or var/shenbao.db)")


def database_url(args: argparse.Namespace) -> str:
    if getattr(args, "database", None):
        return args.database
    return os.environ.get("SHENBAO_DATABASE_URL") or default_database_url()


def read_or_report(path: str, reader: Callable[[str], T]) -> T | None:
    """`reader(path)`, or None once the flow's located problems (or why the file cannot be
    read) are printed on stderr; the command then exits 2."""
    try:
        return reader(path)
    except FlowError as exc:
        for problem in exc.problems:
            print(problem, file=sys.stderr)
    except OSError as exc:
        print(f"{path}: cannot read the flow: {exc.strerror}", file=sys.stderr)
    return None
