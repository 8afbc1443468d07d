"""The roll-up's first frame at scale (issue 23, third round): what a big load read is moved
out of the collector's sight, the chart is made once per set of units and column, and a
unit's stamp is asked with the paths it already made."""

from __future__ import annotations

import gc
import os
import shutil
import weakref
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from collectionkit import write_unit
from tuikit import RecordingApp, rollup_of, settle

from chitieu_tui.core import collection as collection_module
from chitieu_tui.core.collection import open_folder
from chitieu_tui.core.datadir import DataDir, folder_problem
from chitieu_tui.core.errors import DataError
from chitieu_tui.core.paths import shown_path
from chitieu_tui.core.periods import Period
from chitieu_tui.screens import rollup as rollup_screen
from chitieu_tui.widgets.column_chart import ColumnChartView

pytestmark = pytest.mark.timeout(120)


def units(root: Path, n: int) -> Path:
    inds = [{"id": f"x{i}", "kind": "level", "unit": "%", "target": 100} for i in range(3)]
    for u in range(n):
        values = {f"x{i}": (u * 7 + i * 13) % 120 for i in range(3)}
        write_unit(root, f"u{u:03d}", inds, {"2026-Q1": values}, name=f"Đơn vị {u:03d}")
    return root


@pytest.fixture
def unfrozen() -> Iterator[None]:
    """Nothing frozen before; what the test froze given back to the collector after."""
    gc.unfreeze()
    yield
    gc.unfreeze()


def test_a_big_load_freezes_what_it_read_and_a_small_one_does_not(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, unfrozen: None
) -> None:
    monkeypatch.setattr(collection_module, "FREEZE_UNITS", 3)
    small = open_folder(units(tmp_path / "small", 2))
    small.load()
    assert gc.get_freeze_count() == 0 and gc.isenabled()

    big = open_folder(units(tmp_path / "big", 4))
    big.load()
    assert gc.get_freeze_count() > 0 and gc.isenabled()  # the collector is on again
    view = big.members[0].view
    assert view is not None
    gone = weakref.ref(view)
    big.members[0].view = None
    del view
    assert gone() is None  # frozen, still freed when let go of (reference counting)


def test_garbage_in_cycles_from_before_a_big_load_is_not_frozen_with_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, unfrozen: None
) -> None:
    """A long session reloads the country many times: each freeze must not keep for ever
    the cyclic garbage (the app's, a worker's traceback) waiting for the collector."""

    class Node:
        other: Any = None

    monkeypatch.setattr(collection_module, "FREEZE_UNITS", 3)
    big = open_folder(units(tmp_path / "big", 4))
    a, b = Node(), Node()
    a.other, b.other = b, a
    gc.collect()  # alive: promoted to the oldest generation, which only a full pass walks
    gone = weakref.ref(a)
    del a, b  # now garbage in a cycle, waiting for a full pass
    big.load()
    assert gc.get_freeze_count() > 0
    gc.collect()
    assert gone() is None


async def test_the_chart_is_made_once_per_units_and_column(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    made: list[str] = []
    real = rollup_screen.column_chart

    def counting(collection: Any, column: str, title: str) -> Any:
        made.append(column)
        return real(collection, column, title)

    monkeypatch.setattr(rollup_screen, "column_chart", counting)
    collection = open_folder(units(tmp_path / "c", 6))
    collection.load()
    app = RecordingApp(None, None, collection=collection, preloaded=True)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        screen = rollup_of(app)
        chart = screen.query_one(ColumnChartView)
        assert chart.display and made == ["x0"]
        await pilot.resize_terminal(130, 44)  # a resize: the same chart
        await settle(pilot)
        assert chart.display and made == ["x0"]
        screen.table.sort_on("c1")  # another column: its chart
        await settle(pilot)
        assert made == ["x0", "x1"]
        await pilot.press("g", "g")  # hidden and shown again: kept
        await settle(pilot)
        assert chart.display and made == ["x0", "x1"]
        await pilot.press("r")  # read again: new views, made again
        await settle(pilot)
        assert made == ["x0", "x1", "x1"]


def test_a_stamp_sees_every_change_with_its_paths_kept(tmp_path: Path) -> None:
    root = units(tmp_path / "c", 1) / "u000"
    data = DataDir(root)
    q1, q2 = Period.parse("2026-Q1"), Period.parse("2026-Q2")
    first = data.fingerprint(q1)
    assert data.fingerprint(q1) == first
    path = root / "progress" / "2026-Q1.toml"
    path.write_text(path.read_text(encoding="utf-8") + "\n", encoding="utf-8")
    assert data.fingerprint(q1) != first  # a quarter's file changed
    before = data.fingerprint(q2)
    (root / "progress" / "2026-Q2.toml").write_text(
        'schema = 1\nunit = "u000"\nperiod = "2026-Q2"\n[values]\nx0 = 1\n', encoding="utf-8"
    )
    assert data.fingerprint(q2) != before  # another period's own files
    defs = root / "chitieu.toml"
    latest = data.fingerprint(None)
    stat = defs.stat()
    defs.write_text(defs.read_text(encoding="utf-8") + "\n", encoding="utf-8")
    os.utime(defs, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000))
    assert data.fingerprint(None) != latest  # the definitions


