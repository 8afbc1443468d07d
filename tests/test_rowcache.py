"""The roll-up's cached frame (issue 23, the country's second open): a second open with
nothing changed shows, before any unit is read, the screen a first open shows; any change
(a file, the day, the language) and any damage to the cache file is not shown from it."""

from __future__ import annotations

import asyncio
import hashlib
import html
import os
import re
import shutil
import subprocess
import sys
import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import msgspec
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from tuikit import RecordingApp, settle

from chitieu_tui.cli import main
from chitieu_tui.core import rowcache
from chitieu_tui.core.collection import Collection, open_folder
from chitieu_tui.core.datadir import BUNDLED_COLLECTION
from chitieu_tui.core.periods import Period
from chitieu_tui.i18n import use
from chitieu_tui.present.rollup import column_names, rows_chart, unit_rows
from chitieu_tui.present.rollup_chart import column_chart
from chitieu_tui.screens import DashboardScreen
from chitieu_tui.screens.rollup import RollupScreen

pytestmark = pytest.mark.timeout(90)
SIZE = (120, 40)


@pytest.fixture
def province(tmp_path: Path) -> Path:
    """A writable copy of the bundled many-units sample."""
    root = tmp_path / "province"
    shutil.copytree(BUNDLED_COLLECTION, root)
    return root


def opened(root: Path) -> RecordingApp:
    """The roll-up as `chitieu --config ROOT` opens it (`run_rollup`): from the cached
    frame when it is still true, else read first."""
    collection = open_folder(root)
    frame = rowcache.cached_frame(collection, None)
    if frame is None:
        collection.load(None)
    return RecordingApp(None, None, collection=collection, preloaded=frame is None, frame=frame)


def screen_text(app: RecordingApp) -> str:
    """What the screen shows, as text (the SVG's styles and tags left out)."""
    svg = app.export_screenshot(title="chitieu")
    svg = re.sub(r"<style.*?</style>", "", svg, flags=re.S)
    return re.sub(r"<[^>]+>", "", svg)


def rollup(app: RecordingApp) -> RollupScreen:
    screen = app.screen
    assert isinstance(screen, RollupScreen)
    return screen


async def first_open(root: Path) -> str:
    """Open once (the units read), let the frame be written; the screen's text."""
    app = opened(root)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert not rollup(app).from_cache
        return screen_text(app)


async def second_open(root: Path, held: asyncio.Event) -> RecordingApp:
    """A first open (read, its frame kept), then the app of a second whose read waits."""
    held.set()
    await first_open(root)
    held.clear()
    return opened(root)


@pytest.fixture
def held(monkeypatch: pytest.MonkeyPatch) -> Iterator[asyncio.Event]:
    """The units' read waits until the event is set (the first frame is drawn before)."""
    gate = asyncio.Event()
    real = Collection.aload

    async def aload(self: Collection, *args: Any, **kwargs: Any) -> Any:
        await gate.wait()
        return await real(self, *args, **kwargs)

    monkeypatch.setattr(Collection, "aload", aload)
    yield gate


def files_of(root: Path) -> dict[str, tuple[int, int]]:
    return {str(p): (p.stat().st_size, p.stat().st_mtime_ns) for p in sorted(root.rglob("*"))}


async def test_second_open_shows_the_first_opens_screen_before_reading(
    province: Path, held: asyncio.Event
) -> None:
    held.set()
    before = files_of(province)
    first = await first_open(province)
    held.clear()
    app = opened(province)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        screen = rollup(app)
        assert screen.from_cache
        assert all(m.view is None for m in screen.collection.members)  # nothing read yet
        assert screen_text(app) == first
        held.set()
        await settle(pilot)
        assert all(m.view is not None or m.error for m in screen.collection.members)
        assert screen_text(app) == first  # the live rows: the same
    assert files_of(province) == before  # nothing written into the data folder


async def test_enter_before_the_read_reads_that_unit(province: Path, held: asyncio.Event) -> None:
    app = await second_open(province, held)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert rollup(app).from_cache
        await pilot.press("down", "enter")
        await opened_unit(pilot)  # read in a thread, then opened
        assert isinstance(app.screen, DashboardScreen)
        assert app.screen.view is not None
        held.set()
        await settle(pilot)


