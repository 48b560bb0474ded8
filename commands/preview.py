"""`shenbao preview [FLOW]`: the web application on a flow file being edited, with the flow's
demo data in a throw-away SQLite database and a settable clock (renderers/web/preview.py).
Every save of the flow (or the catalogue) is picked up by the next page; a file that does not
load shows its located problems in the page. Loopback only."""
from __future__ import annotations

import argparse
import sys
import tempfile
from datetime import datetime
from pathlib import Path
from socketserver import ThreadingMixIn
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server
from zoneinfo import ZoneInfo

from engine import FlowError
from renderers.web.preview import Preview, PreviewClock
from shenbao.flows import read_flow
from shenbao.settings import load_settings
from store import Store, load_demo
from shenbao.applications import demo_defaults

from .options import add_flow_argument
from .staff_admin import add_demo_staff


class _Server(ThreadingMixIn, WSGIServer):
    daemon_threads = True


class _Quiet(WSGIRequestHandler):
    def log_message(self, *args: object) -> None:
        pass


def add_preview_arguments(parser: argparse.ArgumentParser) -> None:
    add_flow_argument(parser)
    parser.add_argument("--port", type=int, default=8090, help="port on 127.0.0.1 (default: %(default)s)")
    parser.add_argument("--now", metavar="'YYYY-MM-DD HH:MM'",
                        help="the preview clock starts here, on the flow's wall clock (default: now)")


def run_preview(args: argparse.Namespace) -> int:
    try:
        start = datetime.fromisoformat(args.now) if args.now else None
    except ValueError:
        print(f"--now {args.now!r}: expected 'YYYY-MM-DD HH:MM'", file=sys.stderr)
        return 2
    folder = Path(tempfile.mkdtemp(prefix="shenbao-preview-"))
    preview = open_preview(Path(args.flow), folder, start)
    if preview is None:
        return 2
    server = make_server("127.0.0.1", args.port, preview, server_class=_Server, handler_class=_Quiet)
    print(f"preview of {args.flow} at http://127.0.0.1:{server.server_port}/ (demo data in {folder}; Ctrl-C stops)",
          flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    return 0


def open_preview(flow_file: Path, folder: Path, start: datetime | None) -> Preview | None:
    """A Preview on a fresh database with the flow's demo data (None when the flow does not load at all)."""
    try:
        flow = read_flow(flow_file)
    except FlowError as exc:
        for problem in exc.problems:
            print(problem, file=sys.stderr)
        return None
    settings = load_settings(flow_file=str(flow_file), database_url=f"sqlite:///{folder / 'preview.db'}",
                             outbox_dir=str(folder / "outbox"), secret="preview-" + folder.name)
    store = Store.open(settings.database_url)
    store.migrate()
    store.sync_datasets(flow.datasets, flow.lookup_index_columns())
    load_demo(store, flow.datasets, flow_file.resolve().parent, None,
              demo_defaults(flow))
    add_demo_staff(flow, flow_file, store, sys.stdout)
    tz = ZoneInfo(settings.timezone)
    moment = (start or datetime.now(tz).replace(tzinfo=None)).replace(tzinfo=tz)
    return Preview(settings, store, PreviewClock(moment))