def test_a_shown_path_follows_the_current_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The current folder's resolution is kept between names, not across a change of it."""
    unit = units(tmp_path / "c", 1) / "u000"
    monkeypatch.chdir(tmp_path)
    assert shown_path(unit / "chitieu.toml") == os.path.join("c", "u000", "chitieu.toml")
    monkeypatch.chdir(tmp_path / "c")
    assert shown_path(unit / "chitieu.toml") == os.path.join("u000", "chitieu.toml")


def test_a_file_in_the_progress_folders_place_is_named_as_before(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    unit = units(tmp_path / "c", 1) / "u000"
    shutil.rmtree(unit / "progress")
    (unit / "progress").write_text("", encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    with pytest.raises(DataError) as caught:
        DataDir(unit).definitions()
    assert caught.value.msg.key == "err.folder.is_file"
    assert os.path.join("c", "u000", "progress") in caught.value.render()


def test_a_file_is_named_by_where_it_really_is(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A folder resolved once, a linked file or folder named by its target, as `shown_path`."""
    unit = units(tmp_path / "c", 1) / "u000"
    monkeypatch.chdir(tmp_path)
    data = DataDir(unit)
    quarter = unit / "progress" / "2026-Q1.toml"
    assert (
        data.shown(quarter)
        == shown_path(quarter)
        == os.path.join("c", "u000", "progress", "2026-Q1.toml")
    )
    (tmp_path / "elsewhere").mkdir()
    target = tmp_path / "elsewhere" / "q2.toml"
    target.write_text("", encoding="utf-8")
    (unit / "progress" / "2026-Q2.toml").symlink_to(target)
    linked = unit / "progress" / "2026-Q2.toml"
    assert data.shown(linked) == shown_path(linked) == os.path.join("elsewhere", "q2.toml")
    (tmp_path / "link").symlink_to(unit, target_is_directory=True)
    through = DataDir(tmp_path / "link")
    via = tmp_path / "link" / "chitieu.toml"
    assert through.shown(via) == shown_path(via) == os.path.join("c", "u000", "chitieu.toml")


def test_the_years_folder_is_named_only_when_something_is_wrong(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`year_files` (every unit's, for the targets' checks): a folder, a link to one or none
    there lists without naming the folder; a file or a dangling link in its place is said
    as before, at the folder's path."""
    unit = units(tmp_path / "c", 1) / "u000"
    monkeypatch.chdir(tmp_path)
    named: list[Path] = []
    shown = DataDir.shown

    def spy(self: DataDir, path: Path) -> str:
        named.append(path)
        return shown(self, path)

    monkeypatch.setattr(DataDir, "shown", spy)
    years = unit / "years"
    shutil.rmtree(years, ignore_errors=True)
    assert DataDir(unit).year_files() == []
    (tmp_path / "elsewhere").mkdir()
    (tmp_path / "elsewhere" / "2025.toml").write_text("", encoding="utf-8")
    years.symlink_to(tmp_path / "elsewhere")
    assert [p.name for p in DataDir(unit).year_files()] == ["2025.toml"]
    assert named == []
    for broken in ("file", "dangling"):
        years.unlink()
        if broken == "file":
            years.write_text("", encoding="utf-8")
        else:
            years.symlink_to(tmp_path / "nothing")
        with pytest.raises(DataError) as caught:
            DataDir(unit).year_files()
        data = DataDir(unit)
        before = folder_problem(years, shown(data, years))  # as it was said before
        assert before is not None and caught.value.render() == before.render()
    assert named  # named then
