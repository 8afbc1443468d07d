"""The parse cache for a single data folder (issue 23): a second open of one unit takes its
files from the cache, shows the same view and the same warnings as a cold one, never writes
into the data folder, and a write or a damaged cache is never served stale."""

from __future__ import annotations

import dataclasses
import gc
import os
import threading
from pathlib import Path
from typing import Any

import pytest
from datadirs import copy_sample, tree_stamps
from tuikit import dash, settle

from chitieu_tui.app import ChitieuApp, preload
from chitieu_tui.cli import main
from chitieu_tui.core import atomic, filesource, parsecache
from chitieu_tui.core.filesource import FileSource
from chitieu_tui.core.periods import Period
from chitieu_tui.core.requests import SetValue
from chitieu_tui.core.source import View

Q1 = Period(2026, 1)


def _view_key(view: View) -> Any:
    words = [(w.code, w.render("en"), str(w.place)) for w in view.warnings]
    return dataclasses.replace(view, loaded_at=None, warnings=[]), words  # type: ignore[arg-type]


@pytest.fixture(autouse=True)
def cached_however_small(monkeypatch: pytest.MonkeyPatch) -> None:
    """The sample stands in for a large unit here: a unit this small is read without a
    parse cache (`filesource.SMALL_UNIT_BYTES`; tests/test_startup.py pins that)."""
    monkeypatch.setattr(filesource, "SMALL_UNIT_BYTES", 0)


@pytest.fixture
def warned(tmp_path: Path) -> Path:
    """The sample with a value out of bounds and an unknown id in Q1 (two warnings)."""
    root = copy_sample(tmp_path)
    path = root / "progress" / "2026-Q1.toml"
    text = path.read_text(encoding="utf-8").replace("bhyt = 90.0", "bhyt = 120.0")
    path.write_text(text.replace("[values]\n", "[values]\nkhong_co = 3\n"), encoding="utf-8")
    return root


def _open(root: Path, period: Period | None = Q1) -> tuple[View, FileSource]:
    """Open as the app does: read, then (after the first frame) save the cache."""
    source = FileSource(root, own_cache=True)
    view = source.load(period)
    source.save_cache()
    return view, source


def _cold(root: Path, monkeypatch: pytest.MonkeyPatch, period: Period | None = Q1) -> Any:
    with monkeypatch.context() as m:
        m.setenv(parsecache.ENV_SWITCH, "off")
        view, source = _open(root, period)
        assert source.data.cache is None
        return _view_key(view)


