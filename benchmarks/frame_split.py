"""Where the first frame's time and memory go, in one process, phase by phase.

    PYTHONPATH=src python3 benchmarks/frame_split.py ROOT [--runs 5] [--memory]

ROOT is a data folder (`gen.py ROOT N`). Each run reads everything again (fresh `DataDir`,
the board cache emptied); every figure is median (min–max) over the runs. `--memory` runs
once more under tracemalloc and prints what each phase leaves allocated (Python objects
only; the process's RSS is higher: the interpreter, the imports, freed memory kept).
Not the whole first frame: no Textual, no drawing; `run.py --only scale` measures that.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path
from typing import Any

try:
    import tomli as toml
except ImportError:  # pragma: no cover
    import tomllib as toml  # type: ignore[no-redef]

from chitieu_tui.core import arithmetic
from chitieu_tui.core.filesource import FileSource
from chitieu_tui.core.source import build_view
from chitieu_tui.i18n import use
from chitieu_tui.present.cells import table_widths
from chitieu_tui.widgets.line_table import width_of


def phases(root: Path) -> list[tuple[str, Callable[[dict[str, Any]], Any]]]:
    files = sorted((root / "progress").glob("*.toml"))

    def parse_defs(s: dict[str, Any]) -> None:
        s["raw"] = toml.loads((root / "chitieu.toml").read_text(encoding="utf-8"))

    def parse_progress(s: dict[str, Any]) -> None:
        for p in files:  # one at a time, as the loader reads them
            toml.loads(p.read_text(encoding="utf-8"))

    def definitions(s: dict[str, Any]) -> None:
        s.pop("raw", None)
        s["src"] = FileSource(root)
        s["defs"] = s["src"].data.definitions()

    def progress(s: dict[str, Any]) -> None:
        data = s["src"].data
        for period in data.periods():
            data.progress(period, s["defs"])

    def board(s: dict[str, Any]) -> None:
        s["view0"] = build_view(s["src"].data, None, s["src"].origin, history=0)

    def history(s: dict[str, Any]) -> None:
        s["view"] = s["src"].load(None)

    def cards(s: dict[str, Any]) -> None:
        view = s["view"]
        for ind_id in view.board.definitions.dashboard.headline:
            for b in view.history:
                b.get(ind_id)

    def table(s: dict[str, Any]) -> None:
        s["widths"] = table_widths(s["view"].board.evaluations, width_of)

    return [
        ("tomli: chitieu.toml alone", parse_defs),
        ("tomli: the 8 progress files alone", parse_progress),
        ("definitions read and validated", definitions),
        ("8 progress files read and validated", progress),
        ("the quarter's board (evaluated)", board),
        ("the history's boards (5 quarters)", history),
        ("headline cards' trends (get)", cards),
        ("table: every row's widths, in bulk (texts only when drawn)", table),
    ]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("root", type=Path)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--memory", action="store_true")
    args = parser.parse_args()
    use("vi")
    names = [name for name, _ in phases(args.root)]
    times: dict[str, list[float]] = {name: [] for name in names}
    for _ in range(args.runs):
        arithmetic._BOARDS.clear()
        state: dict[str, Any] = {}
        for name, step in phases(args.root):
            start = time.perf_counter()
            step(state)
            times[name].append(time.perf_counter() - start)
        del state
    work = [name for name in names if not name.startswith("tomli")]  # the floor: apart
    total = [sum(run) for run in zip(*(times[n] for n in work), strict=True)]
    for name in names:
        xs = times[name]
        share = statistics.median(xs) / statistics.median(total) * 100
        print(
            f"{name:<40} {statistics.median(xs):7.3f} s ({min(xs):.3f}–{max(xs):.3f})"
            + ("" if name.startswith("tomli") else f"  {share:4.0f}%")
        )
    print(
        f"{'all but the tomli rows':<40} {statistics.median(total):7.3f} s "
        f"({min(total):.3f}–{max(total):.3f})"
    )
    if args.memory:
        arithmetic._BOARDS.clear()
        state = {}
        tracemalloc.start()
        for name, step in phases(args.root):
            tracemalloc.reset_peak()
            step(state)
            cur, peak = tracemalloc.get_traced_memory()
            print(f"{name:<40} held {cur / 2**20:6.1f} MiB, peak {peak / 2**20:6.1f} MiB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
