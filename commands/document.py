"""`shenbao document`: an application's form to a file, and the document chores.

    shenbao document APPLICATION_NO [--format pdf|html] [-o FILE|-]
    shenbao document --warm [--limit N] [--watch SECONDS]
    shenbao document --prepare-fonts [--all-fonts]
    shenbao document --status

The first form writes what the web download answers: the stored file when it was made for
the application's current version, else one drawn now (and stored). `--warm` makes every
stale document (the background warmer's job, e.g. from cron or after a deployment);
`--prepare-fonts` cuts the CJK font into the cache that each PDF loads (seconds, once per
machine; `--all-fonts` also makes every rare-character part, so that no request ever
waits for one). Settings (database URL, time zone) are the web application's.
"""
from __future__ import annotations

import argparse
import sys
import time
from datetime import datetime, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

from renderers.pdf import DocumentFonts, FontNotFound, prepared_fonts, printers
from shenbao.catalog import load_catalog
from shenbao.documents import DocumentUnavailable, Documents
from shenbao.flows import read_flow
from shenbao.flowversions import FlowVersions
from shenbao.settings import load_settings
from store import Store
from store import documents as stored


def add_document_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("application_no", nargs="?", help="the application number, e.g. TR2027000001")
    parser.add_argument("--format", default=None, help="a format the flow's document declares (default: the first)")
    parser.add_argument("-o", "--output", help="file to write, - for stdout (default: the Chinese file name, here)")
    parser.add_argument("--warm", action="store_true", help="make every stale document, newest change first")
    parser.add_argument("--limit", type=int, default=None, help="with --warm: make at most N documents")
    parser.add_argument("--watch", type=float, default=0.0, metavar="SECONDS",
                        help="with --warm: keep going, looking for stale documents every SECONDS")
    parser.add_argument("--prepare-fonts", action="store_true", help="prepare the CJK font cache and exit")
    parser.add_argument("--all-fonts", action="store_true", help="with --prepare-fonts: every rare-character part too")
    parser.add_argument("--status", action="store_true", help="count stale and stored documents")
    parser.add_argument("--flow", default=None, help="flow file (default: the web application's)")
    parser.add_argument("--database", help="database URL (default: $SHENBAO_DATABASE_URL or var/shenbao.db)")


def run_document(args: argparse.Namespace) -> int:
    if args.prepare_fonts:
        return prepare_fonts(args.all_fonts)
    if not (args.warm or args.status or args.application_no):
        print("shenbao document: name an application number, or use --warm, --status or --prepare-fonts",
              file=sys.stderr)
        return 2
    settings = load_settings()
    flow = read_flow(Path(args.flow or settings.flow_file))
    if not flow.documents:
        print(f"shenbao document: the flow '{flow.id}' declares no documents", file=sys.stderr)
        return 2
    with Store.open(args.database or settings.database_url) as store:
        store.migrate()
        store.sync_datasets(flow.datasets, flow.lookup_index_columns())
        catalog = load_catalog()
        documents = Documents(flow, store, catalog, ZoneInfo(settings.timezone), printers(catalog))
        versions = FlowVersions(store, flow, Path(args.flow or settings.flow_file).read_text(encoding="utf-8"),
                                catalog=catalog)
        documents.flow_of = lambda digest: versions.of(digest) or flow    # each form as `serve` draws it:
        documents.catalog_for = versions.catalog_for                       # its version, the texts in use
        if args.status:
            return status(documents)
        if args.warm:
            return warm(documents, args.limit, args.watch)
        return write(documents, args)


def _now() -> datetime:
    return datetime.now(timezone.utc)


def write(documents: Documents, args: argparse.Namespace) -> int:
    fmt = args.format or documents.formats[0]
    if fmt not in documents.formats:
        print(f"unknown format {fmt!r}; the document declares: {', '.join(documents.formats)}", file=sys.stderr)
        return 2
    app = documents.store.find_application(application_no=args.application_no.strip().upper())
    if app is None:
        print(f"no application numbered {args.application_no!r}", file=sys.stderr)
        return 1
    try:
        made = documents.fetch(app, fmt, _now)
    except DocumentUnavailable as error:
        print(f"shenbao document: {error}", file=sys.stderr)
        return 1
    if args.output == "-":
        sys.stdout.buffer.write(made.content)
        sys.stdout.buffer.flush()
        return 0
    target = Path(args.output or made.filename)
    target.write_bytes(made.content)
    origin = "stored" if made.cached else "made now"
    print(f"{target}: {len(made.content)} bytes ({fmt}, {origin}, version {made.version_key})", file=sys.stderr)
    return 0


def warm(documents: Documents, limit: int | None, watch: float) -> int:
    while True:
        start = time.perf_counter()
        try:
            made = documents.warm(_now, limit=limit)
        except DocumentUnavailable as error:
            print(f"shenbao document: {error}", file=sys.stderr)
            return 1
        if made or not watch:
            print(f"documents made: {made} in {time.perf_counter() - start:.1f} s", file=sys.stderr)
        if not watch:
            return 0
        try:
            time.sleep(watch)
        except KeyboardInterrupt:
            return 0


def status(documents: Documents) -> int:
    sizes = stored.sizes(documents.store)
    for fmt, count in documents.stale_counts().items():
        kept, size = sizes.get(fmt, (0, 0))
        print(f"{fmt}: {kept} stored ({size / 2**20:.1f} MiB), {count} stale or missing")
    return 0


def prepare_fonts(everything: bool) -> int:
    start = time.perf_counter()
    try:
        fonts = prepared_fonts()
        if everything:
            fonts.prepare_all()
        else:
            fonts.plan("0")  # coverage and the two common files
        DocumentFonts(load_catalog(), fonts).small_bold()
    except FontNotFound as error:
        print(f"shenbao document: {error}", file=sys.stderr)
        return 1
    print(f"fonts ready in {fonts.dir} ({time.perf_counter() - start:.1f} s)", file=sys.stderr)
    return 0
