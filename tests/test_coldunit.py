"""A large unit opened cold (no parse cache yet): its files read in a forked worker while
Textual is imported, the main process then reading them from the cache the worker wrote
(present/coldunit.py, issue 23). The same view, warnings and errors as a serial read; a
worker that fails or dies gives the serial read."""

from __future__ import annotations

import dataclasses
import os
import re
import shutil
from pathlib import Path
from typing import Any

import pytest
from datadirs import copy_sample

import chitieu_tui.app
from chitieu_tui.cli import main
from chitieu_tui.core import filesource, parsecache
from chitieu_tui.core.errors import ChitieuError
from chitieu_tui.core.filesource import FileSource
from chitieu_tui.core.periods import Period
from chitieu_tui.core.source import View
from chitieu_tui.i18n import use
from chitieu_tui.present import coldunit

pytestmark = pytest.mark.timeout(120)
Q1 = Period(2026, 1)


@pytest.fixture(autouse=True)
def _small(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """The sample counts as large (also for having a parse cache of its own); two cores; a
    cache folder of the test's own."""
    monkeypatch.setattr(coldunit, "MIN_BYTES", 0)
    monkeypatch.setattr(filesource, "SMALL_UNIT_BYTES", 0)
    monkeypatch.setattr(coldunit, "_cores", lambda: 2)
    monkeypatch.setattr(coldunit, "_core_free", lambda: True)
    monkeypatch.setenv("CHITIEU_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.delenv(coldunit.ENV_WORKERS, raising=False)
    monkeypatch.delenv("CHITIEU_CACHE", raising=False)
    use("vi")


@pytest.fixture
def warned(tmp_path: Path) -> Path:
    """The sample with a value out of bounds and an unknown id in Q1 (two warnings)."""
    root = copy_sample(tmp_path / "a")
    path = root / "progress" / "2026-Q1.toml"
    text = path.read_text(encoding="utf-8").replace("bhyt = 90.0", "bhyt = 120.0")
    path.write_text(text.replace("[values]\n", "[values]\nkhong_co = 3\n"), encoding="utf-8")
    return root


def _key(view: View) -> Any:
    words = [(w.code, w.render("en"), str(w.place)) for w in view.warnings]
    return dataclasses.replace(view, loaded_at=None, warnings=[]), words  # type: ignore[arg-type]


def _serial(root: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Any:
    """The view (or the error) of a serial read of `root` with no cache."""
    with monkeypatch.context() as m:
        m.setenv("CHITIEU_CACHE", "off")
        source = FileSource(root, own_cache=True)
        assert not coldunit.eligible(source)
        return _outcome(source)


def _outcome(source: FileSource, period: Period | None = Q1) -> Any:
    try:
        return _key(source.load(period))
    except ChitieuError as exc:
        return type(exc), exc.code, exc.render("en"), str(exc.place)


def _cache_files(tmp_path: Path) -> list[Path]:
    return sorted((tmp_path / "cache").rglob("*.bin"))


def test_the_worker_read_is_the_serial_read(
    warned: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    serial = _serial(warned, tmp_path, monkeypatch)
    source = FileSource(warned, own_cache=True)
    assert coldunit.eligible(source)
    ran: list[int] = []
    worker = coldunit.read_apart(source, Q1, meanwhile=lambda: ran.append(os.getpid()))
    assert worker is not None
    assert ran == [os.getpid()]  # once, here (not in the worker)
    assert _outcome(source) == serial
    assert source.data.cache is not None and source.data.cache.hits >= 2  # a warm read
    assert len(serial[1]) >= 2  # the warnings are there, and the same
    assert not source.unsaved()  # nothing left to save after the frame
    worker.wait()
    assert len(_cache_files(tmp_path)) == 1  # written by the worker
    again = FileSource(warned, own_cache=True)  # a second open: from the worker's file
    assert _outcome(again) == serial
    assert again.data.cache is not None and again.data.cache.hits >= 2


def test_a_worker_that_dies_after_its_hand_over_leaves_no_cache(
    warned: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    serial = _serial(warned, tmp_path, monkeypatch)
    monkeypatch.setattr(parsecache.ParseCache, "save", lambda self: os._exit(5))
    source = FileSource(warned, own_cache=True)
    worker = coldunit.read_apart(source, Q1)
    assert worker is not None
    assert _outcome(source) == serial
    worker.wait()
    assert _cache_files(tmp_path) == []  # the next open is cold again


def test_what_the_main_process_takes_is_not_saved_again(tmp_path: Path) -> None:
    cache = parsecache.ParseCache(tmp_path / "c.bin", hold=True)
    assert not cache.take(b"not msgpack")
    assert cache.take(parsecache.ParseCache(tmp_path / "d.bin").fresh_bytes())
    assert not cache.dirty


def test_a_worker_that_dies_gives_the_serial_read(
    warned: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    serial = _serial(warned, tmp_path, monkeypatch)
    monkeypatch.setattr(coldunit, "_child", lambda *_: os._exit(3))
    source = FileSource(warned, own_cache=True)
    ran: list[bool] = []
    assert coldunit.read_apart(source, Q1, meanwhile=lambda: ran.append(True)) is None
    assert ran == [True]
    assert _cache_files(tmp_path) == []
    assert _outcome(source) == serial
    assert source.data.cache is not None and source.data.cache.hits == 0  # read serially


def test_a_worker_that_fails_gives_the_serial_read(
    warned: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    serial = _serial(warned, tmp_path, monkeypatch)

    def broken(self: FileSource, period: Period | None = None, history: int = 0) -> View:
        raise RuntimeError("boom")

    source = FileSource(warned, own_cache=True)
    with monkeypatch.context() as m:  # the worker's read fails (not with a ChitieuError)
        m.setattr(FileSource, "load", broken)
        assert coldunit.read_apart(source, Q1) is None
    assert _cache_files(tmp_path) == []
    assert _outcome(source) == serial


@pytest.mark.parametrize(
    ("name", "old", "new"),
    [
        ("progress/2026-Q1.toml", "[values]\n", "[values\n"),  # does not parse
        ("progress/2026-Q1.toml", "bhyt = 120.0", 'bhyt = "nhiều"'),  # not a number
        ("chitieu.toml", "[[indicator]]\n", "[[indicator]]\nbogus = 1\n"),  # unknown key
    ],
)
def test_a_broken_file_gives_the_same_error(
    warned: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    name: str,
    old: str,
    new: str,
) -> None:
    path = warned / name
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    serial = _serial(warned, tmp_path, monkeypatch)
    source = FileSource(warned, own_cache=True)
    worker = coldunit.read_apart(source, Q1)
    assert worker is not None
    assert _outcome(source) == serial
    worker.wait()


def test_not_read_apart(warned: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def forks() -> bool:
        source = FileSource(warned, own_cache=True)
        ran: list[bool] = []
        worker = coldunit.read_apart(source, Q1, meanwhile=lambda: ran.append(True))
        assert ran == [True]  # run in any case
        if worker is None:
            return False
        worker.wait()
        return True

    with monkeypatch.context() as m:
        m.setenv(coldunit.ENV_WORKERS, "1")
        assert not forks()
    with monkeypatch.context() as m:
        m.setattr(coldunit, "MIN_BYTES", 10**9)  # too small a unit
        assert not forks()
    with monkeypatch.context() as m:
        m.setattr(coldunit, "MAX_BYTES", 10)  # too large: decoding it again costs more
        assert not forks()
    with monkeypatch.context() as m:
        m.setattr(coldunit, "_cores", lambda: 1)
        assert not forks()
    with monkeypatch.context() as m:  # both cores busy: the worker's share is someone's
        m.setattr(coldunit, "_core_free", lambda: False)
        assert not forks()
        m.setenv(coldunit.ENV_WORKERS, "2")  # asked for all the same
        source = FileSource(warned, own_cache=True)
        assert coldunit.eligible(source)
    assert not coldunit.eligible(object())  # not a data folder
    assert forks()  # cold: read apart, the cache written
    assert not forks()  # a second open: read as today
    member = FileSource(warned)  # no cache of its own (a collection's member's way)
    assert not coldunit.eligible(member)


def _svg_text(path: Path) -> str:
    svg = path.read_text(encoding="utf-8")
    svg = re.sub(r"<style.*?</style>", "", svg, flags=re.S)
    return re.sub(r"<[^>]+>", "", svg)


def _cold_shot(
    root: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    workers: str,
) -> tuple[str, str, list[Path]]:
    """`chitieu screenshot` of `root` (Q1) with an emptied cache folder of its own and
    `CHITIEU_WORKERS=workers`: the SVG's text, what it said on stderr, the cache files."""
    cache = tmp_path / f"cache{workers}"
    shutil.rmtree(cache, ignore_errors=True)
    monkeypatch.setenv("CHITIEU_CACHE_DIR", str(cache))
    monkeypatch.setenv(coldunit.ENV_WORKERS, workers)
    out = tmp_path / f"s{workers}.svg"
    args = ["screenshot", "--config", str(root), "-o", str(out), "--size", "120x40"]
    assert main([*args, "--period", "2026-Q1"]) == 0
    return _svg_text(out), capsys.readouterr().err, list(cache.rglob("*.bin"))


def test_the_cli_screenshot_cold_is_the_serial_one(
    warned: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """`chitieu screenshot` of a cold unit: the same screen and warnings with the worker as
    without it, and the parse cache written either way."""
    shots: list[tuple[str, str]] = []
    apart: list[coldunit.Worker | None] = []
    read_apart = coldunit.read_apart

    def recorded(*args: Any, **kwargs: Any) -> coldunit.Worker | None:
        apart.append(read_apart(*args, **kwargs))
        return apart[-1]

    monkeypatch.setattr(coldunit, "read_apart", recorded)
    for workers in ("", "1"):
        svg, said, files = _cold_shot(warned, tmp_path, monkeypatch, capsys, workers)
        shots.append((svg, said))
        assert files
    assert shots[0] == shots[1]
    assert [w is not None for w in apart] == [True, False]


def test_the_app_opens_a_cold_unit_read_apart(
    warned: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`chitieu` (the dashboard) on a cold unit: read in the worker, the app given a source
    whose load is a warm one, with the serial read's view."""
    serial = _serial(warned, tmp_path, monkeypatch)
    got: list[Any] = []

    def run_app(source: FileSource, period: Period | None, settings: object) -> int:
        got.append(_outcome(source, period))
        assert source.data.cache is not None and source.data.cache.hits >= 2
        return 0

    monkeypatch.setattr(chitieu_tui.app, "run_app", run_app)
    monkeypatch.delenv("TERM", raising=False)
    assert main(["--config", str(warned), "--period", "2026-Q1"]) == 0
    assert got == [serial]
