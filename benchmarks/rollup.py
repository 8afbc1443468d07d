"""The roll-up at scale: many units × 40 indicators from files (and over the API), against a
bare Textual app; see BENCHMARKS.md ("Many units"). Not a test: it asserts nothing.

    python3 benchmarks/rollup.py [--runs 5] [--units 150] [--big 1000,3321] [--big-runs 3]
        [--no-api | --api-only]
    python3 benchmarks/rollup.py --country [--runs 3] [--sizes 1,150,1000,3321] [--keep DIR]

    python3 benchmarks/rollup.py --scorecard [--before ab3669d] [--runs 5] [--sizes 5,150,3321]
    python3 benchmarks/rollup.py --cold-after [--before b31ca8a] [--runs 3] [--sizes 3321]

`--big 3321` is the country: Vietnam's 3,321 communes and wards × 40 indicators.

`--country` (issue 23): the parse floor, the roll-up's first frame cold (no parse cache) and
warm (second open, nothing changed) and `report --format json`, each before (the code at
`--before`, a commit) and after (this checkout), alternated, with peak RSS.

`--cold-after` (issue 23): after a cold open's frame made in workers, the time until every
unit is read and until Enter on the last unit shows its dashboard (`cold_after.py`).

`--scorecard` (issue 23, item 2): the roll-up's scorecard before (a DataTable, at
`--before`, default ab3669d) and after (the Line API widget, this checkout), both with a warm
parse cache of their own so that the table is what differs: the first frame
(`chitieu screenshot`) alternated with a bare Textual app, and keys timed in-process
(`rollup_keys.py`: End, Enter into the last unit, Esc, a sort, a filter).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from gen import generate  # noqa: E402
from plainmade import country as plain_country  # noqa: E402
from run import alternate, child_env, chitieu_cmd, parse_floor, run_child  # noqa: E402
from samplemade import country  # noqa: E402

SIZE = "120x40"
INDICATORS = 40
COUNTRY = 3321
"""Communes and wards of Vietnam (34 provinces), one unit folder each."""
SHAPE = "gen"
"""`gen` (gen.py's units), `sample` (the bundled collection's, with `targets/`), `sample-nt`."""


def make_collection(root: Path, units: int) -> Path:
    """`units` data folders of 40 indicators (gen.py's, each with its own id and seed)."""
    if SHAPE != "gen":
        root = root.with_name(f"{root.name}-{SHAPE}")
        if not root.exists() and SHAPE == "plain":
            plain_country(root, units)
        elif not root.exists():
            country(root, units, targets=SHAPE == "sample")
        return root
    template = root.with_name(root.name + "-template")
    if not template.exists():
        generate(template, INDICATORS)
    root.mkdir(parents=True, exist_ok=True)
    for u in range(units):
        folder = root / f"u{u:04d}"
        if folder.exists():
            continue
        shutil.copytree(template, folder)
        for f in [folder / "chitieu.toml", *(folder / "progress").glob("*.toml")]:
            text = f.read_text(encoding="utf-8")
            text = text.replace('id = "quan"', f'id = "u{u:04d}"')
            text = text.replace('unit = "quan"', f'unit = "u{u:04d}"')
            f.write_text(text, encoding="utf-8")
    return root


def show(name: str, values: list[float], unit: str, goal: str = "") -> None:
    med = statistics.median(values)
    fmt = (lambda x: f"{x:.2f}") if unit != "MiB" else (lambda x: f"{x:.0f}")
    extra = f"   goal {goal}" if goal else ""
    print(f"  {name:<52} {fmt(med)} {unit} ({fmt(min(values))}–{fmt(max(values))}){extra}")


def bench_files(runs: int, work: Path, env: dict[str, str], units: int) -> None:
    root = make_collection(work / f"c{units}", units)
    print(f"\n{units} units × {INDICATORS} indicators from files, {SIZE} ({runs} runs, alternated)")
    shot = [*chitieu_cmd(), "screenshot", "--config", str(root), "-o", str(work / "r.svg"),
            "--size", SIZE]  # fmt: skip
    bare = [sys.executable, str(HERE / "bare_app.py"), str(work / "b.svg"), SIZE]
    report = [*chitieu_cmd(), "report", "--config", str(root), "--format", "json"]
    for cmd in (shot, bare, report):
        run_child(cmd, env, work)
    t_s, t_b, m_s, m_b, ratio, t_r = [], [], [], [], [], []
    for i in range(runs):
        order = [(bare, t_b, m_b), (shot, t_s, m_s)]
        if i % 2:
            order.reverse()
        got = {}
        for cmd, times, mems in order:
            s, mib, _ = run_child(cmd, env, work)
            times.append(s)
            mems.append(mib)
            got[id(times)] = s
        ratio.append(got[id(t_s)] / got[id(t_b)])
        t_r.append(run_child(report, env, work)[0])
    show("bare Textual app (Static + screenshot)", t_b, "s")
    show("chitieu screenshot of the roll-up (first frame)", t_s, "s")
    show(
        "  ratio roll-up / bare (per pair)", ratio, "×", "≤ 2×"
    )  # issue 23: 150 units ≤ 2× the bare app
    show("  peak RSS bare", m_b, "MiB")
    show("  peak RSS roll-up", m_s, "MiB", "≤ 200 MiB")
    show("chitieu report --format json (collection)", t_r, "s")


def bench_big(work: Path, env: dict[str, str], units: int, runs: int) -> None:
    """The roll-up's first frame of `units` units, alternated with the parse floor (every
    TOML file of the collection parsed in one process, nothing else); then `report`."""
    root = make_collection(work / f"c{units}", units)
    files = sum(1 for _ in root.rglob("*.toml"))
    print(f"\n{units} units × {INDICATORS} indicators from files ({files} files, {runs} runs)")
    shot = [*chitieu_cmd(), "screenshot", "--config", str(root), "-o", str(work / "big.svg"),
            "--size", SIZE]  # fmt: skip
    report = [*chitieu_cmd(), "report", "--config", str(root), "--format", "json"]
    floor = parse_floor(root)
    for cmd in (floor, shot):  # warm: page cache, bytecode
        run_child(cmd, env, work)
    got = alternate({"parse": (floor, env), "shot": (shot, env)}, runs, work)
    show("parse floor (every file, tomli, one process)", [x[0] for x in got["parse"]], "s")
    show("chitieu screenshot of the roll-up (first frame)", [x[0] for x in got["shot"]], "s")
    ratio = [a[0] / b[0] for a, b in zip(got["shot"], got["parse"], strict=True)]
    show("  ratio to the parse floor (per round)", ratio, "×", "≤ 1.2× cold")
    show("  peak RSS", [x[1] for x in got["shot"]], "MiB")
    show("  peak RSS of the parse floor", [x[1] for x in got["parse"]], "MiB")
    s, mib, out = run_child(report, env, work)
    show(f"chitieu report --format json ({len(out.encode()) / 1e6:.0f} MB out, one run)", [s], "s")
    show("  peak RSS", [mib], "MiB", "≤ 200 MiB")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextlib.contextmanager
def serving(root: Path, env: dict[str, str], work: Path, bulk: bool = True) -> Iterator[int]:
    """`chitieu serve` (or, `bulk=False`, the same app without the bulk route)."""
    port = _free_port()
    cmd = [*chitieu_cmd(), "serve", "--config", str(root), "--port", str(port)]
    if not bulk:
        cmd = [sys.executable, str(HERE / "serve_app.py"), str(root), str(port)]
    proc = subprocess.Popen(
        cmd, env=env, cwd=work, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    try:
        for _ in range(200):
            with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), 0.1):
                break
            time.sleep(0.05)
        yield port
    finally:
        proc.terminate()
        proc.wait()


