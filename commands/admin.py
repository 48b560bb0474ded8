"""Administration sub-commands: `init`, `import`, and a placeholder for `document` until the
PDF issue's command replaces it (`staff` and `status` live in commands/staff_admin.py).

`shenbao init [--demo]` creates or upgrades the database and makes the flow's dataset
tables match their declarations; with --demo it also loads the demo data (idempotent, so
a run script may call it every time). `shenbao import DATASET FILE` replaces one
dataset's rows from a CSV or YAML file, all or nothing, with a progress bar on stderr.
The database URL comes from --database, else SHENBAO_DATABASE_URL, else var/shenbao.db.
"""
from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path
from typing import TextIO

from sqlalchemy.engine import make_url

from shenbao.flows import read_flow
from shenbao.paths import DEFAULT_FLOW
from store import ImportFailed, Store, StoreError, import_file, load_demo
from shenbao.applications import demo_defaults, tallied

from .options import add_database_argument as _add_database
from .options import add_flow_argument, database_url
from .staff_admin import add_demo_staff

NOT_YET = "shenbao {name}: not yet available"


class ProgressBar:
    """A one-line progress bar per dataset on stderr, redrawn at most ten times a second
    (on a terminal; elsewhere one line per dataset when it is done)."""

    def __init__(self, stream: TextIO | None = None, width: int = 30):
        self.stream, self.width = stream or sys.stderr, width
        self.live = self.stream.isatty()
        self.label: str | None = None
        self.started = self._seen = time.monotonic()
        self._last = 0.0
        self._line = ""

    def __call__(self, label: str, done: int, total: int) -> None:
        now = time.monotonic()
        if label != self.label:
            self.finish()
            # a dataset's time runs from the previous dataset's last report
            self.label, self._last, self.started = label, 0.0, self._seen
        if self.live and now - self._last < 0.1 and done < total:
            return
        self._last = self._seen = now
        share = min(done / total, 1.0) if total > 0 else 1.0
        filled = int(share * self.width)
        rate = done / max(now - self.started, 1e-6)
        self._line = (f"{label:<16} [{'#' * filled}{'.' * (self.width - filled)}] "
                      f"{share:6.1%} {done:>9}/{total:<9} {rate:9.0f} rows/s")
        if self.live:
            self.stream.write("\r" + self._line)
            self.stream.flush()

    def finish(self) -> None:
        if self.label is not None:
            self.stream.write(("\r" + self._line if self.live else self._line) + "\n")
            self.stream.flush()
        self.label, self._line = None, ""


def print_problems(error: ImportFailed, stream: TextIO | None = None) -> None:
    stream = stream or sys.stderr
    for problem in error.problems:
        where = f"row {problem.row}" + (f", line {problem.line}" if problem.line else "")
        detail = " ".join(x for x in (problem.column or "", repr(problem.value) if problem.value else "") if x)
        stream.write(f"  {where}: {problem.code} {detail}\n")
    if error.truncated:
        stream.write("  … more problems were found and not listed\n")


# -- init -----------------------------------------------------------------------------

def add_init_arguments(parser: argparse.ArgumentParser) -> None:
    add_flow_argument(parser)
    parser.add_argument("--flow", dest="flow_option", metavar="FILE", help="the flow file (same as the argument)")
    _add_database(parser)
    parser.add_argument("--demo", action="store_true", help="load the demo data (safe to repeat)")


def run_init(args: argparse.Namespace) -> int:
    flow_file = Path(args.flow_option or args.flow)
    flow = read_flow(flow_file)
    url = database_url(args)
    with Store.open(url) as store:
        store.migrate()
        report = store.sync_datasets(flow.datasets, flow.lookup_index_columns())
        for name, action in report.actions.items():
            if action not in ("unchanged", "builtin"):
                print(f"dataset {name}: {action}")
        if store.sync_tallies(tallied(flow)):
            print(f"tallies: rebuilt, by {', '.join(tallied(flow)) or 'status'}")
        if args.demo:
            bar = ProgressBar()
            demo = demo_defaults(flow)
            try:
                outcome = load_demo(store, flow.datasets, flow_file.resolve().parent, bar, demo)
            except ImportFailed as error:
                bar.finish()
                print(f"demo data refused ({error.code}):", file=sys.stderr)
                print_problems(error)
                return 1
            bar.finish()
            for name, what in outcome.items():
                print(f"demo {name}: {what}")
            add_demo_staff(flow, flow_file, store, sys.stdout)
    print(f"database ready: {_shown_url(url)}")
    return 0


def _shown_url(url: str) -> str:
    """The URL without a password."""
    return make_url(url).render_as_string(hide_password=True)


# -- import ---------------------------------------------------------------------------

def add_import_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("dataset", help="dataset name, as declared in the flow")
    parser.add_argument("file", help="CSV (UTF-8, header row of column names) or YAML list")
    parser.add_argument("--flow", default=None, help="flow file (default: the teacher registration flow)")
    parser.add_argument("--photos", default=None, help="folder of the image files named in the data")
    _add_database(parser)


def run_import(args: argparse.Namespace) -> int:
    flow = read_flow(Path(args.flow or DEFAULT_FLOW))
    if args.dataset not in flow.datasets:
        print(f"unknown dataset {args.dataset!r}; the flow declares: {', '.join(flow.datasets)}", file=sys.stderr)
        return 2
    bar = ProgressBar()
    with Store.open(database_url(args)) as store:
        store.migrate()
        store.sync_datasets(flow.datasets, flow.lookup_index_columns())
        try:
            report = import_file(store, flow.datasets, args.dataset, args.file,
                                 lambda done, total: bar(args.dataset, done, total), args.photos)
            bar.finish()
        except ImportFailed as error:
            bar.finish()
            print(f"{args.file}: refused, nothing imported ({len(error.problems)} problems):", file=sys.stderr)
            print_problems(error)
            return 1
        except StoreError as error:
            bar.finish()
            print(f"{args.file}: {error.code} {error.params}", file=sys.stderr)
            return 1
    bar.finish()
    print(f"{report.dataset}: {report.rows} rows imported in {report.seconds:.1f} s")
    return 0


# -- placeholders filled in by later issues --------------------------------------------

def _placeholder(name: str) -> tuple:
    def add(parser: argparse.ArgumentParser) -> None:
        parser.add_argument("rest", nargs=argparse.REMAINDER)

    def run(args: argparse.Namespace) -> int:
        print(NOT_YET.format(name=name), file=sys.stderr)
        return 2

    return add, run


add_document_arguments, run_document = _placeholder("document")
