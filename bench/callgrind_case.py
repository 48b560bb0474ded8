"""Instructions per request of one bench/profile_pages.py case, counted by callgrind: the set-up
(database, app, the walk to the step, 5 warm requests) is not counted, only the N requests.

    valgrind --tool=callgrind --instr-atstart=no --callgrind-out-file=/tmp/cg.out \
        .venv/bin/python bench/callgrind_case.py [--case error] [--requests 200] [--database URL]

The figure is valgrind's "Collected" divided by --requests (printed at exit by valgrind; also
`callgrind_annotate /tmp/cg.out | head`). Instruction counts do not depend on what else the
machine runs, so before/after comparisons of a change need no quiet machine (issue 10).
The driver's own work per request (the WSGI environ, urlencode of the form) is counted too,
the same before and after. Instrumentation is switched on and off with `callgrind_control -i`.
"""
from __future__ import annotations

import argparse
import os
import subprocess
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from profile_pages import CASES, served  # noqa: E402


def instrument(on: bool) -> None:
    subprocess.run(["callgrind_control", "-i", "on" if on else "off", str(os.getpid())],
                   check=True, capture_output=True)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--case", choices=tuple(CASES), default="error")
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--database", help="database URL (default: a temporary SQLite file)")
    args = parser.parse_args()
    with served(args.database) as (url, app, web, clock):
        case = CASES[args.case]
        for call in case(app, web, clock, 5):  # warm: templates compiled, lists cached
            call()
        calls = case(app, web, clock, args.requests)
        instrument(True)
        for call in calls:
            call()
        instrument(False)
    print(f"bench/callgrind_case.py: {args.case}, {args.requests} requests, database {url.split(':')[0]}: "
          f"instructions per request = valgrind's Collected / {args.requests}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