def test_a_second_open_of_one_unit_is_taken_from_the_cache(
    warned: Path, cache_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    cold = _cold(warned, monkeypatch)
    assert not cache_dir.exists()  # CHITIEU_CACHE=off: nothing written
    before = tree_stamps(warned)
    first, source = _open(warned)
    assert source.data.cache is not None and source.data.cache.hits == 0
    assert _view_key(first) == cold
    (found,) = cache_dir.rglob("*.bin")
    assert warned not in found.parents
    warm, source = _open(warned)
    assert source.data.cache is not None and source.data.cache.hits > 0
    assert _view_key(warm) == cold
    assert len(warm.warnings) >= 2  # the value out of bounds and the unknown id
    assert tree_stamps(warned) == before  # the data folder is never written


def test_a_cached_open_shows_the_same_warnings_as_a_cold_one(
    warned: Path, cache_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    def run() -> tuple[str, str]:
        assert main(["report", "--config", str(warned), "--period", "2026-Q1"]) == 0
        out = capsys.readouterr()
        return out.out, out.err

    cold = run()
    assert "bhyt" in cold[1] and "120" in cold[1] and "khong_co" in cold[1]
    assert list(cache_dir.rglob("*.bin"))
    warm = run()
    assert warm == cold
    hits = FileSource(warned, own_cache=True)
    hits.load(Q1)
    assert hits.data.cache is not None and hits.data.cache.hits > 0


def test_a_write_then_a_reopen_shows_the_new_value(
    tmp_path: Path, cache_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = copy_sample(tmp_path)
    _open(root)  # fills the cache
    source = FileSource(root, own_cache=True)
    source.write([SetValue(period=Q1, id="bhyt", value="93", by="test")])
    view, again = _open(root)
    ev = view.board.get("bhyt")
    assert ev is not None and ev.value == 93
    assert _view_key(view) == _cold(root, monkeypatch)
    # and a reopen after that takes the written file from the cache
    view, warm = _open(root)
    assert warm.data.cache is not None and warm.data.cache.hits > 0
    assert _view_key(view) == _cold(root, monkeypatch)


def test_an_edit_by_hand_of_the_same_size_is_read_again(
    tmp_path: Path, cache_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = copy_sample(tmp_path)
    _open(root)
    path = root / "progress" / "2026-Q1.toml"
    st = path.stat()
    path.write_text(path.read_text().replace("bhyt = 90.0", "bhyt = 91.0"), encoding="utf-8")
    assert path.stat().st_size == st.st_size
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns))  # same mtime: ctime and inode differ
    view, _ = _open(root)
    ev = view.board.get("bhyt")
    assert ev is not None and ev.value == 91
    assert _view_key(view) == _cold(root, monkeypatch)


def test_a_damaged_unit_cache_is_ignored_and_rebuilt(
    warned: Path, cache_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    cold = _cold(warned, monkeypatch)
    _open(warned)
    (found,) = cache_dir.rglob("*.bin")
    data = bytearray(found.read_bytes())
    data[len(data) // 2] ^= 0xFF
    found.write_bytes(bytes(data))
    view, source = _open(warned)
    assert source.data.cache is not None and source.data.cache.hits == 0
    assert _view_key(view) == cold
    view, source = _open(warned)  # rebuilt
    assert source.data.cache is not None and source.data.cache.hits > 0
    assert _view_key(view) == cold
    found.write_bytes(b"not a cache")
    view, _ = _open(warned)
    assert _view_key(view) == cold


def test_a_cached_unit_shares_strings_as_a_read_does(
    warned: Path, cache_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Decoded from the cache, a large unit holds one string per id and per repeated owner
    or unit, as a read from the files leaves it (parsecache.SHARE_FROM)."""
    monkeypatch.setattr(parsecache, "SHARE_FROM", 1)
    _open(warned)
    view, source = _open(warned)
    assert source.data.cache is not None and source.data.cache.hits > 0
    defs = view.board.definitions
    ids = {ind.id: ind.id for ind in defs.indicators}
    prog = view.board.progress
    assert prog is not None and prog.values
    assert all(key is ids[key] for key in prog.values)
    owners: dict[str, str] = {}
    for ind in defs.indicators:
        assert owners.setdefault(ind.owner, ind.owner) is ind.owner


def _cache_files(cache_dir: Path) -> list[Path]:
    return list(cache_dir.rglob("*.bin"))


def test_a_load_alone_does_not_write_the_cache_saving_it_does(
    warned: Path, cache_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Issue 23, "nothing fast gets slower": the first open of a large unit does not wait for
    its cache to be written; the reader saves it when it chooses (`save_cache`)."""
    before = tree_stamps(warned)
    source = FileSource(warned, own_cache=True)
    assert source.preload(Q1) is not None
    source.load(None)
    assert not _cache_files(cache_dir) and source.unsaved()
    source.save_cache()
    assert _cache_files(cache_dir) and not source.unsaved()
    source.save_cache()  # nothing new: nothing written
    view, again = _open(warned)
    assert again.data.cache is not None and again.data.cache.hits > 0
    assert _view_key(view) == _cold(warned, monkeypatch)
    assert tree_stamps(warned) == before  # never into the data folder


def test_a_later_save_keeps_the_entries_of_files_not_read_again(
    tmp_path: Path, cache_dir: Path
) -> None:
    """A held cache written twice (one quarter, then another): the second save merges the
    file's entries with the new ones, encoded at save time."""
    root = copy_sample(tmp_path)
    source = FileSource(root, own_cache=True)
    source.load(Q1, history=0)
    source.save_cache()
    source.load(Period(2025, 4), history=0)
    assert source.unsaved()
    source.save_cache()
    for period in (Q1, Period(2025, 4)):
        warm = FileSource(root, own_cache=True)
        warm.load(period, history=0)
        assert warm.data.cache is not None and warm.data.cache.hits > 0
        assert not warm.unsaved()  # every file it read was in the cache


def test_one_shot_commands_save_the_unit_cache(
    warned: Path, cache_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    before = tree_stamps(warned)
    out = tmp_path / "shot.svg"
    args = ["--config", str(warned), "--period", "2026-Q1"]
    assert main(["screenshot", *args, "--output", str(out), "--size", "100x30"]) == 0
    (found,) = _cache_files(cache_dir)
    found.unlink()
    assert main(["alerts", *args]) == 0
    assert _cache_files(cache_dir)
    capsys.readouterr()
    again = FileSource(warned, own_cache=True)
    again.load(Q1)
    assert again.data.cache is not None and again.data.cache.hits > 0
    assert tree_stamps(warned) == before


async def test_the_app_saves_the_unit_cache_after_its_first_frame(
    warned: Path, cache_dir: Path
) -> None:
    """The dashboard shows the view read before it started, then saves the source's cache in
    a thread; a second open takes the unit from it."""
    before = tree_stamps(warned)
    source = FileSource(warned, own_cache=True)
    initial = preload(source, Q1)
    assert initial is not None and not _cache_files(cache_dir)
    app = ChitieuApp(source, Q1, initial=initial)
    calls: list[tuple[bool, bool]] = []
    save = source.save_cache

    def recorded() -> None:
        shown = dash(app).view is initial[0] and dash(app).table.row_count > 0
        calls.append((threading.current_thread() is threading.main_thread(), shown))
        save()

    source.save_cache = recorded  # type: ignore[method-assign]
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        assert calls == [(False, True)]  # once, in a worker, with the view on screen
        assert _cache_files(cache_dir)
    again = FileSource(warned, own_cache=True)
    view = again.load(Q1)
    assert again.data.cache is not None and again.data.cache.hits > 0
    assert _view_key(view) == _view_key(initial[0])
    assert tree_stamps(warned) == before


def test_a_screenshot_saves_the_unit_cache_before_its_frame_and_finishes_it_beside(
    warned: Path, cache_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`save_screenshot` (as `run_app`): the cache encoded and written by the main thread
    once the unit is read, before the app starts, and finished (digest, sync, rename) by a
    thread while it draws (`save_cache_first`); written once (the dashboard's own save
    after its frame finds nothing left), whole when the call returns, the thread joined."""
    from chitieu_tui.app import save_cache_first, save_screenshot  # lazy: the app's module

    written: list[str] = []
    finished: list[str] = []
    write, commit = parsecache.ParseCache._write, atomic.Pending.commit

    def wrote(self: parsecache.ParseCache, *args: Any) -> None:
        written.append(threading.current_thread().name)
        write(self, *args)

    def committed(self: atomic.Pending) -> Path:
        if self.path.is_relative_to(cache_dir):
            assert not self.path.exists()  # nothing in place before the rename
            finished.append(threading.current_thread().name)
        return commit(self)

    monkeypatch.setattr(parsecache.ParseCache, "_write", wrote)
    monkeypatch.setattr(atomic.Pending, "commit", committed)
    before = tree_stamps(warned)
    out = save_screenshot(FileSource(warned, own_cache=True), tmp_path / "s.svg", (100, 30), Q1)
    assert out.is_file()
    assert written == ["MainThread"] and finished == ["cache-save"]  # once each
    assert len(_cache_files(cache_dir)) == 1
    assert not list(cache_dir.rglob("*.tmp"))
    assert [t for t in threading.enumerate() if t.name == "cache-save"] == []  # joined
    again = FileSource(warned, own_cache=True)
    again.load(Q1)
    assert again.data.cache is not None and again.data.cache.hits > 0
    assert save_cache_first(again, (None, None)) is None  # a second open: nothing to save
    assert save_cache_first(FileSource(warned, own_cache=True), None) is None  # nothing read
    assert tree_stamps(warned) == before


def test_a_save_begun_and_never_finished_leaves_no_cache_file(
    warned: Path, cache_dir: Path
) -> None:
    """The first part written, the second never run (the command killed meanwhile): no
    cache file, only a temp file that the next save removes once it is stale."""
    source = FileSource(warned, own_cache=True)
    source.load(Q1)
    finish = source.begin_save_cache()
    assert finish is not None
    assert _cache_files(cache_dir) == [] and list(cache_dir.rglob("*.tmp"))
    finish()
    assert len(_cache_files(cache_dir)) == 1 and not list(cache_dir.rglob("*.tmp"))
    assert source.begin_save_cache() is None  # nothing left to save


def test_a_large_unit_read_alone_is_frozen_out_of_the_collectors_sight(
    tmp_path: Path, cache_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The collector is off while a unit opened alone is read, and on again after; a large
    one's objects are frozen (later passes do not walk them), a small one's are not."""
    root = copy_sample(tmp_path)
    seen: list[bool] = []
    read = FileSource._view

    def spying(self: FileSource, *args: Any) -> View:
        seen.append(gc.isenabled())
        return read(self, *args)

    monkeypatch.setattr(FileSource, "_view", spying)
    gc.unfreeze()
    try:
        FileSource(root, own_cache=True).load(Q1)
        assert seen == [False] and gc.isenabled() and gc.get_freeze_count() == 0
        monkeypatch.setattr(filesource, "FREEZE_BYTES", 1)
        FileSource(root, own_cache=True).load(Q1)
        assert seen == [False, False] and gc.isenabled() and gc.get_freeze_count() > 0
        gc.unfreeze()
        FileSource(root).load(Q1)  # a collection's member: its collection pauses it
        assert seen == [False, False, True] and gc.get_freeze_count() == 0
    finally:
        gc.unfreeze()


def test_values_in_another_order_than_the_definitions_come_back_in_the_files_order(
    tmp_path: Path, cache_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A progress is cached with each value's indicator as its position in the definitions:
    values written in another order than the definitions' (by hand) come back from the
    cache in the file's own order, each keyed by the definitions' own id string."""
    root = copy_sample(tmp_path)
    path = root / "progress" / "2026-Q1.toml"
    head, values = path.read_text(encoding="utf-8").split("[values]\n", 1)
    lines = [line for line in values.split("\n") if " = " in line and line[0] != "#"]
    assert len(lines) > 3
    path.write_text(head + "[values]\n" + "\n".join(reversed(lines)) + "\n", encoding="utf-8")
    cold = _cold(root, monkeypatch)
    first, _ = _open(root)
    warm, source = _open(root)
    assert source.data.cache is not None and source.data.cache.hits > 0
    assert _view_key(warm) == _view_key(first) == cold
    prog = warm.board.progress
    assert prog is not None
    read = [line.split(" = ", 1)[0] for line in reversed(lines)]
    assert list(prog.values) == read
    ids = {ind.id: ind.id for ind in warm.board.definitions.indicators}
    assert all(key is ids[key] for key in prog.values)


def test_large_definitions_are_written_in_pieces_the_same_bytes(
    warned: Path, cache_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A save writes large definitions a few indicators at a time (no buffer of the whole:
    a save's peak at 50,000 indicators): the same file as encoded whole, read back warm."""
    cold = _cold(warned, monkeypatch)
    written: list[bytes] = []
    for items in (10**9, 2):  # whole, then in pieces of 2 indicators
        for found in cache_dir.rglob("*.bin"):
            found.unlink()
        with monkeypatch.context() as m:
            m.setattr(parsecache, "ENCODE_ITEMS", items)
            _open(warned)
        (found,) = cache_dir.rglob("*.bin")
        written.append(found.read_bytes())
    assert written[0] == written[1]
    warm, source = _open(warned)
    assert source.data.cache is not None and source.data.cache.hits > 0
    assert _view_key(warm) == cold
