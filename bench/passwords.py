"""Benchmark: argon2id parameters for login at peak, in one process.

    .venv/bin/python bench/passwords.py [--repeat N]

For each candidate (argon2-cffi's default m=64 MiB t=3 p=4, OWASP's five recommended
argon2id configurations, and the one `store.passwords` uses), prints the wall time and the
CPU time (all threads of this process) of one `verify`, best of N, the ratio of CPU time to
the current default's, and how many logins per second two cores can sustain on hashing
alone (2 / CPU seconds). The parameters in use are marked with `*`.

The choice: every OWASP configuration costs about the same CPU by design (they trade memory
for passes); m=19 MiB t=2 p=1 is their first and the least memory per concurrent login
(19 MiB x 2 x CPUs + 1 workers stays small), so a login wave does not swap.
"""
from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from argon2 import PasswordHasher

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from store.passwords import MEMORY_KIB, PARALLELISM, TIME_COST  # noqa: E402

CANDIDATES = [
    ("argon2-cffi default", 65536, 3, 4),
    ("OWASP 1", 47104, 1, 1),
    ("OWASP 2", 19456, 2, 1),
    ("OWASP 3", 12288, 3, 1),
    ("OWASP 4", 9216, 4, 1),
    ("OWASP 5", 7168, 5, 1),
]


def measure(memory_kib: int, time_cost: int, parallelism: int, repeat: int) -> tuple[float, float]:
    hasher = PasswordHasher(time_cost=time_cost, memory_cost=memory_kib, parallelism=parallelism)
    stored = hasher.hash("Secret#2026")
    walls, cpus = [], []
    for _ in range(repeat):
        cpu, wall = time.process_time(), time.perf_counter()
        hasher.verify(stored, "Secret#2026")
        walls.append(time.perf_counter() - wall)
        cpus.append(time.process_time() - cpu)
    return min(walls), min(cpus)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=10)
    args = parser.parse_args()
    rows = [(name, m, t, p, *measure(m, t, p, args.repeat)) for name, m, t, p in CANDIDATES]
    baseline_cpu = rows[0][5]
    print(f"{'':1} {'parameters':<40} {'wall ms':>8} {'cpu ms':>8} {'cpu ratio':>10} {'logins/s on 2 cores':>20}")
    for name, m, t, p, wall, cpu in rows:
        mark = "*" if (m, t, p) == (MEMORY_KIB, TIME_COST, PARALLELISM) else " "
        label = f"{name} (m={m // 1024} MiB t={t} p={p})"
        print(f"{mark} {label:<40} {wall * 1000:8.1f} {cpu * 1000:8.1f} {cpu / baseline_cpu:9.2f}x {2 / cpu:20.0f}")
    print("cpu ratio: CPU time of one verify / argon2-cffi's default; * = store.passwords' parameters")


if __name__ == "__main__":
    main()
