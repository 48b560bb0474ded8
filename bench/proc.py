"""CPU time of processes from /proc, for the benchmarks that count a server's cost beside their
own (bench/web.py, bench/load.py, bench/import.py, bench/scale.py). Linux only; a process that
is gone (or a /proc that does not show it) reads as absent."""
from __future__ import annotations

import os
from typing import NamedTuple

TICK = os.sysconf("SC_CLK_TCK")


class Proc(NamedTuple):
    parent: int
    name: str
    cpu: float  # seconds, user + system, so far


def read(pid: int | str) -> Proc | None:
    try:
        with open(f"/proc/{pid}/stat") as stat:
            head, _, rest = stat.read().rpartition(")")
    except OSError:
        return None
    fields = rest.split()
    return Proc(int(fields[1]), head.partition("(")[2], (int(fields[11]) + int(fields[12])) / TICK)


def everyone() -> dict[int, Proc]:
    """Every live process, by pid."""
    found = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit() and (proc := read(entry)) is not None:
            found[int(entry)] = proc
    return found


def cpu_of(pids: list[int]) -> dict[int, float]:
    """CPU seconds so far of each of `pids` that is alive."""
    return {pid: proc.cpu for pid in pids if (proc := read(pid)) is not None}
