"""`shenbao store recount [--fix]`: check the staff counts' tallies against a recount.

    shenbao store recount [--database URL]          # exit 1 when a tally differs
    shenbao store recount --fix [--database URL]    # rebuild them from the recount

The tallies (store/tallies.py) are kept in the transaction of every change, so they only
differ after a change made around the store (SQL by hand, a restored table). Prints each
row that differs as `scope field=value, field=value, status: tallied → counted`.
"""
from __future__ import annotations

import argparse

from store import Store

from .options import add_database_argument, database_url


def add_store_arguments(parser: argparse.ArgumentParser) -> None:
    sub = parser.add_subparsers(dest="action", required=True)
    recount = sub.add_parser("recount", help="compare the staff counts' tallies with a recount (--fix: rebuild them)")
    recount.add_argument("--fix", action="store_true", help="rebuild the tallies from the recount")
    add_database_argument(recount)


def _row(key: tuple[str, ...]) -> str:
    scope_field, scope_value, field, value, status = key
    where = [f"{f}={v}" for f, v in ((scope_field, scope_value), (field, value)) if f]
    return f"{', '.join(where) or 'all'}, {status}"


def run_store(args: argparse.Namespace) -> int:
    with Store.open(database_url(args)) as store:
        store.migrate()
        found = store.recount_tallies(fix=args.fix)
        fields = sorted(store.tallied_fields())
    for key, (tallied, counted) in found.items():
        print(f"{_row(key)}: {tallied} → {counted}")
    by = ", ".join(fields) or "status only"
    if not found:
        print(f"tallies agree with the recount (by {by})")
        return 0
    print(f"{len(found)} tally row(s) differed" + ("; rebuilt from the recount" if args.fix else
                                                   "; `shenbao store recount --fix` rebuilds them"))
    return 0 if args.fix else 1