def bench_api(runs: int, work: Path, env: dict[str, str], units: int) -> None:
    """First frame over the API: a server with the bulk route (one request) and one with
    per-unit routes only (the client's fallback: 3 requests a unit, 8 units at a time),
    each run alternated with the bare app."""
    root = make_collection(work / f"c{units}", units)
    print(f"\n{units} units over the API on 127.0.0.1, {SIZE} ({runs} runs, alternated)")
    bare = [sys.executable, str(HERE / "bare_app.py"), str(work / "b.svg"), SIZE]
    with serving(root, env, work) as port, serving(root, env, work, bulk=False) as port_old:
        cmds = {}
        for name, p in (("bulk", port), ("per-unit", port_old)):
            cmds[name] = [*chitieu_cmd(), "screenshot", "--api", f"http://127.0.0.1:{p}",
                          "-o", str(work / "a.svg"), "--size", SIZE,
                          "--snapshots", str(work / "snaps")]  # fmt: skip
            run_child(cmds[name], env, work)  # warms the server; writes the snapshots once
        t_b: list[float] = []
        t: dict[str, list[float]] = {name: [] for name in cmds}
        ratio: dict[str, list[float]] = {name: [] for name in cmds}
        mem: dict[str, list[float]] = {name: [] for name in cmds}
        for i in range(runs):
            b = run_child(bare, env, work)[0]
            t_b.append(b)
            for name in sorted(cmds, reverse=bool(i % 2)):
                a, mib, _ = run_child(cmds[name], env, work)
                t[name].append(a)
                mem[name].append(mib)
                ratio[name].append(a / b)
    show("bare Textual app (Static + screenshot)", t_b, "s")
    for name in ("per-unit", "bulk"):
        show(f"chitieu screenshot --api, {name} (first frame)", t[name], "s")
        show(f"  ratio to bare, {name}", ratio[name], "×", "≤ 12×")
        show(f"  peak RSS, {name}", mem[name], "MiB")


