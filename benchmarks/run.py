"""Benchmarks of chitieu-tui against the floor of its stack; see BENCHMARKS.md.

    python3 benchmarks/run.py [--quick] [--only startup,scale,refresh,api,floors]
        [--sizes 20,500,5000,20000,50000] [--before TREE] [--first-frame-only] [--json FILE]

Every figure is the median of several runs, with min–max. Nothing here is a test: no
figure fails anything; the goals are printed beside the figures for the reader.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import dataclasses
import datetime as dt
import functools
import json
import os
import platform
import re
import resource
import shutil
import socket
import statistics
import subprocess
import sys
import sysconfig
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from gen import generate  # noqa: E402
from plainmade import unit as plain_unit  # noqa: E402
from samplemade import unit as sample_unit  # noqa: E402

SIZES = (20, 500, 5000, 20000, 50000)
SHAPE = "gen"
"""Scale data: `gen` (gen.py's unit) or `sample` (the bundled sample's indicators copied)."""
SIZE = "120x40"


# ---------------------------------------------------------------------------------------
# figures


@dataclasses.dataclass
class Figure:
    """One measured quantity: all samples, summarised as median (min–max)."""

    name: str
    unit: str
    samples: list[float]
    goal: str = ""

    @property
    def median(self) -> float:
        return statistics.median(self.samples)

    def text(self) -> str:
        fmt = _fmt(self.unit)
        lo, hi = min(self.samples), max(self.samples)
        return f"{fmt(self.median)} ({fmt(lo)}–{fmt(hi)}) {self.unit}"

    def as_json(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "unit": self.unit,
            "median": self.median,
            "min": min(self.samples),
            "max": max(self.samples),
            "n": len(self.samples),
            "goal": self.goal,
        }


def _fmt(unit: str) -> Callable[[float], str]:
    if unit == "s":
        return lambda x: f"{x:.3f}"
    if unit in ("ms", "×"):
        return lambda x: f"{x:.2f}" if x < 10 else f"{x:.1f}"
    if unit == "MiB":
        return lambda x: f"{x:.1f}"
    return lambda x: f"{x:,.0f}"


FIGURES: list[Figure] = []


def record(name: str, unit: str, samples: Sequence[float], goal: str = "") -> Figure:
    fig = Figure(name, unit, list(samples), goal)
    FIGURES.append(fig)
    note = f"   [goal: {goal}]" if goal else ""
    print(f"  {name:<58} {fig.text()}{note}", flush=True)
    return fig


# ---------------------------------------------------------------------------------------
# child processes


def child_env(xdg: Path) -> dict[str, str]:
    """The environment of measured processes.

    Bytecode may be written (this sandbox sets PYTHONDONTWRITEBYTECODE=1, which would charge
    chitieu, installed editable from src/, a recompile on every start that no installed
    wheel pays); snapshots and the parse cache go to temporary XDG folders (never the
    user's own cache: a run would leave 150 MB there, keyed to folders gone); no proxy.
    """
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    env["XDG_DATA_HOME"] = str(xdg)
    env["XDG_CACHE_HOME"] = str(xdg / "cache")
    env.pop("CHITIEU_CACHE_DIR", None)  # the runs that need one set their own
    if env.get("PYTHONPATH"):  # children run in a temporary folder: `src` must stay found
        parts = env["PYTHONPATH"].split(os.pathsep)
        env["PYTHONPATH"] = os.pathsep.join(str(Path(x).resolve()) for x in parts if x)
    for k in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy", "all_proxy"):
        env.pop(k, None)
    env["NO_PROXY"] = "127.0.0.1"
    return env


def chitieu_cmd() -> list[str]:
    """The installed `chitieu` console script, run by this interpreter (no shim in between)."""
    script = Path(sysconfig.get_path("scripts")) / "chitieu"
    if script.is_file():
        return [sys.executable, str(script)]
    return [sys.executable, "-m", "chitieu_tui"]


LAUNCH = HERE / "launch.py"


def run_child(cmd: Sequence[str], env: dict[str, str], cwd: Path) -> tuple[float, float, str]:
    """Run to completion: (wall seconds, peak RSS in MiB of that child, stdout).

    The command is started by `launch.py`, a fresh small process that forks and execs it
    and reports the child's own `wait4` figures: started directly from this runner, the
    child's `ru_maxrss` would include the runner's memory at fork time.
    """
    read_fd, write_fd = os.pipe()
    try:
        with tempfile.TemporaryFile() as out:
            proc = subprocess.Popen(
                [sys.executable, "-I", "-S", str(LAUNCH), str(write_fd), *cmd],
                stdout=out,
                stderr=subprocess.PIPE,
                env=env,
                cwd=cwd,
                pass_fds=(write_fd,),
            )
            os.close(write_fd)
            write_fd = -1
            err = proc.stderr.read().decode(errors="replace") if proc.stderr else ""
            proc.wait()
            if proc.stderr:
                proc.stderr.close()
            report = b""
            while chunk := os.read(read_fd, 4096):
                report += chunk
            out.seek(0)
            text = out.read().decode(errors="replace")
    finally:
        os.close(read_fd)
        if write_fd >= 0:
            os.close(write_fd)
    elapsed, maxrss_kib, code = report.decode().split()
    if int(code) != 0:
        raise RuntimeError(f"{' '.join(cmd)} exited {code}:\n{err}")
    return float(elapsed), int(maxrss_kib) / 1024, text


def alternate(
    cmds: dict[str, tuple[Sequence[str], dict[str, str]]],
    runs: int,
    cwd: Path,
    prepare: dict[str, Callable[[], None]] | None = None,
) -> dict[str, list[tuple[float, float]]]:
    """Run every command once per round, the order rotated each round (so that none always
    runs first or after the same neighbour): {name: [(seconds, peak MiB) per round]}.
    `prepare[name]`, when given, runs (unmeasured) before each run of `name`."""
    names = list(cmds)
    out: dict[str, list[tuple[float, float]]] = {name: [] for name in names}
    for i in range(runs):
        k = i % len(names)
        for name in names[k:] + names[:k]:
            cmd, env = cmds[name]
            if prepare and name in prepare:
                prepare[name]()
            s, mib, _ = run_child(cmd, env, cwd)
            out[name].append((s, mib))
    return out


def per_round(got: dict[str, list[tuple[float, float]]], a: str, b: str) -> list[float]:
    """Per round: the time of `a` over the time of `b`."""
    return [x[0] / y[0] for x, y in zip(got[a], got[b], strict=True)]


PARSE_FLOOR = """
import sys
from pathlib import Path
try:
    import tomli as toml
except ImportError:
    import tomllib as toml
for path in sorted(Path(sys.argv[1]).rglob("*.toml")):
    toml.loads(path.read_text(encoding="utf-8"))
"""
"""The parse floor: every TOML file of a folder parsed in one process (tomli, compiled, as
chitieu reads them; tomllib when tomli is missing) and nothing else."""


def parse_floor(root: Path) -> list[str]:
    """The command of the parse floor of `root`."""
    return [sys.executable, "-c", PARSE_FLOOR, str(root)]


def before_env(env: dict[str, str], before: Path | None) -> dict[str, str] | None:
    """The environment running the `before` tree's src (None without --before)."""
    if before is None:
        return None
    return {**env, "PYTHONPATH": str((before / "src").resolve())}


# ---------------------------------------------------------------------------------------
# 1. start-up against a bare Textual app


def bench_startup(runs: int, work: Path, env: dict[str, str], before: Path | None = None) -> None:
    print(f"\n1. Start-up on the bundled sample, {SIZE}, whole process ({runs} runs, alternated)")
    chitieu = [*chitieu_cmd(), "screenshot", "--output", str(work / "c.svg"), "--size", SIZE]
    bare = [sys.executable, str(HERE / "bare_app.py"), str(work / "b.svg"), SIZE]
    tomllib = [sys.executable, "-c", "import tomllib"]
    report = [*chitieu_cmd(), "report", "--format", "json"]
    check = [*chitieu_cmd(), "check"]
    for cmd in (chitieu, bare, tomllib, report, check):  # warm: bytecode, page cache
        run_child(cmd, env, work)
    t_c, t_b, m_c, m_b, ratios = [], [], [], [], []
    t_t, t_r, t_k, r_r, r_k = [], [], [], [], []
    for i in range(runs):
        pair = [(bare, t_b, m_b), (chitieu, t_c, m_c)]
        if i % 2:
            pair.reverse()
        got = {}
        for cmd, times, mems in pair:
            s, mib, _ = run_child(cmd, env, work)
            times.append(s)
            mems.append(mib)
            got[id(times)] = s
        ratios.append(got[id(t_c)] / got[id(t_b)])
        s_t, _, _ = run_child(tomllib, env, work)
        s_r, _, _ = run_child(report, env, work)
        s_k, _, _ = run_child(check, env, work)
        t_t.append(s_t)
        t_r.append(s_r)
        t_k.append(s_k)
        r_r.append(s_r / s_t)
        r_k.append(s_k / s_t)
    record("bare Textual app: Static + screenshot", "s", t_b)
    record("chitieu screenshot (sample)", "s", t_c)
    record("  ratio chitieu / bare (per pair)", "×", ratios, "≤ 1.5× (aim 1.3×)")
    record("  peak RSS bare", "MiB", m_b)
    record("  peak RSS chitieu", "MiB", m_c)
    record('python -c "import tomllib"', "s", t_t)
    record("chitieu report --format json (sample)", "s", t_r)
    record("  ratio report / import tomllib", "×", r_r, "≤ 2×")
    record("chitieu check (sample)", "s", t_k)
    record("  ratio check / import tomllib", "×", r_k, "≤ 3×")
    benv = before_env(env, before)
    if benv is not None:
        print(f"  before = {before}, alternated with this tree and the floors ({runs} rounds)")
        got = alternate(
            {
                "bare": (bare, env),
                "tomllib": (tomllib, env),
                "shot": (chitieu, env),
                "shot-before": (chitieu, benv),
                "report": (report, env),
                "report-before": (report, benv),
            },
            runs,
            work,
        )
        record(
            "  before: screenshot / bare (per round)", "×", per_round(got, "shot-before", "bare")
        )
        record("  after:  screenshot / bare (per round)", "×", per_round(got, "shot", "bare"))
        record("  before: report / import tomllib", "×", per_round(got, "report-before", "tomllib"))
        record("  after:  report / import tomllib", "×", per_round(got, "report", "tomllib"))
        record("  after / before, screenshot", "×", per_round(got, "shot", "shot-before"))
        record("  after / before, report", "×", per_round(got, "report", "report-before"))


# ---------------------------------------------------------------------------------------
# 2. scale


SCALE_GOALS = {5000: ("≤ 2×", ""), 50000: ("≤ 6×", "≤ 150 MiB")}
"""Goals of issue 23 for the first frame (ratio to the bare app) and its peak memory."""


def bench_scale(
    runs: int,
    work: Path,
    env: dict[str, str],
    sizes: Sequence[int],
    before: Path | None = None,
    first_frame_only: bool = False,
) -> None:
    print(f"\n2. Scale: generated data, 8 quarters of progress ({runs} runs each)")
    bare = [sys.executable, str(HERE / "bare_app.py"), str(work / "b.svg"), SIZE]
    run_child(bare, env, work)
    benv = before_env(env, before)
    for n in sizes:
        if SHAPE == "gen":
            root = generate(work / f"scale-{n}", n)
        elif SHAPE == "plain":
            root = plain_unit(work / f"scale-{n}-plain", n)
        else:
            root = sample_unit(work / f"scale-{n}-sample", n)
        cfg = ["--config", str(root)]
        shot = [
            *chitieu_cmd(),
            "screenshot",
            *cfg,
            "--output",
            str(work / f"s{n}.svg"),
            "--size",
            SIZE,
        ]
        cmds = {
            "report --format json": [*chitieu_cmd(), "report", *cfg, "--format", "json"],
            "check": [*chitieu_cmd(), "check", *cfg],
            "snapshot": [*chitieu_cmd(), "snapshot", *cfg],
        }
        size_mb = (root / "chitieu.toml").stat().st_size / 1e6
        floor = parse_floor(root)
        for cmd in (shot, floor, *([] if first_frame_only else cmds.values())):
            run_child(cmd, env, work)
        # the first frame, alternated with the bare Textual app and the parse floor (and the
        # tree before, with --before): ratios per round
        # "shot" is the second open (the unit's parse cache filled by the run above);
        # "cold" starts each run with no cache (it reads every file and fills the cache)
        warm_cache, cold_cache = work / f"cache-{n}", work / f"cold-cache-{n}"
        wenv = {**env, "CHITIEU_CACHE_DIR": str(warm_cache)}
        cenv = {**env, "CHITIEU_CACHE_DIR": str(cold_cache)}
        run_child(shot, wenv, work)
        rounds: dict[str, tuple[Sequence[str], dict[str, str]]] = {
            "bare": (bare, env),
            "parse": (floor, env),
            "shot": (shot, wenv),
            "cold": (shot, cenv),
        }
        prepare = {"cold": functools.partial(shutil.rmtree, cold_cache, ignore_errors=True)}
        if benv is not None:
            run_child(shot, benv, work)
            rounds["before"] = (shot, benv)
            # the tree before, cold too (its own cache folder, removed before each run)
            before_cold = work / f"before-cold-cache-{n}"
            rounds["before cold"] = (shot, {**benv, "CHITIEU_CACHE_DIR": str(before_cold)})
            prepare["before cold"] = functools.partial(
                shutil.rmtree, before_cold, ignore_errors=True
            )
        got = alternate(rounds, runs, work, prepare)
        goal_ratio, goal_mem = SCALE_GOALS.get(n, ("", ""))
        label = f"{n:>5} indicators ({size_mb:.2f} MB definitions)"
        record(
            f"{label}: screenshot (first frame, whole process, second open)",
            "s",
            [x[0] for x in got["shot"]],
        )
        record(f"{n:>5} indicators: cold (no parse cache yet)", "s", [x[0] for x in got["cold"]])
        record(
            f"{n:>5} indicators:   cold: ratio to the bare app (per round)",
            "×",
            per_round(got, "cold", "bare"),
        )
        record(f"{n:>5} indicators:   cold: peak RSS", "MiB", [x[1] for x in got["cold"]])
        record(
            f"{n:>5} indicators:   ratio to the bare app (per round)",
            "×",
            per_round(got, "shot", "bare"),
            goal_ratio,
        )
        record(
            f"{n:>5} indicators:   ratio to the parse floor (per round)",
            "×",
            per_round(got, "shot", "parse"),
        )
        record(f"{n:>5} indicators:   peak RSS", "MiB", [x[1] for x in got["shot"]], goal_mem)
        record(
            f"{n:>5} indicators: parse floor (every file, tomli, one process)",
            "s",
            [x[0] for x in got["parse"]],
        )
        if "before" in got:
            for side in ("before", "before cold"):
                record(f"{n:>5} indicators: {side}: screenshot", "s", [x[0] for x in got[side]])
                record(
                    f"{n:>5} indicators: {side}:   ratio to the bare app",
                    "×",
                    per_round(got, side, "bare"),
                )
                record(f"{n:>5} indicators: {side}:   peak RSS", "MiB", [x[1] for x in got[side]])
            for mine, side in (("shot", "before"), ("cold", "before"), ("cold", "before cold")):
                record(
                    f"{n:>5} indicators: {'after' if mine == 'shot' else mine} / {side} (per round)",
                    "×",
                    per_round(got, mine, side),
                )
        if first_frame_only:
            continue
        for name, cmd in cmds.items():
            times, mems = [], []
            for _ in range(runs):
                s, mib, _ = run_child(cmd, env, work)
                times.append(s)
                mems.append(mib)
            record(f"{n:>5} indicators: {name}", "s", times)
            record(f"{n:>5} indicators:   peak RSS", "MiB", mems)


# ---------------------------------------------------------------------------------------
# 3. refresh in the running app


def _bump(path: Path, indicator_id: str, value: float) -> None:
    """Rewrite one value line of a generated progress file."""
    text = path.read_text(encoding="utf-8")
    new, count = re.subn(
        rf"^{re.escape(indicator_id)} = .*$", f"{indicator_id} = {value:.2f}", text, flags=re.M
    )
    assert count == 1, indicator_id
    path.write_text(new, encoding="utf-8")


async def _until(cond: Callable[[], bool], timeout: float = 10.0, step: float = 0.001) -> None:
    end = time.perf_counter() + timeout
    while not cond():
        if time.perf_counter() > end:
            raise TimeoutError("condition not reached")
        await asyncio.sleep(step)


class Counter:
    """Counts calls of some methods of one object (wraps them on the instance)."""

    def __init__(self, obj: Any, names: Sequence[str]) -> None:
        self.counts = dict.fromkeys(names, 0)
        for name in names:
            original = getattr(obj, name)

            def wrapped(*a: Any, _o: Any = original, _n: str = name, **k: Any) -> Any:
                self.counts[_n] += 1
                return _o(*a, **k)

            setattr(obj, name, wrapped)

    def reset(self) -> None:
        for k in self.counts:
            self.counts[k] = 0


async def _refresh_one(n: int, runs: int, work: Path) -> None:
    from chitieu_tui.app import ChitieuApp
    from chitieu_tui.core.arithmetic import evaluate_board
    from chitieu_tui.core.filesource import FileSource
    from chitieu_tui.core.model import Entry, Progress
    from chitieu_tui.screens.dashboard import DashboardScreen
    from chitieu_tui.widgets.indicator_table import IndicatorTable

    root = work / f"refresh-{n}"
    if root.exists():
        shutil.rmtree(root)
    generate(root, n)
    app = ChitieuApp(FileSource(root))
    WATCH_SECONDS = FileSource.check_seconds  # the poll of a file source

    def dash(app: ChitieuApp) -> DashboardScreen:
        screen = app.screen
        assert isinstance(screen, DashboardScreen)
        return screen

    w, h = (int(x) for x in SIZE.split("x"))
    async with app.run_test(size=(w, h)) as pilot:
        await _until(lambda: dash(app).view is not None, timeout=30)
        await pilot.pause()
        view = dash(app).view
        assert view is not None
        period = view.period
        path = root / "progress" / f"{period}.toml"
        table = dash(app).query_one(IndicatorTable)
        # an indicator shown on screen whose value is a number, reported as is (not summed)
        target = next(
            ev.indicator.id
            for ev in view.board.evaluations
            if ev.indicator.kind == "level" and ev.value is not None
        )

        def shows(value: float) -> bool:
            v = dash(app).view
            ev = v.board.get(target) if v is not None else None
            return ev is not None and ev.value == round(value, 2)

        # end to end: a file written by someone else until the view shows it
        e2e = []
        for i in range(runs):
            value = 1000.0 + i
            await asyncio.sleep(0.05 + (i % 5) * WATCH_SECONDS / 5)  # spread over the poll phase
            start = time.perf_counter()
            _bump(path, target, value)
            await _until(lambda v=value: shows(v))
            e2e.append((time.perf_counter() - start) * 1000)
        record(
            f"{n:>5} indicators: file changed → view shown (watcher, {WATCH_SECONDS} s poll)",
            "ms",
            e2e,
        )
        # the reload itself: the screen's reload() (read, evaluate in a thread, show)
        cost = []
        for i in range(runs):
            await pilot.pause()
            value = 2000.0 + i
            _bump(path, target, value)
            start = time.perf_counter()
            dash(app).reload()
            await _until(lambda v=value: shows(v))
            cost.append((time.perf_counter() - start) * 1000)
        record(f"{n:>5} indicators: reload() → view shown", "ms", cost)
        # 200 changed values, in the running app
        await pilot.pause()
        view = dash(app).view
        assert view is not None
        board = view.board
        numeric = [ev for ev in board.evaluations if ev.entry is not None and ev.ytd is not None]
        counted = ("clear", "add_row", "update_cell", "rebuild", "refresh")
        counter = Counter(table, [name for name in counted if hasattr(table, name)])
        apply, frame = [], []
        for i in range(runs):
            changed = {ev.indicator.id for ev in numeric[i : i + 200]}
            assert board.progress is not None
            values = {
                k: (Entry(float(e.value) + 1 + i, e.note) if k in changed else e)
                for k, e in board.progress.values.items()
            }
            progress = dict(
                (p, prog)
                for p in period.quarters_of_year_so_far()
                if (prog := dash(app).source.data._progress.get(p, (None, None))[1]) is not None
            )
            progress[period] = Progress(
                board.progress.unit, period, board.progress.as_of, values, board.progress.source
            )
            new_board = evaluate_board(board.definitions, period, progress)
            new_view = dataclasses.replace(view, board=new_board, loaded_at=dt.datetime.now(dt.UTC))
            start = time.perf_counter()
            dash(app).show_view(new_view, app.now())
            mid = time.perf_counter()
            # a full frame of the screen, now (an upper bound of the update that follows)
            app.screen._compositor.render_update(full=True)
            end = time.perf_counter()
            apply.append((mid - start) * 1000)
            frame.append((end - start) * 1000)
            view = new_view
            await pilot.pause()
        record(f"{n:>5} indicators: show 200 changed values (show_view)", "ms", apply)
        record(f"{n:>5} indicators:   … and paint the frame", "ms", frame, "< 50 ms" if n else "")
        # a refresh with nothing changed: same data, a new View object (as after `r`)
        dash(app).view = view
        await pilot.pause()
        counter.reset()
        same = []
        for _ in range(runs):
            again = dataclasses.replace(view, loaded_at=dt.datetime.now(dt.UTC))
            start = time.perf_counter()
            dash(app).show_view(again, app.now())
            same.append((time.perf_counter() - start) * 1000)
        c = counter.counts
        record(f"{n:>5} indicators: show an unchanged view", "ms", same, "no repaint")
        calls = ", ".join(f"{count} {name}" for name, count in c.items())
        print(f"  {'':<58} table: {calls} over {runs} calls", flush=True)
        REPAINTS[n] = dict(c)


REPAINTS: dict[int, dict[str, int]] = {}


def bench_refresh(runs: int, work: Path, sizes: Sequence[int]) -> None:
    print(f"\n3. Refresh in the running app (in-process, App.run_test {SIZE}; {runs} runs each)")
    for n in sizes:
        asyncio.run(_refresh_one(n, runs, work))


# ---------------------------------------------------------------------------------------
# 4. the API


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextlib.contextmanager
def serving(cmd: Sequence[str], env: dict[str, str], work: Path, port: int) -> Iterator[int]:
    """A server process started with `cmd`, once it accepts connections on `port`."""
    proc = subprocess.Popen(
        list(cmd), env=env, cwd=work, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    try:
        deadline = time.monotonic() + 20
        while True:
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                    break
            except OSError:
                if proc.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"{' '.join(cmd)} did not start") from None
                time.sleep(0.05)
        yield port
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def server(root: Path, env: dict[str, str], work: Path) -> contextlib.AbstractContextManager[int]:
    """`chitieu serve` of `root` on a free port."""
    port = _free_port()
    cmd = [*chitieu_cmd(), "serve", "--config", str(root), "--host", "127.0.0.1"]
    return serving([*cmd, "--port", str(port)], env, work, port)


def bare_server(
    body: Path, env: dict[str, str], work: Path
) -> contextlib.AbstractContextManager[int]:
    """`bare_server.py` answering `body` on a free port."""
    port = _free_port()
    return serving(
        [sys.executable, str(HERE / "bare_server.py"), str(body), str(port)], env, work, port
    )


async def _one_request(
    reader: asyncio.StreamReader, writer: asyncio.StreamWriter, request: bytes
) -> tuple[int, bytes]:
    writer.write(request)
    head = await reader.readuntil(b"\r\n\r\n")
    status = int(head.split(b" ", 2)[1])
    length = 0
    etag = b""
    for line in head.split(b"\r\n")[1:]:
        name, _, value = line.partition(b":")
        lname = name.strip().lower()
        if lname == b"content-length":
            length = int(value)
        elif lname == b"etag":
            etag = value.strip()
    if length:
        await reader.readexactly(length)
    return status, etag


async def _load(
    port: int, path: str, etag: bytes | None, connections: int, seconds: float, cap: int
) -> tuple[float, int, dict[int, int]]:
    """Keep-alive HTTP/1.1 GETs from `connections` sockets for `seconds` (at most `cap`)."""
    lines = [f"GET {path} HTTP/1.1", "Host: 127.0.0.1", "Accept: application/json"]
    if etag:
        lines.append(f"If-None-Match: {etag.decode()}")
    request = ("\r\n".join(lines) + "\r\n\r\n").encode()
    done = 0
    statuses: dict[int, int] = {}
    stop_at = time.perf_counter() + seconds

    async def worker() -> None:
        nonlocal done
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        try:
            while time.perf_counter() < stop_at and done < cap:
                status, _ = await _one_request(reader, writer, request)
                statuses[status] = statuses.get(status, 0) + 1
                done += 1
        finally:
            writer.close()

    start = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(connections)))
    elapsed = time.perf_counter() - start
    return done / elapsed, done, statuses


