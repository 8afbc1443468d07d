"""A cold first frame of one unit, this tree's worker against a tree before (issue 23,
eighth session): rounds of `chitieu screenshot` with the worker forced (`CHITIEU_WORKERS=2`),
the tree before, and the bare Textual app, the order rotated, each cold (its cache folder
removed first); wall seconds and `wait4` peak of each, and the count of running tasks
(`/proc/loadavg`) before it. Prints median (min-max) of the per-round ratios, for all
rounds and for those with no other task running (a core free).

    python3 benchmarks/coldpairs.py DATA_FOLDER ROUNDS --before TREE [--workers 2]
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import tempfile
from pathlib import Path

from coldtrees import run, running  # the same runner (this folder is on the path)

HERE = Path(__file__).resolve().parent
SHOT = "import sys; sys.argv[0] = 'chitieu'\nfrom chitieu_tui.cli import main; main()"


def spread(xs: list[float]) -> str:
    return f"{statistics.median(xs):.3f} ({min(xs):.3f}-{max(xs):.3f})"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("data")
    parser.add_argument("rounds", type=int)
    parser.add_argument("--before", required=True)
    parser.add_argument("--workers", default="2", help="CHITIEU_WORKERS of this tree")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="coldpairs-"))
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    out = ["--output", str(work / "s.svg"), "--size", "160x45"]
    shot = ["python3", "-c", SHOT, "screenshot", "--config", args.data, *out]
    caches = {"after": work / "c-after", "before": work / "c-before"}
    src = str(HERE.parent / "src")
    cases = {
        "after": (shot, {**env, "PYTHONPATH": src, "CHITIEU_WORKERS": args.workers}),
        "before": (shot, {**env, "PYTHONPATH": str(Path(args.before) / "src")}),
        "bare": (["python3", str(HERE / "bare_app.py"), str(work / "b.svg"), "160x45"], env),
    }
    for name, cache in caches.items():
        cases[name][1]["CHITIEU_CACHE_DIR"] = str(cache)
    rows: list[dict[str, tuple[float, float, int]]] = []
    names = list(cases)
    for i in range(args.rounds):
        row = {}
        for name in names[i % 3 :] + names[: i % 3]:
            for cache in caches.values():
                shutil.rmtree(cache, ignore_errors=True)
            tasks = running()
            wall, peak, _ = run(*cases[name])
            row[name] = (wall, peak, tasks)
        rows.append(row)
    quiet = [r for r in rows if all(v[2] <= 2 for v in r.values())]
    for label, chosen in (("all rounds", rows), ("rounds with a core free", quiet)):
        if not chosen:
            print(f"{label}: none")
            continue
        print(f"{label}: {len(chosen)}")
        print("  after / bare  ", spread([r["after"][0] / r["bare"][0] for r in chosen]))
        print("  before / bare ", spread([r["before"][0] / r["bare"][0] for r in chosen]))
        print("  after / before", spread([r["after"][0] / r["before"][0] for r in chosen]))
        for name in names:
            walls = [r[name][0] for r in chosen]
            peaks = [r[name][1] for r in chosen]
            print(f"  {name:7} {spread(walls)} s, wait4 peak {spread(peaks)} MiB")
    shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
