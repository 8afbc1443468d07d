"""Run a command; every 10 ms, sum the memory of its whole process tree (RSS, and PSS: a
page shared by a forked worker and its parent counted once); print the peaks of the sums.
`wait4`'s peak (the runners') is the maximum of the processes, not their sum.

    python3 benchmarks/treemem.py COMMAND...
"""

from __future__ import annotations

import os
import subprocess
import sys
import time


def tree(pid: int) -> list[int]:
    found = [pid]
    try:
        for task in os.listdir(f"/proc/{pid}/task"):
            with open(f"/proc/{pid}/task/{task}/children", encoding="ascii") as f:
                for child in f.read().split():
                    found += tree(int(child))
    except OSError:
        pass
    return found


def rollup(pid: int) -> tuple[int, int]:
    rss = pss = 0
    try:
        with open(f"/proc/{pid}/smaps_rollup", encoding="ascii") as f:
            for line in f:
                if line.startswith("Rss:"):
                    rss = int(line.split()[1])
                elif line.startswith("Pss:"):
                    pss = int(line.split()[1])
    except OSError:
        pass
    return rss, pss


def main() -> None:
    proc = subprocess.Popen(sys.argv[1:], stdout=subprocess.DEVNULL)
    best_rss = best_pss = most = 0
    start = time.perf_counter()
    while proc.poll() is None:
        pids = tree(proc.pid)
        sizes = [rollup(p) for p in pids]
        best_rss = max(best_rss, sum(s[0] for s in sizes))
        best_pss = max(best_pss, sum(s[1] for s in sizes))
        most = max(most, len(pids))
        time.sleep(0.01)
    took = time.perf_counter() - start
    print(
        f"sum of RSS peak {best_rss / 1024:.1f} MiB, sum of PSS peak {best_pss / 1024:.1f} MiB "
        f"({most} processes at most), {took:.2f} s"
    )


if __name__ == "__main__":
    main()