def bench_change(units: int, work: Path) -> None:
    """In-process: one unit's file changes; its read, and the screen shown again."""
    from chitieu_tui.app import ChitieuApp
    from chitieu_tui.core.collection import open_folder

    root = make_collection(work / f"c{units}", units)
    print(f"\nA change in one of {units} units, in-process (15 runs)")

    async def go() -> tuple[list[float], list[float], list[float]]:
        collection = open_folder(root)
        collection.load()
        app = ChitieuApp(None, None, collection=collection, preloaded=True)
        reads, shows, stamps = [], [], []
        async with app.run_test(size=(120, 40)) as pilot:
            await pilot.pause()
            target = collection.members[units // 2]
            path = root / target.key / "progress" / f"{collection.period}.toml"
            for i in range(15):
                text = path.read_text(encoding="utf-8")
                path.write_text(text.replace("ct-0 = ", f"ct-0 = {i}", 1), encoding="utf-8")
                t0 = time.perf_counter()
                due = collection.due()
                t1 = time.perf_counter()
                await collection.aload(collection.period, None, due)
                t2 = time.perf_counter()
                app.screen.show(collection)  # type: ignore[attr-defined]
                await pilot.pause()
                t3 = time.perf_counter()
                stamps.append((t1 - t0) * 1000)
                reads.append((t2 - t1) * 1000)
                shows.append((t3 - t2) * 1000)
                path.write_text(text, encoding="utf-8")
                await collection.aload(collection.period, None, collection.due())
        return stamps, reads, shows

    stamps, reads, shows = asyncio.run(go())
    show("stat fingerprints of every unit (one poll)", stamps, "ms")
    show("read the changed unit", reads, "ms")
    show("roll-up shown again after the read", shows, "ms", "≤ 100 ms")


FLOOR = (
    "import sys, pathlib, tomli\n"
    "for p in sorted(pathlib.Path(sys.argv[1]).rglob('*.toml')):\n"
    "    tomli.loads(p.read_text(encoding='utf-8'))\n"
)
"""The parse floor: every TOML file of the collection parsed with tomli in one process."""


def before_tree(work: Path, commit: str) -> Path:
    """`src/` of `commit` (the code before), exported from git into `work`."""
    dest = work / f"before-{commit[:12]}"
    if not (dest / "src").is_dir():
        dest.mkdir(parents=True, exist_ok=True)
        archive = subprocess.run(
            ["git", "-C", str(HERE.parent), "archive", commit, "src"],
            check=True,
            capture_output=True,
        ).stdout
        subprocess.run(["tar", "-x", "-C", str(dest)], input=archive, check=True)
    return dest / "src"


def bench_country(
    runs: int,
    work: Path,
    env: dict[str, str],
    sizes: list[int],
    commit: str,
    before_cache: bool = False,
    frames: bool = True,
) -> None:
    """Before/after at each size, every run alternating the commands (ratios per run).
    `before_cache`: the before tree has a parse cache too (its own, warm: a commit that has
    one), and `report` is also run cold after. `frames` False: `report` and the floor only."""
    old = dict(env, PYTHONPATH=str(before_tree(work, commit)), CHITIEU_CACHE="off")
    if before_cache:
        old = dict(old, CHITIEU_CACHE="on", CHITIEU_CACHE_DIR=str(work / "parse-cache-before"))
    for units in sizes:
        cache = work / f"parse-cache-{units}"  # one a size: "exists" means this size's is warm
        new = dict(env, CHITIEU_CACHE_DIR=str(cache))
        root = make_collection(work / f"c{units}", units)
        files = sum(1 for _ in root.rglob("*.toml"))
        print(f"\n{units} units × {INDICATORS} ({files} files), {SIZE}, {runs} runs, alternated")
        shot = [*chitieu_cmd(), "screenshot", "--config", str(root), "-o", str(work / "s.svg"),
                "--size", SIZE]  # fmt: skip
        report = [*chitieu_cmd(), "report", "--config", str(root), "--format", "json"]
        floor = [sys.executable, "-c", FLOOR, str(root)]
        bare = [sys.executable, str(HERE / "bare_app.py"), str(work / "b.svg"), SIZE]
        rows: dict[str, tuple[list[float], list[float]]] = {}

        def run(name: str, cmd: list[str], e: dict[str, str], rows: dict[str, Any] = rows) -> float:
            s, mib, _ = run_child(cmd, e, work)
            t, m = rows.setdefault(name, ([], []))
            t.append(s)
            m.append(mib)
            return s

        def cold(cache: Path = cache) -> None:
            shutil.rmtree(cache, ignore_errors=True)

        run_child(shot if frames else report, old, work)  # bytecode, page cache, before's cache
        for i in range(runs):
            steps = ["floor", "bare", "before", "cold", "warm", "rep-before", "rep-after"]
            if not frames:
                steps = ["floor", "rep-before", "rep-after"]
            if before_cache:
                steps.append("rep-cold")
            if i % 2:
                steps.reverse()
            got: dict[str, float] = {}
            for step in steps:
                if step == "floor":
                    got[step] = run("parse floor (tomli, every file, one process)", floor, env)
                elif step == "bare":
                    got[step] = run("bare Textual app", bare, env)
                elif step == "before":
                    got[step] = run("first frame, before", shot, old)
                elif step == "cold":
                    cold()
                    got[step] = run("first frame, after, cold (no cache)", shot, new)
                elif step == "warm":
                    if not (cache / "rows").is_dir():  # the roll-up's frame too (`report`
                        run_child(shot, new, work)  # fills only the parse cache): first open
                    got[step] = run("first frame, after, warm (second open)", shot, new)
                elif step == "rep-before":
                    got[step] = run("report --format json, before", report, old)
                elif step == "rep-cold":
                    cold()
                    got[step] = run("report --format json, after, cold (no cache)", report, new)
                else:
                    if not (cache / "parsed").is_dir():  # a cold roll-up made in workers
                        run_child(report, new, work)  # leaves none: `report` fills it
                    got[step] = run("report --format json, after (warm cache)", report, new)
            for name, num, den in (
                ("ratio before / floor", "before", "floor"),
                ("ratio cold / floor", "cold", "floor"),
                ("ratio cold / before", "cold", "before"),
                ("ratio warm / before", "warm", "before"),
                ("ratio warm / bare app", "warm", "bare"),
                ("ratio report after / before", "rep-after", "rep-before"),
                ("ratio report after / floor", "rep-after", "floor"),
                *([("ratio report cold / floor", "rep-cold", "floor")] if before_cache else []),
            ):
                if num not in got or den not in got:
                    continue
                rows.setdefault(name, ([], []))[0].append(got[num] / got[den])
        for name, (times, mems) in rows.items():
            if name.startswith("ratio"):
                show("  " + name, times, "×")
            else:
                show(name, times, "s")
                show("  peak RSS", mems, "MiB")


KEYS = ("End", "Enter (last unit)", "Esc (back)", "o (sort by name)", "filter (one unit)")


def bench_scorecard(
    runs: int, work: Path, env: dict[str, str], sizes: list[int], commit: str
) -> None:
    """The scorecard before and after at each size, alternated (ratios per run)."""
    old = dict(env, PYTHONPATH=str(before_tree(work, commit)))
    old["CHITIEU_CACHE_DIR"] = str(work / "cache-before")
    new = dict(env, CHITIEU_CACHE_DIR=str(work / "cache-after"))
    bare = [sys.executable, str(HERE / "bare_app.py"), str(work / "b.svg"), SIZE]
    for units in sizes:
        root = make_collection(work / f"c{units}", units)
        print(f"\n{units} units × {INDICATORS}, {SIZE}, warm parse caches, {runs} runs, alternated")
        shot = [*chitieu_cmd(), "screenshot", "--config", str(root), "-o", str(work / "s.svg"),
                "--size", SIZE]  # fmt: skip
        keys = [sys.executable, str(HERE / "rollup_keys.py"), str(root)]
        for e in (old, new):  # bytecode, page cache, and each side's parse cache filled
            run_child(shot, e, work)
        got = alternate(
            {"bare": (bare, env), "before": (shot, old), "after": (shot, new)}, runs, work
        )
        show("bare Textual app", [x[0] for x in got["bare"]], "s")
        for side in ("before", "after"):
            show(f"roll-up first frame, {side}", [x[0] for x in got[side]], "s")
            show("  peak RSS", [x[1] for x in got[side]], "MiB")
        for a, b in (("after", "before"), ("before", "bare"), ("after", "bare")):
            ratio = [x[0] / y[0] for x, y in zip(got[a], got[b], strict=True)]
            show(f"  ratio {a} / {b} (per round)", ratio, "×")
        timings: dict[str, dict[str, list[float]]] = {"before": {}, "after": {}}
        for i in range(runs):
            for side in ("before", "after") if i % 2 == 0 else ("after", "before"):
                _, _, out = run_child(keys, old if side == "before" else new, work)
                for name, secs in json.loads(out).items():
                    timings[side].setdefault(name, []).append(secs)
        for name in ("load", "first frame (in-process)", *KEYS):
            for side in ("before", "after"):
                show(f"{name}, {side}", timings[side][name], "s")


def bench_cold_after(
    runs: int, work: Path, env: dict[str, str], sizes: list[int], commit: str
) -> None:
    """After a cold open's frame, before and after (`cold_after.py`, alternated): every
    unit read, and End and Enter on the last unit pressed at once, from the app's start."""
    old = dict(env, PYTHONPATH=str(before_tree(work, commit)))
    old["CHITIEU_CACHE_DIR"] = str(work / "cache-after-before")
    new = dict(env, CHITIEU_CACHE_DIR=str(work / "cache-after-after"))
    for units in sizes:
        root = make_collection(work / f"c{units}", units)
        print(f"\n{units} units, cold open (no parse cache), {runs} runs, alternated")
        timings: dict[str, dict[str, list[float]]] = {"before": {}, "after": {}}
        for i in range(runs):
            for what in ("all", "enter"):
                sides = ("before", "after") if i % 2 == 0 else ("after", "before")
                for side in sides:
                    cmd = [sys.executable, str(HERE / "cold_after.py"), str(root), what]
                    _, _, out = run_child(cmd, old if side == "before" else new, work)
                    for name, secs in json.loads(out).items():
                        timings[side].setdefault(name, []).append(secs)
        for name in timings["after"]:
            for side in ("before", "after"):
                show(f"{name}, {side}", timings[side][name], "s")
            pairs = zip(timings["after"][name], timings["before"][name], strict=True)
            show("  ratio after / before (per round)", [a / b for a, b in pairs], "×")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--country", action="store_true", help="issue 23: before/after")
    parser.add_argument("--scorecard", action="store_true", help="the scorecard before/after")
    parser.add_argument(
        "--cold-after", action="store_true", help="after a cold frame: the read, Enter"
    )
    parser.add_argument("--sizes", default="1,150,1000,3321")
    parser.add_argument(
        "--before", help="the commit measured as before (6afebf1; --scorecard: ab3669d)"
    )
    parser.add_argument(
        "--before-cache",
        action="store_true",
        help="--country: the before commit has a parse cache (warm, its own); report cold too",
    )
    parser.add_argument(
        "--no-frames", action="store_true", help="--country: only the floor and `report`"
    )
    parser.add_argument("--keep", type=Path, help="generate into (and reuse) this folder")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument(
        "--shape",
        choices=("gen", "sample", "sample-nt", "plain"),
        default="gen",
        help="units made by gen.py, from the bundled collection (with or without targets/), "
        "or by plainmade.py (40 indicators, one progress file)",
    )
    parser.add_argument("--units", type=int, default=150)
    parser.add_argument(
        "--big",
        default="1000",
        help=f"unit counts measured against the parse floor ({COUNTRY}: the country)",
    )
    parser.add_argument("--big-runs", type=int, default=3)
    parser.add_argument("--no-api", action="store_true")
    parser.add_argument("--api-only", action="store_true", help="only the API's first frame")
    args = parser.parse_args()
    global SHAPE
    SHAPE = args.shape
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp) if args.keep is None else args.keep.resolve()
        work.mkdir(parents=True, exist_ok=True)
        env = child_env(work / "xdg")
        # this checkout's code, not another editable install's
        env["PYTHONPATH"] = str(HERE.parent / "src")
        sys.path.insert(0, str(HERE.parent / "src"))
        if args.country:
            sizes = [int(x) for x in args.sizes.split(",")]
            bench_country(
                args.runs,
                work,
                env,
                sizes,
                args.before or "6afebf1",
                args.before_cache,
                not args.no_frames,
            )
            return 0
        if args.cold_after:
            sizes = [int(x) for x in args.sizes.split(",")]
            bench_cold_after(args.runs, work, env, sizes, args.before or "b31ca8a")
            return 0
        if args.scorecard:
            sizes = [int(x) for x in args.sizes.split(",")]
            bench_scorecard(args.runs, work, env, sizes, args.before or "ab3669d")
            return 0
        if not args.api_only:
            bench_files(args.runs, work, env, args.units)
            bench_change(args.units, work)
        if not args.no_api:
            bench_api(args.runs, work, env, args.units)
        if args.big and not args.api_only:
            for units in (int(x) for x in args.big.split(",") if x.strip()):
                bench_big(work, env, units, args.big_runs)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