async def opened_unit(pilot: Any) -> None:
    """Until a unit's dashboard is the screen (a read in a thread opens it)."""
    for _ in range(500):
        if isinstance(pilot.app.screen, DashboardScreen):
            await pilot.pause()
            return
        await pilot.pause(0.01)
    raise AssertionError("the unit was never opened")


def hold_loads(
    monkeypatch: pytest.MonkeyPatch, source: Any, gate: threading.Event, only: bool = False
) -> None:
    """Loads by `source`'s class (`only`: by `source` alone) wait for `gate`, as a large unit
    read cold would."""
    real = type(source).load

    def load(self: Any, *args: Any, **kwargs: Any) -> Any:
        if not only or self is source:
            gate.wait(30)
        return real(self, *args, **kwargs)

    monkeypatch.setattr(type(source), "load", load)


async def test_enter_before_the_read_keeps_the_keys_alive_while_that_unit_is_read(
    province: Path, held: asyncio.Event, monkeypatch: pytest.MonkeyPatch
) -> None:
    app = await second_open(province, held)
    slow = threading.Event()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        screen = rollup(app)
        hold_loads(monkeypatch, screen.collection.members[1].source, slow)
        await pilot.press("down", "enter")
        await pilot.pause()
        assert app.screen is screen  # not opened yet, and the event loop not held
        before = screen.table.current_index()
        await pilot.press("up")
        await pilot.pause()
        assert screen.table.current_index() != before  # the keys still move the cursor
        await pilot.press("down")
        slow.set()
        await opened_unit(pilot)
        assert app.screen.view is not None
        held.set()
        await settle(pilot)


async def test_a_second_enter_opens_the_unit_of_the_second(
    province: Path, held: asyncio.Event, monkeypatch: pytest.MonkeyPatch
) -> None:
    app = await second_open(province, held)
    slow = threading.Event()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        screen = rollup(app)
        members = screen.collection.members
        await pilot.press("down")
        first = members[screen.table.current_index() or 0]
        hold_loads(monkeypatch, first.source, slow, only=True)
        await pilot.press("enter")  # the first: its read waits
        await pilot.pause()
        await pilot.press("down")
        second = members[screen.table.current_index() or 0]
        assert second is not first
        await pilot.press("enter")  # the second: read at once, opened
        await opened_unit(pilot)
        slow.set()
        for _ in range(20):  # the first's read, released, must not open it over the second
            await pilot.pause(0.01)
        assert isinstance(app.screen, DashboardScreen)
        assert second.view is not None and first.view is None
        assert app.screen.view is not None
        assert app.screen.view.source_label == second.view.source_label
        held.set()
        await settle(pilot)


async def test_approve_before_the_read_reads_that_unit(province: Path, held: asyncio.Event) -> None:
    app = await second_open(province, held)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        screen = rollup(app)
        assert screen.from_cache and screen.approves()
        index = screen.table.current_index()
        assert index is not None
        member = screen.collection.members[index]
        assert member.view is None
        await pilot.pause()
        await pilot.press("a")
        for _ in range(500):  # read in a thread, then judged
            if member.view is not None:
                break
            await pilot.pause(0.01)
        await pilot.pause()
        assert member.view is not None  # read before it was judged
        assert app.screen is not screen or app.notes
        held.set()
        await settle(pilot)


async def test_a_changed_file_is_not_shown_from_the_cache(province: Path) -> None:
    await first_open(province)
    unit = sorted(p for p in province.iterdir() if (p / "chitieu.toml").exists())[0]
    defs = unit / "chitieu.toml"
    defs.write_text(defs.read_text(encoding="utf-8") + "\n", encoding="utf-8")
    app = opened(province)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert not rollup(app).from_cache