async def _etag_of(port: int, path: str) -> bytes:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    try:
        request = f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n".encode()
        status, etag = await _one_request(reader, writer, request)
        assert status == 200, status
        return etag
    finally:
        writer.close()


async def _client_304(port: int, unit: str, runs: int, work: Path) -> tuple[list[float], bool]:
    from chitieu_tui.remote.source import ApiSource

    source = ApiSource(f"http://127.0.0.1:{port}", unit, snapshots=work / "api-snaps")
    try:
        first = await source.aload()
        times = []
        same = True
        for _ in range(runs):
            start = time.perf_counter()
            again = await source.aload()
            times.append((time.perf_counter() - start) * 1000)
            same = same and again is first
        return times, same
    finally:
        await source.aclose()


def bench_api(
    runs: int, work: Path, env: dict[str, str], sizes: Sequence[int], seconds: float
) -> None:
    print(f"\n4. API: chitieu serve on 127.0.0.1, keep-alive load ({seconds:g} s per round)")
    for n in sizes:
        root = generate(work / f"api-{n}", n)
        unit = "quan"
        with server(root, env, work) as port:
            path = f"/api/v1/units/{unit}/progress/2026-Q4"
            etag = asyncio.run(_etag_of(port, path))
            for conns in (1, 8):
                for label, tag in (("GET progress", None), ("GET progress, If-None-Match", etag)):
                    rates = []
                    stats: dict[int, int] = {}
                    for _ in range(max(3, runs // 2)):
                        rate, _, st = asyncio.run(_load(port, path, tag, conns, seconds, 100_000))
                        rates.append(rate)
                        for k, v in st.items():
                            stats[k] = stats.get(k, 0) + v
                    codes = ",".join(f"{k}×{v}" for k, v in sorted(stats.items()))
                    record(f"{n:>5} indicators: {label}, {conns} conn [{codes}]", "req/s", rates)
            times, same = asyncio.run(_client_304(port, unit, runs, work))
            record(
                f"{n:>5} indicators: ApiSource.aload, nothing changed (304s)"
                + ("" if same else " — NEW VIEW!"),
                "ms",
                times,
            )


async def _body_of(port: int, path: str) -> bytes:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    try:
        writer.write(f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n".encode())
        head = await reader.readuntil(b"\r\n\r\n")
        length = 0
        for line in head.split(b"\r\n")[1:]:
            name, _, value = line.partition(b":")
            if name.strip().lower() == b"content-length":
                length = int(value)
        return await reader.readexactly(length)
    finally:
        writer.close()


def bench_api_floors(runs: int, work: Path, env: dict[str, str], seconds: float) -> None:
    """chitieu serve against a bare Starlette app, 100 unit folders against 1, and one
    `report --api` against `import httpx`; servers alternated round by round."""
    print(f"\n4b. API against its floors ({seconds:g} s per round, rounds alternated)")
    one, many = work / "units-1", work / "units-100"
    for i in range(100):
        generate(many / f"phuong-{i:03d}", 20, seed=i, unit=f"phuong-{i:03d}")
    generate(one / "phuong-050", 20, seed=50, unit="phuong-050")
    path = "/api/v1/units/phuong-050/progress/2026-Q4"
    rounds = max(3, runs // 2)
    with server(one, env, work) as p1, server(many, env, work) as p100:
        body = asyncio.run(_body_of(p1, path))
        assert body == asyncio.run(_body_of(p100, path))
        (work / "body.json").write_bytes(body)
        with bare_server(work / "body.json", env, work) as pb:
            assert asyncio.run(_body_of(pb, path)) == body
            for conns in (1, 8):
                rates: dict[int, list[float]] = {p1: [], p100: [], pb: []}
                for i in range(rounds):
                    order = [p1, p100, pb] if i % 2 else [pb, p100, p1]
                    for port in order:
                        rate, _, st = asyncio.run(_load(port, path, None, conns, seconds, 100_000))
                        assert set(st) == {200}, st
                        rates[port].append(rate)
                r1, r100, rb = rates[p1], rates[p100], rates[pb]
                record(f"bare Starlette, same body, {conns} conn", "req/s", rb)
                record(f"chitieu serve, 1 unit folder, {conns} conn", "req/s", r1)
                record(f"chitieu serve, 100 unit folders, {conns} conn", "req/s", r100)
                record(
                    f"  ratio serve (1 folder) / bare Starlette, {conns} conn",
                    "×",
                    [a / b for a, b in zip(r1, rb, strict=True)],
                    "≥ 0.9×",
                )
                record(
                    f"  ratio 100 folders / 1 folder, {conns} conn",
                    "×",
                    [a / b for a, b in zip(r100, r1, strict=True)],
                    "≥ 0.8×",
                )
        # one `report --api` call against the floor of any httpx client
        report = [
            *chitieu_cmd(),
            "report",
            "--api",
            f"http://127.0.0.1:{p1}",
            "--unit",
            "phuong-050",
            "--format",
            "json",
        ]
        httpx = [sys.executable, "-c", "import httpx"]
        run_child(report, env, work)
        run_child(httpx, env, work)
        t_r, t_h, ratio = [], [], []
        for _ in range(runs):
            s_h, _, _ = run_child(httpx, env, work)
            s_r, _, _ = run_child(report, env, work)
            t_r.append(s_r)
            t_h.append(s_h)
            ratio.append(s_r / s_h)
        record('python -c "import httpx"', "s", t_h)
        record("chitieu report --api … --format json (20 indicators)", "s", t_r)
        record("  ratio report --api / import httpx", "×", ratio, "≤ 1.6×")


# ---------------------------------------------------------------------------------------


def machine() -> dict[str, Any]:
    cpu = ""
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    import textual

    return {
        "python": platform.python_version(),
        "textual": textual.__version__,
        "platform": platform.platform(),
        "cpu": cpu,
        "cores": os.cpu_count(),
        "loadavg_start": os.getloadavg(),
        "date": dt.datetime.now().astimezone().isoformat(timespec="seconds"),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer runs, for a quick look")
    parser.add_argument(
        "--only", default="startup,scale,refresh,api,floors", help="sections to run"
    )
    parser.add_argument("--json", type=Path, help="also write the figures to this file")
    parser.add_argument(
        "--sizes",
        default=",".join(map(str, SIZES)),
        help="indicator counts of the scale section (default: %(default)s)",
    )
    parser.add_argument(
        "--before",
        type=Path,
        help="a tree to compare with (its src/ is run, alternated with this one's, same data)",
    )
    parser.add_argument(
        "--first-frame-only",
        action="store_true",
        help="scale: only the first frame (no report, check, snapshot)",
    )
    parser.add_argument(
        "--shape",
        choices=("gen", "sample", "plain"),
        default="gen",
        help="scale: a unit made by gen.py, from the bundled sample's indicators, or by "
        "plainmade.py (one progress file)",
    )
    args = parser.parse_args()
    global SHAPE
    SHAPE = args.shape
    only = {s.strip() for s in args.only.split(",") if s.strip()}
    unknown = only - {"startup", "scale", "refresh", "api", "floors"}
    if unknown:
        parser.error(f"unknown section(s): {', '.join(sorted(unknown))}")
    runs = 5 if args.quick else 15
    info = machine()
    print(
        f"chitieu-tui benchmarks · Python {info['python']} · Textual {info['textual']} · "
        f"{info['cores']} cores · load {info['loadavg_start'][0]:.2f} · "
        f"{'quick' if args.quick else 'full'}"
    )
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    with tempfile.TemporaryDirectory(prefix="chitieu-bench-") as tmp:
        work = Path(tmp)
        env = child_env(work / "xdg")
        if "startup" in only:
            bench_startup(runs * 2 if not args.quick else runs, work, env, args.before)
        if "scale" in only:
            sizes = [int(x) for x in args.sizes.split(",") if x.strip()]
            bench_scale(
                max(3, runs // 2) if not args.quick else 3,
                work,
                env,
                sizes,
                args.before,
                args.first_frame_only,
            )
        if "refresh" in only:
            os.environ["XDG_DATA_HOME"] = str(work / "xdg")
            bench_refresh(runs if not args.quick else 5, work, (500, 5000))
        if "api" in only:
            bench_api(runs, work, env, (20, 5000), 0.5 if args.quick else 2.0)
        if "floors" in only:
            bench_api_floors(runs, work, env, 0.5 if args.quick else 2.0)
    info["loadavg_end"] = os.getloadavg()
    del before
    print(f"\nload average at the end: {info['loadavg_end'][0]:.2f}")
    if args.json:
        args.json.write_text(
            json.dumps(
                {"machine": info, "figures": [f.as_json() for f in FIGURES], "table": REPAINTS},
                indent=2,
                ensure_ascii=False,
            )
            + "\n",
            encoding="utf-8",
        )
        print(f"wrote {args.json}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
