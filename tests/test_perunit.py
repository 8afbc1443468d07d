"""A unit's read beyond parsing (issue 23, seventh session): the names a collection's units
and their files are given in messages and labels, made from the collection folder resolved
once, are those `shown_path` gives, through linked folders and from any working folder."""

from __future__ import annotations

import asyncio
import os
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from collectionkit import write_unit

from chitieu_tui.core import datadir as datadir_module
from chitieu_tui.core.collection import open_folder
from chitieu_tui.core.datadir import BUNDLED, BUNDLED_COLLECTION
from chitieu_tui.core.errors import ChitieuError
from chitieu_tui.core.filesource import FileSource
from chitieu_tui.core.paths import shown_path
from chitieu_tui.core.periods import Period

INDS = [{"id": f"x{i}", "kind": "level", "unit": "%", "target": 100} for i in range(3)]


def linked_collection(tmp_path: Path) -> Path:
    """`c/` with a plain unit, a unit folder that is a link to a folder elsewhere, and a unit
    whose `progress/` is a link; reached through `via`, a link to `c`."""
    root = tmp_path / "c"
    for name in ("a", "b", "d"):
        write_unit(root, name, INDS, {"2026-Q1": {"x0": 1}}, name=f"Đơn vị {name}")
    (tmp_path / "far").mkdir()
    shutil.move(root / "b", tmp_path / "far" / "b")
    (root / "b").symlink_to(tmp_path / "far" / "b", target_is_directory=True)
    shutil.move(root / "d" / "progress", tmp_path / "far" / "dprog")
    (root / "d" / "progress").symlink_to(tmp_path / "far" / "dprog", target_is_directory=True)
    (tmp_path / "via").symlink_to(root, target_is_directory=True)
    return tmp_path / "via"


@pytest.mark.parametrize("cwd", ["inside", "outside"])
def test_units_and_their_files_are_named_as_shown_path_names_them(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, cwd: str
) -> None:
    via = linked_collection(tmp_path)
    elsewhere = tmp_path.parent / f"{tmp_path.name}-elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(tmp_path if cwd == "inside" else elsewhere)
    coll = open_folder(via)
    assert coll.label == shown_path(via).rstrip("/") + "/"
    coll.load()
    for m in coll.members:
        folder = via / m.key
        assert m.error is None
        assert m.source.label == shown_path(folder).rstrip("/") + "/"
        data = m.source.data  # type: ignore[attr-defined]
        for path in (folder / "chitieu.toml", folder / "progress" / "2026-Q1.toml"):
            assert data.shown(path) == shown_path(path)
    if cwd == "inside":
        names = {
            m.key: m.source.data.shown(via / m.key / "progress" / "2026-Q1.toml")
            for m in coll.members
        }  # type: ignore[attr-defined]
        assert names == {
            "a": os.path.join("c", "a", "progress", "2026-Q1.toml"),
            "b": os.path.join("far", "b", "progress", "2026-Q1.toml"),
            "d": os.path.join("far", "dprog", "2026-Q1.toml"),
        }


# -- a read's stamps taken from its own `stat` calls ------------------------------------------


def shapes(root: Path) -> Path:
    """Units of every shape a stamp meets: quarters Q1 and Q2; no `progress/`; last year's
    definitions in `years/`; a broken chitieu.toml; `progress` a file."""
    write_unit(root, "a", INDS, {"2026-Q1": {"x0": 1}, "2026-Q2": {"x0": 2}})
    shutil.rmtree(write_unit(root, "b", INDS) / "progress")
    years = write_unit(root, "c", INDS, {"2026-Q1": {"x1": 5}}) / "years"
    years.mkdir()
    last = (root / "c" / "chitieu.toml").read_text(encoding="utf-8")
    (years / "2025.toml").write_text(last.replace("2026", "2025"), encoding="utf-8")
    (write_unit(root, "d", INDS) / "chitieu.toml").write_text("schema = 1\n[unit\n", "utf-8")
    prog = write_unit(root, "e", INDS) / "progress"
    prog.rmdir()
    prog.write_text("", encoding="utf-8")
    return root


@pytest.mark.parametrize("period", [None, Period(2026, 1), Period(2026, 2), Period(2025, 4)])
def test_a_stamped_read_is_a_read_with_the_stamp_taken_before_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, period: Period | None
) -> None:
    monkeypatch.setenv("CHITIEU_TODAY", "2026-06-15")
    root = shapes(tmp_path / "c")
    for name in ("a", "b", "c", "d", "e"):
        plain, stamped = FileSource(root / name), FileSource(root / name)
        before = plain.stamp(period)
        try:
            view, error = plain.load(period, history=0), None
        except ChitieuError as exc:
            view, error = None, exc
        stamp, got, got_error = stamped.stamped_load(period, 0)
        assert stamp == before == stamped.stamp(period), name
        assert (got is None) == (view is None) and str(got_error) == str(error), name
        if got is not None and view is not None:
            assert got.board.summary == view.board.summary, name
            assert got.period == view.period and stamp == stamped.stamp(got.period), name