async def test_another_day_is_not_shown_from_the_cache(
    province: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    await first_open(province)
    monkeypatch.setenv("CHITIEU_TODAY", "2031-01-02")
    assert rowcache.cached_frame(open_folder(province), None) is None


async def test_another_language_is_not_shown_from_the_cache(province: Path) -> None:
    await first_open(province)
    use("en")
    assert rowcache.cached_frame(open_folder(province), None) is None
    use("vi")
    assert rowcache.cached_frame(open_folder(province), None) is not None


async def test_another_period_asked_is_not_shown_from_the_cache(province: Path) -> None:
    await first_open(province)
    frame = rowcache.cached_frame(open_folder(province), None)
    assert frame is not None
    other = Period(frame.period[0], frame.period[1])
    assert rowcache.cached_frame(open_folder(province), other) is None


async def test_a_damaged_cache_file_is_ignored(province: Path) -> None:
    first = await first_open(province)
    path = rowcache.path_for(province)
    assert path is not None and path.is_file()
    data = bytearray(path.read_bytes())
    data[-3] ^= 0x01
    path.write_bytes(bytes(data))
    app = opened(province)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert not rollup(app).from_cache
        assert screen_text(app) == first
    assert rowcache.cached_frame(open_folder(province), None) is not None  # rewritten


def test_the_cache_turned_off_writes_nothing(
    province: Path, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("CHITIEU_CACHE", "off")
    assert rowcache.path_for(province) is None
    asyncio.run(first_open(province))
    assert not (tmp_path / "xdg-cache").exists() or not any(
        p.name == "rows" for p in (tmp_path / "xdg-cache").rglob("*")
    )


def test_the_cache_folder_is_moved(
    province: Path, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("CHITIEU_CACHE_DIR", str(tmp_path / "elsewhere"))
    path = rowcache.path_for(province)
    assert path is not None and path.is_relative_to(tmp_path / "elsewhere")


def _sealed(body: bytes) -> bytes:
    return rowcache.MAGIC + hashlib.blake2b(body, digest_size=32).digest() + body


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.binary(max_size=400), st.booleans())
def test_any_bytes_are_a_frame_or_ignored(tmp_path_factory: Any, raw: bytes, seal: bool) -> None:
    path = tmp_path_factory.mktemp("rows") / "f.bin"
    path.write_bytes(_sealed(raw) if seal else raw)
    found = rowcache.read_frame(path)
    assert found is None or isinstance(found, rowcache.Frame)


def small_frame() -> rowcache.Frame:
    return rowcache.Frame(
        rowcache.VERSION,
        ["k"],
        [((1, 2),)],
        [2026, 1],
        "h",
        "s",
        "",
        "",
        "viewer",
        ["a"],
        ["A"],
        [
            rowcache.RowData(
                1,
                "X",
                1,
                2,
                0,
                [rowcache.CellData("✓ 1%", "met", 1.0)],
                "",
                False,
                "",
                "open",
                False,
                None,
                "",
                [1, 0, 0, 1],
                True,
                "x",
            )
        ],
        [rowcache.CellData("t")],
        [rowcache.ChartData("A", [rowcache.BarData("X", 1.0, "met")], [])],
    )


def test_a_frame_round_trips(tmp_path: Path) -> None:
    frame = small_frame()
    path = tmp_path / "rows" / "f.bin"
    rowcache.write_frame(path, frame)
    assert rowcache.read_frame(path) == frame
    os.chmod(path, 0o600)
    path.write_bytes(rowcache.encode(frame)[:-1])
    assert rowcache.read_frame(path) is None


def test_the_chart_from_rows_is_the_chart_from_boards(province: Path) -> None:
    collection = open_folder(province)
    collection.load(None)
    columns = collection.shown_columns()
    names = column_names(collection, columns)
    rows = unit_rows(collection, columns)
    for i, (column, name) in enumerate(zip(columns, names, strict=True)):
        assert rows_chart(rows, i, name) == column_chart(collection, column, name)


@pytest.mark.parametrize(
    "change",
    [
        {"header": "a\x1b[31mb"},
        {"names": ["A\x07"]},
        {"totals": [rowcache.CellData("t", "met", float("nan"))]},
        {"charts": [rowcache.ChartData("A", [rowcache.BarData("X", float("inf"), "met")], [])]},
        {"totals": [rowcache.CellData("t", "no-such-status", 1.0)]},  # type: ignore[arg-type]
    ],
)
def test_a_sealed_frame_with_control_characters_or_no_number_is_ignored(
    tmp_path: Path, change: dict[str, Any]
) -> None:
    path = tmp_path / "f.bin"
    rowcache.write_frame(path, msgspec.structs.replace(small_frame(), **change))
    assert path.is_file()
    assert rowcache.read_frame(path) is None


def test_a_second_screenshot_is_drawn_from_the_cache_without_reading(
    province: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    shot = ["screenshot", "--config", str(province), "--size", "120x40", "-o"]
    assert main([*shot, str(tmp_path / "1.svg")]) == 0

    def refuse(*args: Any, **kwargs: Any) -> None:
        raise AssertionError("read")

    monkeypatch.setattr(Collection, "load", refuse)
    monkeypatch.setattr(Collection, "aload", refuse)
    assert main([*shot, str(tmp_path / "2.svg")]) == 0
    first = (tmp_path / "1.svg").read_text(encoding="utf-8")
    second = (tmp_path / "2.svg").read_text(encoding="utf-8")
    strip = re.compile(r"<style.*?</style>|<[^>]+>", re.S)
    assert strip.sub("", first) == strip.sub("", second)


def test_opening_a_folder_makes_no_unit_source_and_reads_no_parse_cache(province: Path) -> None:
    asyncio.run(first_open(province))
    collection = open_folder(province)
    assert rowcache.cached_frame(collection, None) is not None
    assert not any(m.source.made for m in collection.members)  # type: ignore[attr-defined]
    assert collection.parse_cache is not None and not collection.parse_cache._made
    member = collection.members[1]
    assert member.source.label == f"{province / member.key}/"  # made when first used
    assert member.source.made  # type: ignore[attr-defined]
    assert sum(m.source.made for m in collection.members) == 1  # type: ignore[attr-defined]


def test_a_unit_source_is_made_once_whatever_the_threads(province: Path) -> None:
    collection = open_folder(province)
    source = collection.members[0].source
    with ThreadPoolExecutor(8) as pool:
        datas = list(pool.map(lambda _: source.data, range(32)))  # type: ignore[attr-defined]
    assert all(d is datas[0] for d in datas)
    assert source.load(None).board is not None


def test_the_units_listed_are_the_data_folders(province: Path) -> None:
    first = sorted(p.name for p in province.iterdir() if (p / "chitieu.toml").exists())
    (province / ".hidden").mkdir()
    shutil.copy(province / first[0] / "chitieu.toml", province / ".hidden" / "chitieu.toml")
    (province / "plain-file").write_text("x", encoding="utf-8")
    (province / "no-definitions").mkdir()
    (province / "zz-link").symlink_to(province / first[0])
    (province / "zz-dangling").symlink_to(province / "nowhere")
    names = [m.key for m in open_folder(province).members]
    assert names == [*first, "zz-link"]


async def test_a_unit_added_or_removed_is_not_shown_from_the_cache(province: Path) -> None:
    await first_open(province)
    units = sorted(p for p in province.iterdir() if (p / "chitieu.toml").exists())
    shutil.copytree(units[0], province / "zz-new")
    assert rowcache.cached_frame(open_folder(province), None) is None
    shutil.rmtree(province / "zz-new")
    assert rowcache.cached_frame(open_folder(province), None) is not None
    shutil.rmtree(units[-1])
    assert rowcache.cached_frame(open_folder(province), None) is None


async def test_a_progress_file_added_or_touched_is_not_shown_from_the_cache(
    province: Path,
) -> None:
    await first_open(province)
    frame = rowcache.cached_frame(open_folder(province), None)
    assert frame is not None
    unit = sorted(p for p in province.iterdir() if (p / "chitieu.toml").exists())[-1]
    shown = unit / "progress" / f"{frame.period[0]}-Q{frame.period[1]}.toml"
    assert shown.is_file()
    before = shown.stat()
    os.utime(shown, ns=(before.st_atime_ns, before.st_mtime_ns + 1_000_000))
    assert rowcache.cached_frame(open_folder(province), None) is None
    os.utime(shown, ns=(before.st_atime_ns, before.st_mtime_ns))
    assert rowcache.cached_frame(open_folder(province), None) is not None
    (unit / "progress" / "2019-Q1.toml").write_text("", encoding="utf-8")
    assert rowcache.cached_frame(open_folder(province), None) is None


def words(app: RecordingApp) -> str:
    """`screen_text` with its spaces as spaces."""
    return html.unescape(screen_text(app)).replace("\xa0", " ")


def opened_unchecked(root: Path) -> RecordingApp:
    """The roll-up as `run_rollup` opens it: the cached frame drawn at once, its units'
    files checked in a thread (`FrameCheck`)."""
    collection = open_folder(root)
    frame = rowcache.unchecked_frame(collection, None)
    assert frame is not None
    check = rowcache.FrameCheck(collection, frame)
    return RecordingApp(None, None, collection=collection, frame=frame, check=check)


@pytest.fixture
def gated(monkeypatch: pytest.MonkeyPatch) -> Iterator[threading.Event]:
    """The frame's check answers only once the event is set."""
    gate = threading.Event()
    real = rowcache.still_true

    def still_true(collection: Collection, frame: rowcache.Frame) -> bool:
        gate.wait(30)
        return real(collection, frame)

    monkeypatch.setattr(rowcache, "still_true", still_true)
    yield gate
    gate.set()


def rename_unit(root: Path, name: str) -> None:
    unit = sorted(p for p in root.iterdir() if (p / "chitieu.toml").exists())[0]
    defs = unit / "chitieu.toml"
    text = defs.read_text(encoding="utf-8")
    old = re.search(r'^name = "(.*)"$', text, flags=re.M)
    assert old is not None
    defs.write_text(text.replace(old.group(0), f'name = "{name}"', 1), encoding="utf-8")


async def test_the_frame_is_marked_until_its_check_says_nothing_changed(
    province: Path, held: asyncio.Event, gated: threading.Event
) -> None:
    first = await first_open_text(province, held, gated)
    app = opened_unchecked(province)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        screen = rollup(app)
        assert screen.from_cache and screen.checking
        assert "đang kiểm tra thay đổi" in words(app)
        gated.set()
        await screen.settled()
        await pilot.pause()
        assert not screen.checking
        assert screen_text(app) == first  # the same frame, the mark gone
        held.set()
        await settle(pilot)


async def first_open_text(root: Path, held: asyncio.Event, gated: threading.Event) -> str:
    """A first open (read, its frame kept), then the units' read and the check held."""
    held.set()
    gated.set()
    text = await first_open(root)
    held.clear()
    gated.clear()
    return text


async def test_a_file_changed_before_the_check_puts_the_frame_away(
    province: Path, held: asyncio.Event, gated: threading.Event
) -> None:
    stale = await first_open_text(province, held, gated)
    app = opened_unchecked(province)
    rename_unit(province, "Phường Đổi Tên")  # after the frame was read, before its check
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        screen = rollup(app)
        assert screen.checking and "đang kiểm tra thay đổi" in words(app)
        gated.set()
        await screen._checked.wait()
        await pilot.pause()
        shown = screen_text(app)
        assert shown != stale and "Đang tải" in words(app)  # put away at once, not shown as true
        assert not screen.table.rows_data
        held.set()
        await screen.settled()
        await settle(pilot)
        assert "Phường Đổi Tên" in words(app)  # the units as they are now
    again = rowcache.cached_frame(open_folder(province), None)
    assert again is not None and any(r.name == "Phường Đổi Tên" for r in again.rows)


def test_a_screenshot_never_saves_a_frame_whose_files_changed(
    province: Path, tmp_path: Path
) -> None:
    shot = ["screenshot", "--config", str(province), "--size", "120x40", "-o"]
    assert main([*shot, str(tmp_path / "1.svg")]) == 0
    assert rowcache.cached_frame(open_folder(province), None) is not None
    rename_unit(province, "Phường Đổi Tên")
    assert rowcache.unchecked_frame(open_folder(province), None) is not None  # key the same
    assert main([*shot, str(tmp_path / "2.svg")]) == 0
    text = html.unescape((tmp_path / "2.svg").read_text(encoding="utf-8")).replace("\xa0", " ")
    assert "Phường Đổi Tên" in text and "đang kiểm tra thay đổi" not in text


def test_a_screenshot_waits_for_the_check_and_saves_no_mark(
    province: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, gated: threading.Event
) -> None:
    shot = ["screenshot", "--config", str(province), "--size", "120x40", "-o"]
    gated.set()
    assert main([*shot, str(tmp_path / "1.svg")]) == 0
    gated.clear()
    real = RollupScreen.settled
    marked: list[bool] = []

    async def settled(self: RollupScreen) -> bool:
        marked.append(self.checking and "đang kiểm tra thay đổi" in words(self.app))
        gated.set()  # the check answers only once the marked frame is on screen
        return await real(self)

    monkeypatch.setattr(RollupScreen, "settled", settled)
    assert main([*shot, str(tmp_path / "2.svg")]) == 0
    assert marked == [True]
    assert (tmp_path / "1.svg").read_text(encoding="utf-8") == (tmp_path / "2.svg").read_text(
        encoding="utf-8"
    )


async def test_the_progress_bar_is_mounted_only_when_a_load_reports_progress(
    province: Path,
) -> None:
    app = opened(province)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = rollup(app)
        assert not screen.query("#rollup-progress")  # a folder's load: no bar
        screen.show_progress(1, 3)
        await pilot.pause()
        bar = screen.query_one("#rollup-progress")
        assert bar.display and "1/3" in words(app)
        screen.show_progress(3, 3)
        await pilot.pause()
        assert not bar.display and len(screen.query("#rollup-progress")) == 1
        screen.show_error("x")
        assert not bar.display


FORKED_SHOT = """
import os, sys
forks = []
real = os.fork
def fork():
    pid = real()
    if pid:
        forks.append(pid)
    return pid
os.fork = fork
def said():  # at exit (chitieu's own main leaves after the atexit callbacks)
    reaped = True
    for pid in forks:
        try:
            os.waitpid(pid, os.WNOHANG)
            reaped = False
        except ChildProcessError:
            pass
    print("FORKS", len(forks), reaped)
import atexit
atexit.register(said)
sys.argv = ["chitieu", "--lang", "en", "--config", sys.argv[1], "screenshot", "-o", sys.argv[2]]
from chitieu_tui.cli import main
sys.exit(main())
"""
"""`chitieu screenshot` of a collection in its own process (main reading sys.argv), with
the forks it made counted and each child checked as reaped."""


def _forked_shot(root: Path, out: Path, cache: Path) -> list[str]:
    env = {**os.environ, "CHITIEU_CACHE_DIR": str(cache)}
    proc = subprocess.run(
        [sys.executable, "-c", FORKED_SHOT, str(root), str(out)],
        capture_output=True,
        text=True,
        timeout=120,
        env=env,
        check=True,
    )
    return proc.stdout.split("FORKS", 1)[1].split()


def test_chitieus_own_process_checks_the_frame_in_a_forked_child(
    province: Path, tmp_path: Path
) -> None:
    """In a thread, the check's 26,568 `stat`s at the country handed the interpreter's lock
    back and forth with the app's start (~0.1 s of the warm first frame): chitieu's own
    process forks a child for it. Its answer is the thread's: unchanged, the cached frame
    is saved as the first open showed it; a unit renamed, the frame is put away."""
    cache = tmp_path / "cache"
    assert _forked_shot(province, tmp_path / "1.svg", cache) == ["0", "True"]  # cold
    assert _forked_shot(province, tmp_path / "2.svg", cache) == ["1", "True"]  # warm
    first, second = ((tmp_path / f"{n}.svg").read_text(encoding="utf-8") for n in (1, 2))
    assert re.sub(r"terminal-\d+", "", first) == re.sub(r"terminal-\d+", "", second)
    rename_unit(province, "Phường Đổi Tên")
    assert _forked_shot(province, tmp_path / "3.svg", cache) == ["1", "True"]
    third = html.unescape((tmp_path / "3.svg").read_text(encoding="utf-8"))
    assert "Phường Đổi Tên" in third.replace("\xa0", " ")


def test_the_check_stays_a_thread_beside_another_thread_or_when_not_asked(
    province: Path,
) -> None:
    """A fork copies a process mid-work: not beside another thread, nor in a caller's
    process (tests, embedding), which did not ask for one."""
    shot = ["screenshot", "--config", str(province), "--size", "120x40", "-o"]
    assert main([*shot, str(province.parent / "1.svg")]) == 0  # the frame kept
    collection = open_folder(province)
    frame = rowcache.unchecked_frame(collection, None)
    assert frame is not None
    assert rowcache.FrameCheck(collection, frame)._thread is not None
    gate = threading.Event()
    other = threading.Thread(target=gate.wait, args=(30,))
    other.start()
    try:
        check = rowcache.FrameCheck(collection, frame, apart=True)
        assert check._thread is not None and check._pid == 0
        assert check.wait()
    finally:
        gate.set()
        other.join()
