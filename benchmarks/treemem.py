"""Run a command; every 10 ms, sum the memory of its whole process tree (RSS, and PSS: a
page shared by a forked worker and its parent counted once); print the peaks of the sums.
`wait4`'s peak (the runners') is the maximum of the processes, not their sum.
`--timeline`: every 5 ms instead, and also each process at the moment of the PSS sum's peak
(its PSS, private and shared pages) and the PSS of each process every 0.1 s: which process
holds what, when (issue 23, eleventh session).

    python3 benchmarks/treemem.py [--timeline] COMMAND...
"""

from __future__ import annotations

import os
import subprocess
import sys
import time

FIELDS = ("Rss", "Pss", "Private_Dirty", "Private_Clean", "Shared_Dirty", "Shared_Clean")


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


def sizes(pid: int) -> dict[str, int]:
    """The process's `smaps_rollup` figures of `FIELDS`, in KiB (empty: it ended)."""
    got: dict[str, int] = {}
    try:
        with open(f"/proc/{pid}/smaps_rollup", encoding="ascii") as f:
            for line in f:
                name = line.split(":", 1)[0]
                if name in FIELDS:
                    got[name] = int(line.split()[1])
    except OSError:
        pass
    return got


def rollup(pid: int) -> tuple[int, int]:
    got = sizes(pid)
    return got.get("Rss", 0), got.get("Pss", 0)


def mib(kib: int) -> str:
    return f"{kib / 1024:.1f}"


def main() -> None:
    timeline = sys.argv[1:2] == ["--timeline"]
    cmd = sys.argv[2:] if timeline else sys.argv[1:]
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL)
    best_rss = best_pss = most = 0
    rows: list[tuple[float, dict[int, dict[str, int]]]] = []
    start = time.perf_counter()
    while proc.poll() is None:
        pids = tree(proc.pid)
        seen = {p: sizes(p) for p in pids}
        best_rss = max(best_rss, sum(s.get("Rss", 0) for s in seen.values()))
        best_pss = max(best_pss, sum(s.get("Pss", 0) for s in seen.values()))
        most = max(most, len(pids))
        if timeline:
            rows.append((time.perf_counter() - start, seen))
        time.sleep(0.005 if timeline else 0.01)
    took = time.perf_counter() - start
    print(
        f"sum of RSS peak {mib(best_rss)} MiB, sum of PSS peak {mib(best_pss)} MiB "
        f"({most} processes at most), {took:.2f} s"
    )
    if not rows:
        return
    at, peak = max(rows, key=lambda r: sum(s.get("Pss", 0) for s in r[1].values()))
    print(f"at the PSS sum's peak ({at:.2f} s), each process (MiB):")
    for pid, s in peak.items():
        shared = s.get("Shared_Dirty", 0) + s.get("Shared_Clean", 0)
        private = s.get("Private_Dirty", 0) + s.get("Private_Clean", 0)
        print(f"  {pid}: PSS {mib(s.get('Pss', 0))}, private {mib(private)}, shared {mib(shared)}")
    print("PSS of each process (MiB), every 0.1 s:")
    last = -1.0
    for t, seen in rows:
        if t - last >= 0.1:
            last = t
            print(f"  {t:5.2f} s  " + "  ".join(mib(s.get("Pss", 0)) for s in seen.values()))


if __name__ == "__main__":
    main()