def test_a_collection_read_is_due_again_only_when_a_file_changes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CHITIEU_TODAY", "2026-06-15")
    root = shapes(tmp_path / "c")
    serial, threads = open_folder(root), open_folder(root)
    serial.load()
    asyncio.run(threads.aload())
    for coll in (serial, threads):
        # a broken unit is stamped for the period its read asked: not due at every poll
        assert coll.due() == []
        assert [m.key for m in coll.members if m.error is not None] == ["d", "e"]
    (root / "d" / "chitieu.toml").write_text(
        (root / "a" / "chitieu.toml").read_text(encoding="utf-8").replace('"a"', '"d"'), "utf-8"
    )
    (root / "b" / "progress").mkdir()
    (root / "b" / "progress" / "2026-Q2.toml").write_text(
        'schema = 1\nunit = "b"\nperiod = "2026-Q2"\n[values]\nx0 = 3\n', encoding="utf-8"
    )
    for coll in (serial, threads):
        assert [m.key for m in coll.due()] == ["b", "d"]  # e, still broken and unchanged, is not


def changing(
    monkeypatch: pytest.MonkeyPatch, reading: Path, change: Callable[[], None]
) -> list[Path]:
    """`change()` run once, while `reading` is read (after the read's `stat` of it)."""
    done: list[Path] = []
    for name in ("load_definitions", "load_progress"):
        real = getattr(datadir_module, name)

        def wrapped(path: Path, *args: Any, real: Any = real, **kw: Any) -> Any:
            if path == reading and not done:
                done.append(path)
                change()
            return real(path, *args, **kw)

        monkeypatch.setattr(datadir_module, name, wrapped)
    return done


def grow(path: Path) -> Callable[[], None]:
    return lambda: path.write_text(path.read_text(encoding="utf-8") + "# more\n", "utf-8")


@pytest.mark.parametrize(
    ("reading", "what"),
    [
        ("chitieu.toml", "itself changed"),
        ("progress/2026-Q1.toml", "itself changed"),
        ("progress/2026-Q2.toml", "itself changed"),
        ("progress/2026-Q1.toml", "a quarter added"),
        ("progress/2026-Q1.toml", "a quarter removed"),
    ],
)
@pytest.mark.parametrize("how", ["serial", "threads"])
def test_a_file_changed_while_a_unit_is_read_is_seen_by_the_next_poll(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, reading: str, what: str, how: str
) -> None:
    monkeypatch.setenv("CHITIEU_TODAY", "2026-09-15")
    root = tmp_path / "c"
    for name in ("u0", "u1"):
        write_unit(root, name, INDS, {"2026-Q1": {"x0": 1}, "2026-Q2": {"x0": 2}})
    unit = root / "u1"
    if what == "a quarter added":
        added = unit / "progress" / "2026-Q3.toml"
        text = 'schema = 1\nunit = "u1"\nperiod = "2026-Q3"\n'
        change = lambda: added.write_text(text, encoding="utf-8")  # noqa: E731
    elif what == "a quarter removed":
        change = (unit / "progress" / "2026-Q2.toml").unlink
    else:
        change = grow(unit / reading)
    done = changing(monkeypatch, unit / reading, change)
    coll = open_folder(root)
    if how == "serial":
        coll.load()
    else:
        asyncio.run(coll.aload())
    assert done, "the change was made during the read"
    assert [m.key for m in coll.due()] == ["u1"]


def test_the_bundled_units_stay_read_only_however_reached(tmp_path: Path) -> None:
    (tmp_path / "linked").symlink_to(BUNDLED_COLLECTION, target_is_directory=True)
    for root in (BUNDLED_COLLECTION, tmp_path / "linked"):
        members = open_folder(root).members
        assert members and all(m.source.read_only for m in members)  # type: ignore[attr-defined]
    assert FileSource(BUNDLED).read_only
    copy = tmp_path / "copy"
    shutil.copytree(BUNDLED_COLLECTION, copy)
    assert not any(m.source.read_only for m in open_folder(copy).members)  # type: ignore[attr-defined]


def test_a_unit_whose_newest_quarter_is_broken_is_due_only_when_a_file_changes(
    tmp_path: Path,
) -> None:
    """Its read fails at its newest quarter (Q3) while the others show Q2: it keeps its
    error (the broken file is told), is not read again at every poll, and is due once
    its broken file is mended."""
    root = tmp_path / "c"
    write_unit(root, "a", INDS, {"2026-Q2": {"x0": 1}})
    broken = write_unit(root, "z", INDS, {"2026-Q2": {"x0": 2}}) / "progress" / "2026-Q3.toml"
    broken.write_text("schema = 1\n[values\n", encoding="utf-8")
    serial, threads = open_folder(root), open_folder(root)
    serial.load()
    asyncio.run(threads.aload())
    for coll in (serial, threads):
        assert str(coll.period) == "2026-Q2"
        assert [m.key for m in coll.members if m.error is not None] == ["z"]
        assert coll.due() == []
    broken.write_text('schema = 1\nunit = "z"\nperiod = "2026-Q3"\n[values]\n', "utf-8")
    for coll in (serial, threads):
        assert [m.key for m in coll.due()] == ["z"]
