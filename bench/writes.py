"""Benchmark: a draft save committed durably vs with one fsync fewer, in one process.

    .venv/bin/python bench/writes.py [--database URL] [--count N]

Saves the same wizard draft N times through `Store.save_draft` (durable=False: SQLite
synchronous=NORMAL, PostgreSQL synchronous_commit=off) and N times through the same store
call forced durable (FULL / on, what every draft save cost before), alternating rounds, and
prints saves per second for each and the ratio. Default database: a fresh SQLite file in a
temporary folder.
"""
from __future__ import annotations

import argparse
import sys
import tempfile
import time
from datetime import date, datetime, timezone
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from store import Store  # noqa: E402

STATE = {"answers": {"name": "王晓燕", "id_no": "110108198504120144", "graduation_date": date(2007, 7, 1),
                     "address": "北京市海淀区" * 5}, "step": "application", "history": ["notice", "identity"]}


def rounds(store: Store, count: int) -> dict[bool, float]:
    run = store.db.run
    totals = {True: 0.0, False: 0.0}
    for round_no in range(4):
        for durable in (False, True) if round_no % 2 else (True, False):
            store.db.run = (lambda body, write=True, durable=True, _run=run, _forced=durable:  # type: ignore[method-assign]
                            _run(body, write, _forced))
            started = time.perf_counter()
            for index in range(count // 4):
                store.save_draft(f"bench-{index % 50}", STATE, now=datetime.now(timezone.utc))
            totals[durable] += time.perf_counter() - started
            store.db.run = run  # type: ignore[method-assign]
    return {durable: count / seconds for durable, seconds in totals.items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database")
    parser.add_argument("--count", type=int, default=2000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        url = args.database or f"sqlite:///{folder}/bench.db"
        with Store.open(url) as store:
            store.migrate()
            rates = rounds(store, args.count)
    print(f"database: {store.dialect}, {args.count} draft saves per mode")
    print(f"durable (FULL / on)         {rates[True]:8.0f} saves/s")
    print(f"drafts (NORMAL / off)       {rates[False]:8.0f} saves/s")
    print(f"ratio drafts / durable      {rates[False] / rates[True]:8.2f}x")


if __name__ == "__main__":
    main()
