"""Cold first frames of one unit, several trees (and settings) side by side with the bare
Textual app (issue 23, tenth session): rounds of `chitieu screenshot`, each run with its
own cache folder emptied first, the order rotated each round; wall seconds, `wait4` peak
(the largest process) and CPU seconds (the process and its children) of each, and the
running tasks (`/proc/loadavg`) before each round. Prints median (min-max), and the ratios
per round to the bare app and to the tree named `before`.

    python3 benchmarks/coldtrees.py DATA ROUNDS NAME=SRC[:VAR=VALUE...] ...

e.g. `before=/tmp/x-before/src after=$PWD/src serial=$PWD/src:CHITIEU_WORKERS=1`.
"""

from __future__ import annotations

import os
import shutil
import statistics
import sys
import sysconfig
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
Run = tuple[float, float, float]


def run(cmd: list[str], env: dict[str, str]) -> Run:
    start = time.perf_counter()
    pid = os.fork()
    if pid == 0:  # the child: quiet, then the command
        null = os.open(os.devnull, os.O_WRONLY)
        os.dup2(null, 1)
        os.dup2(null, 2)
        os.execvpe(cmd[0], cmd, env)
    _, status, usage = os.wait4(pid, 0)
    if status != 0:
        raise SystemExit(f"{cmd} failed")
    cpu = usage.ru_utime + usage.ru_stime
    return time.perf_counter() - start, usage.ru_maxrss / 1024, cpu


def running() -> int:
    with open("/proc/loadavg", encoding="ascii") as f:
        return int(f.read().split()[3].split("/")[0])


def spread(xs: list[float]) -> str:
    return f"{statistics.median(xs):.3f} ({min(xs):.3f}-{max(xs):.3f})"


def main() -> None:
    data, rounds, trees = sys.argv[1], int(sys.argv[2]), sys.argv[3:]
    work = Path(tempfile.mkdtemp(prefix="coldtrees-"))
    env0 = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    script = Path(sysconfig.get_path("scripts")) / "chitieu"
    out = ["--output", str(work / "s.svg"), "--size", "120x40"]
    shot = [sys.executable, str(script), "screenshot", "--config", data, *out]
    bare = [sys.executable, str(HERE / "bare_app.py"), str(work / "b.svg"), "120x40"]
    cases: dict[str, tuple[list[str], dict[str, str]]] = {"bare": (bare, env0)}
    for tree in trees:
        name, rest = tree.split("=", 1)
        src, *settings = rest.split(":")
        env = {**env0, "PYTHONPATH": src, "CHITIEU_CACHE_DIR": str(work / f"c-{name}")}
        env.update(setting.split("=", 1) for setting in settings)  # type: ignore[misc]
        cases[name] = (shot, env)
    for cmd, env in cases.values():  # once each, not counted (the disk's cache warmed)
        run(cmd, env)
    got: dict[str, list[Run]] = {name: [] for name in cases}
    busy: list[int] = []
    names = list(cases)
    for r in range(rounds):
        busy.append(running())
        for name in names[r % len(names) :] + names[: r % len(names)]:
            cmd, env = cases[name]
            if "CHITIEU_CACHE_DIR" in env:
                shutil.rmtree(env["CHITIEU_CACHE_DIR"], ignore_errors=True)
            got[name].append(run(cmd, env))
    print(f"load {os.getloadavg()}, tasks running before each round {busy}")
    for name in names:
        runs = got[name]
        line = f"{name:10s} wall {spread([x[0] for x in runs])} s"
        line += f"  peak {spread([x[1] for x in runs])} MiB  cpu {spread([x[2] for x in runs])} s"
        for other in ("bare", "before"):
            if other in got and name not in (other, "bare"):
                ratios = [a[0] / b[0] for a, b in zip(runs, got[other], strict=True)]
                line += f"  / {other} {spread(ratios)}"
        print(line)
    shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
