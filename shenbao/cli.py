"""The `shenbao` command: one entry point, one sub-command per job.

Each sub-command's work lives with the part it belongs to; this module only parses
arguments and hands over. Exit codes: 0 ok, 1 problems found, 2 usage errors.
"""
from __future__ import annotations

import argparse
import sys
from importlib import import_module
from typing import Callable, Sequence

from .paths import DEFAULT_FLOW

# sub-command → (module, function that adds its arguments, function that runs it)
COMMANDS: dict[str, tuple[str, str]] = {
    "check": ("shenbao.check", "check the flow file(s) and list every problem"),
    "console": ("renderers.console.cli", "run a flow in the terminal, or headless from scenario files"),
    "init": ("shenbao.admin", "create or upgrade the database; --demo loads the demo data"),
    "import": ("shenbao.admin", "import a dataset from a CSV or YAML file"),
    "serve": ("renderers.web.serve", "serve the web application"),
    "document": ("shenbao.document_cmd", "write an application's form to a file; warm the stored documents"),
    "staff": ("shenbao.staff_admin", "manage staff accounts"),
    "status": ("shenbao.staff_admin", "set an application's status as a staff member would (for testers)"),
}


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="shenbao", description="shenbao form engine")
    sub = parser.add_subparsers(dest="command", required=True)
    runners: dict[str, Callable[[argparse.Namespace], int]] = {}
    wanted = (argv if argv is not None else sys.argv[1:])[:1]
    for name, (module, text) in COMMANDS.items():
        command = sub.add_parser(name, help=text, description=text)
        if wanted and wanted[0] != name:
            continue  # import only the module of the command being run
        mod = import_module(module)
        getattr(mod, f"add_{name}_arguments")(command)
        runners[name] = getattr(mod, f"run_{name}")
    args = parser.parse_args(argv)
    return runners[args.command](args)


def add_flow_argument(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("flow", nargs="?", default=str(DEFAULT_FLOW), help="flow file (default: %(default)s)")


if __name__ == "__main__":
    sys.exit(main())
