"""`shenbao diff [OLD] NEW [--database URL]`: what changes, for whom, between two versions of a flow.

OLD and NEW are flow files; with only NEW and `--database`, OLD is the version published there.
Each change is printed in Chinese with its impact (安全 / 影响未提交的草稿 / 影响已提交的申请), and
with `--database` the number of drafts and applications it touches. The message texts added,
removed or changed follow, each 安全: against the published version, those of `--locale DIR` (a
folder holding a messages.yaml; default locales/zh_CN) against the catalogue that version was
published with (`--old-locale DIR` instead; a version published before catalogues were recorded
says it cannot be compared); between two files, only with `--old-locale DIR` and/or `--locale DIR`.
Exit 1 when a change touches drafts or applications and the version name (`flow.version`) is
unchanged, 2 when a file cannot be read, else 0.
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

from engine import read_catalogue
from shenbao.catalog import Catalog, load_catalog
from shenbao.flowdiff import against_live, compare
from shenbao.flows import display_name, read_flow
from shenbao.paths import LOCALES
from store import Store

from .options import add_database_argument, database_url

DEFAULT_LOCALE = LOCALES / "zh_CN"


def add_diff_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("flows", nargs="+", metavar="FLOW", help="OLD NEW, or NEW alone with --database")
    add_database_argument(parser)
    parser.add_argument("--old-locale", metavar="DIR", help="the folder holding the old version's messages.yaml "
                        "(default: the catalogue the published version was published with, else locales/zh_CN)")
    parser.add_argument("--locale", metavar="DIR", help="the folder holding the new version's messages.yaml "
                        "(default: locales/zh_CN)")


def read_messages(folder: str | None) -> dict[str, str]:
    """The catalogue under `folder` (key → text); raises ValueError with its located problems."""
    path = Path(folder or DEFAULT_LOCALE) / "messages.yaml"
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ValueError(f"{display_name(path)}:1:1: IO_001 cannot read the message catalogue: {exc.strerror}") from None
    messages, _, problems = read_catalogue(text, display_name(path))
    if problems or messages is None:
        raise ValueError("\n".join(str(p) for p in sorted(problems)))
    return {str(k): str(v).rstrip("\n") for k, v in messages.items()}


def run_diff(args: argparse.Namespace) -> int:
    if len(args.flows) > 2 or (len(args.flows) == 1 and not args.database):
        print("give two flow files (OLD NEW), or one with --database to compare with the published version",
              file=sys.stderr)
        return 2
    old_locale, locale = getattr(args, "old_locale", None), getattr(args, "locale", None)  # callers may leave them out
    against_database = len(args.flows) == 1
    try:   # against the database the texts are always compared (the old ones are stored there)
        new_texts = read_messages(locale) if locale or old_locale or against_database else None
        old_texts = read_messages(old_locale) if old_locale or (locale and not against_database) else None
    except ValueError as exc:
        print(exc, file=sys.stderr)
        return 2
    new = read_flow(args.flows[-1], message_keys=new_texts.keys() if new_texts is not None else None)
    catalog = load_catalog()
    if new_texts is not None:   # worded with the new texts (a new field's label), the old ones where removed
        catalog = Catalog(catalog.lang, {**(old_texts or {}), **new_texts})
    store = Store.open(database_url(args)) if args.database else None
    try:
        if against_database:
            store.migrate()
            report = against_live(store, new, catalog, new_texts, old_texts)
            if report is None:
                print(catalog.text("publish.first", flow=new.id, version=new.version))
                return 0
        else:
            old = read_flow(args.flows[0], message_keys=old_texts.keys() if old_texts is not None else None)
            texts = (old_texts, new_texts) if old_texts is not None and new_texts is not None else None
            report = compare(old, new, catalog, store, texts)
    finally:
        if store is not None:
            store.close()
    for line in report.text(catalog):
        print(line)
    return 1 if report.refused else 0
