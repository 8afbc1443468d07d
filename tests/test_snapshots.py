"""Snapshots: never overwritten, newest found, read back as an offline copy."""

from __future__ import annotations

import datetime as dt
import tomllib
from pathlib import Path

from datadirs import board_of, copy_sample

from chitieu_tui.core.datadir import DataDir
from chitieu_tui.core.filesource import FileSource
from chitieu_tui.core.periods import Period
from chitieu_tui.core.snapshots import (
    latest_snapshot,
    read_snapshot,
    snapshot_files,
    write_snapshot,
)

NOON = dt.datetime(2026, 4, 2, 8, 30, tzinfo=dt.UTC)


def test_same_second_gets_distinct_names_and_the_newest_is_found(tmp_path: Path) -> None:
    board = board_of(copy_sample(tmp_path))
    folder = tmp_path / "snaps"
    first = write_snapshot(folder, board, "file:progress/2026-Q1.toml", NOON)
    assert first.name == "20260402T083000Z.toml"
    assert write_snapshot(folder, board, "x", NOON) == first  # same figures: not again
    paths = [first]
    for n in (2, 4, 6):  # other figures in the same second: each its own name
        other = first.parent / f"20260402T083000Z-{n}.toml"
        other.write_text(f"schema = 1\nother = {n}\n")
        paths += [other, write_snapshot(folder, board, "x", NOON)]
        assert paths[-1].name == f"20260402T083000Z-{n + 1}.toml"
    assert snapshot_files(folder, Period(2026, 1)) == paths
    (first.parent / "20260402T083001Z.toml").write_text("schema = 1\n")
    later = write_snapshot(folder, board, "x", NOON + dt.timedelta(seconds=1))
    assert later.name == "20260402T083001Z-2.toml"
    assert latest_snapshot(folder, Period(2026, 1)) == later


def test_an_existing_snapshot_is_never_overwritten(tmp_path: Path) -> None:
    board = board_of(copy_sample(tmp_path))
    folder = tmp_path / "snaps"
    first = write_snapshot(folder, board, "a", NOON)
    before = first.read_bytes()
    write_snapshot(folder, board, "b", NOON)
    assert first.read_bytes() == before


def test_snapshot_reads_back_without_the_data_folder(tmp_path: Path) -> None:
    data = DataDir(copy_sample(tmp_path))
    board = board_of(data)
    path = write_snapshot(tmp_path / "snaps", board, "api:http://127.0.0.1:1", NOON)
    doc = tomllib.loads(path.read_text())
    assert doc["taken_at"] == NOON and doc["as_of"] == dt.date(2026, 3, 31)
    snap = read_snapshot(path)  # uses the definitions stored inside
    assert snap.taken_at == NOON and snap.source == "api:http://127.0.0.1:1"
    assert snap.definitions == board.definitions
    assert snap.progress.values == board.progress.values  # type: ignore[union-attr]


def test_history_falls_back_to_snapshots(tmp_path: Path) -> None:
    root = copy_sample(tmp_path)
    data = DataDir(root)
    board_q4 = board_of(data, Period(2025, 4))
    data.take_snapshot(board_q4)
    (root / "progress" / "2025-Q4.toml").unlink()
    view = FileSource(root).load(Period(2026, 1), history=3)
    periods = [b.period for b in view.history]  # and the same quarter last year
    assert periods == [Period(2025, 1), Period(2025, 3), Period(2025, 4), Period(2026, 1)]
    assert view.history[2].progress.source.startswith("snapshot:")  # type: ignore[union-attr]
