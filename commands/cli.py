"""The `shenbao` command: one command, one sub-command per job.

Each sub-command is a module of this package; this one only parses arguments and hands
over. Exit codes: 0 ok, 1 problems found, 2 usage errors. Only the module of the command
being run is imported (`import_module` by name, from this package only: a test checks
it): `shenbao check` imports in 0.17 s, every command's module together in 0.77 s (bottle,
SQLAlchemy, fpdf2), and the tests start the command some hundred times.
"""
from __future__ import annotations

import argparse
import sys
from importlib import import_module
from typing import Callable, Sequence

from engine import FlowError

# sub-command → (module, function that adds its arguments, function that runs it)
COMMANDS: dict[str, tuple[str, str]] = {
    "check": ("commands.check", "check the flow file(s) and list every problem"),
    "diff": ("commands.diff", "what changes, and for whom, between two versions of a flow"),
    "publish": ("commands.publish", "check a flow, compare it with the live version and make it live"),
    "migrate": ("commands.migrate", "move applications of older flow versions to the live one, by rules"),
    "console": ("commands.console", "run a flow in the terminal, or headless from scenario files"),
    "diagram": ("commands.diagram", "draw a flow: the applicant's journey or the status machine (svg, dot, mermaid)"),
    "explain": ("commands.explain", "write a flow's specification in plain Chinese (HTML, PDF; --compare two versions)"),
    "preview": ("commands.preview", "serve a flow file being edited, with demo data and a settable clock"),
    "scenario": ("commands.scenario", "write a skeleton scenario for a flow (scenario new FLOW)"),
    "init": ("commands.admin", "create or upgrade the database; --demo loads the demo data"),
    "import": ("commands.admin", "import a dataset from a CSV or YAML file"),
    "serve": ("commands.serve", "serve the web application"),
    "worker": ("commands.worker", "do the background work: documents of changed applications, mail, housekeeping"),
    "document": ("commands.document", "write an application's form to a file; warm the stored documents"),
    "staff": ("commands.staff_admin", "manage staff accounts"),
    "store": ("commands.store_admin", "look after the database: recount the staff counts' tallies"),
    "status": ("commands.staff_admin", "set an application's status as a staff member would (for testers)"),
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
    try:
        return runners[args.command](args)
    except FlowError as exc:  # a command that needs the flow was given a broken one: say where, no traceback
        for problem in exc.problems:
            print(problem, file=sys.stderr)
        print(f"the flow has {len(exc.problems)} problem(s); `shenbao check` lists them", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
