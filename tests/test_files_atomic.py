"""The atomic writer on odd file systems: no hard links, temp files of killed writers."""

from __future__ import annotations

import datetime as dt
import errno
import os
import time
import tomllib
from pathlib import Path
from typing import BinaryIO

import pytest
from datadirs import board_of, copy_sample, set_value

from chitieu_tui.cli import main
from chitieu_tui.core.atomic import STALE_TEMP_SECONDS, atomic_write, begin_write
from chitieu_tui.core.datadir import DataDir
from chitieu_tui.core.errors import WriteError
from chitieu_tui.core.periods import Period
from chitieu_tui.core.snapshots import snapshot_files, write_snapshot

NOON = dt.datetime(2026, 4, 2, 8, 30, tzinfo=dt.UTC)


def _no_links(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Make `os.link` fail as on vfat/exFAT; the list records each attempt."""
    tried: list[str] = []

    def refuse(src: object, dst: object, *args: object, **kwargs: object) -> None:
        tried.append(str(dst))
        raise PermissionError(errno.EPERM, "Operation not permitted")

    monkeypatch.setattr(os, "link", refuse)
    return tried


def test_snapshots_without_hard_links(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    tried = _no_links(monkeypatch)
    data = DataDir(copy_sample(tmp_path))
    folder = tmp_path / "snaps"
    first = write_snapshot(folder, board_of(data), "a", NOON)
    assert tried == [str(first)]
    assert tomllib.loads(first.read_text())["taken_at"] == NOON
    before = first.read_bytes()
    set_value(data, Period(2026, 1), "bhyt", 91.0)  # other figures, the same second
    second = write_snapshot(folder, board_of(data), "b", NOON)
    assert second.name == "20260402T083000Z-2.toml"
    assert first.read_bytes() == before  # never overwritten, even without links
    assert snapshot_files(folder, Period(2026, 1)) == [first, second]
    assert not [n for n in os.listdir(first.parent) if n.endswith(".tmp")]


def test_exclusive_create_never_overwrites(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _no_links(monkeypatch)
    path = tmp_path / "a.toml"
    path.write_bytes(b"old")
    with pytest.raises(FileExistsError):
        atomic_write(path, b"new", overwrite=False)
    assert path.read_bytes() == b"old"
    assert os.listdir(tmp_path) == ["a.toml"]


def test_temp_files_of_killed_writers_are_removed(tmp_path: Path) -> None:
    root = copy_sample(tmp_path)
    progress = root / "progress"
    old = progress / ".2026-Q1.toml.k1ll3d_x.tmp"
    fresh = progress / ".2026-Q1.toml.wr1t1ng_.tmp"
    other = progress / ".notes.tmp"  # not ours: left alone however old
    for f in (old, fresh, other):
        f.write_text("half")
    past = time.time() - STALE_TEMP_SECONDS - 60
    os.utime(old, (past, past))
    os.utime(other, (past, past))
    set_value(DataDir(root), Period(2026, 1), "bhyt", 91.0)
    assert not old.exists()
    assert fresh.exists() and other.exists()  # another writer may be using the fresh one


def test_identical_snapshots_are_not_piled_up(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = copy_sample(tmp_path)
    base = ["set", "--config", str(root), "--period", "2026-Q1", "bhyt"]
    printed = []
    for value in ("91", "91", "92"):
        assert main([*base, value]) == 0
        printed.append(Path(capsys.readouterr().out.split()[-1]))
    assert printed[0] == printed[1] != printed[2]  # the second set changed nothing
    assert snapshot_files(root / "snapshots", Period(2026, 1)) == [printed[0], printed[2]]


def test_setting_what_is_there_writes_nothing(tmp_path: Path) -> None:
    """A retried `set` (same value, same note) adds no journal entry and leaves the file."""
    root = copy_sample(tmp_path)
    base = ["set", "--config", str(root), "--period", "2026-Q1", "bhyt", "91", "--note", "x"]
    assert main(base) == 0
    progress = root / "progress" / "2026-Q1.toml"
    journal = root / "journal" / "2026-Q1.toml"
    before = (progress.read_bytes(), journal.read_bytes())
    assert main(base) == 0
    assert main(base[:-2]) == 0  # no --note: the note stays as it is
    assert (progress.read_bytes(), journal.read_bytes()) == before


def test_a_file_written_by_a_function_is_whole_and_a_failing_one_leaves_nothing(
    tmp_path: Path,
) -> None:
    """`atomic_write` with a writing function (a large cache file encoded piece by piece, its
    head filled in last): the file as written; a function that fails leaves the old file and
    no temp file."""
    path = tmp_path / "c.bin"

    def fill(fh: BinaryIO) -> None:
        fh.write(b"head" + b"-" * 4)
        fh.write(b"body")
        fh.seek(4)
        fh.write(b"1234")
        fh.seek(0, 2)

    atomic_write(path, fill)
    assert path.read_bytes() == b"head1234body"

    def broken(fh: BinaryIO) -> None:
        fh.write(b"half")
        raise TypeError("not encodable")

    with pytest.raises(TypeError):
        atomic_write(path, broken)
    assert path.read_bytes() == b"head1234body"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["c.bin"]


@pytest.mark.parametrize("links", [True, False])
def test_a_writing_function_can_read_back_what_it_wrote(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, links: bool
) -> None:
    """The file is open for reading too (the parse cache seals what it wrote by reading it
    back, a length filled in after the bytes it counts): a temp file, or an exclusive create
    where there are no hard links."""
    if not links:
        _no_links(monkeypatch)
    path = tmp_path / "r.bin"
    seen: list[bytes] = []

    def fill(fh: BinaryIO) -> None:
        fh.write(b"0000" + b"x" * 10)
        fh.seek(0)
        fh.write(b"0010")
        fh.seek(0, 2)
        fh.flush()
        seen.append(os.pread(fh.fileno(), 100, 0))

    atomic_write(path, fill, overwrite=links)
    assert seen and all(got == b"0010" + b"x" * 10 for got in seen)  # (written twice without
    assert path.read_bytes() == seen[0]  # links: the temp file, then the exclusive create)


def test_a_write_begun_then_failing_or_dropped_leaves_the_old_file_whole(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`begin_write` then `Begun.finish` (the parse cache finishes in a thread while the app
    draws): a sync that fails, a second part that fails, or a write dropped (`abort`) leave
    the old file as it was and no temp file; a finished one replaces it whole."""
    path = tmp_path / "c.bin"
    path.write_bytes(b"old")

    def temps() -> list[str]:
        return [n for n in os.listdir(tmp_path) if n.endswith(".tmp")]

    def broken_sync(fd: int) -> None:
        raise OSError(errno.EIO, "Input/output error")

    begun = begin_write(path, b"new ")
    assert temps() and path.read_bytes() == b"old"  # nothing in place before `finish`
    with monkeypatch.context() as m:
        m.setattr(os, "fsync", broken_sync)
        with pytest.raises(WriteError):
            begun.finish(b"half")
    assert path.read_bytes() == b"old" and temps() == []

    def failing(fh: BinaryIO) -> None:
        fh.write(b"half")
        raise TypeError("not encodable")

    with pytest.raises(TypeError):
        begin_write(path, b"new ").finish(failing)
    assert path.read_bytes() == b"old" and temps() == []
    begin_write(path, b"new ").abort()
    assert path.read_bytes() == b"old" and temps() == []
    assert begin_write(path, b"new ").finish(b"whole") == path
    assert path.read_bytes() == b"new whole" and temps() == []
